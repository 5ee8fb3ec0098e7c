"""What the pages of background jobs (imports, exports) share: the progress fragment."""

from django.http import HttpResponse
from django.shortcuts import render

from ducha.imports.actions import live_progress
from ducha.imports.models import Job


def progress_fragment(request, job: Job, template: str) -> HttpResponse:
    """The progress fragment a job's page polls every second (web/_job_progress.html); once
    the job is finished, htmx reloads the page (HX-Refresh) to show what the job did."""
    response = render(request, template, {"job": live_progress(job)})
    if job.finished and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response
