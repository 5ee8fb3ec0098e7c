"""The bulletin as a Word document in the official layout (reports/official_docx.py): the
blocks of phrasing.py, the progress tables with their header row repeated on each page."""

from typing import IO

from docx.shared import Mm

from ducha.reports.bulletin.content import Bulletin
from ducha.reports.bulletin.phrasing import blocks, title
from ducha.reports.official_docx import OfficialDocument

# The text is 156 mm wide: the name column, then seven figures.
TABLE_WIDTHS_MM = (36, *(120 / 7,) * 7)


def write_docx(bulletin: Bulletin, target: str | IO[bytes]) -> None:
    doc = OfficialDocument()
    doc.document.core_properties.title = title(bulletin)
    for block in blocks(bulletin):
        if block.kind == "title":
            doc.title(block.text)
        elif block.kind == "subtitle":
            doc.paragraph(block.text, centered=True)
        elif block.kind == "heading1":
            doc.heading1(block.text)
        elif block.kind == "heading2":
            doc.heading2(block.text)
        elif block.kind == "table":
            table = doc.table(block.rows, header_rows=1, widths_mm=TABLE_WIDTHS_MM)
            # The grid's columns too: LibreOffice and WPS lay a table out by them, not by its cells.
            table.autofit = False
            for column, width in zip(table.columns, TABLE_WIDTHS_MM, strict=True):
                column.width = Mm(width)
        else:
            doc.paragraph(block.text)
    doc.save(target)
