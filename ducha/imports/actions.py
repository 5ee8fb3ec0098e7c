"""The import's own record, written through the change log in the import's batch."""

from django.db import transaction
from django.utils import timezone

from ducha.core.access import Actor, user_role
from ducha.core.changelog import Change, record_changes, serialize
from ducha.imports.models import ImportJob, ImportRecord


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


def do_create_import_job(*, actor: Actor, **fields) -> ImportJob:
    """A queued import job (the worker runs it), in the change log."""
    with transaction.atomic():
        job = ImportJob(user=actor, created_at=timezone.now(), **importer_units(actor), **fields)
        job.full_clean()
        job.save()
        record_changes([Change("create", job, after=serialize(job))], actor=actor)
        return job


def update_job_progress(job: ImportJob, **counters: int | str) -> None:
    """The job's status and counters while it runs. Not a state change worth a change-log
    row each (every 500 rows): a plain queryset update; the final status is logged by
    do_finish_import_job."""
    ImportJob.objects.filter(pk=job.pk).update(**counters)
    for name, value in counters.items():
        setattr(job, name, value)


def do_finish_import_job(job: ImportJob, *, actor: Actor, status: str, **fields) -> ImportJob:
    """The job's final status (done or failed), what it found and why, in the change log."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
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
