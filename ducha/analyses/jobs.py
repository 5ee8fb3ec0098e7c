"""The comparison in the background (the web's 三方比对 pages): the worker reads the three
stored files, runs the engine and writes the findings, telling its steps as it goes
(files read, enterprises matched, findings written). A failure writes no finding: the
run says failed, and why."""

import dataclasses
import logging

from django.utils.translation import gettext
from django_tasks import task

from ducha.analyses.actions import do_record_findings, do_start_comparison
from ducha.analyses.comparison import compare, write_outputs
from ducha.analyses.findings import finding_objects
from ducha.analyses.models import Comparison
from ducha.analytics.reconcile import ReconcileSettings
from ducha.core.access import Actor
from ducha.imports.actions import do_finish_job, update_job_progress
from ducha.imports.jobs import run_queued, store_upload, stored_path
from ducha.imports.models import JobStatus
from ducha.imports.reading import FileRefused
from ducha.org.models import Campaign

logger = logging.getLogger(__name__)
_STEPS = {"read": 1, "matched": 2}


def start_comparison(
    campaign: Campaign, *, actor: Actor, uploads: dict[str, tuple[str, bytes]], settings: ReconcileSettings
) -> Comparison:
    """The three files stored (as import uploads are), a queued run of them, handed to the worker."""
    files = {kind: (name, store_upload(name, [content])) for kind, (name, content) in uploads.items()}
    run = do_start_comparison(campaign, actor=actor, files=files, settings=settings)
    run_comparison_job.enqueue(run.pk)
    return run


@task()
def run_comparison_job(job_id: int) -> str:
    """The worker's side: run the comparison and record how it ended."""
    return run_queued(Comparison, job_id, execute_comparison)  # type: ignore[type-var]


def settings_of(run: Comparison) -> ReconcileSettings:
    return ReconcileSettings(
        window_days=run.window_days,
        appraisal_valid_days=run.appraisal_valid_days,
        price_floor=float(run.price_floor),
    )


def execute_comparison(run: Comparison, actor: Actor) -> Comparison:
    def progress(step: str) -> None:
        update_job_progress(run, steps_done=_STEPS[step])  # type: ignore[arg-type]

    try:
        files = {kind: (name, stored_path(sha256, name).read_bytes()) for kind, name, sha256 in run.files()}
        compared = compare(files, settings_of(run), progress)
        findings = finding_objects(run, compared, actor)
        run.folder.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        write_outputs(compared, run.folder)
        refused = [dataclasses.asdict(e) for e in compared.errors]
        message = gettext("%(count)s findings.") % {"count": len(findings)}
        return do_record_findings(
            run, findings, actor=actor, summary=compared.summary, refused_rows=refused, steps_done=run.STEPS,
            rows_total=len(findings), message=message,
        )  # fmt: skip
    except FileRefused as refused_file:
        message = gettext("The comparison stopped: %(error)s") % {
            "error": str(refused_file.message) % refused_file.params
        }
    except Exception as error:  # the run says why; nothing of it was written
        logger.exception("comparison %s failed", run.pk)
        message = gettext("The comparison stopped: %(error)s") % {"error": error}
    return do_finish_job(run, actor=actor, status=JobStatus.FAILED, message=message)  # type: ignore[type-var]
