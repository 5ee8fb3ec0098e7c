"""`ducha serve`: gunicorn running ducha.wsgi (static files through whitenoise) and the
background jobs' worker (`ducha job_worker`), each a child process, stopped together.

SIGTERM or SIGINT stops both (gunicorn finishes the requests it is serving) and serve
exits 0; a child that ends by itself stops the other and serve exits 1, so that systemd
restarts the whole. The children are also told to stop if serve itself is killed
(Linux's parent-death signal): no orphan either way. Migrations are not run here.
"""

import ctypes
import logging
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles.finders import get_finders
from django.core.management import call_command
from django.db import connections

log = logging.getLogger("ducha.serve")
STOP_WAIT_SECONDS = 45  # gunicorn's graceful_timeout (30 s) and its workers' exit


@dataclass(frozen=True)
class ServeOptions:
    bind: str
    workers: int
    threads: int
    worker: bool  # the background jobs' worker beside the server
    collectstatic: bool


def gunicorn_command(options: ServeOptions) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        "python:ducha.web.gunicorn_conf",
        "--bind",
        options.bind,
        "--workers",
        str(options.workers),
        "--threads",
        str(options.threads),
    ]


def worker_command() -> list[str]:
    return [sys.executable, "-m", "ducha", "job_worker", "--no-reload"]  # waits out a database outage


def static_files_current() -> bool:
    """Every static file of the apps is in STATIC_ROOT, no older than its source. Collecting
    (with the gzip and Brotli copies) takes a while: done only when something changed."""
    root = Path(settings.STATIC_ROOT)
    ignore = apps.get_app_config("staticfiles").ignore_patterns  # type: ignore[attr-defined]
    for finder in get_finders():
        for path, storage in finder.list(ignore):
            target = root / (getattr(storage, "prefix", None) or "") / path
            if not target.is_file() or target.stat().st_mtime < storage.get_modified_time(path).timestamp():
                return False
    return True


def _die_with_parent() -> None:
    """In the child, before it runs: SIGTERM when serve dies, even by SIGKILL (Linux)."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def serve(options: ServeOptions) -> int:
    if options.collectstatic and not static_files_current():
        log.info("collecting static files into %s", settings.STATIC_ROOT)
        call_command("collectstatic", interactive=False, verbosity=0)
    connections.close_all()  # nothing of this process's database use goes into the children

    stopping: list[int] = []

    def stop(signum, frame):
        stopping.append(signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    commands = {"server": gunicorn_command(options)}
    if options.worker:
        commands["worker"] = worker_command()
    children = {name: subprocess.Popen(command, preexec_fn=_die_with_parent) for name, command in commands.items()}
    log.info("serving on %s (%s)", options.bind, ", ".join(f"{n} pid {p.pid}" for n, p in children.items()))
    try:
        while not stopping:
            ended = [name for name, child in children.items() if child.poll() is not None]
            if ended:
                log.error("%s ended by itself (exit code %s): stopping", ended[0], children[ended[0]].returncode)
                return 1
            time.sleep(0.2)
        log.info("signal %s: stopping", stopping[0])
        return 0
    finally:
        _stop(children)


def _stop(children: dict[str, subprocess.Popen]) -> None:
    for child in children.values():
        if child.poll() is None:
            child.terminate()
    deadline = time.monotonic() + STOP_WAIT_SECONDS
    for name, child in children.items():
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            log.warning("%s did not stop in %s s: killed", name, STOP_WAIT_SECONDS)
            child.kill()
            child.wait()
