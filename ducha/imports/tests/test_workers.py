"""imports/workers.py: when a job's worker has certainly ended, and when that cannot be told."""

import os
import socket
import subprocess
import sys
import time

from ducha.imports.workers import this_worker, worker_gone


def test_this_process_runs():
    assert not worker_gone(this_worker())


def test_an_ended_process_is_gone_reaped_or_not():
    child = subprocess.Popen([sys.executable, "-c", "import os, time; print(os.getpid(), flush=True); time.sleep(60)"],
                             stdout=subprocess.PIPE, text=True)  # fmt: skip
    pid = int(child.stdout.readline())
    with open(f"/proc/{pid}/stat") as stat:
        worker = f"{socket.gethostname()}:{pid}:{stat.read().rsplit(')', 1)[1].split()[19]}"
    assert not worker_gone(worker)
    child.kill()
    time.sleep(0.2)
    assert worker_gone(worker)  # a zombie, not yet reaped, has ended too
    child.wait()
    child.stdout.close()
    assert worker_gone(worker)


def test_the_same_id_with_another_start_time_is_another_process():
    host, pid, started = this_worker().rsplit(":", 2)
    assert worker_gone(f"{host}:{pid}:{int(started) - 1}")


def test_a_worker_elsewhere_or_unknown_is_not_taken_for_gone():
    assert not worker_gone(f"not-{socket.gethostname()}:{os.getpid() + 100000}:1")
    assert not worker_gone("")
    assert not worker_gone("garbage")
