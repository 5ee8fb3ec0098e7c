"""Reading pages the way a user sees them: text, list rows, counts, forms, links, .xlsx."""

import html
import io
import re
from html.parser import HTMLParser

import openpyxl
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from ducha.ledger.tests.files import PDF  # noqa: F401  (a real one-page PDF, for the upload tests)


def page(response) -> str:
    return response.content.decode()


def text(response_or_html) -> str:
    """The visible text, tags stripped, entities decoded, whitespace collapsed."""
    source = response_or_html if isinstance(response_or_html, str) else page(response_or_html)
    source = re.sub(r"<script\b.*?</script>", " ", source, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", source))).strip()


def list_body(response) -> str:
    """The rows of a ledger list (the table body), as text."""
    match = re.search(r'<table class="grid list">.*?<tbody>(.*?)</tbody>', page(response), re.S)
    assert match, "no ledger table on the page"
    return text(match.group(1))


def list_cells(response) -> list[list[str]]:
    """The cells of each row of a ledger list, as text."""
    match = re.search(r'<table class="grid list">.*?<tbody>(.*?)</tbody>', page(response), re.S)
    assert match, "no ledger table on the page"
    rows = [r for r in re.findall(r"<tr>(.*?)</tr>", match.group(1), re.S) if "colspan" not in r]
    return [[text(c) for c in re.findall(r"<td\b[^>]*>(.*?)</td>", r, re.S)] for r in rows]


def shown_count(response) -> int:
    """The record count a list page states above its table."""
    match = re.search(r'data-testid="count">(.*?)</span>', page(response), re.S)
    assert match, "no record count on the page"
    return int(re.search(r"\d+", match.group(1)).group())


def by_testid(response, name: str) -> str:
    match = re.search(rf'data-testid="{re.escape(name)}"[^>]*>(.*?)</', page(response), re.S)
    assert match, f"no data-testid={name} on the page"
    return text(match.group(1))


def has_testid(response, name: str) -> bool:
    return f'data-testid="{name}"' in page(response)


def read_xlsx(response) -> list[list]:
    """The rows of an exported workbook (header first); empty cells as None."""
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].startswith("attachment;")
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    return [list(row) for row in workbook.active.iter_rows(values_only=True)]


_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.S | re.I)


def assert_no_inline_code(source: str) -> None:
    """Only src= scripts and JSON data blocks; no handlers, javascript: URLs or inline styles
    (the CSP would block them, and they are where injected code would run)."""
    for attrs, body in _SCRIPT.findall(source):
        if re.search(r'type="application/json"', attrs):
            continue
        assert re.search(r'\ssrc="/', attrs) and not body.strip(), f"inline script: <script{attrs}>{body[:80]}"
    assert source.lower().count("<script") == len(_SCRIPT.findall(source))
    assert not re.search(r"""<[^>]*\son[a-z]+\s*=\s*["']""", source, re.I), "inline event handler"
    assert not re.search(r"""<[^>]*\shx-on""", source, re.I), "hx-on handler"
    assert "javascript:" not in source.lower()
    assert not re.search(r"<style\b|\sstyle\s*=", source, re.I), "inline style"


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action", ""), "fields": {}})
        elif not self.forms:
            return
        elif tag == "input" and a.get("name") and a.get("type") not in ("submit", "file", "checkbox", "radio"):
            self.forms[-1]["fields"][a["name"]] = a.get("value") or ""
        elif tag == "input" and a.get("type") == "checkbox" and "checked" in a:
            self.forms[-1]["fields"][a["name"]] = a.get("value") or "on"
        elif tag == "select":
            self._select = a.get("name")
            self.forms[-1]["fields"].setdefault(self._select, "")
        elif tag == "option" and self._select and "selected" in a:
            self.forms[-1]["fields"][self._select] = a.get("value") or ""
        elif tag == "textarea":
            self._textarea = a.get("name")
            self.forms[-1]["fields"][self._textarea] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.forms[-1]["fields"][self._textarea] += data


def form_fields(response, index: int = -1) -> dict[str, str]:
    """What the browser would submit for a form on the page as rendered (the last one by
    default: the header's language form comes first)."""
    parser = _FormParser()
    parser.feed(page(response))
    fields = dict(parser.forms[index]["fields"])
    # A newline right after <textarea> is not part of the value (HTML parsing rule).
    fields = {k: v.removeprefix("\n") for k, v in fields.items()}
    fields.pop("csrfmiddlewaretoken", None)
    return fields


def select_options(response, name: str) -> list[str]:
    """The option values of a <select name=…> (the empty choice left out)."""
    match = re.search(rf'<select name="{re.escape(name)}"[^>]*>(.*?)</select>', page(response), re.S)
    assert match, f"no select {name}"
    return [v for v in re.findall(r'<option value="([^"]*)"', match.group(1)) if v]


def links(source: str) -> list[tuple[str, str]]:
    """(href, text) of every link."""
    return [(html.unescape(h), text(t)) for h, t in re.findall(r'<a [^>]*href="([^"]*)"[^>]*>(.*?)</a>', source, re.S)]


def run_jobs() -> int:
    """Run every queued background task once, as `ducha db_worker` does (its own `run_task`;
    the worker's loop would sleep and close connections: not in a test); how many ran."""
    worker = Worker(
        queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
        max_tasks=None, worker_id="test", excluded_queue_names=[],
    )  # fmt: skip
    ran = 0
    for result in list(DBTaskResult.objects.ready()):
        result.claim("test")
        worker.run_task(result)
        ran += 1
    return ran
