"""The import's own record, written through the change log in the import's batch; the
background jobs (imports, exports): created, finished and pruned through the change log."""

import datetime as dt
import logging
from pathlib import Path
from typing import TypeVar

from django.apps import apps
from django.core.cache import cache
from django.db import transaction
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext

from ducha.core.access import Actor, user_role
from ducha.core.changelog import Change, record_changes, serialize
from ducha.imports.models import (
    FINISHED_STATUSES,
    ExportJob,
    ImportJob,
    ImportRecord,
    Job,
    JobStatus,
    ReportJob,
    SamplingJob,
)
from ducha.imports.workers import worker_gone
from ducha.org.actions import system_actor

logger = logging.getLogger(__name__)
J = TypeVar("J", ImportJob, ExportJob, ReportJob, SamplingJob)


def importer_units(actor: Actor) -> dict:
    """The importer's own unit and county (a unit reporter's), or none (office, group)."""
    role = user_role(actor)
    unit = getattr(role, "unit", None)
    if unit is None:
        return {"unit": None, "county": None}
    if unit.parent_id is not None:
        return {"unit": unit.parent, "county": unit}
    return {"unit": unit, "county": None}


def do_record_import(*, actor: Actor, batch: str, **fields) -> ImportRecord:
    """Ducha's own note of an import (applied, refused or a dry run), whoever imported:
    not a ledger record the importer adds, so its scope says only who reads it."""
    with transaction.atomic():
        record = ImportRecord(user=actor, batch=batch, **importer_units(actor), **fields)
        record.full_clean()
        record.save()
        record_changes([Change("create", record, after=serialize(record))], actor=actor, batch=batch)
        return record


def _create_job(model: type[J], *, actor: Actor, **fields) -> J:
    """A queued job (the worker runs it), scoped by its user's unit, in the change log."""
    with transaction.atomic():
        job = model(user=actor, created_at=timezone.now(), **importer_units(actor), **fields)
        job.full_clean()
        job.save()
        record_changes([Change("create", job, after=serialize(job))], actor=actor)
        return job


def do_create_import_job(*, actor: Actor, **fields) -> ImportJob:
    return _create_job(ImportJob, actor=actor, **fields)


def do_create_export_job(*, actor: Actor, **fields) -> ExportJob:
    return _create_job(ExportJob, actor=actor, **fields)


def do_create_report_job(*, actor: Actor, **fields) -> ReportJob:
    return _create_job(ReportJob, actor=actor, **fields)


def update_job_progress(job: ImportJob | ExportJob | ReportJob | SamplingJob, **counters: int | str | list) -> None:
    """The job's status and counters while it runs. Not a state change worth a change-log
    row each (every 500 rows): a plain queryset update; the final status is logged by
    do_finish_job, with the last counters.

    An import runs in one transaction: its row's update would be seen by no other
    connection until it commits (and a dry run's rollback undoes it). So the counters also
    go to the shared cache (file-based: every process sees it), where the job's page reads
    them while the job runs (live_progress)."""
    for name, value in counters.items():
        setattr(job, name, value)
    key = _progress_key(job)
    cache.set(key, {**(cache.get(key) or {}), **counters}, PROGRESS_KEPT_SECONDS)
    type(job).objects.filter(pk=job.pk).update(**counters)


PROGRESS_KEPT_SECONDS = 24 * 3600


def _progress_key(job: Job) -> str:
    return f"job-progress:{job._meta.label_lower}:{job.pk}"


def live_progress(job: Job) -> Job:
    """The job with the counters its worker has told so far, while it runs; failed, if its
    worker has ended meanwhile (fail_if_abandoned)."""
    fail_if_abandoned(job)
    if job.status == JobStatus.RUNNING:
        for name, value in (cache.get(_progress_key(job)) or {}).items():
            if name != "status":
                setattr(job, name, value)
    return job


def do_finish_job(job: J, *, actor: Actor, status: str, **fields) -> J:
    """The job's final status (done or failed), what it found and why, in the change log."""
    with transaction.atomic():
        job = type(job).objects.select_for_update().get(pk=job.pk)
        before = serialize(job)
        for name, value in {"status": status, "finished_at": timezone.now(), **fields}.items():
            setattr(job, name, value)
        job.full_clean()
        job.save()
        after = serialize(job)
        changed = [k for k in after if after[k] != before.get(k)]
        record_changes(
            [Change("update", job, before={k: before.get(k) for k in changed}, after={k: after[k] for k in changed})],
            actor=actor,
        )
        return job


def fail_if_abandoned(job: Job, also: str = "") -> Job:
    """A running job whose worker process has ended (killed mid-job: imports/workers.py),
    or whose worker is `also` (a worker that lost the database mid-job, or starts another:
    it runs one at a time), is failed, saying why, in the change log; `job` itself shows
    it too. Nothing of it was applied: an import, a draw, a run each write in one
    transaction, which the database rolled back when the worker's connection went. Any
    other job is left as it is."""
    if job.status != JobStatus.RUNNING or not job.worker:
        return job
    if job.worker != also and not worker_gone(job.worker):
        return job
    with transaction.atomic():
        current = type(job).objects.select_for_update().get(pk=job.pk)  # type: ignore[attr-defined]
        if current.status != JobStatus.RUNNING or current.worker != job.worker:
            return current  # another request saw to it first
        message = gettext(
            "The job was interrupted before it finished (its worker stopped or lost the database), "
            "so nothing it was doing was saved. Start it again."
        )
        failed = do_finish_job(current, actor=system_actor(), status=JobStatus.FAILED, message=message)
    for name in ("status", "message", "finished_at"):
        setattr(job, name, getattr(failed, name))
    return job


def fail_abandoned_jobs(also: str = "") -> int:
    """fail_if_abandoned for every running job of every kind (the analyses' runs too);
    how many were failed. A worker does this each time it starts a job (`also`: itself)."""
    failed = 0
    for model in apps.get_models():
        if issubclass(model, Job):
            for job in model.objects.filter(status=JobStatus.RUNNING).exclude(worker=""):  # type: ignore[attr-defined]
                failed += fail_if_abandoned(job, also).status == JobStatus.FAILED
    return failed


def do_prune_jobs(*, actor: Actor, before: dt.datetime) -> dict[str, int]:
    """Remove the finished import and export jobs that ended before `before` (failed ones
    that never ended: created before it), as one change-log batch, and, once that has
    committed, the files of the removed exports. Never an ImportRecord, an import's kept
    file or its error workbook: those are the audit trail (a job's `record` is only
    unlinked). A kept import confirmed from a removed check loses that link, logged too."""
    with transaction.atomic():
        imports, exports = _ended_before(ImportJob, before), _ended_before(ExportJob, before)
        removed = {job.pk for job in imports}
        unlinked = ImportJob.objects.select_for_update().filter(source_id__in=removed).exclude(pk__in=removed)
        changes = [Change("update", j, before={"source_id": j.source_id}, after={"source_id": None}) for j in unlinked]
        changes += [Change("delete", job, before=serialize(job)) for job in (*imports, *exports)]
        if changes:
            record_changes(changes, actor=actor)
        ImportJob.objects.filter(source_id__in=removed).exclude(pk__in=removed).update(source=None)
        ImportJob.objects.filter(pk__in=removed).delete()
        ExportJob.objects.filter(pk__in=[job.pk for job in exports]).delete()
        files = [job.path for job in exports]
        transaction.on_commit(lambda: _remove_files(files))
    return {"imports": len(imports), "exports": len(exports)}


def _ended_before(model: type[J], before: dt.datetime) -> list[J]:
    ended = Coalesce("finished_at", "created_at")
    finished = model.objects.select_for_update().filter(status__in=FINISHED_STATUSES)
    return list(finished.alias(ended=ended).filter(ended__lt=before))


def _remove_files(paths: list[Path]) -> None:
    for path in paths:
        try:
            path.unlink(missing_ok=True)
        except OSError:  # the rows are gone; a file left behind is only space
            logger.exception("could not remove %s", path)
