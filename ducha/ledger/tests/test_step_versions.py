"""A workflow step and an extension decision taken against the version the caller read
(`if_version`, the API's If-Match): a stale one raises StaleRecord under the row lock and
writes nothing; the current one goes through."""

import datetime as dt

import pytest

from ducha.core.actions import StaleRecord, record_version
from ducha.core.models import ChangeLogEntry
from ducha.ledger.actions import do_decide_extension, do_request_extension, do_transition_problem
from ducha.ledger.models import DeadlineExtension, Problem, RectificationStep


def test_a_step_on_a_stale_version_writes_nothing(small):
    problem, unit = small.problems["hohhot"], small.users["league_a"]
    read = record_version(problem)
    do_transition_problem(problem, "rectifying", actor=unit, measures="措施", if_version=read)
    logged, steps = ChangeLogEntry.objects.count(), RectificationStep.objects.count()
    with pytest.raises(StaleRecord):  # what the second client read is gone
        do_transition_problem(problem, "dismissed", actor=small.users["group_a"], reason="不属实", if_version=read)
    assert (ChangeLogEntry.objects.count(), RectificationStep.objects.count()) == (logged, steps)
    assert Problem.objects.get(pk=problem.pk).status == "rectifying"


def test_a_decision_on_a_stale_version_writes_nothing(small):
    problem = small.problems["hohhot"]
    asked = do_request_extension(problem, actor=small.users["league_a"], new_deadline=dt.date(2024, 8, 1), reason="r")
    read = record_version(asked)
    do_decide_extension(asked, actor=small.users["group_a"], grant=True, if_version=read)
    logged = ChangeLogEntry.objects.count()
    with pytest.raises(StaleRecord):
        do_decide_extension(asked, actor=small.users["office"], grant=False, note="不同意", if_version=read)
    assert ChangeLogEntry.objects.count() == logged
    assert DeadlineExtension.objects.get(pk=asked.pk).status == "granted"
