"""The problem ledger (问题台账): validation, status moves with their dates, the workbook as evidence."""

import datetime as dt
import hashlib

import pytest
from django.utils import timezone, translation

from ducha.core.models import ChangeLogEntry
from ducha.imports.importer import run_import
from ducha.imports.tests import books
from ducha.ledger.actions import do_bulk_transition_problems
from ducha.ledger.models import Evidence, Problem
from ducha.testing import move

pytestmark = pytest.mark.django_db

SIGNED_OFF = {
    "整改状态": "已销号",
    "整改措施": "约谈并完善制度",
    "整改完成日期": "2024/6/20",
    "销号意见": "整改到位，同意销号",
}


def run(small, content, *, user="office", name="问题台账.xlsx", **kwargs):
    return run_import("problems", name, content, actor=small.users[user], **kwargs)


def xlsx(rows, **kwargs):
    return books.xlsx(rows, books.PROBLEM_HEADERS, **kwargs)


def errors(result):
    with translation.override("en"):
        return [(f.row, f.column, f.reason_text) for f in result.errors]


def steps(problem):
    return [
        (s.from_status, s.to_status, timezone.localtime(s.acted_at).date(), s.completed_on, s.measures, s.opinion,
         s.reason)
        for s in problem.steps.order_by("acted_at", "pk")
    ]  # fmt: skip


def test_problems_are_created_and_moved_to_their_status_with_the_workbook_as_evidence(small):
    rows = [
        books.problem(**{"问题编号": "WT-1", **SIGNED_OFF}),
        books.problem(**{"问题编号": "WT-2", "项目编号": None, "问题类别": "应进未进", "问题细项": None,
                         "整改状态": "不予认定", "不予认定理由": "经核查不属实"}),
        books.problem(**{"问题编号": "WT-3", "所属单位": "自治区发展和改革委员会", "项目编号": "P-fgw",
                         "整改状态": "整改中", "整改措施": "重新组织招标", "整改时限": "2024年7月31日"}),
        books.problem(**{"问题编号": "WT-4", "涉及市场主体类型": "评标评审专家",
                         "问题类别": "公职人员违规插手招标投标方面",
                         "问题细项": "违规泄露标底、评标委员会成员名单等应当保密的信息"}),
    ]  # fmt: skip
    content = xlsx(rows)
    before = ChangeLogEntry.objects.count()
    result = run(small, content)
    assert result.applied, errors(result)
    assert result.counts == {"added": 4, "changed": 0, "unchanged": 0, "refused": 0}
    one = Problem.objects.get(number="WT-1")
    assert (one.status, one.rectified_on, one.measures) == ("signed_off", dt.date(2024, 6, 20), "约谈并完善制度")
    assert one.project == small.projects["hohhot"] and one.domain.code == "engineering"
    # Each step at its business date: started when found, rectified and signed off on the completion date.
    assert steps(one) == [
        ("found", "rectifying", dt.date(2024, 6, 1), None, "约谈并完善制度", "", ""),
        ("rectifying", "rectified", dt.date(2024, 6, 20), dt.date(2024, 6, 20), "", "", ""),
        ("rectified", "signed_off", dt.date(2024, 6, 20), None, "", "整改到位，同意销号", ""),
    ]
    # The workbook is the evidence of the rectification it states, stored once.
    evidence = Evidence.objects.get(problem=one)
    assert evidence.step.to_status == "rectified"
    assert (evidence.original_name, evidence.sha256) == ("问题台账.xlsx", hashlib.sha256(content).hexdigest())
    two = Problem.objects.get(number="WT-2")
    assert (two.status, two.category.code, two.item.code, two.domain.code) == (
        "dismissed",
        "S",
        "S01",
        "state_property",
    )
    assert [s[-1] for s in steps(two)] == ["经核查不属实"]
    three = Problem.objects.get(number="WT-3")
    assert (three.unit, three.status, three.deadline) == (small.units["fgw"], "rectifying", dt.date(2024, 7, 31))
    four = Problem.objects.get(number="WT-4")
    assert (four.status, four.item.code, four.entity_type.code) == ("found", "A2", "E4")
    assert not Evidence.objects.filter(problem__in=[two, three, four]).exists()
    new_rows = ChangeLogEntry.objects.order_by("seq")[before:]
    assert {e.batch for e in new_rows} == {result.record.batch}


def test_a_reimport_moves_a_stored_problem_on_and_a_second_one_changes_nothing(small):
    row = books.problem(**{"问题编号": "Q-hohhot", "问题描述": "问题 hohhot", "问题类别": None, "问题细项": None,
                           "整改时限": "2024-07-01", "整改状态": "已整改", "整改措施": "整改",
                           "整改完成日期": "2024-06-10"})  # fmt: skip
    content = xlsx([row])
    result = run(small, content, user="league_a")
    assert result.applied and result.counts["changed"] == 1, errors(result)
    problem = Problem.objects.get(number="Q-hohhot")
    assert (problem.status, problem.rectified_on, problem.measures) == ("rectified", dt.date(2024, 6, 10), "整改")
    assert [s[:3] for s in steps(problem)] == [
        ("found", "rectifying", dt.date(2024, 6, 1)),
        ("rectifying", "rectified", dt.date(2024, 6, 10)),
    ]
    before = ChangeLogEntry.objects.count()
    again = run(small, content, user="league_a")
    assert again.applied and again.counts == {"added": 0, "changed": 0, "unchanged": 1, "refused": 0}
    assert list(ChangeLogEntry.objects.order_by("seq")[before:].values_list("object_type", flat=True)) == [
        "imports.importrecord"
    ]


@pytest.mark.parametrize(
    ("given", "column", "reason"),
    [
        ({"问题编号": ""}, "问题编号", "a value is required"),
        ({"所属单位": ""}, "所属单位", "a value is required"),
        ({"所属单位": "新城区"}, "所属单位", "“新城区” is neither a league/city nor a department"),
        ({"问题类别": "Z类"}, "问题类别", "“Z类” is not a category of the problem catalogue"),
        ({"问题细项": "B1"}, "问题细项", "“B1” does not belong to the category 公职人员违规插手招标投标方面"),
        ({"问题细项": "Z9"}, "问题细项", "“Z9” is not an item of the problem catalogue"),
        ({"涉及市场主体类型": "政府"}, "涉及市场主体类型", "“政府” is not a market-entity type"),
        ({"项目编号": "P-nope"}, "项目编号", "“P-nope”: no such project of 呼和浩特市"),
        ({"项目编号": "P-baotou"}, "项目编号", "“P-baotou”: no such project of 呼和浩特市"),
        ({"问题描述": " "}, "问题描述", "a value is required"),
        ({"发现方式": "巡查"}, "发现方式", "“巡查” is not one of 自查 / 抽查 / 核查 / 督导 / 举报 / 数据分析"),
        ({"发现方式": None}, "发现方式", "a value is required"),
        ({"发现日期": None}, "发现日期", "a value is required"),
        ({"发现日期": "6月1日"}, "发现日期", "“6月1日” is not a valid date (write it as 2024-06-15)"),
        ({"整改时限": "2024-05-01"}, "整改时限", "The deadline lies before the day it was found."),
        ({"整改状态": "已完成"}, "整改状态", "“已完成” is not one of 待整改 / 整改中 / 已整改 / 已销号 / 不予认定"),
        ({"整改状态": "整改中"}, "整改措施", "a value is required when the status is 整改中"),
        ({"整改状态": "已整改", "整改措施": "整改"}, "整改完成日期", "a value is required when the status is 已整改"),
        ({**SIGNED_OFF, "销号意见": ""}, "销号意见", "a value is required when the status is 已销号"),
        ({"整改状态": "不予认定"}, "不予认定理由", "a value is required when the status is 不予认定"),
        ({**SIGNED_OFF, "整改完成日期": "2024-05-20"}, "整改完成日期",
         "The completion date lies before the day it was found."),
        ({"是否移交线索": "是"}, "移交机关", "a value is required when 是否移交线索 is 是"),
        ({"是否移交线索": "Y", "移交机关": "法院"}, "移交机关",
         "“法院” is not one of 公安机关 / 纪检监察机关 / 行业主管部门"),
        ({"是否立案": "也许"}, "是否立案", "“也许” is neither 是 nor 否"),
    ],
)  # fmt: skip
def test_each_bad_value_is_named_by_row_column_and_reason(small, given, column, reason):
    result = run(small, xlsx([books.problem(**given)]))
    assert errors(result) == [(2, column, reason)]
    assert not Problem.objects.filter(number="WT-001").exists()


def test_a_found_date_outside_the_campaign_is_the_models_rule(small):
    result = run(small, xlsx([books.problem(**{"发现日期": "2023-05-01"})]))
    [(row, column, reason)] = errors(result)
    assert (row, column) == (2, "发现日期")
    assert reason.startswith("The date 2023-05-01 lies outside the campaign (2024-01-01 to ")


def test_a_status_the_workflow_cannot_reach_is_a_row_error(small):
    problem = small.problems["hohhot"]
    do_bulk_transition_problems([move(problem, "signed_off")], actor=small.system)
    row = books.problem(**{"问题编号": "Q-hohhot", "问题描述": "问题 hohhot", "问题类别": None, "问题细项": None,
                           "整改状态": "整改中", "整改措施": "再整改"})  # fmt: skip
    result = run(small, xlsx([row]))
    assert errors(result) == [(2, "整改状态", "“整改中”: a problem cannot go from 已销号 to 整改中")]


def test_a_rejection_is_not_imported(small):
    problem = small.problems["hohhot"]
    do_bulk_transition_problems([move(problem, "rectified")], actor=small.system)
    row = books.problem(**{"问题编号": "Q-hohhot", "问题描述": "问题 hohhot", "问题类别": None, "问题细项": None,
                           "整改状态": "整改中", "整改措施": "完善制度，约谈责任人"})  # fmt: skip
    result = run(small, xlsx([row]))
    assert errors(result) == [
        (2, "整改状态", "“整改中”: a rectification is sent back by the group on the problem's page, not by an import")
    ]


def test_a_unit_does_not_edit_a_problem_past_its_hands(small):
    problem = small.problems["hohhot"]
    do_bulk_transition_problems([move(problem, "rectified")], actor=small.system)
    row = books.problem(**{"问题编号": "Q-hohhot", "问题描述": "改写的描述", "问题类别": None, "问题细项": None,
                           "整改状态": "已整改", "整改时限": "2024-07-01", "整改措施": "完善制度，约谈责任人",
                           "整改完成日期": "2024-06-11"})  # fmt: skip
    result = run(small, xlsx([row]), user="league_a")
    assert errors(result) == [
        (2, "", "A rectified, signed-off or dismissed problem can no longer be edited by the unit.")
    ]


def test_a_unit_does_not_move_its_deadline_by_import(small):
    row = books.problem(**{"问题编号": "Q-hohhot", "问题描述": "问题 hohhot", "问题类别": None, "问题细项": None,
                           "整改时限": "2024-09-30"})  # fmt: skip
    result = run(small, xlsx([row]), user="league_a")
    assert errors(result) == [(2, "整改时限", "The deadline moves only by an extension granted by the group.")]


def test_another_units_problem_is_out_of_scope(small):
    rows = [books.problem(), books.problem(**{"问题编号": "WT-2", "所属单位": "包头市", "项目编号": "P-baotou"})]
    result = run(small, xlsx(rows), user="league_a")
    assert errors(result) == [(3, "所属单位", "“包头市” is not within your scope")]
    assert not Problem.objects.filter(number__in=["WT-001", "WT-2"]).exists()


def test_dispositions_are_checked_and_noted_not_recorded(small):
    rows = [
        books.problem(**{"是否移交线索": "√", "移交机关": "纪检监察机关", "是否立案": "是", "是否曝光": "×"}),
        books.problem(**{"问题编号": "WT-2", "是否曝光": "Y"}),
    ]
    result = run(small, xlsx(rows))
    assert result.applied, errors(result)
    assert result.noted == {"clue": 1, "filed": 1, "exposed": 1}


def test_a_rectified_problem_from_a_csv_has_the_csv_zipped_as_evidence(small):
    content = books.csv_bytes([books.problem(**SIGNED_OFF)], books.PROBLEM_HEADERS)
    result = run(small, content, name="问题台账.csv")
    assert result.applied, errors(result)
    evidence = Evidence.objects.get(problem__number="WT-001")
    assert evidence.original_name == "问题台账.zip"


def test_queries_do_not_grow_with_the_rows(small):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(count):
        rows = [books.problem(**{"问题编号": f"W{count}-{i}", **SIGNED_OFF}) for i in range(count)]
        with CaptureQueriesContext(connection) as captured:
            assert run(small, xlsx(rows), dry_run=True).counts["added"] == count
        return len(captured)

    queries(1)
    assert queries(60) == queries(5)


def test_a_file_goes_through_in_chunks_and_is_still_applied_whole(small, monkeypatch):
    from ducha.imports import importer

    monkeypatch.setattr(importer, "CHUNK_ROWS", 2)
    rows = [books.problem(**{"问题编号": f"WT-C{i}", **SIGNED_OFF}) for i in range(5)]
    result = run(small, xlsx(rows))
    assert result.applied and result.counts == {"added": 5, "changed": 0, "unchanged": 0, "refused": 0}
    assert Problem.objects.filter(number__startswith="WT-C", status="signed_off").count() == 5
    # One upload of the workbook for all five, whatever the chunks.
    assert Evidence.objects.filter(problem__number__startswith="WT-C").values("sha256").distinct().count() == 1


def test_errors_of_every_chunk_are_reported_on_their_rows_and_nothing_is_applied(small, monkeypatch):
    from ducha.imports import importer

    monkeypatch.setattr(importer, "CHUNK_ROWS", 2)
    before = ChangeLogEntry.objects.count()
    rows = [
        books.problem(**{"问题编号": "WT-E1"}),
        books.problem(**{"问题编号": "WT-E2", "发现日期": "2023-05-01"}),  # the model's rule, chunk 1
        books.problem(**{"问题编号": "WT-E3", **SIGNED_OFF}),
        books.problem(**{"问题编号": "WT-E1"}),  # the same number again, chunk 2
        books.problem(**{"问题编号": "WT-E5", "整改时限": "2023-12-31"}),  # the model's rule, chunk 3
    ]
    result = run(small, xlsx(rows))
    assert not result.applied
    assert [(row, column) for row, column, _reason in errors(result)] == [(3, "发现日期"), (5, "问题编号"),
                                                                          (6, "整改时限")]  # fmt: skip
    assert not Problem.objects.filter(number__startswith="WT-E").exists()
    assert ChangeLogEntry.objects.count() == before + 1  # the refused import's record only


def test_a_dry_run_checks_every_rule_and_leaves_nothing(small):
    before = ChangeLogEntry.objects.count()
    rows = [books.problem(**{"问题编号": "WT-D1", **SIGNED_OFF}), books.problem(**{"问题编号": "WT-D2"})]
    result = run(small, xlsx(rows), dry_run=True)
    assert not result.errors and result.counts["added"] == 2
    assert not Problem.objects.filter(number__startswith="WT-D").exists()
    assert ChangeLogEntry.objects.count() == before + 1  # the dry run's record
    bad = run(small, xlsx([books.problem(**{"问题编号": "WT-D3", "发现日期": "2023-05-01"})]), dry_run=True)
    assert [(row, column) for row, column, _reason in errors(bad)] == [(2, "发现日期")]
