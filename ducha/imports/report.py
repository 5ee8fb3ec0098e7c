"""The error workbook: the user's own file back, with a column 错误说明 (each row's messages
joined by "；") and the bad cells filled light red, saved next to the stored file."""

import io
import os
from pathlib import Path
from typing import TYPE_CHECKING

from openpyxl import Workbook, load_workbook
from openpyxl.styles import PatternFill

from ducha.imports.layouts import ERROR_COLUMN

if TYPE_CHECKING:
    from ducha.imports.findings import ImportResult

BAD_CELL = PatternFill(fill_type="solid", start_color="FFFFC7CE", end_color="FFFFC7CE")


def write_error_report(result: "ImportResult", content: bytes) -> Path:
    table = result.table
    assert table is not None and result.stored is not None
    messages: dict[int, list[str]] = {}
    bad_cells: set[tuple[int, int]] = set()
    for finding in result.errors:
        row = finding.row if finding.row is not None else table.header_row
        messages.setdefault(row, []).append(finding.text)
        if finding.row is not None and finding.column in result.column_index:
            bad_cells.add((finding.row, result.column_index[finding.column] + 1))
    if Path(result.name).suffix.lower() == ".xlsx":
        book = load_workbook(io.BytesIO(content))
        sheet = book[table.sheet] if table.sheet in book.sheetnames else book.worksheets[0]
    else:
        book = Workbook()
        sheet = book.active
        sheet.cell(table.header_row, 1)  # the rows as read, where they were
        for j, header in table.columns.items():
            sheet.cell(table.header_row, j + 1, header)
        for number, cells in table.rows:
            for j, value in enumerate(cells):
                if value not in (None, ""):
                    # As text: a value beginning with = must not become a formula.
                    sheet.cell(number, j + 1).value = str(value)
    column = max(sheet.max_column, max(table.columns, default=0) + 1) + 1
    sheet.cell(table.header_row, column, ERROR_COLUMN)
    for row, texts in messages.items():
        sheet.cell(row, column, "；".join(texts))
    for row, col in bad_cells:
        sheet.cell(row, col).fill = BAD_CELL
    path = result.stored.with_name(f"{result.stored.stem}-errors.xlsx")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as file:
        book.save(file)
    return path
