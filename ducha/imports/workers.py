"""Which process runs a background job, and whether it still does.

django-tasks' database backend marks a task running when a worker claims it, and nothing
marks it again if that worker dies mid-job (killed, out of memory, the machine restarted):
the job's page would say "running" forever. So a job records its worker when it starts
(host name, process id and the process's start time, since a later process may get the
same id), and a running job whose worker is gone is failed by `fail_if_abandoned`
(imports/actions.py): when its page reads it, and when any worker starts a job. A worker
on another host cannot be seen from here: its jobs are left as they are."""

import os
import socket
from pathlib import Path


def _started(pid: int) -> str | None:
    """The process's start time (clock ticks since boot, /proc/<pid>/stat field 22) and
    None for a process that is gone or a zombie; "" where /proc is not there to ask."""
    try:
        stat = (Path("/proc") / str(pid) / "stat").read_text()
    except FileNotFoundError:
        return None if Path("/proc/self/stat").exists() else ""
    except OSError:
        return ""
    fields = stat.rsplit(")", 1)[1].split()  # after the command name, which may hold spaces
    return None if fields[0] in {"Z", "X"} else fields[19]


def this_worker() -> str:
    """`host:pid:start` of this process."""
    return f"{socket.gethostname()}:{os.getpid()}:{_started(os.getpid()) or ''}"


def worker_gone(worker: str) -> bool:
    """True when the process `worker` names has certainly ended; False when it runs, or
    when that cannot be told (another host, no worker recorded)."""
    parts = worker.rsplit(":", 2)
    if len(parts) != 3 or parts[0] != socket.gethostname() or not parts[1].isdigit():
        return False
    pid, started = int(parts[1]), parts[2]
    now = _started(pid)
    if now == "":  # no /proc: ask the kernel whether the id is in use
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        return False
    return now is None or (bool(started) and now != started)
