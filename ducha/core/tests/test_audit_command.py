"""`ducha audit verify`: passes on an intact log, names the first bad row otherwise.

Tampering goes through raw SQL, as an attacker with database access would, so the
ORM's append-only guards are bypassed. The SQL is plain UPDATE/DELETE with %s
parameters and runs on SQLite and PostgreSQL alike.
"""

import datetime as dt
import json
import os
import sqlite3
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from ducha.core.actions import do_create_object, do_delete_object, do_update_object
from ducha.core.changelog import entry_hash, verify_chain
from ducha.core.models import ChangeLogEntry, ChangeLogHead
from ducha.ledger.actions import do_attach_evidence, do_record_inspection, do_transition_problem
from ducha.ledger.evidence import EvidenceUpload
from ducha.ledger.models import Project
from ducha.ledger.tests.files import PDF

TABLE = "core_changelogentry"
REPO = Path(__file__).resolve().parents[3]


# --- helpers -------------------------------------------------------------------------


def verify() -> str:
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    return out.getvalue()


def verify_fails() -> str:
    with pytest.raises(CommandError) as info:
        verify()
    message = str(info.value)
    assert message.startswith("change log is NOT intact:")
    return message


def sql(statement: str, params=()) -> int:
    """Run raw SQL past the ORM (and its append-only guards); returns the row count."""
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.rowcount


def column(name: str) -> str:
    return connection.ops.quote_name(name)


def edit(seq: int, name: str, value) -> None:
    assert sql(f"UPDATE {TABLE} SET {column(name)} = %s WHERE seq = %s", [value, seq]) == 1


def delete(*seqs: int) -> None:
    placeholders = ", ".join(["%s"] * len(seqs))
    assert sql(f"DELETE FROM {TABLE} WHERE seq IN ({placeholders})", list(seqs)) == len(seqs)


def swap(a: int, b: int) -> None:
    """Exchange two rows' places in the sequence, through a free value (seq is unique)."""
    edit(a, "seq", -1)
    edit(b, "seq", a)
    edit(-1, "seq", b)


def row_count() -> int:
    return ChangeLogEntry.objects.count()


# --- an intact log ---------------------------------------------------------------------


@pytest.fixture
def log(small) -> int:
    """The fixture's log plus one of each kind of change; returns the number of rows."""
    office, league_a, group_a = small.users["office"], small.users["league_a"], small.users["group_a"]
    project = do_create_object(
        Project,
        actor=office,
        data={
            "campaign": small.campaign,
            "unit": small.units["150200"],
            "domain": small.projects["baotou"].domain,
            "number": "P-audit",
            "name": "审计项目",
            "tenderer": "某某局",
        },
    )
    do_update_object(project, actor=office, changes={"name": "审计项目（更正）"}, reason="名称有误")
    do_record_inspection(project, "sample", actor=office, sampling_seed="1")
    do_delete_object(project, actor=office, reason="重复录入")
    problem = small.problems["hohhot"]
    do_transition_problem(problem, "rectifying", actor=league_a, measures="完善制度，约谈责任人")
    do_attach_evidence(problem, actor=league_a, uploads=[EvidenceUpload("合同.pdf", PDF)])
    do_transition_problem(
        problem,
        "rectified",
        actor=league_a,
        evidence=[EvidenceUpload("报告.pdf", PDF)],
        completed_on=dt.date(2024, 6, 9),
    )
    do_transition_problem(problem, "rectifying", actor=group_a, reason="证据不足")
    n = row_count()
    assert set(ChangeLogEntry.objects.values_list("action", flat=True)) == {"create", "update", "delete", "transition"}
    assert verify_chain().ok
    return n


def test_empty_log_is_intact(db):
    # The session's reference data wrote rows; a new installation has none (rolled back after).
    sql(f"DELETE FROM {TABLE}")
    sql(f"DELETE FROM {ChangeLogHead._meta.db_table}")
    assert verify().strip() == "change log intact: 0 rows verified"


def test_intact_log_passes_and_counts_every_row(log):
    assert verify().strip() == f"change log intact: {log} rows verified"


def test_log_stays_intact_as_it_grows(log, small):
    verify()
    do_transition_problem(small.problems["xincheng"], "dismissed", actor=small.users["group_a"], reason="不属实")
    assert verify().strip() == f"change log intact: {log + 2} rows verified"


# --- an edited row -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("reason", "篡改后的理由"),
        ("actor_name", "mallory"),
        ("actor_id", 999),
        ("action", "delete"),
        ("object_id", "424242"),
        ("object_repr", "forged"),
        ("before", json.dumps({"status": "found", "rectified_on": None, "measures": ""})),
        ("after", json.dumps({"status": "signed_off", "rectified_on": "2024-06-01", "measures": "伪造"})),
        ("batch", "00000000-0000-0000-0000-000000000000"),
    ],
)
def test_edited_row_is_named(log, name, value):
    seq = log // 2
    edit(seq, name, value)
    message = verify_fails()
    assert f"row #{seq} was altered" in message
    assert f"({seq - 1} rows good before it)" in message


def test_edited_time_is_named(log):
    seq = log // 2
    row = ChangeLogEntry.objects.get(seq=seq)
    edit(seq, "time", connection.ops.adapt_datetimefield_value(row.time - dt.timedelta(days=1)))
    assert f"row #{seq} was altered" in verify_fails()


def test_edited_transition_reason_is_named(log):
    """The last transition (the rejection) carries the group's reason: rewriting it is caught."""
    row = ChangeLogEntry.objects.filter(action="transition").order_by("seq").last()
    assert row.reason == "证据不足"
    edit(row.seq, "reason", "")
    assert f"row #{row.seq} was altered" in verify_fails()


def test_edit_with_a_recomputed_hash_breaks_the_next_link(log):
    """Fixing up the edited row's own hash only moves the break to the row after it."""
    seq = log // 2
    row = ChangeLogEntry.objects.get(seq=seq)
    row.reason = "篡改"
    edit(seq, "reason", row.reason)
    edit(seq, "hash", entry_hash(row))
    message = verify_fails()
    assert f"row #{seq + 1} does not link to the row before it" in message
    assert f"({seq} rows good before it)" in message


def test_only_the_first_of_several_edited_rows_is_named(log):
    first, later = log // 3, 2 * log // 3
    edit(later, "reason", "x")
    edit(first, "reason", "x")
    message = verify_fails()
    assert f"row #{first} was altered" in message
    assert f"#{later}" not in message


def test_edited_first_and_last_rows_are_named(log):
    edit(log, "reason", "x")
    assert f"row #{log} was altered" in verify_fails()
    edit(1, "reason", "x")
    assert "row #1 was altered" in verify_fails()


# --- a deleted row ---------------------------------------------------------------------


def test_deleted_middle_row_is_named(log):
    seq = log // 2
    delete(seq)
    message = verify_fails()
    assert f"row #{seq} is missing (next row is #{seq + 1})" in message
    assert f"({seq - 1} rows good before it)" in message


def test_deleted_first_row_is_named(log):
    delete(1)
    assert "row #1 is missing (next row is #2)" in verify_fails()


def test_deleted_run_of_rows_names_the_first(log):
    seq = log // 2
    delete(seq, seq + 1, seq + 2)
    assert f"row #{seq} is missing (next row is #{seq + 3})" in verify_fails()


def test_deleted_last_row_is_caught_by_the_head(log):
    delete(log)
    assert f"rows after #{log - 1} are missing (log head is #{log})" in verify_fails()


def test_deleted_last_rows_are_caught_by_the_head(log):
    delete(log - 2, log - 1, log)
    assert f"rows after #{log - 3} are missing (log head is #{log})" in verify_fails()


def test_deleted_last_rows_and_head_are_caught(log):
    delete(log - 1, log)
    assert sql(f"DELETE FROM {ChangeLogHead._meta.db_table}") == 1
    assert f"the log head is missing (the log ends at row #{log - 2})" in verify_fails()


def test_emptied_log_is_caught_by_the_head(log):
    assert sql(f"DELETE FROM {TABLE}") == log
    assert f"rows after #0 are missing (log head is #{log})" in verify_fails()


# --- rows added behind the application's back ------------------------------------------------


def forge(seq: int, prev_hash: str) -> ChangeLogEntry:
    """A well-formed row, chained to `prev_hash`, inserted without record_changes (so the
    head is not moved); the ORM allows inserts, so no raw SQL is needed."""
    entry = ChangeLogEntry(
        seq=seq,
        time=ChangeLogEntry.objects.order_by("seq").last().time,
        batch="forged",
        actor_name="mallory",
        action="update",
        object_type="ledger.problem",
        object_id="1",
        object_repr="forged",
        before={"status": "found"},
        after={"status": "signed_off"},
        prev_hash=prev_hash,
    )
    entry.hash = entry_hash(entry)
    entry.save()
    return entry


def test_row_appended_behind_the_head_is_named(log):
    forge(log + 1, ChangeLogEntry.objects.get(seq=log).hash)
    assert f"row #{log + 1} was added behind the log head (head is #{log})" in verify_fails()


def test_replaced_last_row_is_named(log):
    delete(log)
    forge(log, ChangeLogEntry.objects.get(seq=log - 1).hash)
    assert f"row #{log} does not match the log head" in verify_fails()


# --- reordered rows --------------------------------------------------------------------------


@pytest.mark.parametrize("distance", [1, 5])
def test_reordered_rows_name_the_first_moved_row(log, distance):
    first = log // 2
    swap(first, first + distance)
    assert row_count() == log
    message = verify_fails()
    assert f"row #{first} does not link to the row before it" in message
    assert f"({first - 1} rows good before it)" in message


def test_swapping_the_first_and_last_rows_is_caught_at_row_1(log):
    swap(1, log)
    assert "row #1 " in verify_fails()


def test_row_moved_to_the_end_leaves_a_gap(log):
    seq = log // 2
    edit(seq, "seq", log + 1)
    assert f"row #{seq} is missing (next row is #{seq + 1})" in verify_fails()


# --- the console script -----------------------------------------------------------------------


def run_ducha(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ducha", *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=300
    )


def test_console_script_exit_codes(tmp_path):
    """`ducha audit verify` as a real process on its own SQLite file: 0 when intact,
    non-zero naming the row once a row is edited behind the application's back."""
    db_file = tmp_path / "audit.sqlite3"
    env = {
        **os.environ,
        "DUCHA_DATABASE_URL": f"sqlite:///{db_file}",
        "DUCHA_VAR_DIR": str(tmp_path),
        "DUCHA_SECRET_KEY": "test-only",
    }
    for args in (["migrate", "--verbosity", "0"], ["load_reference_data"]):
        done = run_ducha(env, *args)
        assert done.returncode == 0, done.stderr

    intact = run_ducha(env, "audit", "verify")
    assert intact.returncode == 0, intact.stderr
    assert "change log intact" in intact.stdout

    with sqlite3.connect(db_file) as db:
        (rows,) = db.execute(f"SELECT COUNT(*) FROM {TABLE}").fetchone()
        (reason,) = db.execute(f"SELECT reason FROM {TABLE} WHERE seq = 7").fetchone()
        assert rows > 100
        db.execute(f"UPDATE {TABLE} SET reason = 'forged' WHERE seq = 7")
    tampered = run_ducha(env, "audit", "verify")
    assert tampered.returncode != 0
    assert "row #7 was altered" in tampered.stderr

    with sqlite3.connect(db_file) as db:
        db.execute(f"UPDATE {TABLE} SET reason = ? WHERE seq = 7", [reason])
    assert run_ducha(env, "audit", "verify").returncode == 0
