"""Imports in the background (the web's upload page): a stored file, a dry-run job that
shows what the file would do, then, confirmed, the real import as a second job.

Jobs run through Django's task framework (the django-tasks backport, database backend);
`ducha job_worker` runs them. The job's row (ImportJob) is what the pages read: its status,
its counters while it runs (told by run_import's progress callback), and what it found.
"""

import hashlib
import logging
import os
from collections.abc import Callable, Iterable
from pathlib import Path

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext
from django_tasks import task

from ducha.core.access import Actor
from ducha.imports.actions import J, do_create_import_job, do_finish_job, fail_abandoned_jobs, update_job_progress
from ducha.imports.findings import ImportResult
from ducha.imports.importer import run_import
from ducha.imports.models import ImportJob, JobStatus
from ducha.imports.workers import this_worker

logger = logging.getLogger(__name__)

PREVIEW_LIMIT = 200  # errors and changed records a job's page lists
ALLOWED_SUFFIXES = (".xlsx", ".csv")


def imports_dir() -> Path:
    folder = Path(settings.VAR_DIR) / "imports"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def stored_path(sha256: str, name: str) -> Path:
    """Where run_import keeps a file (importer._keep): VAR_DIR/imports/<sha256>.<ext>."""
    return imports_dir() / f"{sha256}{Path(name).suffix.lower()}"


def store_upload(name: str, chunks: Iterable[bytes]) -> str:
    """An uploaded file written under VAR_DIR/imports by its SHA-256 (0600); its SHA-256."""
    folder = imports_dir()
    digest = hashlib.sha256()
    partial = folder / f".upload-{os.getpid()}-{id(chunks)}"
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as file:
        for chunk in chunks:
            digest.update(chunk)
            file.write(chunk)
    sha256 = digest.hexdigest()
    os.replace(partial, stored_path(sha256, name))
    return sha256


def start_import_job(
    *, actor: Actor, kind: str, file_name: str, sha256: str, dry_run: bool, source: ImportJob | None = None
) -> ImportJob:
    """A queued job for a stored file, handed to the worker."""
    job = do_create_import_job(
        actor=actor, kind=kind, file_name=file_name[:255], sha256=sha256, dry_run=dry_run, source=source
    )
    run_import_job.enqueue(job.pk)
    return job


def run_queued(model: type[J], job_id: int, execute: Callable[[J, Actor], J], language: str = "") -> str:
    """The worker's side of a background job (import or export): run a queued job once (a
    task run twice does nothing twice), as its user, in `language` (the server's by
    default), and say how it ended. A job whose user is gone fails at once."""
    # Jobs whose worker was killed (or this one, interrupted) while running them: failed, not running forever.
    fail_abandoned_jobs(also=this_worker())
    job = model.objects.select_related("user").get(pk=job_id)
    if job.status != JobStatus.QUEUED:
        return job.status
    actor = job.user
    if actor is None or not actor.is_active:  # nobody to log it as: a plain update
        update_job_progress(job, status=JobStatus.FAILED, message=gettext("The user is gone."))
        return job.status
    update_job_progress(job, status=JobStatus.RUNNING, worker=this_worker())
    with translation.override(language or settings.LANGUAGE_CODE):
        return execute(job, actor).status


@task()
def run_import_job(job_id: int) -> str:
    """The worker's side: run the job and record how it ended."""
    return run_queued(ImportJob, job_id, execute_job)


def execute_job(job: ImportJob, actor: Actor) -> ImportJob:
    """Run the import of a running job as its user. A job that fails leaves nothing applied
    (run_import is all or nothing) and says why."""

    def progress(read: int, validated: int, applied: int) -> None:
        update_job_progress(job, rows_total=read, rows_read=read, rows_validated=validated, rows_applied=applied)

    try:
        content = stored_path(job.sha256, job.file_name).read_bytes()
        result = run_import(job.kind, job.file_name, content, actor=actor, dry_run=job.dry_run, progress=progress)
    except Exception as error:  # the job says why; the import rolled itself back
        logger.exception("import job %s failed", job.pk)
        message = gettext("The import stopped: %(error)s") % {"error": error}
        return do_finish_job(job, actor=actor, status=JobStatus.FAILED, message=message)
    fields = {
        "preview": preview(result),
        "record": result.record,
        "error_report": result.error_report.name if result.error_report else "",
        # The last counters told: the import's transaction (and a dry run's rollback) kept
        # its own updates of the row from lasting.
        **{name: getattr(job, name) for name in ("rows_total", "rows_read", "rows_validated", "rows_applied")},
    }
    if result.errors:
        message = gettext("%(count)s errors: nothing was changed.") % {"count": len(result.errors)}
        status = JobStatus.DONE if job.dry_run else JobStatus.FAILED
    elif job.dry_run:
        message, status = gettext("Checked: no errors."), JobStatus.DONE
    else:
        message, status = gettext("Applied."), JobStatus.DONE
    return do_finish_job(job, actor=actor, status=status, message=message, **fields)


def preview(result: ImportResult) -> dict:
    """What a job's page shows of a run: counts, the changed fields of changed records,
    the first errors and warnings (texts in the language active while the job ran)."""
    changed: list[dict] = []
    for planned in result.planned:
        if planned.changes and planned.existing is not None and len(changed) < PREVIEW_LIMIT:
            meta = planned.existing._meta
            fields = [str(getattr(meta.get_field(f), "verbose_name", f)) for f in planned.changes]
            changed.append({"row": planned.row, "number": planned.number, "fields": fields})
    errors = result.errors
    return {
        "counts": result.counts,
        "changed": changed,
        "errors": [
            {"row": f.row, "column": f.column, "value": f.value, "reason": f.reason_text}
            for f in errors[:PREVIEW_LIMIT]
        ],
        "errors_total": len(errors),
        "warnings": [f.text for f in result.warnings[:PREVIEW_LIMIT]],
        "unknown_columns": result.unknown_columns,
    }
