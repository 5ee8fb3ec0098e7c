"""Hostile uploads: a request over the size cap is refused before any of its body is read;
a workflow step's files are read only after the user is known to be allowed to take it;
files stream to disk in chunks, never whole in memory. The bodies here are made as they
are read (a stream that counts what the server takes), so a test can send 200 MB
without holding them.
"""

import http.client
import io
import resource
import socket
import threading
import tracemalloc
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.core.handlers.wsgi import WSGIHandler
from django.test import Client
from django.urls import reverse
from django.utils import translation

from ducha.ledger.models import Evidence
from ducha.ledger.tests.files import pdf_padding_for, pdf_parts
from ducha.web.tests.test_workflow import put, transition_url

MB = 1024 * 1024
BOUNDARY = "ducha-test-boundary-7f3a"
# What a step to "rectified" may ask for; a field the form does not have is ignored.
STEP_FIELDS = {
    "completed_on": "2024-06-20",
    "reason": "已整改",
    "measures": "完善制度，约谈责任人",
    "opinion": "同意",
}


class MultipartBody(io.RawIOBase):
    """A multipart/form-data body made while it is read: the fields, then one file of
    `size` bytes, a real PDF whose padding is produced on the fly. Counts what is read."""

    def __init__(self, fields: dict[str, str], filename: str, size: int):
        start, self.zeros, rest = pdf_parts(padding=pdf_padding_for(size))
        head = "".join(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n' for k, v in fields.items()
        )
        head += (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="evidence"; filename="{filename}"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        )
        self.parts = [head.encode() + start, None, rest + f"\r\n--{BOUNDARY}--\r\n".encode()]
        self.length = len(self.parts[0]) + self.zeros + len(self.parts[2])
        self.position = 0

    content_type = f"multipart/form-data; boundary={BOUNDARY}"

    def readable(self):
        return True

    def read(self, size=-1):
        if size is None or size < 0:
            size = self.length - self.position
        out = bytearray()
        while len(out) < size and self.position < self.length:
            offset, want = self.position, size - len(out)
            first, zeros = len(self.parts[0]), self.zeros
            if offset < first:
                chunk = self.parts[0][offset : offset + want]
            elif offset < first + zeros:
                chunk = b"0" * min(want, first + zeros - offset)
            else:
                rest = offset - first - zeros
                chunk = self.parts[2][rest : rest + want]
            out += chunk
            self.position += len(chunk)
        return bytes(out)

    def readline(self, size=-1):  # Django reads multipart bodies with read(); wsgiref may call this
        return self.read(size if size and size > 0 else 64 * 1024)

    def chunks(self, size: int = MB):
        """The body as an iterable for http.client (bytes objects of `size`, reused zeros)."""
        while self.position < self.length:
            yield self.read(size)


def post_stream(client: Client, url: str, body: MultipartBody, **extra):
    """POST the body through the test client, whose handler reads from our stream."""
    environ = {"wsgi.input": body, "CONTENT_LENGTH": str(body.length), "CONTENT_TYPE": body.content_type}
    return client.post(url, **environ, **extra)


def signed_in(site, name: str) -> Client:
    """A client that enforces CSRF as a browser would, signed in, holding the CSRF cookie."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(site.users[name])
    client.get(reverse("login"))  # sets the CSRF cookie
    return client


def csrf(client: Client) -> dict[str, str]:
    return {"csrfmiddlewaretoken": client.cookies[django_settings.CSRF_COOKIE_NAME].value}


def files_in(*folders) -> list[Path]:
    return [p for folder in folders if Path(folder).exists() for p in Path(folder).rglob("*") if p.is_file()]


@pytest.fixture
def upload_dirs(settings, tmp_path):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "uploads")
    Path(settings.FILE_UPLOAD_TEMP_DIR).mkdir()
    return settings.EVIDENCE_ROOT, settings.FILE_UPLOAD_TEMP_DIR


# ---------------------------------------------------------------------------
# The cap: refused before anything is read.


@pytest.mark.parametrize("where", ["step", "sign-in"])
def test_a_request_over_the_cap_is_refused_before_its_body_is_read(site, settings, upload_dirs, where):
    settings.REQUEST_MAX_BYTES = 8 * MB
    problem = put(site, "hohhot", "rectifying")
    client = signed_in(site, "league_a")
    body = MultipartBody({**csrf(client), **STEP_FIELDS}, "整改报告.pdf", 9 * MB)
    url = transition_url(problem, "rectified") if where == "step" else reverse("login")

    response = post_stream(client, url, body)

    assert response.status_code == 413
    assert body.position == 0  # not one byte read
    with translation.override("zh-hans"):
        assert response.content.decode() == translation.gettext("The request is too large: the limit is %(limit)s.") % {
            "limit": "8.0\xa0MB"
        }
    assert response["X-Content-Type-Options"] == "nosniff"
    assert files_in(*upload_dirs) == []
    assert not Evidence.objects.exists()


def test_a_request_within_the_cap_goes_through(site, settings, upload_dirs):
    settings.REQUEST_MAX_BYTES = 8 * MB
    problem = put(site, "hohhot", "rectifying")
    client = signed_in(site, "league_a")
    body = MultipartBody({**csrf(client), **STEP_FIELDS}, "整改报告.pdf", 7 * MB)
    assert body.length <= 8 * MB

    response = post_stream(client, transition_url(problem, "rectified"), body)

    assert response.status_code == 302
    assert body.position == body.length
    [evidence] = Evidence.objects.filter(problem=problem)
    assert evidence.size == 7 * MB


# ---------------------------------------------------------------------------
# Permission before the body.


@pytest.mark.parametrize(
    ("user", "status"),
    [
        ("league_b", 404),  # another league's problem: not there
        ("dept_a", 404),
        ("viewer", 403),  # sees it, may change nothing
        ("group_a", 403),  # may change it, but completing is the unit's step
        ("norole", 404),
    ],
)
def test_the_files_of_a_step_the_user_may_not_take_are_never_read(site, upload_dirs, user, status):
    problem = put(site, "hohhot", "rectifying")
    client = signed_in(site, user)
    body = MultipartBody({**csrf(client), **STEP_FIELDS}, "整改报告.pdf", 2 * MB)

    response = post_stream(client, transition_url(problem, "rectified"), body)

    assert response.status_code == status
    assert body.position == 0
    assert files_in(*upload_dirs) == []
    assert not Evidence.objects.exists()


def test_anonymous_uploads_are_sent_to_sign_in_unread(site, upload_dirs):
    problem = put(site, "hohhot", "rectifying")
    client = Client(enforce_csrf_checks=True)
    client.get(reverse("login"))
    body = MultipartBody({**csrf(client), **STEP_FIELDS}, "整改报告.pdf", 2 * MB)

    response = post_stream(client, transition_url(problem, "rectified"), body)

    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert body.position == 0


def test_the_csrf_check_still_holds_for_a_user_who_may_upload(site, upload_dirs):
    problem = put(site, "hohhot", "rectifying")
    client = signed_in(site, "league_a")
    body = MultipartBody({**STEP_FIELDS, "csrfmiddlewaretoken": "x" * 64}, "整改报告.pdf", MB)

    response = post_stream(client, transition_url(problem, "rectified"), body)

    assert response.status_code == 403
    assert not Evidence.objects.exists()


# ---------------------------------------------------------------------------
# To disk in chunks.


def test_an_upload_streams_to_disk_and_is_never_whole_in_memory(site, settings, upload_dirs):
    problem = put(site, "hohhot", "rectifying")
    client = signed_in(site, "league_a")
    body = MultipartBody({**csrf(client), **STEP_FIELDS}, "整改报告.pdf", 12 * MB)

    tracemalloc.start()
    try:
        response = post_stream(client, transition_url(problem, "rectified"), body)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert response.status_code == 302
    assert isinstance(response.wsgi_request.FILES["evidence"], TemporaryUploadedFile)
    assert Path(response.wsgi_request.FILES["evidence"].file.name).parent == Path(settings.FILE_UPLOAD_TEMP_DIR)
    assert peak < 3 * MB  # chunks, never the 12 MB
    [evidence] = Evidence.objects.filter(problem=problem)
    assert evidence.size == 12 * MB
    assert files_in(settings.FILE_UPLOAD_TEMP_DIR) == []  # the temporary file is gone


# ---------------------------------------------------------------------------
# 200 MB over a real socket.


class LingeringWSGIServer(WSGIServer):
    """wsgiref's server, closing connections the way nginx does (lingering close): once
    the answer is sent, what the client still sends is read and dropped, chunk by chunk,
    so that the client gets to read the answer. (Django's own development server instead
    reads the whole unread rest of a body at once, into memory.)"""

    def shutdown_request(self, request):
        try:
            request.shutdown(socket.SHUT_WR)
            request.settimeout(10)
            while request.recv(256 * 1024):
                pass
        except OSError:
            pass
        self.close_request(request)


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        pass


def peak_rss_reset() -> bool:
    """Reset the process's peak resident size to its current size (Linux), if allowed."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def peak_rss() -> int:
    """The process's peak resident size in bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def test_200_mb_sent_to_a_live_server_are_refused_without_the_memory_growing(site, settings, upload_dirs):
    """The server runs Ducha's WSGI application in a thread of this process: the request's
    200 MB pass through the socket, and the process's peak memory does not grow by them."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "127.0.0.1"]
    problem = put(site, "hohhot", "rectifying")
    client = signed_in(site, "league_a")
    cookies = "; ".join(f"{k}={v.value}" for k, v in client.cookies.items())
    body = MultipartBody({**csrf(client), **STEP_FIELDS}, "整改报告.pdf", 200 * MB)

    server = LingeringWSGIServer(("127.0.0.1", 0), QuietHandler)
    server.set_app(WSGIHandler())
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    connection = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=60)
    try:
        reset = peak_rss_reset()
        rss_before = peak_rss()
        tracemalloc.start()
        try:
            connection.request(
                "POST",
                transition_url(problem, "rectified"),
                body=body.chunks(),
                headers={"Content-Length": str(body.length), "Content-Type": body.content_type, "Cookie": cookies},
            )
            response = connection.getresponse()
            answer = response.read().decode()
            traced_peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        rss_growth = peak_rss() - rss_before
    finally:
        connection.close()
        server.shutdown()
        server.server_close()
        thread.join(10)

    assert body.position == body.length  # all 200 MB went out through the socket
    assert response.status == 413
    assert "64.0\xa0MB" in answer or "64.0 MB" in answer
    assert traced_peak < 8 * MB
    assert rss_growth < (50 * MB if reset else 200 * MB)
    assert files_in(*upload_dirs) == []
    assert not Evidence.objects.exists()
