"""The downloadable import templates and the full-field export in their layout: an export
imports back unchanged, a filled-in template imports."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import translation
from openpyxl import load_workbook

from ducha.core.actions import do_update_object
from ducha.core.models import ChangeLogEntry
from ducha.imports.exports import wan_yuan
from ducha.imports.importer import run_import
from ducha.imports.layouts import PROBLEM_COLUMNS, PROJECT_COLUMNS
from ducha.imports.templates_xlsx import NOTES
from ducha.imports.tests import books
from ducha.imports.values import parse_wan_yuan
from ducha.ledger.actions import do_bulk_transition_problems
from ducha.ledger.models import Problem, Project
from ducha.testing import move

pytestmark = pytest.mark.django_db


def client_for(small, name: str) -> Client:
    client = Client()
    client.force_login(small.users[name])
    return client


def errors(result):
    with translation.override("en"):
        return [(f.row, f.column, f.reason_text) for f in result.errors]


def workbook(response):
    return load_workbook(io.BytesIO(response.content))


def option_values(book, header: str) -> list[str]:
    options = book["选项"]
    for column in options.iter_cols(values_only=True):
        if column[0] == header:
            return [v for v in column[1:] if v is not None]
    return []


# ---------------------------------------------------------------------------------------
# Templates


@pytest.mark.parametrize("kind", ["projects", "problems"])
def test_the_template_has_the_layouts_headers_drop_downs_on_a_hidden_sheet_and_notes(small, kind):
    response = client_for(small, "office").get(f"/imports/template/{kind}.xlsx")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Disposition"] == f'attachment; filename="{kind}-template.xlsx"'
    book = workbook(response)
    columns = PROJECT_COLUMNS if kind == "projects" else PROBLEM_COLUMNS
    headers = books.PROJECT_HEADERS if kind == "projects" else books.PROBLEM_HEADERS
    sheet = book.worksheets[0]
    assert book.sheetnames == [sheet.title, "填表说明", "选项"]
    assert [c.value for c in sheet[1]] == [c.header for c in columns] == headers
    assert sheet.max_row == 1  # no title row, no data
    assert book["选项"].sheet_state == "hidden" and book["填表说明"].sheet_state == "visible"
    # Every drop-down refers to a range of the hidden sheet, never an inline list.
    validated = {}
    for validation in sheet.data_validations.dataValidation:
        assert validation.type == "list"
        assert validation.formula1.startswith("'选项'!$")
        column = str(validation.sqref).split(":")[0].rstrip("0123456789")
        validated[sheet[f"{column}1"].value] = validation.formula1
    expected = {
        "projects": {"交易领域", "项目类型", "所属盟市", "所属旗县（市、区）", "主管部门", "是否自查", "是否抽查",
                     "是否核查"},
        "problems": {"所属单位", "问题类别", "问题细项", "涉及市场主体类型", "发现方式", "整改状态", "是否移交线索",
                     "移交机关", "是否立案", "是否曝光"},
    }[kind]  # fmt: skip
    assert set(validated) == expected
    for header in expected:
        assert option_values(book, header), header
    if kind == "problems":
        assert option_values(book, "整改状态") == ["待整改", "整改中", "已整改", "已销号", "不予认定"]
        assert option_values(book, "移交机关") == ["公安机关", "纪检监察机关", "行业主管部门"]
        assert len(option_values(book, "问题细项")) > 20
    else:
        assert option_values(book, "交易领域") == ["工程建设", "政府采购", "自然资源", "国有产权"]
        assert option_values(book, "是否自查") == ["是", "否"]
    # The notes explain every column.
    notes = [row for row in book["填表说明"].iter_rows(values_only=True) if row and row[0] in headers]
    assert [row[0] for row in notes] == headers
    assert all(row[1] and row[2] for row in notes)
    assert set(NOTES[kind]) == set(headers)


def test_the_template_offers_only_the_units_in_the_users_scope(small):
    book = workbook(client_for(small, "league_a").get("/imports/template/projects.xlsx"))
    assert option_values(book, "所属盟市") == ["呼和浩特市"]
    counties = option_values(book, "所属旗县（市、区）")
    assert "新城区" in counties and "赛罕区" in counties
    assert option_values(book, "主管部门") == []
    shown = {v for column in book["选项"].iter_cols(values_only=True) for v in column}
    assert "包头市" not in shown and "昆都仑区" not in shown
    # Without a list of departments, 主管部门 has no drop-down.
    assert len(book.worksheets[0].data_validations.dataValidation) == 7

    office = workbook(client_for(small, "office").get("/imports/template/problems.xlsx"))
    units = option_values(office, "所属单位")
    assert "呼和浩特市" in units and "包头市" in units and "自治区发展和改革委员会" in units
    group_b = workbook(client_for(small, "group_b").get("/imports/template/problems.xlsx"))
    assert "包头市" in option_values(group_b, "所属单位") and "呼和浩特市" not in option_values(group_b, "所属单位")


def test_a_user_without_a_role_gets_no_template_and_an_unknown_kind_is_not_found(small):
    assert client_for(small, "norole").get("/imports/template/projects.xlsx").status_code == 403
    assert client_for(small, "office").get("/imports/template/trainings.xlsx").status_code == 404
    assert Client().get("/imports/template/projects.xlsx").status_code == 302  # sign in first


def test_a_filled_in_template_imports(small):
    client = client_for(small, "league_a")
    book = workbook(client.get("/imports/template/projects.xlsx"))
    sheet = book.worksheets[0]
    for values in (
        books.project(**{"项目编号": "GC-T-1", "所属旗县（市、区）": "新城区", "交易日期": dt.date(2024, 3, 15)}),
        books.project(**{"项目编号": "GC-T-2", "交易金额（万元）": 12.345678, "是否自查": "否"}),
    ):
        sheet.append([values.get(c.header) for c in PROJECT_COLUMNS])
    buffer = io.BytesIO()
    book.save(buffer)
    result = run_import("projects", "项目台账.xlsx", buffer.getvalue(), actor=small.users["league_a"])
    assert result.applied, errors(result)
    assert result.counts == {"added": 2, "changed": 0, "unchanged": 0, "refused": 0}
    one, two = Project.objects.get(number="GC-T-1"), Project.objects.get(number="GC-T-2")
    assert one.county.name == "新城区" and one.self_inspected and one.trade_date == dt.date(2024, 3, 15)
    assert two.amount == Decimal("123456.78") and not two.self_inspected

    book = workbook(client.get("/imports/template/problems.xlsx"))
    sheet = book.worksheets[0]
    for values in (
        books.problem(**{"问题编号": "WT-T-1", "项目编号": "GC-T-1"}),
        books.problem(**{"问题编号": "WT-T-2", "整改状态": "整改中", "整改措施": "完善制度"}),
    ):
        sheet.append([values.get(c.header) for c in PROBLEM_COLUMNS])
    buffer = io.BytesIO()
    book.save(buffer)
    result = run_import("problems", "问题台账.xlsx", buffer.getvalue(), actor=small.users["league_a"])
    assert result.applied, errors(result)
    assert result.counts["added"] == 2
    assert Problem.objects.get(number="WT-T-1").county.name == "新城区"
    assert Problem.objects.get(number="WT-T-2").status == "rectifying"


# ---------------------------------------------------------------------------------------
# The full-field export


def _move_along(small):
    office = small.users["office"]
    p = small.problems
    do_bulk_transition_problems(
        [
            move(p["hohhot"], "signed_off"),
            move(p["xincheng"], "rectified"),
            move(p["fgw"], "rectifying"),
            move(p["baotou"], "dismissed"),
        ],
        actor=office,
    )
    do_update_object(
        Problem.objects.get(pk=p["czt"].pk),
        actor=office,
        changes={"remarks": '=HYPERLINK("http://x")', "responsible": "张三"},
    )
    do_update_object(
        Project.objects.get(pk=small.projects["hohhot"].pk),
        actor=office,
        changes={"amount": Decimal("1234567.89"), "agency": "-某代理", "platform_code": "007"},
    )
    do_update_object(
        Project.objects.get(pk=small.projects["baotou"].pk), actor=office, changes={"amount": Decimal("0.01")}
    )


def test_the_ledger_export_imports_back_unchanged(small):
    _move_along(small)
    client = client_for(small, "office")
    for kind, count in (("projects", 5), ("problems", 5)):
        response = client.get(f"/{kind}/?export=ledger")
        assert response.status_code == 200
        assert response["Content-Disposition"] == f'attachment; filename="{kind}-ledger.xlsx"'
        sheet = workbook(response).worksheets[0]
        columns = PROJECT_COLUMNS if kind == "projects" else PROBLEM_COLUMNS
        assert [c.value for c in sheet[1]] == [c.header for c in columns]
        assert sheet.max_row == count + 1
        before = ChangeLogEntry.objects.count()
        result = run_import(kind, f"{kind}.xlsx", response.content, actor=small.users["office"])
        assert result.applied, errors(result)
        assert result.counts == {"added": 0, "changed": 0, "unchanged": count, "refused": 0}
        assert not [f for f in result.findings if f.warning]
        new = ChangeLogEntry.objects.order_by("-seq")[: ChangeLogEntry.objects.count() - before]
        assert [(e.object_type, e.batch) for e in new] == [("imports.importrecord", result.record.batch)]


def test_the_ledger_export_writes_every_field_in_the_templates_forms(small):
    _move_along(small)
    client = client_for(small, "office")
    sheet = workbook(client.get("/projects/?export=ledger&sort=number")).worksheets[0]
    rows = {
        r[1]: dict(zip(books.PROJECT_HEADERS, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)
    }
    hohhot = rows["P-hohhot"]
    assert hohhot["交易金额（万元）"] == 123.456789
    assert hohhot["交易日期"] == dt.datetime(2023, 8, 1)
    assert (hohhot["交易领域"], hohhot["所属盟市"], hohhot["主管部门"]) == ("工程建设", "呼和浩特市", None)
    assert (hohhot["是否自查"], hohhot["是否抽查"], hohhot["是否核查"]) == ("是", "否", "否")
    assert (hohhot["代理机构"], hohhot["交易平台项目编码"]) == ("-某代理", "007")  # text, never a formula
    assert rows["P-xincheng"]["所属旗县（市、区）"] == "新城区"
    assert (rows["P-fgw"]["所属盟市"], rows["P-fgw"]["主管部门"]) == (None, "自治区发展和改革委员会")
    assert rows["P-baotou"]["交易金额（万元）"] == 0.000001

    sheet = workbook(client.get("/problems/?export=ledger")).worksheets[0]
    rows = {
        r[1]: dict(zip(books.PROBLEM_HEADERS, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)
    }
    signed = rows["Q-hohhot"]
    assert (signed["整改状态"], signed["销号意见"], signed["整改措施"]) == ("已销号", "经核查，整改到位，同意销号",
                                                                    "完善制度，约谈责任人")  # fmt: skip
    assert signed["整改完成日期"] == dt.datetime(2024, 6, 11) and signed["发现方式"] == "自查"
    assert (signed["所属单位"], signed["项目编号"]) == ("呼和浩特市", "P-hohhot")
    assert rows["Q-baotou"]["不予认定理由"] == "经核查不属实" and rows["Q-baotou"]["整改状态"] == "不予认定"
    assert rows["Q-xincheng"]["整改状态"] == "已整改" and rows["Q-fgw"]["整改状态"] == "整改中"
    assert rows["Q-czt"]["备注"] == '=HYPERLINK("http://x")'  # a string cell, not a formula
    assert rows["Q-czt"]["是否移交线索"] == "否"


def test_an_amount_a_spreadsheet_number_cannot_hold_exactly_is_written_as_text():
    assert wan_yuan(Decimal("1234567.89")) == 123.456789
    assert wan_yuan(Decimal("0.00")) == 0 and wan_yuan(None) is None
    assert wan_yuan(Decimal("12345678901234.56")) == "1234567890.123456"  # 16 digits
    assert parse_wan_yuan(wan_yuan(Decimal("12345678901234.56"))) == Decimal("12345678901234.56")


def test_the_ledger_export_is_the_users_filtered_list(small):
    sheet = workbook(client_for(small, "league_a").get("/problems/?export=ledger")).worksheets[0]
    assert sorted(r[1] for r in sheet.iter_rows(min_row=2, values_only=True)) == ["Q-hohhot", "Q-xincheng"]
    sheet = workbook(client_for(small, "office").get("/projects/?export=ledger&unit=150200")).worksheets[0]
    assert [r[1] for r in sheet.iter_rows(min_row=2, values_only=True)] == ["P-baotou"]
    # The list's own export is unchanged; other ledgers have no import layout.
    client = client_for(small, "office")
    assert workbook(client.get("/projects/?export=xlsx")).worksheets[0].max_row == 6
    assert client.get("/trainings/?export=ledger")["Content-Type"].startswith("text/html")


def test_only_the_project_and_problem_lists_link_the_template_and_the_export(small):
    client = client_for(small, "league_a")
    for kind in ("projects", "problems"):
        page = client.get(f"/{kind}/").content.decode()
        assert f'href="/imports/template/{kind}.xlsx"' in page and "export=ledger" in page
    page = client.get("/trainings/").content.decode()
    assert "/imports/template/" not in page and "export=ledger" not in page
