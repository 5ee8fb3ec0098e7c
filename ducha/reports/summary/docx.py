"""The summary report as a Word document in the official layout (reports/official_docx.py)."""

from typing import IO

from ducha.reports.official_docx import OfficialDocument
from ducha.reports.summary.content import DATE_LINE, HEADING1, HEADING2, TITLE, Summary


def write_docx(summary: Summary, target: str | IO[bytes]) -> None:
    doc = OfficialDocument()
    doc.document.core_properties.title = summary.title
    for block in summary.blocks:
        if block.kind == TITLE:
            doc.title(block.text)
        elif block.kind == DATE_LINE:
            doc.paragraph(block.text, centered=True)
        elif block.kind == HEADING1:
            doc.heading1(block.text)
        elif block.kind == HEADING2:
            doc.heading2(block.text)
        else:
            doc.paragraph(block.text)
    doc.save(target)
