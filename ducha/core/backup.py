"""`ducha backup FILE` / `ducha restore FILE [--force]`: the database and the evidence files
together in one tar archive, every member checksummed.

The archive holds `database.sqlite3` or `database.pgdump` (core/dumps.py), the evidence
files as stored (`evidence/<sha256[:2]>/<sha256>`), `manifest.json` (format, Ducha's
version, the database vendor, the applied migrations, each member's SHA-256) and
`manifest.sha256` (the manifest's own). The database is dumped first, then the files are
read: evidence is written before the row naming it, so every row in the dump finds its file.

A restore checks everything before it touches anything: every checksum, the vendor, the
migrations (an archive of a newer Ducha is refused) and that the database is empty (no
change-log row, no user) unless forced. Then the evidence files, then the database, then
the statistics cache is emptied (its entries are keyed by the change log's head).
"""

import contextlib
import datetime as dt
import hashlib
import io
import json
import os
import re
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import IO

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils.translation import gettext as _

from ducha.core.dumps import DumpError, dump_database, load_database
from ducha.core.models import ChangeLogEntry

FORMAT = 1
MANIFEST = "manifest.json"
MANIFEST_SUM = "manifest.sha256"
DATABASE_MEMBER = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
EVIDENCE_NAME = re.compile(r"evidence/([0-9a-f]{2})/([0-9a-f]{64})")
CHUNK = 1024 * 1024


class BackupError(Exception):
    """Refused or failed, with the reason for the user; nothing was changed by a restore."""


@dataclass
class BackupDone:
    evidence_files: int
    size: int
    mismatched: list[str] = field(default_factory=list)  # evidence files whose content is not their name


@dataclass
class RestoreDone:
    evidence_files: int
    pending_migrations: int  # this Ducha's migrations the archive's database lacks: run `ducha migrate`


# --- backup ---------------------------------------------------------------------------------


def make_backup(target: Path) -> BackupDone:
    vendor = _vendor()
    target = target.resolve()
    partial = target.with_name(target.name + ".partial")
    sums: dict[str, str] = {}
    mismatched = []
    try:
        with tempfile.TemporaryDirectory(dir=target.parent) as folder:
            dump = Path(folder) / DATABASE_MEMBER[vendor]
            dump_database(dump)
            migrations = _applied_migrations()
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # holds everyone's data
            with os.fdopen(fd, "wb") as file, tarfile.open(fileobj=file, mode="w", format=tarfile.PAX_FORMAT) as tar:
                sums[dump.name] = _add_file(tar, dump, dump.name)
                for path in _evidence_files():
                    name = f"evidence/{path.parent.name}/{path.name}"
                    sums[name] = _add_file(tar, path, name)
                    if sums[name] != path.name:
                        mismatched.append(name)
                manifest = {
                    "format": FORMAT,
                    "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                    "ducha_version": _ducha_version(),
                    "database": vendor,
                    "migrations": migrations,
                    "members": sums,
                }
                data = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
                _add_bytes(tar, MANIFEST, data)
                _add_bytes(tar, MANIFEST_SUM, hashlib.sha256(data).hexdigest().encode())
                file.flush()
                os.fsync(file.fileno())
    except (DumpError, OSError) as error:
        partial.unlink(missing_ok=True)
        raise BackupError(_("The backup was not written: %(error)s") % {"error": error}) from error
    os.replace(partial, target)
    return BackupDone(len(sums) - 1, target.stat().st_size, mismatched)


def _evidence_files() -> list[Path]:
    root = Path(settings.EVIDENCE_ROOT)
    if not root.is_dir():
        return []
    # Only stored files (<sha256[:2]>/<sha256>): not one still being written under a temporary name.
    return sorted(p for p in root.glob("??/*") if EVIDENCE_NAME.fullmatch(f"evidence/{p.parent.name}/{p.name}"))


class _Hashing(io.RawIOBase):
    """Reads a file for tarfile and hashes what it reads: each file is read once."""

    def __init__(self, file: IO[bytes]):
        self.file, self.sha256 = file, hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.file.read(size)
        self.sha256.update(data)
        return data


def _add_file(tar: tarfile.TarFile, path: Path, name: str) -> str:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = path.stat().st_size, int(path.stat().st_mtime), 0o600
    with path.open("rb") as file:
        reader = _Hashing(file)
        tar.addfile(info, reader)  # type: ignore[arg-type]
    return reader.sha256.hexdigest()


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(dt.datetime.now().timestamp()), 0o600
    tar.addfile(info, io.BytesIO(data))


# --- restore --------------------------------------------------------------------------------


def restore_backup(source: Path, *, force: bool = False) -> RestoreDone:
    with _opened(source) as tar:
        manifest = verified_manifest(tar)
        _check_restorable(manifest, force=force)
        # Checked: from here on the archive is written into place.
        evidence = [n for n in manifest["members"] if n.startswith("evidence/")]
        with tempfile.TemporaryDirectory(dir=settings.VAR_DIR) as folder:
            try:
                name = DATABASE_MEMBER[manifest["database"]]
                dump = _extract(tar, name, manifest["members"][name], Path(folder) / name)
                Path(settings.EVIDENCE_ROOT).mkdir(mode=0o700, parents=True, exist_ok=True)
                for member in evidence:
                    _restore_evidence(tar, member, manifest["members"][member])
            except OSError as error:  # a full disk: the files written so far are whole and harmless
                raise BackupError(
                    _("The restore stopped before the database (which was not changed): %(error)s") % {"error": error}
                ) from error
            try:
                load_database(dump)
            except DumpError as error:
                raise BackupError(str(error)) from error
    cache.clear()
    return RestoreDone(len(evidence), len(_known_migrations() - set(manifest["migrations"])))


@contextlib.contextmanager
def _opened(source: Path) -> Iterator[tarfile.TarFile]:
    try:
        tar = tarfile.open(source, mode="r:")  # noqa: SIM115  (closed below: only opening is an archive's fault)
    except (OSError, tarfile.TarError) as error:
        raise BackupError(_("%(file)s is not a Ducha backup: %(error)s") % {"file": source, "error": error}) from error
    with tar:
        yield tar


def verified_manifest(tar: tarfile.TarFile) -> dict:
    """The manifest, once every member's checksum is checked; else BackupError."""
    try:
        members = {m.name: m for m in tar.getmembers()}
        if not {MANIFEST, MANIFEST_SUM} <= set(members):
            raise BackupError(_("The archive has no manifest: it is not a Ducha backup."))
        data = _read(tar, members[MANIFEST])
        if hashlib.sha256(data).hexdigest().encode() != _read(tar, members[MANIFEST_SUM]).strip():
            raise BackupError(_("The archive is damaged: its manifest does not match its checksum."))
        manifest = json.loads(data)
        if manifest.get("format") != FORMAT or manifest.get("database") not in DATABASE_MEMBER:
            raise BackupError(_("The archive's format is not one this version of Ducha reads."))
        expected: dict[str, str] = manifest["members"]
        if (
            set(members) != set(expected) | {MANIFEST, MANIFEST_SUM}
            or DATABASE_MEMBER[manifest["database"]] not in expected
        ):
            raise BackupError(_("The archive is damaged: its files are not those its manifest lists."))
        for name, sha256 in expected.items():
            if not (members[name].isfile() and (name in DATABASE_MEMBER.values() or EVIDENCE_NAME.fullmatch(name))):
                raise BackupError(_("The archive holds an unexpected entry: %(name)s") % {"name": name})
            if _sha256(tar, members[name]) != sha256:
                raise BackupError(_("The archive is damaged: %(name)s does not match its checksum.") % {"name": name})
    except (tarfile.TarError, OSError, ValueError, KeyError, TypeError) as error:
        raise BackupError(_("The archive is damaged: %(error)s") % {"error": error}) from error
    return manifest


def _check_restorable(manifest: dict, *, force: bool) -> None:
    vendor = _vendor()
    if manifest["database"] != vendor:
        raise BackupError(
            _("The archive holds a %(archive)s database; this Ducha runs on %(here)s.")
            % {"archive": manifest["database"], "here": vendor}
        )
    unknown = sorted(set(manifest["migrations"]) - _known_migrations())
    if unknown:
        raise BackupError(
            _("The archive was made by a newer version of Ducha (migrations unknown here: %(names)s). Upgrade first.")
            % {"names": ", ".join(unknown[:5])}
        )
    if not force and not database_is_empty():
        raise BackupError(_("The database is not empty: restoring would replace it. Give --force to replace it."))


def database_is_empty() -> bool:
    """No change-log row and no user: nothing that a restore would lose (a freshly migrated
    database has rows of its own, content types and permissions, that it does not miss)."""
    tables = set(connection.introspection.table_names())
    user = get_user_model()
    return not any(
        model._meta.db_table in tables and model._default_manager.exists() for model in (ChangeLogEntry, user)
    )


def _restore_evidence(tar: tarfile.TarFile, name: str, sha256: str) -> None:
    folder, file_name = EVIDENCE_NAME.fullmatch(name).groups()  # type: ignore[union-attr]
    target = Path(settings.EVIDENCE_ROOT) / folder / file_name
    if target.is_file() and _file_sha256(target) == sha256:
        return  # already there, the same bytes
    target.parent.mkdir(mode=0o700, exist_ok=True)
    partial = target.with_name(target.name + ".restoring")
    _extract(tar, name, sha256, partial)
    os.replace(partial, target)


def _extract(tar: tarfile.TarFile, name: str, sha256: str, target: Path) -> Path:
    """The member written to target (0600), checked again as it is written."""
    source = tar.extractfile(name)
    assert source is not None
    digest = hashlib.sha256()
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with source, os.fdopen(fd, "wb") as out:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                out.write(chunk)
    except OSError:
        target.unlink(missing_ok=True)  # no half-written file left behind
        raise
    if digest.hexdigest() != sha256:
        target.unlink()
        raise BackupError(_("The archive changed while it was being restored: %(name)s.") % {"name": name})
    return target


def _read(tar: tarfile.TarFile, member: tarfile.TarInfo) -> bytes:
    file = tar.extractfile(member)
    assert file is not None
    with file:
        return file.read()


def _sha256(tar: tarfile.TarFile, member: tarfile.TarInfo) -> str:
    file = tar.extractfile(member)
    assert file is not None
    with file:
        return _digest(file)


def _file_sha256(path: Path) -> str:
    with path.open("rb") as file:
        return _digest(file)


def _digest(file: IO[bytes]) -> str:
    digest = hashlib.sha256()
    while chunk := file.read(CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


# --- what the database is -------------------------------------------------------------------


def _vendor() -> str:
    if connection.vendor not in DATABASE_MEMBER:
        raise BackupError(_("Backups are made of SQLite and PostgreSQL databases only."))
    return connection.vendor


def _applied_migrations() -> list[str]:
    return sorted(f"{app}.{name}" for app, name in MigrationRecorder(connection).applied_migrations())


def _known_migrations() -> set[str]:
    return {f"{app}.{name}" for app, name in MigrationLoader(None, ignore_no_migrations=True).disk_migrations}


def _ducha_version() -> str:
    try:
        return metadata.version("ducha")
    except metadata.PackageNotFoundError:
        return "unknown"
