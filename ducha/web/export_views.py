"""Ledger exports on the web: a list's export link answers with the file when the list is
small (at most EXPORT_INLINE_ROWS rows) and otherwise starts an export job and shows its
page: the progress while the worker writes the file, then the download (web/export_jobs.py).

Who: anyone who may read the list exports it (its rows are that user's scope). A job and
its file are seen by their own user only, and by the office; anyone else gets 404."""

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from ducha.core.registry import Ledger, ledger
from ducha.imports.models import ExportJob
from ducha.reports.xlsx import xlsx_response
from ducha.web.export_jobs import export_file_name, export_table, start_export_job
from ducha.web.job_pages import job_file, progress_fragment, visible_jobs


def export_response(request, the_ledger: Ledger, export: str, qs) -> HttpResponse:
    """The export of a filtered list: the file itself, or, for a large list, a job's page."""
    if (count := qs.count()) > settings.EXPORT_INLINE_ROWS:
        job = start_export_job(
            actor=request.user, the_ledger=the_ledger, export=export, query=request.GET, rows_total=count
        )
        return redirect("exports-job", job.pk)
    headers, rows = export_table(the_ledger, export, qs, request.user)
    return xlsx_response(export_file_name(the_ledger, export), headers, rows)


def get_export_job(request, pk: int) -> ExportJob:
    return get_object_or_404(visible_jobs(ExportJob, request.user), pk=pk)


def _title(job: ExportJob) -> str:
    try:
        return str(ledger(job.ledger).title)
    except KeyError:
        return job.ledger


@require_GET
def exports_view(request):
    """The export jobs the user sees, newest first."""
    jobs = [(job, _title(job)) for job in visible_jobs(ExportJob, request.user)[:50]]
    return render(request, "web/exports/index.html", {"jobs": jobs})


@require_GET
def job_view(request, pk: int):
    job = get_export_job(request, pk)
    return render(request, "web/exports/job.html", {"job": job, "title": _title(job)})


@require_GET
def job_progress(request, pk: int):
    return progress_fragment(request, get_export_job(request, pk), "web/exports/_progress.html")


@require_GET
def job_download(request, pk: int):
    """The file of a finished export job."""
    return job_file(get_export_job(request, pk))
