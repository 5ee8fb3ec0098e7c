"""Sampling in the background: a draw (do_draw_sample) or the check of a stored draw
(do_check_draw) as a SamplingJob the worker (`ducha job_worker`) runs, telling its steps
as it goes: the population read, the sample drawn, the inspections (or the check's
result) recorded. At a million projects a campaign-wide draw takes tens of seconds (see
bench/bench_sampling.py), too long for a request; the pages send every draw this way.

A draw is one transaction: a job that fails has recorded nothing and says why."""

import datetime as dt
import logging
import time
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop
from django_tasks import task

from ducha.core.access import AccessDenied, Action, Actor, ensure_allowed
from ducha.core.changelog import Change, record_changes, serialize
from ducha.imports.actions import do_finish_job, update_job_progress
from ducha.imports.jobs import run_queued
from ducha.imports.models import JobStatus, SamplingJob, SamplingJobKind
from ducha.ledger.models import SampleDraw
from ducha.ledger.sampling import RECORDING, STEPS, do_check_draw, do_draw_sample
from ducha.org.models import Campaign, Stage, SupervisionGroup, Unit

logger = logging.getLogger(__name__)
UNFINISHED = (JobStatus.QUEUED, JobStatus.RUNNING)
DRAW_BLOCKS = dt.timedelta(minutes=30)  # a campaign-wide draw at a million projects: about 15 s


def do_create_sampling_job(*, actor: Actor, **fields) -> SamplingJob:
    """A queued sampling job, in the change log; refused (AccessDenied) unless its user
    may draw there (what it covers, or the draw it checks)."""
    with transaction.atomic():
        job = SamplingJob(
            user=actor,
            created_at=timezone.now(),
            rows_total=len(STEPS),
            language=translation.get_language() or settings.LANGUAGE_CODE,
            **fields,
        )
        ensure_allowed(actor, job, Action.ADD)
        job.full_clean()
        job.save()
        record_changes([Change("create", job, after=serialize(job))], actor=actor)
        return job


def start_draw_job(
    campaign: Campaign,
    *,
    actor: Actor,
    proportion: Decimal,
    minimum: int,
    seed: str,
    weighting: str,
    unit: Unit | None = None,
    group: SupervisionGroup | None = None,
    stage: Stage | None = None,
) -> SamplingJob:
    """A draw, queued: do_draw_sample's arguments, kept on the job for the worker. One at
    a time in a campaign: a second (a form sent twice) would draw again from what the
    first leaves, so it is refused while the first is queued or running (for at most
    DRAW_BLOCKS: a worker that died mid-draw leaves its job running for ever)."""
    waiting = SamplingJob.objects.filter(
        campaign=campaign,
        kind=SamplingJobKind.DRAW,
        status__in=UNFINISHED,
        created_at__gte=timezone.now() - DRAW_BLOCKS,
    )
    if (first := waiting.order_by("pk").first()) is not None:
        raise ValidationError(
            gettext("Another draw is queued or running (job %(n)s): wait until it has finished.") % {"n": first.pk}
        )
    job = do_create_sampling_job(
        actor=actor,
        kind=SamplingJobKind.DRAW,
        campaign=campaign,
        unit=unit,
        group=group,
        stage=stage,
        proportion=proportion,
        minimum=minimum,
        seed=seed,
        weighting=weighting,
    )
    run_sampling_job.enqueue(job.pk)
    return job


def start_check_job(draw: SampleDraw, *, actor: Actor) -> SamplingJob:
    """The check of a draw, queued; scoped as the draw is (its unit or group)."""
    ensure_allowed(actor, draw, Action.CHANGE)  # the check is recorded on the draw
    job = do_create_sampling_job(
        actor=actor,
        kind=SamplingJobKind.CHECK,
        campaign=draw.campaign,
        unit=draw.unit,
        group=draw.group,
        draw=draw,
    )
    run_sampling_job.enqueue(job.pk)
    return job


@task()
def run_sampling_job(job_id: int) -> str:
    language = SamplingJob.objects.values_list("language", flat=True).get(pk=job_id)
    return run_queued(SamplingJob, job_id, execute_sampling_job, language)


def execute_sampling_job(job: SamplingJob, actor: Actor) -> SamplingJob:
    """Run a running job as its user, telling each step (its count and seconds) as it is
    done; record how it ended, and why when it failed."""
    started = last = time.monotonic()
    update_job_progress(job, steps_done=0, steps=[])  # (nothing told yet: whatever the cache held is not this run's)

    def progress(step: str, count: int) -> None:
        nonlocal last
        now = time.monotonic()
        done = [s for s in job.steps if s["step"] != RECORDING]
        if step == RECORDING:  # a step under way: shown after those done, not counted as done
            update_job_progress(job, steps=[*done, {"step": step, "count": count, "seconds": round(now - last, 2)}])
            return
        steps = [*done, {"step": step, "count": count, "seconds": round(now - last, 2)}]
        last = now
        update_job_progress(job, steps_done=len(steps), steps=steps)

    try:
        if job.kind == SamplingJobKind.DRAW:
            draw = do_draw_sample(
                job.campaign,
                actor=actor,
                proportion=job.proportion,  # type: ignore[arg-type]
                minimum=job.minimum,  # type: ignore[arg-type]
                seed=job.seed,
                weighting=job.weighting,
                unit=job.unit,
                group=job.group,
                stage=job.stage,
                progress=progress,
            )
            message = gettext("Drawn: %(n)d of %(total)d projects.") % {"n": draw.drawn, "total": draw.population}
        else:
            if job.draw is None:
                raise ValueError(gettext("The draw is gone."))
            draw = do_check_draw(job.draw, actor=actor, progress=progress)
            message = gettext(CHECKED[bool(draw.holds)])
    except (ValidationError, AccessDenied, ObjectDoesNotExist) as error:  # (a draw out of the user's scope now)
        reason = "；".join(error.messages) if isinstance(error, ValidationError) else refused(job)
        message = gettext("Refused, nothing was recorded: %(reason)s") % {"reason": reason}
        return _failed(job, actor, message)
    except Exception as error:  # the job says why; the draw's transaction rolled back
        logger.exception("sampling job %s failed", job.pk)
        return _failed(job, actor, gettext("Stopped, nothing was recorded: %(error)s") % {"error": error})
    logger.info("sampling job %s done in %.1f s", job.pk, time.monotonic() - started)
    return do_finish_job(
        job, actor=actor, status=JobStatus.DONE, draw=draw, steps_done=len(job.steps), steps=job.steps, message=message
    )


# What a check found, as the draw's page says it.
CHECKED = {
    True: gettext_noop("Drawn again from the stored population and seed: identical."),
    False: gettext_noop(
        "Drawn again from the stored population and seed, the sample differs: a project's domain, type or "
        "amount has changed since the draw."
    ),
}


def refused(job: SamplingJob) -> str:
    name = getattr(job.user, "username", "")
    if job.kind == SamplingJobKind.DRAW:
        return gettext("%(name)s may not draw a sample there.") % {"name": name}
    return gettext("%(name)s may not check this draw.") % {"name": name}


def _failed(job: SamplingJob, actor: Actor, message: str) -> SamplingJob:
    # The counters the rolled-back transaction told are kept: they say how far it got.
    fields = {"steps_done": len([s for s in job.steps if s["step"] != RECORDING]), "steps": job.steps}
    return do_finish_job(job, actor=actor, status=JobStatus.FAILED, message=message, **fields)
