"""run_import's progress callback: told after reading, every PROGRESS_EVERY rows while
validating, after validating and once applied; a refused file is never told "applied"."""

import pytest
from django.db import transaction

from ducha.imports import importer
from ducha.imports.actions import do_create_import_job, live_progress, update_job_progress
from ducha.imports.importer import run_import
from ducha.imports.models import ImportJob, JobStatus
from ducha.imports.tests import books

pytestmark = pytest.mark.django_db


def test_progress_is_told_while_reading_validating_and_applying(small, monkeypatch):
    monkeypatch.setattr(importer, "PROGRESS_EVERY", 2)
    calls: list[tuple[int, int, int]] = []
    rows = [books.project(项目编号=f"GC-P-{i}") for i in range(5)]
    content, league = books.xlsx(rows), small.users["league_a"]
    result = run_import("projects", "p.xlsx", content, actor=league, progress=lambda *c: calls.append(c))
    assert result.applied
    assert calls == [(5, 0, 0), (5, 2, 0), (5, 4, 0), (5, 5, 0), (5, 5, 5)]


def test_a_refused_file_is_not_told_applied(small):
    calls: list[tuple[int, int, int]] = []
    rows = [books.project(项目编号="GC-P-1"), books.project(项目编号="GC-P-2", 交易领域="不存在")]
    content, league = books.xlsx(rows), small.users["league_a"]
    result = run_import("projects", "p.xlsx", content, actor=league, progress=lambda *c: calls.append(c))
    assert not result.applied
    assert calls == [(2, 0, 0), (2, 2, 0)]


class _Undone(Exception):
    pass


def test_progress_told_inside_the_imports_transaction_reaches_the_jobs_page(small):
    """An import runs in one transaction: the job's row changes no other connection sees
    (and a dry run's rollback undoes) are kept in the shared cache for its page."""
    league = small.users["league_a"]
    job = do_create_import_job(actor=league, kind="problems", file_name="q.xlsx", sha256="0" * 64, dry_run=True)
    update_job_progress(job, status=JobStatus.RUNNING)
    with pytest.raises(_Undone), transaction.atomic():
        update_job_progress(job, rows_total=100, rows_read=100, rows_validated=50)
        raise _Undone
    stored = ImportJob.objects.get(pk=job.pk)
    assert (stored.status, stored.rows_validated) == (JobStatus.RUNNING, 0)  # the row's update was undone
    assert (live_progress(stored).rows_read, stored.rows_validated) == (100, 50)  # what the page shows
    finished = ImportJob.objects.get(pk=job.pk)
    update_job_progress(finished, status=JobStatus.DONE)
    assert live_progress(finished).rows_validated == 0  # a finished job shows its own row
