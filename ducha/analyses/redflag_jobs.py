"""The red-flag indicators in the background (the web's 红旗预警 pages): the worker reads the
stored data file — the platform's bids, streamed from disk into Parquet and read by DuckDB
within its memory limit, or OCDS JSON Lines, read by DuckDB itself — runs the indicators
over the model and writes the flags, telling its steps (file read, indicators computed,
flags written). A failure writes no flag: the run says failed, and why, in the engine's or
the reader's words."""

import collections
import logging
import tempfile
from collections.abc import Iterable
from pathlib import Path

from django.utils.translation import gettext
from django_tasks import task

from ducha.analyses.actions import do_record_findings
from ducha.analyses.models import RedFlagRun
from ducha.analyses.platform import bids_to_parquet, rows_as_read, write_outputs
from ducha.analyses.redflag_actions import do_start_redflag_run
from ducha.analyses.redflag_flags import flag_objects
from ducha.analyses.redflag_settings import read_settings, refusal
from ducha.analytics.redflags import collusion
from ducha.analytics.redflags.platform import PlatformError
from ducha.analytics.redflags.settings import SettingsError
from ducha.core.access import Actor
from ducha.imports.actions import do_finish_job, update_job_progress
from ducha.imports.jobs import imports_dir, run_queued, store_upload, stored_path
from ducha.imports.models import JobStatus
from ducha.imports.reading import FileRefused
from ducha.org.models import Campaign

logger = logging.getLogger(__name__)


def start_redflag_run(
    campaign: Campaign,
    *,
    actor: Actor,
    bids: tuple[str, Iterable[bytes]],
    settings_text: str = "",
    source: str = RedFlagRun.Source.PLATFORM,
) -> RedFlagRun:
    """The data file stored from its chunks (as import uploads are), a queued run of it,
    handed to the worker."""
    name, chunks = bids
    run = do_start_redflag_run(campaign, actor=actor, bids=(name, store_upload(name, chunks)),
                               settings_text=settings_text, source=source)  # fmt: skip
    run_redflag_job.enqueue(run.pk)
    return run


@task()
def run_redflag_job(job_id: int) -> str:
    """The worker's side: run the indicators and record how it ended."""
    return run_queued(RedFlagRun, job_id, execute_redflag_run)  # type: ignore[type-var]


def execute_redflag_run(run: RedFlagRun, actor: Actor) -> RedFlagRun:
    try:
        settings = read_settings(run.settings_text) if run.settings_text.strip() else None
        stored = stored_path(run.bids_sha256, run.bids_name)
        with tempfile.TemporaryDirectory(prefix="ducha-bids-", dir=imports_dir()) as folder:
            if run.source == RedFlagRun.Source.OCDS:
                update_job_progress(run, steps_done=1)  # type: ignore[arg-type]
                flags, notes, read, rows = collusion.run_with_evidence(stored, settings, ocds_file=True)
            else:
                parquet = Path(folder) / "bids.parquet"
                rows = bids_to_parquet(stored, parquet, run.bids_name)
                update_job_progress(run, steps_done=1)  # type: ignore[arg-type]
                flags, notes = collusion.run(parquet, settings)
                read = rows_as_read(parquet, {n for f in flags.to_pylist() for n in f["rows"]})
        update_job_progress(run, steps_done=2)  # type: ignore[arg-type]
        objects = flag_objects(run, flags, read, actor)
        write_outputs(flags, run.folder)
        counts = collections.Counter(f.indicator for f in objects)
        summary = {"rows": rows, "flags": dict(sorted(counts.items())), "notes": notes}
        message = gettext("%(count)s flags.") % {"count": len(objects)}
        return do_record_findings(run, objects, actor=actor, summary=summary, steps_done=run.STEPS,
                                  rows_total=rows, message=message)  # fmt: skip
    except FileRefused as refused:
        error = str(refused.message) % refused.params
    except SettingsError as refused_settings:
        error = refusal(refused_settings)
    except PlatformError as refused_rows:
        error = str(refused_rows)
    except Exception as failure:  # the run says why; nothing of it was written
        logger.exception("red-flag run %s failed", run.pk)
        error = str(failure)
    message = gettext("The red-flag run stopped: %(error)s") % {"error": error}
    return do_finish_job(run, actor=actor, status=JobStatus.FAILED, message=message)  # type: ignore[type-var]
