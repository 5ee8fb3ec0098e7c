"""The bulletin as HTML: the blocks of phrasing.py in the official layout's print style
(web/report.css, shared with the summary report) plus the bulletin's tables
(web/bulletin.css). Each figure of a progress table links to the list behind it, filtered
to its unit or group and carrying the bulletin's day (`as_of=`), as the summary's figures
do (summary/html.py). `render_document` gives a standalone file with both styles inline
(a download, opened outside the site); the site's page includes the same body."""

from pathlib import Path
from typing import Any

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

from ducha.reports.bulletin.content import PROGRESS, Bulletin, Progress
from ducha.reports.bulletin.phrasing import Block, blocks, title
from ducha.reports.summary.html import figure_url
from ducha.reports.summary.phrasing import Trace
from ducha.reports.summary.sentences import LEDGER_TRACES, PROBLEMS

STYLES = ("web/report.css", "web/bulletin.css")
TRACES = {**LEDGER_TRACES, "problems_overdue": Trace(PROBLEMS, (("overdue", "true"),))}


def body_context(bulletin: Bulletin, *, base_url: str = "") -> dict[str, Any]:
    as_of = bulletin.as_of.isoformat()
    laid_out = [_table(b, as_of, base_url) if b.kind == "table" else b for b in blocks(bulletin)]
    return {"bulletin": bulletin, "title": title(bulletin), "blocks": laid_out}


def inline_style() -> str:
    found = (finders.find(name) for name in STYLES)
    return "\n".join(Path(path).read_text(encoding="utf-8") for path in found if path)


def render_document(bulletin: Bulletin, *, base_url: str = "") -> str:
    """A whole HTML file: the bulletin with its print style inline."""
    context = {**body_context(bulletin, base_url=base_url), "style": inline_style()}
    return render_to_string("web/reports/bulletin_document.html", context)


def _table(block: Block, as_of: str, base_url: str) -> dict[str, Any]:
    """A table's header and rows, each figure cell as its value, its change and its list."""
    rows = []
    for line, row in zip(block.lines, block.rows[1:], strict=True):
        cells = []
        for figure, text in zip(PROGRESS, row[1:], strict=True):
            value, change = text.split("\n")
            cells.append({"value": value, "change": change, "url": _url(figure.key, line, as_of, base_url)})
        rows.append({"name": row[0], "total": line.level == "total", "cells": cells})
    return {"kind": "table", "head": block.rows[0], "rows": rows}


def _url(key: str, line: Progress, as_of: str, base_url: str) -> str | None:
    trace = TRACES.get(key)
    if trace is None:
        return None
    if line.level == "unit":
        trace = Trace(trace.target, (*trace.filters, ("unit", line.code or "")), by_group=False)
    group = line.code if line.level == "group" else None
    return figure_url(trace, group=group, as_of=as_of, base_url=base_url)
