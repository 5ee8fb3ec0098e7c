"""Background jobs as the API shows them: an import's check or import (its state, counters,
preview and result) and an export's file. The pages' own rules decide what a job shows
(web/import_views.job_context) and who sees it (visible_jobs)."""

import datetime as dt
from typing import Any

from ninja import Schema

from ducha.imports.actions import live_progress
from ducha.imports.models import ExportJob, ImportJob
from ducha.web.import_views import job_context


class ImportProgress(Schema):
    rows_total: int
    rows_read: int
    rows_validated: int
    rows_applied: int
    percent: int


class ImportErrorRow(Schema):
    row: int | None
    column: str
    value: Any
    reason: str


class ChangedRecord(Schema):
    row: int
    number: str
    fields: list[str]


class ImportPreview(Schema):
    counts: dict[str, int]  # added, changed, unchanged, refused
    changed: list[ChangedRecord]
    errors: list[ImportErrorRow]  # the first refused rows' messages (all are in errors.xlsx)
    errors_total: int
    warnings: list[str]
    unknown_columns: list[str]


class ImportResult(Schema):
    """The import's record (ImportRecord): what was applied, refused or only checked."""

    id: int
    status: str
    added: int
    changed: int
    unchanged: int
    refused: int
    imported_at: dt.datetime


class ImportJobItem(Schema):
    id: int
    kind: str
    file_name: str
    dry_run: bool
    status: str
    message: str
    user: str | None
    unit: str | None
    county: str | None
    created_at: dt.datetime
    finished_at: dt.datetime | None
    progress: ImportProgress
    preview: ImportPreview | None
    result: ImportResult | None
    may_confirm: bool
    source: int | None  # the check a real import was confirmed from
    confirmed: int | None  # the real import confirmed from this check
    error_report: bool  # GET imports/{id}/errors.xlsx


# A preview written before a key existed still has the shape.
NO_PREVIEW = {"counts": {}, "changed": [], "errors": [], "errors_total": 0, "warnings": [], "unknown_columns": []}


def import_job(job: ImportJob) -> dict[str, Any]:
    live_progress(job)  # the counters its worker has told, while it runs
    context = job_context(job)
    record = job.record
    confirmed = ImportJob.objects.filter(source=job).order_by("-pk").values_list("pk", flat=True).first()
    return {
        "id": job.pk,
        "kind": job.kind,
        "file_name": job.file_name,
        "dry_run": job.dry_run,
        "status": job.status,
        "message": job.message,
        "user": job.user.username if job.user else None,
        "unit": job.unit.code if job.unit else None,
        "county": job.county.code if job.county else None,
        "created_at": job.created_at,
        "finished_at": job.finished_at,
        "progress": {name: getattr(job, name) for name in ImportProgress.model_fields},
        "preview": {**NO_PREVIEW, **job.preview} if job.preview else None,
        "result": None if record is None else {name: getattr(record, name) for name in ImportResult.model_fields},
        "may_confirm": context["may_confirm"],
        "source": job.source_id,
        "confirmed": confirmed,
        "error_report": bool(job.error_report),
    }


class ExportJobItem(Schema):
    id: int
    ledger: str
    export: str
    query: str  # the list's filters, as in its URL
    file_name: str
    status: str
    message: str
    user: str | None
    created_at: dt.datetime
    finished_at: dt.datetime | None
    rows_total: int
    rows_written: int
    percent: int


def export_job(job: ExportJob) -> dict[str, Any]:
    live_progress(job)
    data = {name: getattr(job, name) for name in ExportJobItem.model_fields if name != "user"}
    return {**data, "id": job.pk, "user": job.user.username if job.user else None}
