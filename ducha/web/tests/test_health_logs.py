"""/health (no sign-in, the database asked; 503 problem details when it does not answer)
and the structured request log (one JSON line per request, its id echoed, no secrets)."""

import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.utils import translation

from ducha.core.logs import JsonFormatter, RequestIdFilter

REPO = Path(__file__).resolve().parents[3]

# /health asked in a process of its own, against a database that does not answer.
ASK_HEALTH = """
import json, os
os.environ["DJANGO_SETTINGS_MODULE"] = "ducha.settings"
import django
django.setup()
from django.test import Client
response = Client(HTTP_HOST="localhost").get("/health", HTTP_X_REQUEST_ID="probe-1")
print(json.dumps({"status": response.status_code, "type": response["Content-Type"],
                  "id": response["X-Request-ID"], "body": json.loads(response.content)}))
"""


def test_health_answers_without_sign_in(db):
    response = Client().get("/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "sessionid" not in response.cookies  # no session made for a monitor


def test_health_is_not_redirected_to_https(db, settings):
    settings.SECURE_SSL_REDIRECT = True
    client = Client()

    assert client.get("/health").status_code == 200
    assert client.get("/login/").status_code == 301  # every other page is


def closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # free now, and nothing listens on it


@pytest.mark.parametrize("vendor", ["postgresql", "sqlite"])
def test_health_is_503_problem_details_when_the_database_does_not_answer(tmp_path, vendor):
    url = {
        "postgresql": f"postgres://ducha@127.0.0.1:{closed_port()}/ducha?connect_timeout=2",
        "sqlite": f"sqlite:///{tmp_path / 'no-such-folder' / 'ducha.sqlite3'}",
    }[vendor]
    env = {k: v for k, v in os.environ.items() if not k.startswith("DUCHA_")}
    env |= {"DUCHA_VAR_DIR": str(tmp_path / "var"), "DUCHA_DATABASE_URL": url, "DUCHA_LOG_FORMAT": "json"}
    done = subprocess.run(
        [sys.executable, "-c", ASK_HEALTH], env=env, cwd=REPO, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr

    answer = json.loads(done.stdout)
    assert answer["status"] == 503
    assert answer["type"] == "application/problem+json"
    with translation.override("zh-hans"):
        detail = translation.gettext("The database does not answer.")
    assert answer["body"] == {
        "type": "about:blank",
        "title": "Service Unavailable",
        "status": 503,
        "detail": detail,
        "database": "unavailable",
    }
    # The failure is logged as a JSON record carrying the request's id, then the request's line.
    records = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    failure = next(r for r in records if r["logger"] == "ducha.health")
    assert failure["level"] == "ERROR" and failure["request_id"] == "probe-1" and "exception" in failure
    line = next(r for r in records if r["logger"] == "ducha.request")
    assert (line["status"], line["path"], line["request_id"], answer["id"]) == (503, "/health", "probe-1", "probe-1")


# ---------------------------------------------------------------------------
# The request log.


@pytest.fixture
def request_lines():
    """The JSON lines the `ducha.request` logger writes, as the server's handler would."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("ducha.request")
    logger.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.removeHandler(handler)


def test_one_json_line_per_request_with_its_id_user_and_no_secrets(site, login, request_lines):
    client = login("league_a")
    client.cookies["csrftoken"] = "cookie-secret-value"
    response = client.get(
        "/problems/", {"token": "query-secret-value", "q": "x"}, HTTP_X_REQUEST_ID="abc-123", REMOTE_ADDR="10.1.2.3"
    )

    assert response.status_code == 200
    assert response["X-Request-ID"] == "abc-123"
    (line,) = request_lines()
    assert line | {"time": None, "duration_ms": None} == {
        "time": None,
        "level": "INFO",
        "logger": "ducha.request",
        "message": f"GET /problems/ 200 {line['duration_ms']:.1f} ms",
        "request_id": "abc-123",
        "method": "GET",
        "path": "/problems/",
        "status": 200,
        "duration_ms": None,
        "user_id": site.users["league_a"].pk,
        "remote_addr": "10.1.2.3",
    }
    assert line["time"].endswith("+00:00") and line["duration_ms"] > 0
    raw = json.dumps(line)
    assert "secret" not in raw and "sessionid" not in raw and "token" not in raw


def test_a_request_without_a_usable_id_gets_a_new_one(db, request_lines):
    client = Client()
    first = client.get("/login/")
    second = client.get("/login/", HTTP_X_REQUEST_ID="bad id\nwith a line break")
    refused = client.post("/problems/")  # not signed in: redirected, logged all the same

    ids = [r["X-Request-ID"] for r in (first, second, refused)]
    assert all(len(i) == 32 for i in ids) and len(set(ids)) == 3
    lines = request_lines()
    assert [(x["request_id"], x["method"], x["status"], x["user_id"]) for x in lines] == [
        (ids[0], "GET", 200, None),
        (ids[1], "GET", 200, None),
        (ids[2], "POST", 302, None),
    ]
