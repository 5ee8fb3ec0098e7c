"""Lost update, with real concurrency: two clients PATCH the same problem with the same
ETag at the same moment (race.py, in its own process: threads with their own database
connections against committed data). Exactly one gets 200, the other 412, and the
stored problem and the change log hold only the winner's change. On PostgreSQL against
the test database itself; on SQLite against a copy of it in a WAL file (production's
settings: WAL, IMMEDIATE transactions, a busy timeout), since the in-memory test
database cannot take two writers. A module of committed data only (small_committed)."""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.test import Client

from ducha.org.tokens import do_create_token


def _database_url(tmp_path: Path) -> str:
    """A URL the race's process reaches the test database (or its copy) by."""
    db = settings.DATABASES["default"]
    if connection.vendor == "sqlite":
        copy = tmp_path / "ducha.sqlite3"
        target = sqlite3.connect(copy)
        connection.ensure_connection()
        connection.connection.backup(target)
        target.close()
        return f"sqlite:///{copy}"
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def test_two_patches_with_one_etag_one_wins_the_other_is_412(small_committed, tmp_path):
    sc = small_committed
    problem = sc.problems["hohhot"]
    tokens = [do_create_token(sc.users[name], actor=sc.system)[1] for name in ("league_a", "office")]
    etag = Client().get(f"/api/v1/problems/{problem.pk}/", headers={"Authorization": f"Bearer {tokens[0]}"})["ETag"]
    env = {**os.environ, "DUCHA_DATABASE_URL": _database_url(tmp_path), "DUCHA_VAR_DIR": str(tmp_path / "var")}
    env["DJANGO_SETTINGS_MODULE"] = "ducha.settings"
    ran = subprocess.run(
        [sys.executable, "-m", "ducha.api.tests.race", str(problem.pk), etag, *tokens],
        env=env, capture_output=True, text=True, timeout=120, cwd=settings.BASE_DIR.parent,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr[-3000:]
    result = json.loads(ran.stdout.strip().splitlines()[-1])

    assert sorted(result["answers"].values()) == [200, 412], result
    [winner] = [text for text, status in result["answers"].items() if status == 200]
    assert result["stored"] == winner
    # One change-log row, the winner's update of this problem: nothing of the loser's.
    assert result["logged"] == [["update", "ledger.problem", str(problem.pk), winner]], result
