"""The .xlsx export: text that a spreadsheet would run as a formula is a text cell holding
exactly that text (no apostrophe added), numbers and dates stay typed."""

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest

from ducha.reports.xlsx import write_xlsx

FORMULA_LIKE = ["=SUM(A1)", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)", '=HYPERLINK("http://x","y")', "\t=1"]


def exported(rows) -> list:
    sheet = openpyxl.load_workbook(io.BytesIO(write_xlsx(["A", "B"], rows))).active
    return [list(row) for row in sheet.iter_rows(min_row=2)]


@pytest.mark.parametrize("text", FORMULA_LIKE)
def test_text_that_looks_like_a_formula_stays_that_text(text):
    [[cell, plain]] = exported([[text, "整改"]])

    assert cell.value == text
    assert cell.data_type == "s"  # a string cell, not a formula ("f")
    assert cell.quotePrefix  # Excel keeps it text when the cell is edited, and shows no apostrophe
    assert (plain.value, plain.data_type, plain.quotePrefix) == ("整改", "s", False)


def test_a_carriage_return_first_is_text_too():
    [[cell, _]] = exported([["\r=1", ""]])
    # Exactly the text: openpyxl writes through lxml (a dependency of python-docx), which
    # keeps the carriage return as a character reference.
    assert (cell.value, cell.data_type) == ("\r=1", "s")
    assert cell.quotePrefix


def test_no_cell_of_an_export_is_a_formula():
    rows = exported([[t, t] for t in FORMULA_LIKE])
    assert not [c.coordinate for row in rows for c in row if c.data_type == "f"]


def test_numbers_and_dates_stay_typed():
    [cells] = exported([[-5, Decimal("-1234.50"), 3.25, dt.date(2024, 6, 1), True, None]])
    assert [(c.value, c.data_type) for c in cells[:3]] == [(-5, "n"), (-1234.5, "n"), (3.25, "n")]
    assert (cells[3].value, cells[3].is_date) == (dt.datetime(2024, 6, 1), True)
    assert cells[4].value == "是"
    assert cells[5].value is None
    assert not any(c.quotePrefix for c in cells)


def test_control_characters_a_workbook_cannot_hold_do_not_break_the_export():
    [[cell, formula]] = exported([["第一行\x0b第二行\x1b", "=1\x07"]])
    assert cell.value == "第一行\ufffd第二行\ufffd"
    assert (formula.value, formula.data_type) == ("=1\ufffd", "s")
