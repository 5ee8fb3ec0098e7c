"""Deployment settings: `ducha check --deploy` is clean with DUCHA_HTTPS=1, a real secret
key and debug off (run as a separate process with that environment, as a server would
start); the HTTPS and proxy flags set what they say; the files Ducha creates (var/, the
secret key, the SQLite database, uploads) are for its user only, whatever the umask; and
signed-in pages and downloads are never stored by a cache."""

import hashlib
import json
import os
import secrets
import stat
import subprocess
import sys
from pathlib import Path

from django.test import Client
from django.urls import reverse

from ducha.ledger.actions import do_attach_evidence
from ducha.ledger.evidence import EvidenceUpload
from ducha.ledger.models import Evidence
from ducha.ledger.tests.files import PDF

REPO = Path(__file__).resolve().parents[3]
SETTINGS_JSON = """
import json, os
os.umask(int(os.environ.get("TEST_UMASK", "0o022"), 8))
os.environ["DJANGO_SETTINGS_MODULE"] = "ducha.settings"
import django
django.setup()
from django.conf import settings
from django.db import connection
if os.environ.get("TEST_WRITE"):
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS t (x integer)")
        cursor.execute("INSERT INTO t VALUES (1)")
names = ["DEBUG", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS",
         "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_PROXY_SSL_HEADER", "BEHIND_PROXY", "REQUEST_MAX_BYTES"]
values = {name: getattr(settings, name) for name in names}
values["key_sha256"] = __import__("hashlib").sha256(settings.SECRET_KEY.encode()).hexdigest()
print(json.dumps(values))
"""


def environment(tmp_path: Path, **ducha) -> dict[str, str]:
    """This process's environment without any DUCHA_ variable, plus a fresh var/ and `ducha`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DUCHA_") and k != "DJANGO_SETTINGS_MODULE"}
    var = tmp_path / "var"
    env |= {"DUCHA_VAR_DIR": str(var), "DUCHA_DATABASE_URL": f"sqlite:///{var / 'ducha.sqlite3'}"}
    return env | ducha


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], env=env, cwd=REPO, capture_output=True, text=True, timeout=120, check=False
    )


def settings_of(tmp_path: Path, **ducha) -> dict:
    result = run(["-c", SETTINGS_JSON], environment(tmp_path, **ducha))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def production(**more) -> dict[str, str]:
    return {
        "DUCHA_HTTPS": "1",
        "DUCHA_SECRET_KEY": secrets.token_urlsafe(50),
        "DUCHA_ALLOWED_HOSTS": "ducha.example.org",
    } | more


# ---------------------------------------------------------------------------
# check --deploy


def test_check_deploy_is_clean_with_https_a_real_key_and_debug_off(tmp_path):
    result = run(["-m", "ducha", "check", "--deploy", "--fail-level", "WARNING"], environment(tmp_path, **production()))

    assert result.returncode == 0, result.stdout + result.stderr
    # the one silenced check: HSTS preload, the domain owner's decision (see settings.py)
    assert "System check identified no issues (1 silenced)." in result.stdout


def test_check_deploy_fails_without_them(tmp_path):
    unsafe = production(DUCHA_HTTPS="0", DUCHA_DEBUG="1", DUCHA_SECRET_KEY="too-short-a-key")
    result = run(["-m", "ducha", "check", "--deploy", "--fail-level", "WARNING"], environment(tmp_path, **unsafe))

    assert result.returncode != 0
    expected = {
        "security.W004": "no HSTS",
        "security.W008": "no redirect to HTTPS",
        "security.W012": "session cookie over HTTP",
        "security.W016": "CSRF cookie over HTTP",
        "security.W018": "debug",
        "security.W009": "weak key",
    }
    assert [w for w in expected if w not in result.stderr] == []


# ---------------------------------------------------------------------------
# The flags.


def assert_no_https_no_proxy(values: dict) -> None:
    assert values["SESSION_COOKIE_SECURE"] is values["CSRF_COOKIE_SECURE"] is values["SECURE_SSL_REDIRECT"] is False
    assert values["SECURE_HSTS_SECONDS"] == 0
    assert values["SECURE_PROXY_SSL_HEADER"] is None
    assert values["DEBUG"] is False
    assert values["REQUEST_MAX_BYTES"] == 64 * 1024 * 1024


def test_https_turns_on_secure_cookies_hsts_and_the_redirect(tmp_path):
    values = settings_of(tmp_path, DUCHA_HTTPS="1")
    assert values["SESSION_COOKIE_SECURE"] is values["CSRF_COOKIE_SECURE"] is values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] == 365 * 24 * 3600
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_PROXY_SSL_HEADER"] is None  # a client could send X-Forwarded-Proto itself


def test_behind_a_proxy_the_proxy_says_whether_the_request_was_https(tmp_path):
    values = settings_of(tmp_path, DUCHA_HTTPS="1", DUCHA_BEHIND_PROXY="1", DUCHA_REQUEST_MAX_BYTES="1000")
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["BEHIND_PROXY"] is True
    assert values["REQUEST_MAX_BYTES"] == 1000


# ---------------------------------------------------------------------------
# Files Ducha creates.


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_files_ducha_creates_are_for_its_user_only_whatever_the_umask(tmp_path):
    env = environment(tmp_path, TEST_UMASK="0", TEST_WRITE="1")
    del env["DUCHA_DATABASE_URL"]  # the default: var/ducha.sqlite3
    result = run(["-c", SETTINGS_JSON], env)
    assert result.returncode == 0, result.stderr
    assert_no_https_no_proxy(json.loads(result.stdout))  # without flags, nothing assumes HTTPS or a proxy

    var = tmp_path / "var"
    assert mode(var) == 0o700
    assert mode(var / "uploads") == 0o700
    assert mode(var / "secret_key") == 0o600
    assert len((var / "secret_key").read_text().strip()) >= 50
    database = var / "ducha.sqlite3"
    assert database.stat().st_size > 0  # SQLite wrote into the file created for it
    for path in (database, var / "ducha.sqlite3-wal", var / "ducha.sqlite3-shm"):
        if path.exists():
            assert mode(path) == 0o600, path


def test_the_secret_key_is_made_once_even_by_processes_starting_together(tmp_path):
    env = environment(tmp_path)
    processes = [
        subprocess.Popen([sys.executable, "-c", SETTINGS_JSON], env=env, cwd=REPO, stdout=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    keys = {json.loads(p.communicate(timeout=120)[0])["key_sha256"] for p in processes}

    stored = (tmp_path / "var" / "secret_key").read_text().strip()
    assert keys == {hashlib.sha256(stored.encode()).hexdigest()}
    assert settings_of(tmp_path)["key_sha256"] in keys  # and kept
    assert mode(tmp_path / "var" / "secret_key") == 0o600


# ---------------------------------------------------------------------------
# Cache-Control: no-store.


def no_store(response) -> bool:
    return "no-store" in [d.strip() for d in response.get("Cache-Control", "").split(",")]


def test_signed_in_pages_exports_and_downloads_are_not_stored(site, login):
    problem = site.problems["hohhot"]
    do_attach_evidence(problem, actor=site.users["office"], uploads=[EvidenceUpload("整改报告.pdf", PDF)])
    evidence = Evidence.objects.get(problem=problem)
    client = login("office")

    responses = {
        "dashboard": client.get(reverse("home")),
        "list": client.get(reverse("problems-list")),
        "detail": client.get(reverse("problems-detail", args=[problem.pk])),
        "export": client.get(reverse("problems-list"), {"export": "xlsx"}),
        "evidence": client.get(reverse("evidence-download", args=[evidence.pk])),
        "not found": client.get("/no-such-page/"),
        "sign-in page": Client().get(reverse("login")),
    }

    assert {name: r.status_code for name, r in responses.items()} == {
        **dict.fromkeys(responses, 200),
        "not found": 404,
    }
    assert [name for name, r in responses.items() if not no_store(r)] == []
    assert b"".join(responses["evidence"].streaming_content) == PDF
