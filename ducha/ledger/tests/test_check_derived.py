"""`ducha check_derived`: the kept state recomputed from its rows, silent when they agree,
naming each difference when something wrote around the actions."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from ducha.imports.importer import run_import
from ducha.imports.tests import books
from ducha.ledger.actions import do_bulk_transition_problems, do_record_inspection, do_transition_problem
from ducha.ledger.choices import InspectionKind
from ducha.ledger.models import Problem, Project, RectificationStep
from ducha.testing import move


def check() -> str:
    out = io.StringIO()
    call_command("check_derived", stdout=out)
    return out.getvalue()


def test_after_the_actions_nothing_differs(small):
    do_bulk_transition_problems([move(small.problems["hohhot"], "signed_off")], actor=small.system)
    do_transition_problem(small.problems["fgw"], "rectifying", actor=small.users["dept_a"], measures="整改")
    do_record_inspection(small.projects["fgw"], InspectionKind.SAMPLE, actor=small.system)
    row = books.problem(
        **{"问题编号": "CD-1", "整改状态": "已整改", "整改措施": "重新招标", "整改完成日期": "2024-06-20"}
    )
    assert run_import(
        "problems", "问题台账.xlsx", books.xlsx([row], books.PROBLEM_HEADERS), actor=small.users["office"]
    ).applied
    assert "equals its rows" in check()


def test_state_written_around_the_actions_is_named(small):
    do_bulk_transition_problems([move(small.problems["hohhot"], "rectified")], actor=small.system)
    Problem.objects.filter(pk=small.problems["xincheng"].pk).update(status="signed_off")
    RectificationStep.objects.filter(problem=small.problems["hohhot"]).update(superseded_at=None)
    Project.objects.filter(pk=small.projects["fgw"].pk).update(sampled=True, self_inspected_on=dt.date(2024, 5, 1))
    with pytest.raises(CommandError, match="differences"):
        call_command("check_derived", stdout=(out := io.StringIO()))
    text = out.getvalue()
    assert f"problem #{small.problems['xincheng'].pk}: status signed_off, its steps say found" in text
    assert "superseded_at None, its next step" in text
    assert f"project #{small.projects['fgw'].pk}: sampled True, its inspections say False" in text
    assert (
        f"project #{small.projects['fgw'].pk}: self_inspected_on 2024-05-01, its inspection is dated 2024-05-20" in text
    )
