"""Ledger exports (the list pages' ?export=xlsx and ?export=ledger): what a file holds,
written in the request for a small list, by a background job for a large one.

- `export_table` is the one definition of an export's file name, headers and rows:
  `xlsx` writes every field a user enters (the registry's `export_columns`, built from the
  model); the project and problem ledgers, whose every field is in their import layout,
  keep their list's columns there; `ledger` is that import layout (imports/exports.py).
- A list longer than `EXPORT_INLINE_ROWS` becomes an `ExportJob` (imports/models.py). The
  job keeps the ledger's key and the list's query string, never record ids: the worker
  (`ducha job_worker`) builds the list again through the same filter set, search and
  `restrict` for the job's user, and writes VAR_DIR/exports/<id>.xlsx (0600) through the
  same write-only workbook and formula protection as a small export (reports/xlsx.py),
  counting the rows written as it goes.
"""

import logging
import os
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.conf import settings
from django.http import HttpRequest, QueryDict
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext
from django_tasks import task

from ducha.core.access import Actor
from ducha.core.registry import Column, Ledger, ledger, ledgers
from ducha.imports.actions import do_create_export_job, do_finish_job, update_job_progress
from ducha.imports.exports import headers_of, ledger_rows
from ducha.imports.jobs import run_queued
from ducha.imports.models import ExportFormat, ExportJob, JobStatus, exports_dir
from ducha.reports.xlsx import save_xlsx
from ducha.web.import_templates import IMPORT_LEDGERS
from ducha.web.listing import filtered

logger = logging.getLogger(__name__)

CHUNK = 2000  # records read per query
PROGRESS_EVERY = 500  # rows written between two updates of the job's counter


def export_formats(the_ledger: Ledger) -> tuple[str, ...]:
    """The exports a ledger's list offers."""
    if the_ledger.key in IMPORT_LEDGERS:
        return (ExportFormat.XLSX, ExportFormat.LEDGER)
    return (ExportFormat.XLSX,)


def export_columns(the_ledger: Ledger) -> Sequence[Column]:
    """The columns of ?export=xlsx: every entered field; the list's own columns for the
    ledgers whose every field is in the import layout (?export=ledger)."""
    return the_ledger.columns if the_ledger.key in IMPORT_LEDGERS else the_ledger.export_columns


def export_headers(the_ledger: Ledger) -> list[str]:
    return [capfirst(str(c.export_label or c.label)) for c in export_columns(the_ledger)]


def export_table(the_ledger: Ledger, export: str, qs, user) -> tuple[list[str], Iterator[Sequence[Any]]]:
    """An export of a filtered list (already scoped and sorted): its headers and its rows
    (read in chunks)."""
    if export == ExportFormat.LEDGER:
        return headers_of(the_ledger.key), ledger_rows(the_ledger.key, qs, user)
    columns = export_columns(the_ledger)
    if the_ledger.key not in IMPORT_LEDGERS:
        qs = qs.select_related(*the_ledger.export_related)
    rows = ([c.value(obj) for c in columns] for obj in qs.iterator(chunk_size=CHUNK))
    return export_headers(the_ledger), rows


def export_file_name(the_ledger: Ledger, export: str) -> str:
    return f"{the_ledger.key}-ledger.xlsx" if export == ExportFormat.LEDGER else f"{the_ledger.key}.xlsx"


def saved_query(query: QueryDict) -> str:
    """The list's filters, search and sort as the job keeps them (no page, no export)."""
    kept = query.copy()
    for name in ("export", "page"):
        kept.pop(name, None)
    return kept.urlencode()


def start_export_job(
    *, actor: Actor, the_ledger: Ledger, export: str, query: QueryDict, rows_total: int = 0
) -> ExportJob:
    """A queued export of the list `query` selects, handed to the worker; its file's headers
    in the language of the page it was asked from. `rows_total`: the list's length when it
    was asked for (the page shows it while the job waits; the worker counts again)."""
    job = do_create_export_job(
        actor=actor,
        ledger=the_ledger.key,
        export=export,
        query=saved_query(query),
        language=translation.get_language() or settings.LANGUAGE_CODE,
        file_name=export_file_name(the_ledger, export),
        rows_total=rows_total,
    )
    run_export_job.enqueue(job.pk)
    return job


@task()
def run_export_job(job_id: int) -> str:
    """The worker's side: write the job's file (headers in the language of the page it was
    asked from) and record how it ended."""
    language = ExportJob.objects.values_list("language", flat=True).get(pk=job_id)
    return run_queued(ExportJob, job_id, execute_export_job, language)


def list_of(the_ledger: Ledger, user, query: str):
    """The list a saved query string selects, for this user: the list page's own filtering
    (listing.filtered), from a request that carries only the user and the query."""
    request = HttpRequest()
    request.user = user
    request.GET = QueryDict(query)
    return filtered(the_ledger, request)[1]


def execute_export_job(job: ExportJob, actor: Actor) -> ExportJob:
    """Write the file of a running job, as its user; a job that fails leaves no file and
    says why."""
    try:
        if job.ledger not in {known.key for known in ledgers()}:
            raise ValueError(gettext("There is no ledger %(key)s.") % {"key": job.ledger})
        the_ledger = ledger(job.ledger)
        qs = list_of(the_ledger, actor, job.query)
        update_job_progress(job, rows_total=qs.count())
        headers, rows = export_table(the_ledger, job.export, qs, actor)
        written = write_export(job, headers, rows)
    except Exception as error:  # the job says why; a partial file is removed
        logger.exception("export job %s failed", job.pk)
        message = gettext("The export stopped: %(error)s") % {"error": error}
        return do_finish_job(job, actor=actor, status=JobStatus.FAILED, message=message)
    message = ngettext("%(count)s row exported.", "%(count)s rows exported.", written) % {"count": written}
    return do_finish_job(job, actor=actor, status=JobStatus.DONE, rows_written=written, message=message)


def write_export(job: ExportJob, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """The job's workbook at job.path (0600, in a 0700 folder), written under a temporary
    name and renamed when complete; the number of rows written, counted into the job."""
    folder = exports_dir()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    partial = folder / f".{job.pk}.partial"
    written = 0

    def counted() -> Iterator[Sequence[Any]]:
        nonlocal written
        for row in rows:
            yield row
            written += 1
            if written % PROGRESS_EVERY == 0:
                update_job_progress(job, rows_written=written)

    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as file:
            save_xlsx(file, headers, counted())
        os.replace(partial, job.path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return written
