"""The page of a report job (web/report_jobs.py): its progress while the worker writes the
report, then the download. Seen by the job's own user and the office; anyone else gets 404."""

from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from ducha.imports.models import ReportJob
from ducha.web.job_pages import job_file, progress_fragment, visible_jobs


def get_report_job(request, pk: int) -> ReportJob:
    return get_object_or_404(visible_jobs(ReportJob, request.user), pk=pk)


@require_GET
def job_view(request, pk: int):
    return render(request, "web/reports/job.html", {"job": get_report_job(request, pk)})


@require_GET
def job_progress(request, pk: int):
    return progress_fragment(request, get_report_job(request, pk), "web/reports/_job_progress.html")


@require_GET
def job_download(request, pk: int):
    return job_file(get_report_job(request, pk))
