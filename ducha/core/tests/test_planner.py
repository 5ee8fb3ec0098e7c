"""Large bulk actions leave the query planner with fresh statistics (core/planner.py)."""

import datetime as dt

from django.db import connection

from ducha.core.actions import do_bulk_create_objects
from ducha.ledger.models import Training


def analyzed(table: str) -> bool:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if not cursor.fetchone():
                return False
            cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = %s", [table])
            return cursor.fetchone()[0] > 0
        cursor.execute("SELECT count(*) FROM pg_stats WHERE tablename = %s", [table])
        return cursor.fetchone()[0] > 0


def trainings(small, n: int) -> list[Training]:
    unit, domain = small.units["150100"], small.projects["hohhot"].domain
    return [
        Training(campaign=small.campaign, unit=unit, domain=domain, title=f"培训 {i}", held_on=dt.date(2024, 6, 1),
                 attendees=10)
        for i in range(n)
    ]  # fmt: skip


def test_a_large_bulk_action_analyzes_after_commit(small, settings, django_capture_on_commit_callbacks):
    settings.ANALYZE_AFTER_ROWS = 30
    assert not analyzed("ledger_training")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        do_bulk_create_objects(trainings(small, 40), actor=small.system)
        do_bulk_create_objects(trainings(small, 40), actor=small.system)
    assert len(callbacks) == 1  # once per transaction, not once per call
    assert analyzed("ledger_training")


def test_a_small_bulk_action_does_not(small, settings, django_capture_on_commit_callbacks):
    settings.ANALYZE_AFTER_ROWS = 30
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        do_bulk_create_objects(trainings(small, 29), actor=small.system)
    assert callbacks == []
