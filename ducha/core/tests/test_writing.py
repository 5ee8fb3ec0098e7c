"""Writes beside (core/writing.py): on SQLite a transaction's bulk inserts and change-log
rows run on a second thread, in order, and commit or roll back with the transaction; a
savepoint rolled back undoes exactly what followed it. On PostgreSQL the block changes
nothing (the same assertions hold on the statements run in place)."""

import contextlib

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from ducha.core.changelog import Change, record_changes, verify_chain
from ducha.core.inserts import insert_objects
from ducha.core.models import ChangeLogEntry, ChangeLogHead
from ducha.core.writing import writer, writing_beside
from ducha.ledger.models import RectificationStep


def _log(small, reason: str, n: int = 3) -> None:
    problem = small.problems["hohhot"]
    record_changes([Change("update", problem, before={}, after={"n": i}, reason=reason) for i in range(n)],
                   actor=small.users["office"])  # fmt: skip


def _reasons() -> list[str]:
    return list(ChangeLogEntry.objects.order_by("seq").values_list("reason", flat=True))


def test_the_log_written_beside_is_chained_in_order(small):
    before = ChangeLogEntry.objects.count()
    with transaction.atomic(), writing_beside() as beside:
        assert (beside is not None) == (connection.vendor == "sqlite")
        assert writer() is beside
        for reason in ("first", "second", "third"):
            _log(small, reason)
    assert writer() is None
    assert _reasons()[before:] == ["first"] * 3 + ["second"] * 3 + ["third"] * 3
    head = ChangeLogHead.objects.get(pk=1)
    assert head.last_seq == ChangeLogEntry.objects.count() == before + 9
    assert verify_chain().ok


def test_a_savepoint_rolled_back_undoes_only_what_followed_it(small):
    before = ChangeLogEntry.objects.count()
    with transaction.atomic(), writing_beside():
        _log(small, "kept")  # still being written when the savepoint is made
        with contextlib.suppress(RuntimeError), transaction.atomic():
            _log(small, "undone")
            raise RuntimeError
        _log(small, "after")
    assert _reasons()[before:] == ["kept"] * 3 + ["after"] * 3
    assert verify_chain().ok  # the head went back with the undone rows, and was read again


def test_inserted_beside_rows_have_their_ids(small):
    problem = small.problems["hohhot"]
    steps = [
        RectificationStep(problem=problem, from_status="found", to_status="rectifying", acted_at=timezone.now())
        for _i in range(1500)
    ]  # (two statements)
    with transaction.atomic(), writing_beside():
        insert_objects(steps)
        assert all(s.pk for s in steps)
        # A read of this thread sees what was written beside before it.
        assert RectificationStep.objects.filter(pk__in=[s.pk for s in steps]).count() == 1500


def test_a_statement_failed_beside_fails_the_transaction(small):
    before = ChangeLogEntry.objects.count()
    with pytest.raises(DatabaseError), transaction.atomic(), writing_beside() as beside:
        _log(small, "rolled back")
        if beside is None:
            raise DatabaseError("PostgreSQL: nothing beside")
        beside.submit("INSERT INTO no_such_table (x) VALUES (?)", [1])
        _log(small, "after the failure")
    assert ChangeLogEntry.objects.count() == before
    assert verify_chain().ok
