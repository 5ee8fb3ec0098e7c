"""What the pages of background jobs (imports, exports, reports) share: who sees a job,
the progress fragment."""

from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render

from ducha.core.access import RoleKind, restrict, role_kind
from ducha.imports.actions import live_progress
from ducha.imports.models import FileJob, Job, JobStatus


def visible_jobs(model: type[Job], user) -> QuerySet:
    """The jobs (of an export or a report) a user sees: their own; the office, every one (restrict)."""
    kind = role_kind(user)
    jobs = model.objects.select_related("user")  # type: ignore[attr-defined]
    if kind == RoleKind.OFFICE:
        return restrict(jobs, user)
    return jobs.filter(user=user) if kind is not None else jobs.none()


def progress_fragment(request, job: Job, template: str) -> HttpResponse:
    """The progress fragment a job's page polls every second (web/_job_progress.html); once
    the job is finished, htmx reloads the page (HX-Refresh) to show what the job did."""
    response = render(request, template, {"job": live_progress(job)})
    if job.finished and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


def job_file(job: FileJob) -> FileResponse:
    """The file a finished job wrote (an export, a report); 404 until it is there."""
    path = job.path  # type: ignore[attr-defined]
    if job.status != JobStatus.DONE or not path.is_file():
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename=job.file_name)
