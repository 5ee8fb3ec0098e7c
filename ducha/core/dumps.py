"""The database as one file and back, for `ducha backup` / `ducha restore` (core/backup.py).

SQLite: the online backup API (`sqlite3.Connection.backup`), page by page, consistent
while others write. PostgreSQL: `pg_dump --format=custom`; restored by `pg_restore --clean
--if-exists --no-owner` as SQL run by psql in one transaction, after dropping every table
of the schema (tables of newer migrations would otherwise stay): all or nothing.
"""

import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

from django.db import connection, connections
from django.utils.translation import gettext as _

# Before the archive's SQL, in the same transaction: the schema emptied of what it holds.
DROP_EVERYTHING = """
DO $$
DECLARE r record;
BEGIN
    FOR r IN SELECT tablename FROM pg_tables WHERE schemaname = current_schema() LOOP
        EXECUTE format('DROP TABLE IF EXISTS %I CASCADE', r.tablename);
    END LOOP;
    FOR r IN SELECT viewname FROM pg_views WHERE schemaname = current_schema() LOOP
        EXECUTE format('DROP VIEW IF EXISTS %I CASCADE', r.viewname);
    END LOOP;
    FOR r IN SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema() LOOP
        EXECUTE format('DROP SEQUENCE IF EXISTS %I CASCADE', r.sequencename);
    END LOOP;
END $$;
"""


class DumpError(Exception):
    """The database could not be dumped or loaded; the message says why."""


def dump_database(target: Path) -> None:
    if connection.vendor == "sqlite":
        _dump_sqlite(target)
    else:
        _run([_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={target}"])


def load_database(source: Path) -> None:
    connections.close_all()  # this process holds no lock while the tables are replaced
    if connection.vendor == "sqlite":
        _load_sqlite(source)
    else:
        _load_postgresql(source)
    connections.close_all()


def _dump_sqlite(target: Path) -> None:
    connection.ensure_connection()
    with closing(sqlite3.connect(target)) as copy:
        connection.connection.backup(copy)
        # One self-contained file (no -wal beside it), whatever mode the live database runs in.
        copy.execute("PRAGMA journal_mode=DELETE")


def _load_sqlite(source: Path) -> None:
    connection.ensure_connection()
    with closing(sqlite3.connect(source)) as archived:
        archived.backup(connection.connection)


def _load_postgresql(source: Path) -> None:
    to_sql = [_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges", "--file=-", str(source)]
    run_sql = [_tool("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction"]
    run_sql += ["-c", DROP_EVERYTHING, "-f", "-"]
    env = _pg_environment()
    with subprocess.Popen(to_sql, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as reader:
        assert reader.stdout is not None
        done = subprocess.run(run_sql, env=env, stdin=reader.stdout, capture_output=True, text=True, check=False)
        reader.stdout.close()
        reader_errors = reader.stderr.read().decode(errors="replace") if reader.stderr else ""
    if reader.returncode != 0 or done.returncode != 0:
        raise DumpError(_("The database was not restored (nothing was changed): %(error)s") % {
            "error": (reader_errors + done.stderr).strip()
        })  # fmt: skip


def _run(command: list[str]) -> None:
    done = subprocess.run(command, env=_pg_environment(), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise DumpError(_("%(tool)s failed: %(error)s") % {"tool": Path(command[0]).name, "error": done.stderr.strip()})


def _tool(name: str) -> str:
    """PGBIN, then PostgreSQL 15's folder on Debian, then PATH."""
    for folder in (os.environ.get("PGBIN"), "/usr/lib/postgresql/15/bin"):
        if folder and (Path(folder) / name).is_file():
            return str(Path(folder) / name)
    if found := shutil.which(name):
        return found
    raise DumpError(_("%(tool)s was not found: install PostgreSQL's client tools or set PGBIN.") % {"tool": name})


def _pg_environment() -> dict[str, str]:
    """The connection of DUCHA_DATABASE_URL for libpq's tools, in its environment variables
    (never on the command line, where other users could read the password)."""
    db = connection.settings_dict
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG") or k == "PGBIN"}
    values = {
        "PGDATABASE": db["NAME"],
        "PGUSER": db.get("USER"),
        "PGPASSWORD": db.get("PASSWORD"),
        "PGHOST": db.get("HOST"),
        "PGPORT": db.get("PORT"),
        "PGSSLMODE": db.get("OPTIONS", {}).get("sslmode"),
        "PGCONNECT_TIMEOUT": db.get("OPTIONS", {}).get("connect_timeout"),
    }
    return env | {k: str(v) for k, v in values.items() if v}
