"""`ducha prune_jobs`: finished import and export jobs older than --days go, with the
files of the removed exports, in one change-log batch; import records, the kept imported
files and error workbooks, recent jobs and unfinished ones stay."""

import datetime as dt

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone, translation
from django.utils.translation import gettext

from ducha.core.models import ChangeLogEntry
from ducha.imports.actions import do_create_export_job, do_finish_job, do_record_import
from ducha.imports.jobs import start_import_job, store_upload, stored_path
from ducha.imports.models import ExportJob, ImportJob, ImportRecord, JobStatus


def aged(job, days: int) -> None:
    """Move a job's times back (the test's clock: a plain update)."""
    when = timezone.now() - dt.timedelta(days=days)
    type(job).objects.filter(pk=job.pk).update(created_at=when, finished_at=when if job.finished_at else None)


def export_job(actor, *, days: int, status=JobStatus.DONE) -> ExportJob:
    job = do_create_export_job(actor=actor, ledger="trainings", export="xlsx", file_name="trainings.xlsx")
    job.path.parent.mkdir(parents=True, exist_ok=True)
    job.path.write_bytes(b"PK")
    if status != JobStatus.QUEUED:
        job = do_finish_job(job, actor=actor, status=status, message="")
    aged(job, days)
    return job


def import_job(actor, sha256: str, *, days: int, source=None, status=JobStatus.DONE) -> ImportJob:
    job = start_import_job(
        actor=actor, kind="projects", file_name="项目台账.xlsx", sha256=sha256, dry_run=source is None, source=source
    )
    record = do_record_import(
        actor=actor, batch="b", kind="projects", file_name="项目台账.xlsx", sha256=sha256, size=2,
        imported_at=timezone.now(), status="dry_run",
    )  # fmt: skip
    if status != JobStatus.QUEUED:
        job = do_finish_job(job, actor=actor, status=status, record=record)
    aged(job, days)
    return job


@pytest.fixture
def jobs(small):
    actor = small.users["league_a"]
    sha256 = store_upload("项目台账.xlsx", [b"PK"])
    old_check = import_job(actor, sha256, days=100)
    return {
        "old_check": old_check,
        "kept_import": import_job(actor, sha256, days=10, source=old_check),  # confirmed from the old check
        "old_failed": import_job(actor, sha256, days=95, status=JobStatus.FAILED),
        "old_queued": import_job(actor, sha256, days=200, status=JobStatus.QUEUED),  # never finished: kept
        "old_export": export_job(actor, days=91),
        "new_export": export_job(actor, days=89),
        "old_queued_export": export_job(actor, days=300, status=JobStatus.QUEUED),
        "sha256": sha256,
    }


def test_prune_removes_the_old_finished_jobs_and_their_export_files(jobs, django_capture_on_commit_callbacks, capsys):
    records = ImportRecord.objects.count()
    old_export_file = jobs["old_export"].path
    log_before = ChangeLogEntry.objects.count()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("prune_jobs")

    assert set(ImportJob.objects.values_list("pk", flat=True)) == {jobs["kept_import"].pk, jobs["old_queued"].pk}
    assert set(ExportJob.objects.values_list("pk", flat=True)) == {jobs["new_export"].pk, jobs["old_queued_export"].pk}
    assert not old_export_file.exists() and jobs["new_export"].path.exists()
    # The audit trail stays: the import records and the imported file.
    assert ImportRecord.objects.count() == records
    assert stored_path(jobs["sha256"], "项目台账.xlsx").exists()
    kept = ImportJob.objects.get(pk=jobs["kept_import"].pk)
    assert kept.source_id is None and kept.record_id is not None
    # One batch: the removed jobs and the kept import's link to its removed check.
    logged = ChangeLogEntry.objects.order_by("pk")[log_before:]
    assert len({e.batch for e in logged}) == 1
    assert sorted((e.object_type, e.action) for e in logged) == [
        ("imports.exportjob", "delete"),
        ("imports.importjob", "delete"),
        ("imports.importjob", "delete"),
        ("imports.importjob", "update"),
    ]
    said = capsys.readouterr().out
    with translation.override(settings.LANGUAGE_CODE):
        assert said.strip() == gettext(
            "Removed %(imports)s import jobs and %(exports)s export jobs finished more than %(days)s days ago."
        ) % {"imports": 2, "exports": 1, "days": 90}


def test_days_keeps_more_or_less(jobs, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("prune_jobs", "--days", "5")
    assert not ExportJob.objects.filter(pk=jobs["new_export"].pk).exists()
    assert not ImportJob.objects.filter(pk=jobs["kept_import"].pk).exists()
    assert ImportJob.objects.filter(pk=jobs["old_queued"].pk).exists()
    entries = ChangeLogEntry.objects.count()
    call_command("prune_jobs", "--days", "5")  # nothing left to remove: nothing logged
    assert ChangeLogEntry.objects.count() == entries
