"""Look-back (回头看): a look-back round re-checks self-inspected projects and rectified or
signed-off problems of its group's units; a signed-off problem not truly rectified is
reopened by the workflow's look-back step, in the same transaction as the check."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from ducha.core.access import AccessDenied
from ducha.core.actions import do_create_object, do_update_object
from ducha.core.models import ChangeLogEntry
from ducha.ledger.actions import do_bulk_transition_problems, do_transition_problem
from ducha.ledger.choices import DiscoveryMethod, ProblemStatus
from ducha.ledger.models import Problem, RectificationStep
from ducha.ledger.rectification import TransitionError
from ducha.supervision.actions.rounds import do_record_look_back_check
from ducha.supervision.choices import LookBackOutcome as O
from ducha.supervision.choices import RoundKind
from ducha.supervision.models import LookBackCheck, SupervisionRound
from ducha.testing import move

AUG = dt.date(2024, 8, 5)


@pytest.fixture
def world(small):
    """Group A's look-back round and its regular round; 呼和浩特市's problem signed off,
    发改委's rectified (awaiting sign-off)."""
    rounds = {}
    for number, kind in ((1, RoundKind.REGULAR), (2, RoundKind.LOOK_BACK)):
        rounds[kind] = do_create_object(SupervisionRound, actor=small.system, data={
            "campaign": small.campaign, "group": small.groups["A"], "number": number, "kind": kind,
            "starts_on": AUG, "ends_on": AUG + dt.timedelta(days=4)})  # fmt: skip
    do_bulk_transition_problems([move(small.problems["hohhot"], ProblemStatus.SIGNED_OFF),
                                 move(small.problems["fgw"], ProblemStatus.RECTIFIED)], actor=small.system)  # fmt: skip
    for p in small.problems.values():
        p.refresh_from_db()
    return small, rounds[RoundKind.LOOK_BACK], rounds[RoundKind.REGULAR]


def check(round, actor, **kwargs):
    return do_record_look_back_check(round, actor=actor, checked_on=kwargs.pop("checked_on", AUG), **kwargs)


def test_not_truly_rectified_reopens_the_signed_off_problem_with_the_round_and_reason(world):
    sc, look_back, _regular = world
    group_a, problem = sc.users["group_a"], sc.problems["hohhot"]
    c = check(look_back, group_a, problem=problem, outcome=O.NOT_RECTIFIED, reason="整改资料与实际不符")
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.RECTIFYING
    step = c.reopening
    assert (step.problem, step.from_status, step.to_status, step.reason) == (
        problem, ProblemStatus.SIGNED_OFF, ProblemStatus.RECTIFYING, "整改资料与实际不符")  # fmt: skip
    rows = ChangeLogEntry.objects.filter(actor=group_a)
    assert rows.filter(action="transition", object_type="ledger.problem", object_id=str(problem.pk)).exists()
    assert rows.filter(action="create", object_type="ledger.rectificationstep", object_id=str(step.pk)).exists()
    logged = rows.get(action="create", object_type="supervision.lookbackcheck")
    assert logged.after["reopening_id"] == step.pk and logged.reason == "整改资料与实际不符"


def test_the_office_may_reopen_too(world):
    sc, look_back, _regular = world
    check(look_back, sc.users["office"], problem=sc.problems["hohhot"], outcome=O.NOT_RECTIFIED, reason="不到位")
    assert Problem.objects.get(pk=sc.problems["hohhot"].pk).status == ProblemStatus.RECTIFYING


def test_a_reopening_needs_a_reason_and_leaves_nothing_when_refused(world):
    sc, look_back, _regular = world
    with pytest.raises(TransitionError) as refused:
        check(look_back, sc.users["group_a"], problem=sc.problems["hohhot"], outcome=O.NOT_RECTIFIED, reason=" ")
    assert "reason" in refused.value.message_dict
    assert Problem.objects.get(pk=sc.problems["hohhot"].pk).status == ProblemStatus.SIGNED_OFF
    assert not LookBackCheck.objects.exists()
    assert not RectificationStep.objects.filter(from_status="signed_off", to_status="rectifying").exists()


def test_only_a_signed_off_problem_is_reopened(world):
    sc, look_back, _regular = world
    with pytest.raises(ValidationError) as refused:
        check(look_back, sc.users["group_a"], problem=sc.problems["fgw"], outcome=O.NOT_RECTIFIED, reason="不到位")
    assert "problem" in refused.value.message_dict
    assert Problem.objects.get(pk=sc.problems["fgw"].pk).status == ProblemStatus.RECTIFIED


def test_only_rectified_problems_and_self_inspected_projects_are_rechecked(world):
    sc, look_back, _regular = world
    open_problem = sc.problems["xincheng"]  # as found
    with pytest.raises(ValidationError) as refused:
        check(look_back, sc.users["group_a"], problem=open_problem, outcome=O.CONFIRMED)
    assert "problem" in refused.value.message_dict
    confirmed = check(look_back, sc.users["group_a"], problem=sc.problems["fgw"], outcome=O.CONFIRMED, note="到位")
    assert confirmed.reopening is None and confirmed.new_problem is None
    project = check(look_back, sc.users["group_a"], project=sc.projects["hohhot"], outcome=O.CONFIRMED)
    assert project.project == sc.projects["hohhot"]


def test_only_a_look_back_round_rechecks(world):
    sc, _look_back, regular = world
    with pytest.raises(ValidationError) as refused:
        check(regular, sc.users["group_a"], problem=sc.problems["hohhot"], outcome=O.NOT_RECTIFIED, reason="不到位")
    assert "round" in refused.value.message_dict
    assert Problem.objects.get(pk=sc.problems["hohhot"].pk).status == ProblemStatus.SIGNED_OFF


@pytest.mark.parametrize("role", ["league_a", "viewer"])
def test_a_unit_or_a_viewer_reopens_nothing(world, role):
    sc, look_back, _regular = world
    with pytest.raises((AccessDenied, SupervisionRound.DoesNotExist)):
        check(look_back, sc.users[role], problem=sc.problems["hohhot"], outcome=O.NOT_RECTIFIED, reason="不到位")
    assert Problem.objects.get(pk=sc.problems["hohhot"].pk).status == ProblemStatus.SIGNED_OFF


def test_another_groups_round_is_not_found(world):
    sc, look_back, _regular = world
    with pytest.raises(SupervisionRound.DoesNotExist):
        check(look_back, sc.users["group_b"], project=sc.projects["baotou"], outcome=O.CONFIRMED)


def test_a_round_rechecks_only_its_groups_units(world):
    sc, look_back, _regular = world
    with pytest.raises(ValidationError):
        check(look_back, sc.users["office"], project=sc.projects["baotou"], outcome=O.CONFIRMED)


def test_the_problem_page_never_offers_the_reopening_and_the_workflow_refuses_it_without_a_round(world):
    sc, _look_back, _regular = world
    with pytest.raises(TransitionError):
        do_transition_problem(sc.problems["hohhot"], ProblemStatus.RECTIFYING, actor=sc.users["group_a"], reason="x")


def test_a_new_problem_found_is_recorded_and_linked(world):
    sc, look_back, _regular = world
    c = check(look_back, sc.users["group_a"], project=sc.projects["hohhot"], outcome=O.NEW_PROBLEM,
              new_problem={"number": "HKK-1", "description": "合同变更未备案", "found_on": AUG,
                           "deadline": dt.date(2024, 9, 30)})  # fmt: skip
    found = c.new_problem
    assert (found.unit, found.project, found.discovery_method) == (
        sc.units["150100"], sc.projects["hohhot"], DiscoveryMethod.SUPERVISION)  # fmt: skip
    assert ChangeLogEntry.objects.filter(
        object_type="ledger.problem", object_id=str(found.pk), action="create"
    ).exists()


def test_a_new_problem_refused_leaves_no_check(world):
    sc, look_back, _regular = world
    with pytest.raises(ValidationError) as refused:
        check(look_back, sc.users["group_a"], project=sc.projects["hohhot"], outcome=O.NEW_PROBLEM,
              new_problem={"number": "Q-hohhot", "description": "重复编号", "found_on": AUG})  # fmt: skip
    assert "问题编号" in " ".join(refused.value.messages)  # the unit's number is taken
    assert not LookBackCheck.objects.exists()


def test_an_outcome_without_its_consequence_is_refused_on_every_path(world):
    """The generic create (an import, a crafted post) cannot claim a reopening that did not happen."""
    sc, look_back, _regular = world
    data = {"round": look_back, "problem": sc.problems["hohhot"], "checked_on": AUG}
    for outcome in (O.NOT_RECTIFIED, O.NEW_PROBLEM):
        with pytest.raises(ValidationError):
            do_create_object(LookBackCheck, actor=sc.users["group_a"], data={**data, "outcome": outcome})


def test_a_recorded_check_keeps_what_it_found_but_its_note_may_change(world):
    sc, look_back, _regular = world
    c = check(look_back, sc.users["group_a"], problem=sc.problems["fgw"], outcome=O.CONFIRMED)
    with pytest.raises(ValidationError):
        do_update_object(c, actor=sc.users["group_a"], changes={"outcome": O.NEW_PROBLEM})
    do_update_object(c, actor=sc.users["group_a"], changes={"note": "复核资料齐全"})
    assert LookBackCheck.objects.get(pk=c.pk).note == "复核资料齐全"
