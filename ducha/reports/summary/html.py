"""The summary report as HTML: the same blocks as the Word document, every figure a link
to the list behind it, filtered to the figure's group and carrying the report's day
(`as_of=YYYY-MM-DD`), so that a reader can check each number against its rows.

`segments` gives the page's content (the report page on the site extends the site's
layout); `render_document` a standalone file that prints on A4 (its style inline: it is
a download, opened outside the site)."""

from pathlib import Path
from urllib.parse import urlencode

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse

from ducha.core.registry import ledgers
from ducha.reports.summary.content import Summary
from ducha.reports.summary.phrasing import Figure, Trace

STYLE = "web/report.css"


def figure_url(trace: Trace | None, *, group: str | None, as_of: str, base_url: str = "") -> str | None:
    """The list behind a figure, or None when that list does not exist (no dead link)."""
    if trace is None:
        return None
    if trace.target in {ledger.key for ledger in ledgers()}:
        path = reverse(f"{trace.target}-list")
    else:
        try:
            path = reverse(trace.target)
        except NoReverseMatch:
            return None
    query = dict(trace.filters)
    if group and trace.by_group:
        query["group"] = group
    query["as_of"] = as_of
    return f"{base_url}{path}?{urlencode(query)}"


def segments(summary: Summary, *, base_url: str = "") -> list[dict]:
    """Each block as {"kind", "parts": [(text, url or None, figure key or "")]}."""
    as_of = summary.as_of.isoformat()
    blocks = []
    for block in summary.blocks:
        parts = []
        for part in block.parts:
            if isinstance(part, Figure):
                url = figure_url(part.trace, group=block.group, as_of=as_of, base_url=base_url)
                parts.append((part.text, url, part.key))
            else:
                parts.append((part, None, ""))
        blocks.append({"kind": block.kind, "parts": parts})
    return blocks


def render_document(summary: Summary, *, base_url: str = "") -> str:
    """A whole HTML file: the report with its print style inline."""
    path = finders.find(STYLE)
    style = Path(path).read_text(encoding="utf-8") if path else ""
    context = {"summary": summary, "blocks": segments(summary, base_url=base_url), "style": style}
    return render_to_string("web/reports/summary_document.html", context)
