"""Excel export of tables. Text that a spreadsheet would run as a formula (OWASP
CSV/formula injection: = + - @ tab or carriage return first) is written as a string cell
with the quote-prefix style: Excel and WPS show exactly the text, no apostrophe in it, and
keep it text when the cell is edited. Numbers and dates stay typed."""

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import BinaryIO

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell(sheet, value):
    """The cell for a value: numbers and dates typed; text as text, a formula never (control
    characters that a workbook cannot hold become U+FFFD)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float | Decimal | dt.date):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", str(value))
    if not text.startswith(FORMULA_STARTS):
        return text
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"  # "=SUM(A1)" would otherwise be stored as a formula
    cell.quotePrefix = True
    return cell


def csv_cell(value) -> str:
    """A value for a CSV file a spreadsheet will open: text that it would run as a formula
    starts with an apostrophe (the usual neutralisation; a CSV has no cell style)."""
    if value is None:
        return ""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def save_xlsx(target: BinaryIO, headers: Sequence[str], rows: Iterable[Sequence]) -> None:
    """A one-sheet workbook of bold headers and rows, written into `target` (a write-only
    workbook: the rows stream through a temporary file, never all in memory)."""
    save_sheets(target, [("", headers, rows)])


def save_sheets(target: BinaryIO, sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence]]]) -> None:
    """A workbook of sheets, each (title, headers, rows) as save_xlsx writes one ("" keeps
    openpyxl's own title)."""
    workbook = Workbook(write_only=True)
    for title, headers, rows in sheets:
        sheet = workbook.create_sheet(title or None)
        header_cells = []
        for text in headers:
            cell = WriteOnlyCell(sheet, value=text)
            cell.font = Font(bold=True)
            header_cells.append(cell)
        sheet.append(header_cells)
        for row in rows:
            sheet.append([safe_cell(sheet, v) for v in row])
    workbook.save(target)


def write_xlsx(headers: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    buffer = io.BytesIO()
    save_xlsx(buffer, headers, rows)
    return buffer.getvalue()


def xlsx_response(filename: str, headers: Sequence[str], rows: Iterable[Sequence]) -> HttpResponse:
    response = HttpResponse(write_xlsx(headers, rows), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
