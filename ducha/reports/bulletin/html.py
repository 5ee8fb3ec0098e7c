"""The bulletin as HTML: the blocks of phrasing.py in the official layout's print style
(web/report.css, shared with the summary report) plus the bulletin's tables
(web/bulletin.css). `render_document` gives a standalone file with both styles inline
(a download, opened outside the site); the site's page includes the same body."""

from pathlib import Path

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

from ducha.reports.bulletin.content import Bulletin
from ducha.reports.bulletin.phrasing import blocks, title

STYLES = ("web/report.css", "web/bulletin.css")
TOTAL = "合计"


def body_context(bulletin: Bulletin) -> dict:
    return {"bulletin": bulletin, "title": title(bulletin), "blocks": blocks(bulletin), "total_label": TOTAL}


def inline_style() -> str:
    found = (finders.find(name) for name in STYLES)
    return "\n".join(Path(path).read_text(encoding="utf-8") for path in found if path)


def render_document(bulletin: Bulletin) -> str:
    """A whole HTML file: the bulletin with its print style inline."""
    context = {**body_context(bulletin), "style": inline_style()}
    return render_to_string("web/reports/bulletin_document.html", context)
