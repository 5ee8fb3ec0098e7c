"""The statistical tables workbook, read back with calamine (the values) and openpyxl (the
layout): each total equals the sum of its rows, the totals are the statistics' own, the
headers are merged in two levels, the header rows frozen, numbers formatted, no formula
anywhere, a group's workbook holds its own rows only."""

import datetime as dt
import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from python_calamine import CalamineWorkbook

from ducha.core.actions import do_bulk_create_objects, do_update_object
from ducha.org.models import Assignment, Unit
from ducha.reports.statistics import campaign_statistics
from ducha.reports.tables import COUNTS, FIGURES, FIRST_DATA_ROW, SUPERVISION_COUNTS, save_tables
from ducha.reports.tests.test_bulletin import add_week

AS_OF = dt.date(2024, 7, 15)  # after the small campaign's deadlines (2024-07-01): every problem overdue


def workbook_bytes(stats, **options) -> bytes:
    out = io.BytesIO()
    save_tables(stats, out, **options)
    return out.getvalue()


def sheet_rows(content: bytes, name: str) -> list[list]:
    return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_name(name).to_python()


def figures_of(row: list, lead: int) -> dict:
    return {f.key: row[lead + i] for i, f in enumerate(FIGURES)}


def assert_sums(rows: list[list], total: list, lead: int) -> None:
    for key in COUNTS:
        assert figures_of(total, lead)[key] == sum(figures_of(r, lead)[key] for r in rows), key


@pytest.fixture
def stats(small):
    # One more unit for group A, with no record yet: it is listed, with zeros.
    do_bulk_create_objects(
        [Assignment(campaign=small.campaign, group=small.groups["A"], unit=Unit.objects.get(code="150300"))],
        actor=small.system,
    )
    return campaign_statistics(small.campaign, today=AS_OF)


def test_every_total_is_the_statistics_own_and_the_sum_of_its_rows(stats):
    content = workbook_bytes(stats)
    units = sheet_rows(content, "按单位")[FIRST_DATA_ROW - 1 :]
    by_label = {(r[0], r[1]): r for r in units}
    for g in stats["by_group"]:
        own = [r for r in units if r[0] == g["name"] and r[1] != "小计"]
        subtotal = by_label[g["name"], "小计"]
        assert_sums(own, subtotal, 3)
        assert figures_of(subtotal, 3) == {f.key: g[f.key] for f in FIGURES}
    total = by_label["合计", ""]
    assert_sums([r for r in units if r[1] == "小计"], total, 3)
    assert figures_of(total, 3) == {f.key: stats["total"][f.key] for f in FIGURES}
    assert (figures_of(total, 3)["projects"], figures_of(total, 3)["problems_overdue"]) == (5, 5)

    # The unit with no record: zeros, no rate.
    [empty] = [r for r in units if r[1] == "乌海市"]
    assert (empty[0], empty[2], figures_of(empty, 3)["projects"], figures_of(empty, 3)["sign_off_rate"]) == (
        "A组",
        "盟市",
        0,
        "",
    )

    groups = sheet_rows(content, "按督导组")[FIRST_DATA_ROW - 1 :]
    assert [r[0] for r in groups] == ["A组", "B组", "合计"]
    assert groups[0][1:4] == ["工程建设项目", 2, 1]  # 呼和浩特市, 乌海市; 发改委
    assert_sums(groups[:2], groups[2], 4)

    domains = sheet_rows(content, "按交易领域")[FIRST_DATA_ROW - 1 :]
    total_row = next(r for r in domains if r[0] == "合计")
    assert_sums(domains[: domains.index(total_row)], total_row, 2)
    assert figures_of(total_row, 2)["problems"] == stats["total"]["problems"] == 5


def test_two_level_headers_merged_header_rows_frozen_numbers_formatted_no_formula(stats):
    book = openpyxl.load_workbook(io.BytesIO(workbook_bytes(stats)))
    assert book.sheetnames == ["按单位", "按督导组", "按交易领域", "督导工作"]
    sheet = book["按单位"]
    assert sheet["A1"].value == "测试行动统计表"
    assert sheet["A2"].value == "按单位统计（截至2024年7月15日）"
    merged = {str(r) for r in sheet.merged_cells.ranges}
    width = 3 + len(FIGURES)
    last = openpyxl.utils.get_column_letter(width)
    # Title and date across the table; leading labels over both header rows; 项目 over 总数/自查/抽查/核查.
    assert {f"A1:{last}1", f"A2:{last}2", "A3:A4", "B3:B4", "C3:C4", "D3:G3"} <= merged
    assert [sheet.cell(4, c).value for c in range(4, 8)] == ["总数", "自查", "抽查", "核查"]
    assert (sheet["D3"].value, sheet["H3"].value, sheet["H4"].value) == ("项目", "问题", "发现")
    assert sheet.freeze_panes == "D5"
    rate = 3 + [f.key for f in FIGURES].index("sign_off_rate") + 1
    assert (sheet.cell(5, 4).number_format, sheet.cell(5, rate).number_format) == ("#,##0", "0.0%")
    assert sheet.column_dimensions["B"].width > sheet.column_dimensions["D"].width
    for each in book.worksheets:
        assert not [c.coordinate for row in each.iter_rows() for c in row if c.data_type == "f"], each.title


def test_a_groups_workbook_holds_its_own_units_only(small):
    stats = campaign_statistics(small.campaign, user=small.users["group_a"], today=AS_OF)
    content = workbook_bytes(stats, group="A", scope_name="A组")
    units = sheet_rows(content, "按单位")
    assert units[0][0] == "测试行动统计表（A组）"
    data = units[FIRST_DATA_ROW - 1 :]
    assert [r[1] for r in data] == ["呼和浩特市", "自治区发展和改革委员会", "小计"]
    assert_sums(data[:2], data[2], 3)
    assert [r[0] for r in sheet_rows(content, "按督导组")[FIRST_DATA_ROW - 1 :]] == ["A组"]


def test_a_name_that_looks_like_a_formula_is_text(small):
    do_update_object(small.groups["A"], actor=small.system, changes={"name": '=HYPERLINK("http://x","y")'})
    book = openpyxl.load_workbook(io.BytesIO(workbook_bytes(campaign_statistics(small.campaign, today=AS_OF))))
    cell = book["按督导组"].cell(FIRST_DATA_ROW, 1)
    assert (cell.value, cell.data_type, cell.quotePrefix) == ('=HYPERLINK("http://x","y")', "s", True)


def test_ducha_report_tables_writes_the_workbook_as_of_a_day(stats, tmp_path):
    out = io.StringIO()
    path = tmp_path / "t.xlsx"
    call_command("report", "tables", "--as-of", "2024-07-15", "--campaign", "test", "-o", str(path), stdout=out)
    assert "测试行动统计表（截至 2024-07-15）" in out.getvalue()
    assert path.read_bytes()[:2] == b"PK"
    groups = sheet_rows(path.read_bytes(), "按督导组")[FIRST_DATA_ROW - 1 :]
    assert_sums(groups[:2], groups[2], 4)
    assert figures_of(groups[2], 4) == {f.key: stats["total"][f.key] for f in FIGURES}
    with pytest.raises(CommandError, match="--as-of：2023-12-31 早于专项整治开始日期"):
        call_command("report", "tables", "--as-of", "2023-12-31", "--campaign", "test", "-o", str(path))


def test_the_groups_supervision_work(small):
    """督导工作: each group's supervision figures and the total; the office's own letters and
    complaints count in the total only (none here: every figure adds up)."""
    add_week(small)
    stats = campaign_statistics(small.campaign, today=AS_OF)
    book = openpyxl.load_workbook(io.BytesIO(workbook_bytes(stats)))
    sheet = book["督导工作"]
    assert sheet["A2"].value == "督导工作情况（截至2024年7月15日）"
    assert (sheet["B3"].value, sheet["C3"].value, sheet["C4"].value) == ("工作方案", "督导组周报", "报送")
    assert "C3:F3" in {str(r) for r in sheet.merged_cells.ranges}
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=FIRST_DATA_ROW, max_row=FIRST_DATA_ROW + 2)]
    assert [r[0] for r in rows] == ["A组", "B组", "合计"]
    values = {r[0]: dict(zip(SUPERVISION_COUNTS, r[1:], strict=True)) for r in rows}
    assert values["A组"]["group_reports_submitted"] == 1 and values["B组"]["unit_reports_late"] == 1
    assert values["A组"]["contacts_phone"] == 1
    for key in SUPERVISION_COUNTS:
        assert values["合计"][key] == values["A组"][key] + values["B组"][key] == stats["total"]["supervision"][key]
    # A group's workbook: its own line, no total.
    own = openpyxl.load_workbook(io.BytesIO(workbook_bytes(stats, group="B", scope_name="B组")))["督导工作"]
    assert [r[0].value for r in own.iter_rows(min_row=FIRST_DATA_ROW)] == ["B组"]
