"""`ducha backup` / `ducha restore` on the test database (SQLite, and PostgreSQL when the
suite runs there): a round trip gives back the same change log, figures and evidence
bytes; a damaged or foreign archive is refused before anything is touched."""

import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from ducha.core.actions import do_update_object
from ducha.core.backup import DATABASE_MEMBER, MANIFEST, MANIFEST_SUM
from ducha.core.models import ChangeLogEntry
from ducha.ledger.actions import do_attach_evidence
from ducha.ledger.evidence import EvidenceUpload
from ducha.ledger.tests.files import JPEG, PDF, PNG
from ducha.testing import database_url_for_another_process, zh


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def stats() -> dict:
    return json.loads(run("stats", "--json"))


def evidence_bytes() -> dict[str, bytes]:
    root = Path(settings.EVIDENCE_ROOT)
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def campaign(small_committed):
    """The small campaign, committed, with three evidence files on two problems."""
    office = small_committed.users["office"]
    do_attach_evidence(
        small_committed.problems["hohhot"],
        actor=office,
        uploads=[EvidenceUpload("整改报告.pdf", PDF), EvidenceUpload("现场.png", PNG)],
    )
    do_attach_evidence(small_committed.problems["baotou"], actor=office, uploads=[EvidenceUpload("照片.jpg", JPEG)])
    assert len(evidence_bytes()) == 3
    return small_committed


@pytest.fixture
def archive(campaign, tmp_path) -> Path:
    path = tmp_path / "ducha-backup.tar"
    run("backup", str(path))
    return path


def test_round_trip_gives_back_the_log_the_figures_and_the_evidence(campaign, tmp_path):
    figures, files, log = stats(), evidence_bytes(), run("audit", "verify")
    path = tmp_path / "ducha-backup.tar"
    run("backup", str(path))

    # Wiped: every table emptied, the evidence folder gone, the cached figures dropped.
    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(settings.EVIDENCE_ROOT)
    cache.clear()
    assert not ChangeLogEntry.objects.exists()

    run("restore", str(path))  # an empty database: no --force needed

    assert run("audit", "verify") == log and "intact" in log
    assert stats() == figures
    assert evidence_bytes() == files


def test_the_archive_lists_every_member_with_its_checksum(archive):
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile(MANIFEST).read())
        assert (
            tar.extractfile(MANIFEST_SUM).read().decode()
            == hashlib.sha256(tar.extractfile(MANIFEST).read()).hexdigest()
        )
        sums = {
            m.name: hashlib.sha256(tar.extractfile(m).read()).hexdigest() for m in tar if m.name in manifest["members"]
        }
    assert set(names) == {*manifest["members"], MANIFEST, MANIFEST_SUM}
    assert sums == manifest["members"]
    assert manifest["database"] == connection.vendor
    assert DATABASE_MEMBER[connection.vendor] in names
    evidence = [n for n in names if n.startswith("evidence/")]
    assert sorted(n.rsplit("/", 1)[1] for n in evidence) == sorted(manifest["members"][n] for n in evidence)
    assert len(evidence) == 3
    assert "core.0001_initial" in manifest["migrations"] and manifest["ducha_version"]


def test_restore_over_a_changed_database_needs_force(archive, campaign):
    figures = stats()
    problem = campaign.problems["hohhot"]
    do_update_object(problem, actor=campaign.users["office"], changes={"description": "改了"}, reason="测试")
    changed_log = ChangeLogEntry.objects.count()

    message = zh("The database is not empty: restoring would replace it. Give --force to replace it.")
    with pytest.raises(CommandError, match=re.escape(message)):
        run("restore", str(archive))
    assert ChangeLogEntry.objects.count() == changed_log  # untouched

    run("restore", str(archive), "--force")
    assert ChangeLogEntry.objects.count() == changed_log - 1
    assert "intact" in run("audit", "verify")
    assert stats() == figures


def member_offset(archive: Path, name: str) -> int:
    """Where, in the archive file, the middle byte of a member's data is."""
    with tarfile.open(archive) as tar:
        member = tar.getmember(name)
        return member.offset_data + member.size // 2


@pytest.mark.parametrize("which", ["database", "evidence", "manifest"])
def test_a_damaged_archive_is_refused_and_nothing_is_touched(archive, campaign, which):
    with tarfile.open(archive) as tar:
        evidence = next(n for n in tar.getnames() if n.startswith("evidence/"))
    name = {"database": DATABASE_MEMBER[connection.vendor], "evidence": evidence, "manifest": MANIFEST}[which]
    data = bytearray(archive.read_bytes())
    data[member_offset(archive, name)] ^= 0x01  # one byte changed
    archive.write_bytes(bytes(data))
    do_update_object(campaign.problems["hohhot"], actor=campaign.users["office"], changes={"description": "改了"})
    rows = ChangeLogEntry.objects.count()
    removed = Path(settings.EVIDENCE_ROOT) / evidence.removeprefix("evidence/")
    removed.unlink()  # a restore would put it back
    files = evidence_bytes()

    message = {
        "manifest": zh("The archive is damaged: its manifest does not match its checksum."),
    }.get(which) or zh("The archive is damaged: %(name)s does not match its checksum.", name=name)
    with pytest.raises(CommandError, match=re.escape(message)):
        run("restore", str(archive), "--force")

    assert ChangeLogEntry.objects.count() == rows
    assert evidence_bytes() == files


def rewritten(archive: Path, change, rename: dict[str, str] | None = None) -> Path:
    """A copy of the archive whose manifest `change` edited, its checksum made to match,
    members renamed as `rename` says."""
    copy = archive.with_name("edited.tar")
    with tarfile.open(archive) as source, tarfile.open(copy, "w") as target:
        manifest = json.loads(source.extractfile(MANIFEST).read())
        change(manifest)
        data = json.dumps(manifest).encode()
        for member in source:
            content = {MANIFEST: data, MANIFEST_SUM: hashlib.sha256(data).hexdigest().encode()}.get(
                member.name, source.extractfile(member).read()
            )
            member.name = (rename or {}).get(member.name, member.name)
            member.size = len(content)
            target.addfile(member, io.BytesIO(content))
    return copy


def test_an_archive_of_another_database_is_refused(archive, db):
    here = connection.vendor
    other = {"sqlite": "postgresql", "postgresql": "sqlite"}[here]

    def to_other(manifest):
        manifest["database"] = other
        manifest["members"][DATABASE_MEMBER[other]] = manifest["members"].pop(DATABASE_MEMBER[here])

    path = rewritten(archive, to_other, {DATABASE_MEMBER[here]: DATABASE_MEMBER[other]})
    message = zh("The archive holds a %(archive)s database; this Ducha runs on %(here)s.", archive=other, here=here)
    with pytest.raises(CommandError, match=re.escape(message)):
        run("restore", str(path), "--force")


def test_an_archive_of_a_newer_ducha_is_refused(archive, db):
    path = rewritten(archive, lambda manifest: manifest["migrations"].append("core.9999_from_the_future"))
    rows = ChangeLogEntry.objects.count()
    message = zh(
        "The archive was made by a newer version of Ducha (migrations unknown here: %(names)s). Upgrade first.",
        names="core.9999_from_the_future",
    )

    with pytest.raises(CommandError, match=re.escape(message)):
        run("restore", str(path), "--force")
    assert ChangeLogEntry.objects.count() == rows


def test_what_is_not_a_backup_is_refused(tmp_path, db):
    path = tmp_path / "not-a-backup.tar"
    path.write_bytes(b"hello")
    with pytest.raises(CommandError) as refused:
        run("restore", str(path))
    assert str(refused.value).startswith(zh("%(file)s is not a Ducha backup: %(error)s", file=path, error=""))


def ducha(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ducha", *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )


def installation(folder: Path, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DUCHA_") and k != "DJANGO_SETTINGS_MODULE"}
    return env | {
        "DUCHA_VAR_DIR": str(folder),
        "DUCHA_DATABASE_URL": database_url,
        "DUCHA_EVIDENCE_ROOT": str(folder / "evidence"),
        "DUCHA_SECRET_KEY": "backup-test-" + "x" * 50,
    }


@pytest.mark.skipif(
    not settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"),
    reason="SQLite database files; on PostgreSQL the tests above restore into the test database",
)
def test_the_console_script_moves_an_installation_into_a_new_database_file(campaign, tmp_path):
    """As an administrator moves Ducha: `ducha backup` on one installation (a WAL-mode
    database file), `ducha restore` on a new one whose database file does not exist yet."""
    old = installation(tmp_path / "old", database_url_for_another_process(tmp_path))
    shutil.copytree(settings.EVIDENCE_ROOT, tmp_path / "old" / "evidence")
    new = installation(tmp_path / "new", f"sqlite:///{tmp_path / 'new' / 'ducha.sqlite3'}")
    archive = tmp_path / "moved.tar"
    figures, log = ducha(old, "stats", "--json"), ducha(old, "audit", "verify")
    assert figures.returncode == log.returncode == 0, figures.stderr + log.stderr

    done = ducha(old, "backup", str(archive))
    assert done.returncode == 0, done.stderr
    done = ducha(new, "restore", str(archive))
    assert done.returncode == 0, done.stderr

    assert ducha(new, "audit", "verify").stdout == log.stdout
    assert ducha(new, "stats", "--json").stdout == figures.stdout
    evidence = {p.relative_to(tmp_path / "old"): p.read_bytes() for p in (tmp_path / "old").rglob("evidence/*/*")}
    assert len(evidence) == 3
    assert evidence == {
        p.relative_to(tmp_path / "new"): p.read_bytes() for p in (tmp_path / "new").rglob("evidence/*/*")
    }
    again = ducha(new, "restore", str(archive))  # now it holds data: --force is needed
    assert again.returncode != 0 and "--force" in again.stderr


def test_a_full_disk_while_the_evidence_is_written_leaves_the_database_as_it_was(archive, campaign):
    """The evidence files come first: the disk filling up there (a write into /dev/full,
    ENOSPC) stops the restore before the database is touched, with no half-written file."""
    do_update_object(campaign.problems["hohhot"], actor=campaign.users["office"], changes={"description": "改了"})
    rows = ChangeLogEntry.objects.count()
    stored = sorted(p for p in Path(settings.EVIDENCE_ROOT).rglob("*") if p.is_file())[0]
    stored.unlink()
    stored.with_name(stored.name + ".restoring").symlink_to("/dev/full")  # where restore writes it first

    with pytest.raises(CommandError) as refused:
        run("restore", str(archive), "--force")

    assert str(refused.value).startswith(
        zh("The restore stopped before the database (which was not changed): %(error)s", error="")
    )
    assert "No space left on device" in str(refused.value)
    assert ChangeLogEntry.objects.count() == rows
    assert not stored.exists() and not stored.with_name(stored.name + ".restoring").exists()
