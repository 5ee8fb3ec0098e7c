"""The project ledger (项目台账): reading what units write, validating, applying."""

import datetime as dt
import stat
from decimal import Decimal

import pytest
from django.utils import translation

from ducha.core.models import ChangeLogEntry
from ducha.core.uscc import with_check_digit
from ducha.imports.importer import run_import
from ducha.imports.models import ImportRecord
from ducha.imports.tests import books
from ducha.ledger.models import Inspection, Project

pytestmark = pytest.mark.django_db

GOOD_USCC = with_check_digit("91150100MA0N12345")


def run(small, content, *, user="office", name="项目台账.xlsx", **kwargs):
    return run_import("projects", name, content, actor=small.users[user], **kwargs)


def errors(result):
    """(row, column, English reason) of every error."""
    with translation.override("en"):
        return [(f.row, f.column, f.reason_text) for f in result.errors]


def test_a_ledger_is_applied_as_one_batch_with_its_record(small):
    rows = [
        books.project(**{"招标人统一社会信用代码": GOOD_USCC, "是否抽查": "是"}),
        books.project(**{"项目编号": "GC-2024-002", "所属旗县（市、区）": "新城区", "是否自查": "否"}),
    ]
    before = ChangeLogEntry.objects.count()
    result = run(small, books.xlsx(rows), user="league_a")
    assert result.applied and not result.findings
    assert result.counts == {"added": 2, "changed": 0, "unchanged": 0, "refused": 0}
    first = Project.objects.get(unit=small.units["150100"], number="GC-2024-001")
    assert first.name == "某某道路改造工程" and first.domain.code == "engineering"
    assert first.project_type.name == "施工" and first.amount == Decimal("1250000.00")
    assert first.trade_date == dt.date(2024, 3, 15) and first.tenderer_uscc == GOOD_USCC
    # Inspections are recorded through their action; the flags follow.
    assert (first.self_inspected, first.sampled, first.verified) == (True, True, False)
    assert set(Inspection.objects.filter(project=first).values_list("kind", flat=True)) == {"self", "sample"}
    second = Project.objects.get(number="GC-2024-002")
    assert second.county == small.units["150102"] and not second.self_inspected
    # One batch: the records, the inspections, the flags and the import's own record.
    new_rows = ChangeLogEntry.objects.order_by("seq")[before:]
    assert {e.batch for e in new_rows} == {result.record.batch}
    assert [e.object_type for e in new_rows].count("imports.importrecord") == 1
    record = ImportRecord.objects.get()
    assert (record.status, record.added, record.user, record.unit, record.county) == (
        "applied", 2, small.users["league_a"], small.units["150100"], None
    )  # fmt: skip
    # The original is kept, readable by Ducha only.
    assert result.stored.read_bytes() == books.xlsx(rows) or result.stored.stat().st_size == record.size
    assert stat.S_IMODE(result.stored.stat().st_mode) == 0o600
    assert result.stored.name == f"{record.sha256}.xlsx"


def test_title_row_merged_cells_blank_rows_notes_shuffled_columns_and_full_width(small):
    headers = ["项目名称", " 交易金额 （万元） ", "序号", "项目编号", "交易领域", "所属盟市", "联系人",
               "招标人(采购人、出让人、转让方)", "所属旗县（市、区）"]  # fmt: skip
    rows = [
        {"项目名称": "ＡＢＣ道路工程 ", "交易金额（万元）": "１，２３４．５", "项目编号": "ＧＣ－００１",
         "交易领域": " 工程建设项目", "所属盟市": "呼和浩特", "联系人": "张三",
         "招标人（采购人、出让人、转让方）": "某局", "所属旗县（市、区）": "１５０１０２"},
    ]  # fmt: skip
    # The writer takes the layout's spelling of each header; the sheet shows the typed one.
    keyed = [{h: r.get(books_key(h)) for h in headers} for r in rows]
    content = books.xlsx(keyed, headers, title="2024年呼和浩特市公共资源交易项目台账",
                         extra=[[None] * 3, []], notes="填表说明：金额以万元为单位")  # fmt: skip
    result = run(small, content)
    assert not result.errors, errors(result)
    assert result.table.header_row == 2
    assert result.unknown_columns == ["联系人"]
    project = Project.objects.get(number="GC-001")
    # Names are kept as written (full width too); numbers, codes and units are normalised.
    assert (project.name, project.amount, project.domain.code) == (
        "ＡＢＣ道路工程",
        Decimal("12345000.00"),
        "engineering",
    )
    assert project.unit == small.units["150100"] and project.county == small.units["150102"]
    assert ImportRecord.objects.get().unknown_columns == ["联系人"]


def books_key(header: str) -> str:
    from ducha.imports.values import clean_header

    by_normalised = {clean_header(h): h for h in books.PROJECT_HEADERS + ["联系人"]}
    return by_normalised.get(clean_header(header), header)


def test_row_numbers_count_the_title_row(small):
    rows = [books.project(), books.project(**{"项目编号": "GC-2", "交易金额（万元）": "12,3a"})]
    result = run(small, books.xlsx(rows, title="台账"))
    assert errors(result) == [(4, "交易金额（万元）", "“12,3a” is not a valid amount")]
    with translation.override("en"):
        assert result.errors[0].text == "Row 4 “交易金额（万元）”: “12,3a” is not a valid amount"
    assert not result.applied and not Project.objects.filter(number__startswith="GC-").exists()


@pytest.mark.parametrize(
    "value",
    ["2024-06-15", "2024/6/15", "2024年6月15日", "2024.6.15", " ２０２４－０６－１５ ", dt.date(2024, 6, 15),
     dt.datetime(2024, 6, 15, 0, 0), 45458, "45458"],
)  # fmt: skip
def test_dates_in_every_form(small, value):
    result = run(small, books.xlsx([books.project(**{"交易日期": value})]))
    assert not result.errors, errors(result)
    assert Project.objects.get(number="GC-2024-001").trade_date == dt.date(2024, 6, 15)


@pytest.mark.parametrize(
    ("value", "yuan"),
    [("125", "1250000"), ("1,234.5", "12345000"), ("12,345", "123450000"), (12.3, "123000"), (7, "70000"),
     ("１２５．５", "1255000"), ("0", "0"), ("0.0001", "1"), (" 3 000 ", "30000000")],
)  # fmt: skip
def test_amounts_in_every_form(small, value, yuan):
    result = run(small, books.xlsx([books.project(**{"交易金额（万元）": value})]))
    assert not result.errors, errors(result)
    assert Project.objects.get(number="GC-2024-001").amount == Decimal(yuan)


@pytest.mark.parametrize(
    ("given", "column", "reason"),
    [
        ({"项目名称": " "}, "项目名称", "a value is required"),
        ({"项目编号": None}, "项目编号", "a value is required"),
        ({"交易领域": "交通运输"}, "交易领域",
         "“交通运输” is not a trading domain (工程建设、政府采购、自然资源、国有产权)"),
        ({"项目类型": "土地使用权出让"}, "项目类型", "“土地使用权出让” is not a project type of 工程建设"),
        ({"所属盟市": "火星市"}, "所属盟市", "“火星市” is not a known unit"),
        ({"所属盟市": "新城区"}, "所属盟市", "“新城区” is not a league/city"),
        ({"所属盟市": None}, "所属盟市", "a value is required (or give 主管部门)"),
        ({"所属旗县（市、区）": "昆都仑区"}, "所属旗县（市、区）", "“昆都仑区” does not lie in 呼和浩特市"),
        ({"所属旗县（市、区）": "某某县"}, "所属旗县（市、区）", "“某某县” is not a known county"),
        ({"主管部门": "呼和浩特市"}, "主管部门", "“呼和浩特市” is not an autonomous-region department"),
        ({"招标人（采购人、出让人、转让方）": ""}, "招标人（采购人、出让人、转让方）", "a value is required"),
        ({"招标人统一社会信用代码": "91150100MA0N123456"}, "招标人统一社会信用代码",
         "“91150100MA0N123456” is not a valid unified social credit code"),
        ({"中标单位统一社会信用代码": "12345"}, "中标单位统一社会信用代码",
         "“12345” is not a valid unified social credit code"),
        ({"交易金额（万元）": "12,3a"}, "交易金额（万元）", "“12,3a” is not a valid amount"),
        ({"交易金额（万元）": "-5"}, "交易金额（万元）", "“-5”: the amount cannot be negative"),
        ({"交易金额（万元）": "0.0000001"}, "交易金额（万元）", "“0.0000001”: the amount is more precise than a cent"),
        ({"交易日期": "2024-13-01"}, "交易日期", "“2024-13-01” is not a valid date (write it as 2024-06-15)"),
        ({"交易日期": "去年"}, "交易日期", "“去年” is not a valid date (write it as 2024-06-15)"),
        ({"是否自查": "可能"}, "是否自查", "“可能” is neither 是 nor 否"),
        ({"项目名称": "长" * 301}, "项目名称", "Ensure this value has at most 300 characters (it has 301)."),
    ],
)  # fmt: skip
def test_each_bad_value_is_named_by_row_column_and_reason(small, given, column, reason):
    result = run(small, books.xlsx([books.project(**given)]))
    assert errors(result) == [(2, column, reason)]
    assert not Project.objects.filter(number="GC-2024-001").exists()


def test_a_number_twice_in_the_file_is_refused(small):
    rows = [books.project(), books.project(**{"项目名称": "另一个"}), books.project(**{"项目编号": "GC-2"})]
    result = run(small, books.xlsx(rows))
    assert errors(result) == [(3, "项目编号", "“GC-2024-001” appears twice in the file (also row 2)")]
    assert not Project.objects.filter(number__startswith="GC-").exists()


def test_a_required_column_missing_refuses_the_file(small):
    headers = [h for h in books.PROJECT_HEADERS if h != "项目名称"]
    result = run(small, books.xlsx([books.project()], headers))
    assert errors(result) == [(None, "", "The column “项目名称” is missing.")]


def test_a_templates_numbered_empty_rows_are_blank(small):
    content = books.xlsx([books.project()], extra=[[2], [3], [4, None, " "]])
    result = run(small, content)
    assert result.applied and result.counts["added"] == 1, errors(result)


def test_queries_do_not_grow_with_the_rows(small):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(count):
        rows = [books.project(**{"项目编号": f"Q{count}-{i}", "所属旗县（市、区）": "新城区"}) for i in range(count)]
        with CaptureQueriesContext(connection) as captured:
            assert run(small, books.xlsx(rows), dry_run=True).counts["added"] == count
        return len(captured)

    queries(1)  # the user's role, read once
    assert queries(60) == queries(5)


def test_a_department_project_and_units_by_code(small):
    rows = [
        books.project(**{"所属盟市": None, "主管部门": "fgw"}),
        books.project(**{"项目编号": "GC-2", "所属盟市": "150100", "所属旗县（市、区）": "新城区"}),
        books.project(**{"项目编号": "GC-3", "所属盟市": None, "主管部门": "自治区发展和改革委员会"}),
    ]
    result = run(small, books.xlsx(rows))
    assert not result.errors, errors(result)
    assert Project.objects.get(number="GC-2024-001").unit == small.units["fgw"]
    assert Project.objects.get(number="GC-2").county == small.units["150102"]
    assert Project.objects.get(number="GC-3").unit == small.units["fgw"]


def test_a_trade_date_outside_the_scope_window_is_a_warning(small):
    result = run(small, books.xlsx([books.project(**{"交易日期": "2022-05-01"})]))
    assert result.applied and not result.errors
    with translation.override("en"):
        assert [(w.row, w.column, w.text) for w in result.warnings] == [
            (2, "交易日期",
             "Row 2 “交易日期”: “2022-05-01” lies outside the campaign's scope (2023-01-01 to 2024-06-30)")
        ]  # fmt: skip


def test_reimporting_the_same_file_changes_nothing(small):
    content = books.xlsx([books.project(**{"是否抽查": "是"})])
    run(small, content, user="league_a")
    before = ChangeLogEntry.objects.count()
    again = run(small, content, user="league_a")
    assert again.applied and again.counts == {"added": 0, "changed": 0, "unchanged": 1, "refused": 0}
    new_rows = list(ChangeLogEntry.objects.order_by("seq")[before:])
    assert [e.object_type for e in new_rows] == ["imports.importrecord"]
    assert Inspection.objects.filter(project__number="GC-2024-001").count() == 2


def test_a_changed_value_updates_the_record_by_its_natural_key(small):
    run(small, books.xlsx([books.project()]), user="league_a")
    project = Project.objects.get(number="GC-2024-001")
    before = ChangeLogEntry.objects.count()
    changed = books.project(**{"项目名称": "道路改造工程（二期）", "交易金额（万元）": "130", "是否核查": "是"})
    result = run(small, books.xlsx([changed]), user="office")
    assert result.applied and result.counts["changed"] == 1
    assert result.planned[0].changes.keys() == {"name", "amount"}
    project.refresh_from_db()
    assert (project.name, project.amount, project.verified) == ("道路改造工程（二期）", Decimal("1300000.00"), True)
    assert Project.objects.filter(number="GC-2024-001").count() == 1
    new_rows = ChangeLogEntry.objects.order_by("seq")[before:]
    assert {e.batch for e in new_rows} == {result.record.batch}
    update = next(
        e for e in new_rows if e.object_type == "ledger.project" and e.action == "update" and "name" in e.after
    )
    assert update.before == {"name": "某某道路改造工程", "amount": "1250000.00"}


def test_an_inspection_stays_recorded_when_the_file_says_no(small):
    run(small, books.xlsx([books.project()]))
    result = run(small, books.xlsx([books.project(**{"是否自查": "否"})]))
    assert result.applied and [w.column for w in result.warnings] == ["是否自查"]
    assert Project.objects.get(number="GC-2024-001").self_inspected


def test_a_unit_reporter_importing_another_units_row_gets_a_row_error_and_nothing_is_applied(small):
    rows = [books.project(), books.project(**{"项目编号": "BT-1", "所属盟市": "包头市", "交易领域": "政府采购",
                                              "项目类型": "货物"})]  # fmt: skip
    result = run(small, books.xlsx(rows), user="league_a")
    assert errors(result) == [(3, "所属盟市", "“包头市” is not within your scope")]
    assert not Project.objects.filter(number__in=["GC-2024-001", "BT-1"]).exists()
    assert ImportRecord.objects.get().status == "refused"


def test_a_row_out_of_scope_is_reported_with_its_other_errors(small):
    row = books.project(**{"所属盟市": "包头市", "交易金额（万元）": "12,3a"})
    result = run(small, books.xlsx([row]), user="league_a")
    assert errors(result) == [
        (2, "所属盟市", "“包头市” is not within your scope"),
        (2, "交易金额（万元）", "“12,3a” is not a valid amount"),
    ]


def test_a_unit_reporter_changing_another_units_stored_project_is_refused(small):
    row = books.project(**{"项目编号": "P-baotou", "所属盟市": "包头市", "交易领域": "政府采购", "项目类型": "货物"})
    result = run(small, books.xlsx([row]), user="league_a")
    assert errors(result) == [(2, "所属盟市", "“包头市” is not within your scope")]


def test_a_county_reporter_imports_its_own_countys_projects_only(small):
    rows = [books.project(**{"所属旗县（市、区）": "新城区"}), books.project(**{"项目编号": "GC-2"})]
    result = run(small, books.xlsx(rows), user="county_a")
    assert errors(result) == [(3, "所属盟市", "“呼和浩特市” is not within your scope")]
    record = ImportRecord.objects.get()
    assert (record.unit, record.county) == (small.units["150100"], small.units["150102"])


def test_a_viewer_changes_nothing(small):
    result = run(small, books.xlsx([books.project()]), user="viewer")
    assert errors(result) == [(2, "所属盟市", "“呼和浩特市” is not within your scope")]


def test_csv_in_utf8_with_bom_and_in_gb18030(small):
    for number, encoding in (("CSV-1", "utf-8-sig"), ("CSV-2", "utf-8"), ("CSV-3", "gb18030")):
        content = books.csv_bytes([books.project(**{"项目编号": number})], encoding=encoding)
        result = run(small, content, name="台账.csv")
        assert result.applied, errors(result)
        assert Project.objects.get(number=number).name == "某某道路改造工程"


def test_a_dry_run_computes_the_changes_and_writes_nothing_but_its_record(small):
    run(small, books.xlsx([books.project()]))
    before = (Project.objects.count(), ChangeLogEntry.objects.count())
    rows = [books.project(**{"项目名称": "新名字"}), books.project(**{"项目编号": "GC-2"})]
    result = run(small, books.xlsx(rows), dry_run=True)
    assert not result.errors and not result.applied
    assert result.counts == {"added": 1, "changed": 1, "unchanged": 0, "refused": 0}
    assert result.planned[0].changes == {"name": "新名字"}
    assert (Project.objects.count(), ChangeLogEntry.objects.count()) == (before[0], before[1] + 1)
    assert ImportRecord.objects.order_by("-pk").first().status == "dry_run"
