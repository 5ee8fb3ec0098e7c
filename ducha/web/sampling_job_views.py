"""The page of a sampling job (imports/sampling_jobs.py): a draw or a draw's check, its
steps while the worker runs it (the population read, the sample drawn, the inspections or
the result recorded), then what it did and a link to the draw. Scoped like the draw (what
it covers): another group's or unit's job is not found."""

from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from ducha.core.access import restrict
from ducha.imports.actions import live_progress
from ducha.imports.models import SamplingJob, SamplingJobKind
from ducha.ledger.sampling import step_in_words
from ducha.web.job_pages import progress_fragment


def visible_sampling_jobs(user):
    jobs = SamplingJob.objects.select_related("user", "unit", "group", "draw")
    return restrict(jobs.defer("draw__population_ids"), user)  # (a million ids: only a check reads them)


def steps_in_words(job: SamplingJob) -> list[tuple[str, float]]:
    """The steps done: (what, seconds)."""
    check = job.kind == SamplingJobKind.CHECK
    return [(step_in_words(s["step"], s["count"], check=check), s["seconds"]) for s in job.steps]


def _job(request, pk: int) -> SamplingJob:
    job = get_object_or_404(visible_sampling_jobs(request.user), pk=pk)
    live_progress(job)  # (sets the counters told so far on the job itself)
    return job


@require_GET
def job_view(request, pk: int):
    job = _job(request, pk)
    return render(request, "web/sampling/job.html", {"job": job, "steps": steps_in_words(job)})


@require_GET
def job_progress(request, pk: int):
    job = _job(request, pk)
    return progress_fragment(request, job, "web/sampling/_job_progress.html")
