"""`ducha serve` as a server runs it: a process on a free loopback port against the test
database (a copy of it on SQLite), answering /health, the sign-in page and a static file
through whitenoise, logging JSON lines; stopped by SIGTERM, or when a child ends by
itself, it leaves no process behind."""

import gzip
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from ducha.testing import database_url_for_another_process

REPO = Path(__file__).resolve().parents[3]
CHARTS_JS = REPO / "ducha" / "web" / "static" / "web" / "charts.js"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def descendants(pid: int) -> dict[int, str]:
    """Every process below pid (from /proc), with its command line."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(entry.name)] = int(fields[1])
    found, frontier = {}, [pid]
    while frontier:
        parent = frontier.pop()
        for child, its_parent in parents.items():
            if its_parent == parent:
                try:
                    found[child] = (Path("/proc") / str(child) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                except OSError:
                    continue
                frontier.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.fixture(scope="module")
def static_root(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("static")  # collected once, by the first server


@pytest.fixture
def server_environment() -> dict[str, str]:
    return {}


@pytest.fixture
def server(small_committed, tmp_path, static_root, server_environment):
    """Start `ducha serve`; yields (process, base URL, stderr file); stopped at the end."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DUCHA_") and k != "DJANGO_SETTINGS_MODULE"}
    env |= {
        "DUCHA_VAR_DIR": str(tmp_path / "var"),
        "DUCHA_DATABASE_URL": database_url_for_another_process(tmp_path),
        "DUCHA_STATIC_ROOT": str(static_root),
        "DUCHA_SECRET_KEY": "serve-test-" + "x" * 50,
        "DUCHA_LOG_LEVEL": "INFO",
        **server_environment,
    }
    log = (tmp_path / "serve.log").open("w+")
    command = [sys.executable, "-m", "ducha", "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2"]
    process = subprocess.Popen(command, env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 240  # the first start collects the static files (gzip, Brotli)
    while time.monotonic() < deadline:
        assert process.poll() is None, Path(log.name).read_text()
        try:
            urllib.request.urlopen(base + "/health", timeout=10)
            break
        except OSError:  # not listening yet, or its workers still starting
            time.sleep(0.5)
    else:
        pytest.fail("ducha serve did not answer: " + Path(log.name).read_text())
    yield process, base, Path(log.name)
    if process.poll() is None:
        process.kill()
        process.wait()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the redirect itself is the answer looked at


def get(url: str, **headers) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def json_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.startswith("{")]


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_serve_answers_logs_and_stops_with_its_children(server, stop):
    process, base, log = server
    children = descendants(process.pid)
    assert any("gunicorn" in c for c in children.values()), children
    assert any("job_worker" in c for c in children.values()), children

    status, headers, body = get(base + "/health", **{"X-Request-ID": "serve-test-1"})
    assert (status, json.loads(body)) == (200, {"status": "ok", "database": "ok"})
    assert headers["X-Request-ID"] == "serve-test-1"

    status, headers, body = get(base + "/login/")
    assert status == 200 and 'name="password"' in body.decode()

    status, headers, body = get(base + "/static/web/charts.js", **{"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["Content-Encoding"] == "gzip" and gzip.decompress(body) == CHARTS_JS.read_bytes()
    assert headers["Cache-Control"] == "max-age=60, public" and headers["Vary"] == "Accept-Encoding"
    assert headers["ETag"] and headers["Last-Modified"]
    assert "no-store" not in headers["Cache-Control"]  # the pages' header is not the static files'

    process.send_signal(stop)
    assert process.wait(timeout=90) == 0
    time.sleep(0.5)
    assert [pid for pid in children if alive(pid)] == []

    lines = json_lines(log)
    health = next(x for x in lines if x.get("logger") == "ducha.request" and x["request_id"] == "serve-test-1")
    assert (health["method"], health["path"], health["status"]) == ("GET", "/health", 200)
    static = next(x for x in lines if x.get("logger") == "ducha.request" and x["path"].startswith("/static/"))
    assert static["status"] == 200
    assert any(x["logger"] == "gunicorn.error" for x in lines)  # gunicorn's own records as JSON too


def test_when_a_child_ends_serve_stops_the_other_and_fails(server):
    process, base, log = server
    children = descendants(process.pid)
    (worker,) = [pid for pid, c in children.items() if "job_worker" in c]

    os.kill(worker, signal.SIGKILL)

    assert process.wait(timeout=90) == 1  # systemd restarts the whole
    time.sleep(0.5)
    assert [pid for pid in children if alive(pid)] == []
    assert any(x["logger"] == "ducha.serve" and x["level"] == "ERROR" for x in json_lines(log))


@pytest.mark.parametrize("server_environment", [{"DUCHA_HTTPS": "1"}])
def test_https_is_decided_by_django_not_by_a_header_gunicorn_believes(server):
    """Without DUCHA_BEHIND_PROXY, X-Forwarded-Proto is nobody's word, not even from
    127.0.0.1 (gunicorn would believe it from there): plain HTTP is redirected; /health is not."""
    process, base, log = server

    status, headers, body = get(base + "/login/", **{"X-Forwarded-Proto": "https"})
    assert status == 301 and headers["Location"].startswith("https://127.0.0.1")
    status, headers, body = get(base + "/health")
    assert status == 200 and json.loads(body)["database"] == "ok"
