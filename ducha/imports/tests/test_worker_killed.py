"""A worker killed mid-import (issue 12, fault tests): `ducha job_worker` runs a real import
job of 20,000 problems and is SIGKILLed once its first chunk is applied. Then nothing of
the file is in the ledger, no change-log row of its batch exists, the job's page (its
progress, what the page polls) shows it failed with the reason, and `ducha audit verify`
passes. On SQLite the worker works on a copy of the test database (a file), and the checks
run in another process against that copy, as for PostgreSQL."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.core.cache.backends.filebased import FileBasedCache
from openpyxl import Workbook

from ducha.core.models import ChangeLogEntry
from ducha.imports.jobs import start_import_job, store_upload
from ducha.imports.layouts import PROBLEM_COLUMNS
from ducha.testing import database_url_for_another_process, zh

REPO = Path(__file__).resolve().parents[3]
ROWS = 20_000
CHUNK = 5000  # importer.CHUNK_ROWS: killed after the first chunk is applied, before the last

CHECK = """
import json
import django
django.setup()
from ducha.core.models import ChangeLogEntry
from ducha.imports.actions import live_progress
from ducha.imports.models import ImportJob
from ducha.ledger.models import Problem
job = ImportJob.objects.get(pk={job})
before = job.status
live_progress(job)  # what the job's page does when it shows the job
job = ImportJob.objects.get(pk=job.pk)
print(json.dumps({{
    "before": before,
    "status": job.status,
    "message": job.message,
    "problems": Problem.objects.filter(number__startswith="KILL-").count(),
    "logged": sorted(ChangeLogEntry.objects.filter(seq__gt={seq}).values_list("object_type", flat=True)),
}}))
"""


def workbook(path: Path, unit_name: str) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("问题台账")
    ws.append([c.header for c in PROBLEM_COLUMNS])
    keys = [c.key for c in PROBLEM_COLUMNS]
    for n in range(1, ROWS + 1):
        row = {
            "seq": n,
            "number": f"KILL-{n:05d}",
            "unit": unit_name,
            "description": f"问题{n}",
            "discovery_method": "自查",
            "found_on": "2024-06-01",
            "deadline": "2024-08-01",
            "status": "待整改",
        }
        ws.append([row.get(k, "") for k in keys])
    wb.save(path)
    return path.read_bytes()


def environment(tmp_path: Path, var: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DUCHA_") and k != "DJANGO_SETTINGS_MODULE"}
    return env | {
        "DUCHA_VAR_DIR": str(var),
        "DUCHA_DATABASE_URL": database_url_for_another_process(tmp_path),
        "DUCHA_SECRET_KEY": "worker-killed-" + "x" * 50,
        "DJANGO_SETTINGS_MODULE": "ducha.settings",
    }


def test_a_worker_killed_mid_import_leaves_nothing_applied_and_the_job_failed(small_committed, tmp_path, settings):
    var = tmp_path / "var"
    settings.VAR_DIR = var  # where the stored upload goes: the worker's VAR_DIR
    name = "问题台账.xlsx"
    sha256 = store_upload(name, [workbook(tmp_path / name, small_committed.units["150100"].name)])
    job = start_import_job(
        actor=small_committed.users["office"], kind="problems", file_name=name, sha256=sha256, dry_run=False
    )
    seq = ChangeLogEntry.objects.order_by("-seq").values_list("seq", flat=True)[0]
    env = environment(tmp_path, var)  # (SQLite: the copy taken now holds the queued job)
    log = (tmp_path / "worker.log").open("w+")
    worker = subprocess.Popen(
        [sys.executable, "-m", "ducha", "job_worker", "--interval", "0.1", "--no-startup-delay"],
        env=env,
        cwd=REPO,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        progress = FileBasedCache(str(var / "cache"), {})  # where the worker tells its counters
        deadline = time.monotonic() + 240
        applied = 0
        while applied < CHUNK:
            assert worker.poll() is None, Path(log.name).read_text()
            assert time.monotonic() < deadline, f"no chunk applied in time: {Path(log.name).read_text()}"
            applied = (progress.get(f"job-progress:imports.importjob:{job.pk}") or {}).get("rows_applied", 0)
            time.sleep(0.02)
        assert applied < ROWS  # still applying
        worker.send_signal(signal.SIGKILL)
    finally:
        if worker.poll() is None:
            worker.kill()
        worker.wait()

    checked = subprocess.run(
        [sys.executable, "-c", CHECK.format(job=job.pk, seq=seq)], env=env, cwd=REPO, capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stderr
    state = json.loads(checked.stdout.strip().splitlines()[-1])
    assert state["before"] == "running"  # what django-tasks leaves behind
    assert state["status"] == "failed"
    assert state["message"] == zh(
        "The job was interrupted before it finished (its worker stopped or lost the database), "
        "so nothing it was doing was saved. Start it again."
    )
    assert state["problems"] == 0  # no row of the file
    assert state["logged"] == ["imports.importjob"]  # only the job's failure: nothing of the import's batch
    audit = subprocess.run(
        [sys.executable, "-m", "ducha", "audit", "verify"], env=env, cwd=REPO, capture_output=True, text=True
    )
    assert audit.returncode == 0, audit.stdout + audit.stderr
