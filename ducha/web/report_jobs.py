"""A summary report of a large campaign written in the background: its download starts a
report job (ReportJob) and shows the job's page, which follows the progress and offers the
file when the worker has written it. A campaign of at most REPORT_INLINE_PROBLEMS problems
gets its report in the request (a fraction of a second; see bench/bench_summary.py).

The worker writes the report as its user would download it: the same form, the same
figures (the user's scope), the same file (report_views.summary_response)."""

import logging
import os
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, QueryDict
from django.utils import translation
from django.utils.translation import gettext
from django_tasks import task

from ducha.core.access import Actor
from ducha.imports.actions import do_create_report_job, do_finish_job, update_job_progress
from ducha.imports.jobs import run_queued
from ducha.imports.models import JobStatus, ReportJob
from ducha.ledger.models import Problem
from ducha.org.models import Campaign

logger = logging.getLogger(__name__)


def written_in_background(campaign: Campaign) -> bool:
    return Problem.objects.filter(campaign=campaign).count() > settings.REPORT_INLINE_PROBLEMS


def start_report_job(*, actor: Actor, fmt: str, query: QueryDict, base_url: str, file_name: str) -> ReportJob:
    job = do_create_report_job(
        actor=actor,
        report="summary",
        format=fmt,
        query=query.urlencode(),
        base_url=base_url,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        file_name=file_name,
        rows_total=2,  # the figures counted, the file written
    )
    run_report_job.enqueue(job.pk)
    return job


@task()
def run_report_job(job_id: int) -> str:
    language = ReportJob.objects.values_list("language", flat=True).get(pk=job_id)
    return run_queued(ReportJob, job_id, execute_report_job, language)


def execute_report_job(job: ReportJob, actor: Actor) -> ReportJob:
    """Write the job's report as its user; a job that fails leaves no file and says why."""
    from ducha.web.report_views import summary_response  # (the view's module imports this one)

    request = HttpRequest()
    request.user = actor
    request.GET = QueryDict(job.query)
    partial = job.path.with_suffix(".partial")
    try:
        response = summary_response(request, job.format, base_url=job.base_url, counted=lambda: _step(job, 1))
        if response.status_code != 200:
            raise ValueError(gettext("The report's day or group is not valid any more."))
        _write(partial, response.content)
        os.replace(partial, job.path)
    except Exception as error:
        logger.exception("report job %s failed", job.pk)
        partial.unlink(missing_ok=True)
        message = gettext("The report stopped: %(error)s") % {"error": error}
        return do_finish_job(job, actor=actor, status=JobStatus.FAILED, message=message)
    name = getattr(response, "report_name", job.file_name)
    done = gettext("The report is written.")
    return do_finish_job(job, actor=actor, status=JobStatus.DONE, rows_written=2, file_name=name, message=done)


def _step(job: ReportJob, done: int) -> None:
    update_job_progress(job, rows_written=done)


def _write(path: Path, content: bytes) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as file:
        file.write(content)
