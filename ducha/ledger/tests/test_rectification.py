"""The rectification workflow (整改): a problem's status changes only through actions.

    found → rectifying → rectified → signed_off
    rectified → rectifying          (rejection, reason required)
    found | rectifying → dismissed  (reason required)

Unit reporters carry their problems up to rectified (with evidence and a completion
date); only a member of the unit's group, or the office, signs off, rejects or
dismisses. Anything else raises a clear error and changes nothing.
"""

import datetime as dt
import itertools

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation

from ducha.core.access import AccessDenied, restrict
from ducha.core.actions import do_update_object
from ducha.core.models import ChangeLogEntry
from ducha.ledger.actions import (
    Move,
    allowed_transitions,
    do_bulk_transition_problems,
    do_create_problem,
    do_transition_problem,
)
from ducha.ledger.choices import ProblemStatus as S
from ducha.ledger.evidence import EvidenceUpload
from ducha.ledger.models import Problem
from ducha.ledger.rectification import TRANSITIONS, Transition, TransitionError, path_between
from ducha.ledger.tests.files import pdf

ROLES = ["office", "viewer", "group_a", "group_b", "league_a", "county_a", "dept_a", "league_b", "norole"]
REPORT = EvidenceUpload("整改报告.pdf", pdf("rectification report"))
FOUND_ON = dt.date(2024, 6, 1)  # every problem of the small campaign was found that day
DONE = dt.date(2024, 6, 20)

LEGAL = {(t.source, t.target) for t in TRANSITIONS}
# The steps a problem's page offers (a look-back reopening is the supervision app's, tested there).
PAGE_TRANSITIONS = [t for t in TRANSITIONS if not t.look_back]
ROUTE = {  # how a found problem reaches each status through the workflow
    S.FOUND: [],
    S.RECTIFYING: [S.RECTIFYING],
    S.RECTIFIED: [S.RECTIFYING, S.RECTIFIED],
    S.SIGNED_OFF: [S.RECTIFYING, S.RECTIFIED, S.SIGNED_OFF],
    S.DISMISSED: [S.DISMISSED],
}


def needs(transition: Transition) -> dict:
    """Exactly what a transition requires, and nothing more."""
    kwargs = {}
    if transition.needs_reason:
        kwargs["reason"] = "核查不属实"
    if transition.needs_measures:
        kwargs["measures"] = "完善制度，约谈责任人"
    if transition.needs_opinion:
        kwargs["opinion"] = "整改到位，同意销号"
    if transition.needs_evidence:
        kwargs["evidence"] = [REPORT]
    if transition.needs_completion_date:
        kwargs["completed_on"] = DONE
    if transition.look_back:
        kwargs["look_back"] = True  # (the supervision app's look-back action says so)
    return kwargs


def test_a_signed_off_problem_is_reopened_only_by_a_look_back_never_from_its_page_or_a_ledger(small):
    office = small.users["office"]
    problem = bring_to(small.problems["xincheng"], S.SIGNED_OFF, office)
    assert [t.verb for t in allowed_transitions(problem, office)] == []
    with translation.override("en"), pytest.raises(TransitionError, match="look-back"):
        do_transition_problem(problem, S.RECTIFYING, actor=office, reason="回头看发现整改不到位")
    with pytest.raises(TransitionError):
        path_between(S.SIGNED_OFF, S.RECTIFYING)
    assert Problem.objects.get(pk=problem.pk).status == S.SIGNED_OFF


def everything() -> dict:
    return {"reason": "理由", "measures": "措施", "opinion": "意见", "evidence": [REPORT], "completed_on": DONE}


def bring_to(problem: Problem, status: S, actor) -> Problem:
    """Move a found problem to `status` through the actions, as the office."""
    for target in ROUTE[status]:
        transition = next(t for t in TRANSITIONS if t.source == problem.status and t.target == target)
        problem = do_transition_problem(problem, target, actor=actor, **needs(transition))
    assert problem.status == status
    return problem


def snapshot(problem: Problem) -> tuple:
    """All that a refused transition must leave untouched."""
    problem = Problem.objects.get(pk=problem.pk)
    return (
        problem.status,
        problem.rectified_on,
        problem.steps.count(),
        problem.evidence.count(),
        ChangeLogEntry.objects.count(),
    )


def messages(error: ValidationError) -> dict[str, list[str]]:
    with translation.override("en"):
        return {field: [str(m) for m in msgs] for field, msgs in error.message_dict.items()}


def transition_id(t: Transition) -> str:
    return f"{t.source}->{t.target}"


# ---------------------------------------------------------------------------
# The state machine itself.


@pytest.mark.parametrize("transition", TRANSITIONS, ids=transition_id)
def test_every_legal_transition_moves_the_problem_and_records_who_when_why(small, transition):
    office = small.users["office"]
    problem = bring_to(small.problems["xincheng"], transition.source, office)
    steps, log = problem.steps.count(), ChangeLogEntry.objects.count()
    started = timezone.now()

    moved = do_transition_problem(problem, transition.target, actor=office, **needs(transition))

    stored = Problem.objects.get(pk=problem.pk)
    assert moved.status == stored.status == transition.target
    assert stored.steps.count() == steps + 1
    step = stored.steps.last()
    assert (step.from_status, step.to_status, step.actor) == (transition.source, transition.target, office)
    assert step.acted_at >= started
    assert step.reason == needs(transition).get("reason", "")
    assert step.measures == needs(transition).get("measures", "")  # 整改措施, kept with the step
    assert step.opinion == needs(transition).get("opinion", "")  # 销号意见, kept with the step
    if transition.needs_measures:
        assert stored.measures == step.measures
    assert step.completed_on == needs(transition).get("completed_on")
    assert step.evidence.count() == (1 if transition.needs_evidence else 0)
    if transition.target == S.RECTIFIED:
        assert stored.rectified_on == DONE
    if transition.target == S.RECTIFYING:
        assert stored.rectified_on is None  # a rejected rectification is no longer rectified

    entry = ChangeLogEntry.objects.filter(action="transition", object_id=str(problem.pk)).last()
    assert entry.before["status"] == transition.source
    assert entry.after["status"] == transition.target
    assert (entry.actor_id, entry.reason) == (office.pk, step.reason)
    # The transition, its step and its evidence files: one change-log row each.
    assert ChangeLogEntry.objects.count() == log + 2 + step.evidence.count()


@pytest.mark.parametrize(("source", "target"), list(itertools.product(S, S)), ids=lambda s: str(s))
def test_every_pair_of_statuses_is_legal_or_refused_with_a_clear_error(small, source, target):
    """All 25 (source, target) pairs, by the office (which may do every transition)
    with every requirement at hand: only the path decides."""
    office = small.users["office"]
    problem = bring_to(small.problems["hohhot"], source, office)
    before = snapshot(problem)

    if (source, target) in LEGAL:
        assert do_transition_problem(problem, target, actor=office, **everything(), look_back=True).status == target
        return
    with pytest.raises(TransitionError) as error:
        do_transition_problem(problem, target, actor=office, **everything(), look_back=True)
    with translation.override("en"):
        assert error.value.messages == [f"A problem cannot go from “{source.label}” to “{target.label}”."]
    assert snapshot(problem) == before


def test_there_are_seven_legal_transitions_and_eighteen_illegal_pairs():
    assert {
        (S.FOUND, S.RECTIFYING),
        (S.RECTIFYING, S.RECTIFIED),
        (S.RECTIFIED, S.SIGNED_OFF),
        (S.RECTIFIED, S.RECTIFYING),
        (S.FOUND, S.DISMISSED),
        (S.RECTIFYING, S.DISMISSED),
        (S.SIGNED_OFF, S.RECTIFYING),  # reopened by a look-back round only
    } == LEGAL
    assert len(set(itertools.product(S, S)) - LEGAL) == 18


def test_a_stale_problem_object_does_not_fool_the_workflow(small):
    """The action reads the stored status, not the caller's copy."""
    office = small.users["office"]
    stale = Problem.objects.get(pk=small.problems["hohhot"].pk)
    bring_to(small.problems["hohhot"], S.SIGNED_OFF, office)
    before = snapshot(stale)
    with pytest.raises(TransitionError):
        do_transition_problem(stale, S.RECTIFYING, actor=office)
    assert snapshot(stale) == before


def test_a_new_problem_always_starts_as_found(small):
    baotou = small.projects["baotou"]
    data = {
        "campaign": small.campaign,
        "unit": baotou.unit,
        "project": baotou,
        "number": "Q-new",
        "description": "新问题",
        "discovery_method": "self",
        "found_on": FOUND_ON,
    }
    log = ChangeLogEntry.objects.count()
    with pytest.raises(ValidationError) as error:
        do_create_problem(actor=small.users["league_b"], data={**data, "status": S.SIGNED_OFF})
    assert "status" in error.value.message_dict
    assert not Problem.objects.filter(number="Q-new").exists()
    assert ChangeLogEntry.objects.count() == log
    problem = do_create_problem(actor=small.users["league_b"], data=data)
    assert Problem.objects.get(pk=problem.pk).status == S.FOUND


@pytest.mark.parametrize("field", ["status", "rectified_on"])
def test_the_status_cannot_be_edited_around_the_workflow(small, field):
    """A generic update must not sign off a problem that a reporter may only carry up to rectified."""
    problem = small.problems["hohhot"]
    before = snapshot(problem)
    changes = {"status": S.SIGNED_OFF} if field == "status" else {"rectified_on": DONE}
    with pytest.raises(ValidationError) as error:
        do_update_object(problem, actor=small.users["league_a"], changes=changes)
    assert field in error.value.message_dict
    assert snapshot(problem) == before


# ---------------------------------------------------------------------------
# Who may do what.

OK, DENIED, NOT_FOUND = "ok", "denied", "not found"
# Reporters of the unit (league and county) and the office carry a problem up to rectified;
# the group's member sees it but may not; everyone else does not even find it.
UNIT_SIDE = {"office": OK, "league_a": OK, "county_a": OK, "group_a": DENIED}
# The unit's group and the office sign off, reject and dismiss; the unit's reporters may not.
GROUP_SIDE = {"office": OK, "group_a": OK, "league_a": DENIED, "county_a": DENIED}
WHO = {
    (S.FOUND, S.RECTIFYING): UNIT_SIDE,
    (S.RECTIFYING, S.RECTIFIED): UNIT_SIDE,
    (S.RECTIFIED, S.SIGNED_OFF): GROUP_SIDE,
    (S.RECTIFIED, S.RECTIFYING): GROUP_SIDE,
    (S.FOUND, S.DISMISSED): GROUP_SIDE,
    (S.RECTIFYING, S.DISMISSED): GROUP_SIDE,
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("transition", PAGE_TRANSITIONS, ids=transition_id)
def test_role_rules_on_a_county_problem_of_group_a(small, transition, role):
    """The xincheng problem: county 150102 of 呼和浩特市, which group A supervises."""
    user = small.users[role]
    problem = bring_to(small.problems["xincheng"], transition.source, small.users["office"])
    expected = WHO[(transition.source, transition.target)].get(role, NOT_FOUND)
    before = snapshot(problem)

    if expected == OK:
        do_transition_problem(problem, transition.target, actor=user, **needs(transition))
        assert Problem.objects.get(pk=problem.pk).status == transition.target
        assert problem.steps.last().actor == user
        return
    with pytest.raises(AccessDenied if expected == DENIED else Problem.DoesNotExist):
        do_transition_problem(problem, transition.target, actor=user, **needs(transition))
    assert snapshot(problem) == before


def test_a_department_problem_is_the_departments_and_its_groups(small):
    office, problem = small.users["office"], small.problems["fgw"]
    bring_to(problem, S.RECTIFYING, office)
    do_transition_problem(problem, S.RECTIFIED, actor=small.users["dept_a"], evidence=[REPORT], completed_on=DONE)
    with pytest.raises(Problem.DoesNotExist):  # the other group
        do_transition_problem(problem, S.SIGNED_OFF, actor=small.users["group_b"])
    with pytest.raises(AccessDenied):  # the reporter signs off nothing, even its own
        do_transition_problem(problem, S.SIGNED_OFF, actor=small.users["dept_a"])
    do_transition_problem(problem, S.SIGNED_OFF, actor=small.users["group_a"], opinion="同意销号")
    assert Problem.objects.get(pk=problem.pk).status == S.SIGNED_OFF


# The buttons each role sees on the xincheng problem, per status.
BUTTONS = {
    "office": {
        S.FOUND: {S.RECTIFYING, S.DISMISSED},
        S.RECTIFYING: {S.RECTIFIED, S.DISMISSED},
        S.RECTIFIED: {S.SIGNED_OFF, S.RECTIFYING},
    },
    "group_a": {
        S.FOUND: {S.DISMISSED},
        S.RECTIFYING: {S.DISMISSED},
        S.RECTIFIED: {S.SIGNED_OFF, S.RECTIFYING},
    },
    "league_a": {S.FOUND: {S.RECTIFYING}, S.RECTIFYING: {S.RECTIFIED}},
    "county_a": {S.FOUND: {S.RECTIFYING}, S.RECTIFYING: {S.RECTIFIED}},
}


class Rollback(Exception):
    pass


def would_succeed(problem: Problem, target: S, actor) -> bool:
    """Try the transition with every requirement at hand, then undo it."""
    try:
        with transaction.atomic():
            do_transition_problem(problem, target, actor=actor, **everything())
            raise Rollback
    except Rollback:
        return True
    except (TransitionError, AccessDenied, Problem.DoesNotExist):
        return False


@pytest.mark.parametrize("status", list(S), ids=str)
@pytest.mark.parametrize("role", ROLES)
def test_allowed_transitions_are_exactly_the_buttons_that_work(small, role, status):
    problem = bring_to(small.problems["xincheng"], status, small.users["office"])
    user = small.users[role]
    expected = BUTTONS.get(role, {}).get(status, set())

    buttons = allowed_transitions(problem, user)

    assert {t.target for t in buttons} == expected
    assert all(t.source == status for t in buttons)
    # And they are exactly the transitions the action accepts from this user.
    assert {target for target in S if would_succeed(problem, target, user)} == expected
    assert snapshot(problem)[0] == status


# ---------------------------------------------------------------------------
# Requirements, with clear messages.


@pytest.mark.parametrize(
    ("source", "target"),
    [(S.FOUND, S.DISMISSED), (S.RECTIFYING, S.DISMISSED), (S.RECTIFIED, S.RECTIFYING)],
    ids=["dismiss-found", "dismiss-rectifying", "reject"],
)
@pytest.mark.parametrize("reason", ["", "   \n"], ids=["empty", "blank"])
def test_dismissal_and_rejection_need_a_reason(small, source, target, reason):
    office = small.users["office"]
    problem = bring_to(small.problems["hohhot"], source, office)
    before = snapshot(problem)
    with pytest.raises(TransitionError) as error:
        do_transition_problem(problem, target, actor=office, reason=reason)
    assert messages(error.value) == {"reason": ["A reason is required."]}
    assert snapshot(problem) == before


@pytest.mark.parametrize(
    ("kwargs", "errors"),
    [
        ({"completed_on": DONE}, {"evidence": ["Attach at least one evidence file."]}),
        ({"evidence": [REPORT]}, {"completed_on": ["The completion date is required."]}),
        (
            {},
            {
                "evidence": ["Attach at least one evidence file."],
                "completed_on": ["The completion date is required."],
            },
        ),
        (
            {"evidence": [REPORT], "completed_on": FOUND_ON - dt.timedelta(days=1)},
            {"completed_on": ["The completion date lies before the day it was found."]},
        ),
    ],
    ids=["no-evidence", "no-date", "neither", "date-before-found"],
)
def test_reporting_rectified_needs_evidence_and_a_completion_date(small, kwargs, errors):
    reporter = small.users["county_a"]
    problem = bring_to(small.problems["xincheng"], S.RECTIFYING, small.users["office"])
    before = snapshot(problem)
    with pytest.raises(TransitionError) as error:
        do_transition_problem(problem, S.RECTIFIED, actor=reporter, **kwargs)
    assert messages(error.value) == errors
    assert snapshot(problem) == before


def test_rectified_on_the_day_it_was_found_is_fine(small):
    problem = bring_to(small.problems["xincheng"], S.RECTIFYING, small.users["office"])
    do_transition_problem(
        problem, S.RECTIFIED, actor=small.users["county_a"], evidence=[REPORT], completed_on=FOUND_ON
    )  # fmt: skip
    assert Problem.objects.get(pk=problem.pk).rectified_on == FOUND_ON


def test_a_bad_evidence_file_refuses_the_whole_transition(small):
    problem = bring_to(small.problems["xincheng"], S.RECTIFYING, small.users["office"])
    before = snapshot(problem)
    fake = EvidenceUpload("整改报告.pdf", b"MZ\x90\x00 not a pdf")
    with pytest.raises(ValidationError):
        do_transition_problem(
            problem, S.RECTIFIED, actor=small.users["county_a"], evidence=[REPORT, fake], completed_on=DONE
        )
    assert snapshot(problem) == before


# ---------------------------------------------------------------------------
# Bulk transitions: the import path, which states only the final status.

WHEN = timezone.make_aware(dt.datetime(2024, 6, 25, 10, 0))


def bulk(small, *moves, reason: str = "", actor: str = "office", complete: bool = True) -> str:
    """Bulk moves; `complete` fills in what each path needs besides the reason and date."""
    extra = {"measures": "完善制度", "opinion": "同意销号", "evidence": [REPORT]} if complete else {}
    return do_bulk_transition_problems(
        [Move(small.problems[key], target, WHEN, completed_on, reason, **extra) for key, target, completed_on in moves],
        actor=small.users[actor],
    )


def test_bulk_follows_the_forward_path_and_records_every_step(small):
    batch = bulk(small, ("hohhot", S.SIGNED_OFF, DONE))

    problem = Problem.objects.get(pk=small.problems["hohhot"].pk)
    assert (problem.status, problem.rectified_on) == (S.SIGNED_OFF, DONE)
    steps = list(problem.steps.order_by("pk"))
    assert [(s.from_status, s.to_status) for s in steps] == [
        (S.FOUND, S.RECTIFYING),
        (S.RECTIFYING, S.RECTIFIED),
        (S.RECTIFIED, S.SIGNED_OFF),
    ]
    assert all(s.acted_at == WHEN for s in steps)  # the business time, for statistics "as of a date"
    assert [s.completed_on for s in steps] == [None, DONE, None]
    rows = ChangeLogEntry.objects.filter(batch=batch)
    assert rows.filter(action="transition").count() == 1
    assert rows.filter(action="create", object_type="ledger.rectificationstep").count() == 3


def test_bulk_takes_the_direct_transition_when_there_is_one(small):
    bulk(small, ("hohhot", S.RECTIFIED, DONE))
    bulk(small, ("hohhot", S.RECTIFYING, None), reason="整改材料不全")  # rejection, not a detour
    bulk(small, ("xincheng", S.DISMISSED, None), reason="经核查不属实")

    hohhot = Problem.objects.get(pk=small.problems["hohhot"].pk)
    assert hohhot.status == S.RECTIFYING
    assert hohhot.rectified_on is None  # as after a rejection through do_transition_problem
    assert hohhot.steps.last().reason == "整改材料不全"
    xincheng = Problem.objects.get(pk=small.problems["xincheng"].pk)
    assert [(s.from_status, s.to_status) for s in xincheng.steps.all()] == [(S.FOUND, S.DISMISSED)]


def test_bulk_to_the_current_status_records_nothing(small):
    bulk(small, ("hohhot", S.RECTIFYING, None))
    before = snapshot(small.problems["hohhot"])
    bulk(small, ("hohhot", S.RECTIFYING, None))
    assert snapshot(small.problems["hohhot"]) == before


@pytest.mark.parametrize(
    ("source", "target"),
    [
        (S.SIGNED_OFF, S.FOUND),
        (S.SIGNED_OFF, S.RECTIFYING),
        (S.RECTIFIED, S.FOUND),
        (S.RECTIFIED, S.DISMISSED),
        (S.RECTIFYING, S.FOUND),
        (S.DISMISSED, S.RECTIFYING),
        (S.DISMISSED, S.FOUND),
    ],
    ids=str,
)
def test_bulk_refuses_what_no_path_reaches(small, source, target):
    problem = bring_to(small.problems["hohhot"], source, small.users["office"])
    before = snapshot(problem)
    with pytest.raises(TransitionError) as error:
        bulk(small, ("hohhot", target, DONE), reason="导入")
    with translation.override("en"):
        assert error.value.messages == [f"A problem cannot go from “{source.label}” to “{target.label}”."]
    assert snapshot(problem) == before


@pytest.mark.parametrize("target", [S.RECTIFIED, S.SIGNED_OFF], ids=str)
def test_bulk_needs_the_completion_date_for_rectified(small, target):
    before = snapshot(small.problems["hohhot"])
    with pytest.raises(TransitionError) as error:
        bulk(small, ("hohhot", target, None))
    expected = "Q-hohhot: The completion date is required."
    assert messages(error.value) == {"completed_on": [expected]}
    assert snapshot(small.problems["hohhot"]) == before


def test_bulk_needs_a_reason_for_dismissal(small):
    before = snapshot(small.problems["hohhot"])
    with pytest.raises(TransitionError) as error:
        bulk(small, ("hohhot", S.DISMISSED, None))
    assert messages(error.value) == {"reason": ["Q-hohhot: A reason is required."]}
    assert snapshot(small.problems["hohhot"]) == before


def test_bulk_is_all_or_nothing(small):
    bring_to(small.problems["xincheng"], S.SIGNED_OFF, small.users["office"])
    before = {key: snapshot(small.problems[key]) for key in ("hohhot", "xincheng")}
    with pytest.raises(TransitionError):
        bulk(small, ("hohhot", S.SIGNED_OFF, DONE), ("xincheng", S.FOUND, None))
    assert {key: snapshot(small.problems[key]) for key in before} == before


def test_bulk_stays_inside_the_actors_scope(small):
    before = snapshot(small.problems["hohhot"])
    with pytest.raises(AccessDenied):
        bulk(small, ("hohhot", S.RECTIFYING, None), actor="league_b")
    with pytest.raises(AccessDenied):
        bulk(small, ("hohhot", S.RECTIFYING, None), actor="viewer")
    assert snapshot(small.problems["hohhot"]) == before


def test_bulk_reads_the_stored_status_not_the_callers_copy(small):
    stale = Problem.objects.get(pk=small.problems["hohhot"].pk)
    bring_to(small.problems["hohhot"], S.DISMISSED, small.users["office"])
    before = snapshot(stale)
    with pytest.raises(TransitionError):
        do_bulk_transition_problems([Move(stale, S.RECTIFYING, WHEN, measures="措施")], actor=small.users["office"])
    assert snapshot(stale) == before


# ---------------------------------------------------------------------------
# Overdue: open (found or rectifying) past its deadline, seen everywhere.


def test_overdue_problems(small):
    office = small.users["office"]
    # Every problem's deadline is 2024-07-01.
    bring_to(small.problems["xincheng"], S.RECTIFYING, office)
    bring_to(small.problems["fgw"], S.RECTIFIED, office)
    bring_to(small.problems["baotou"], S.SIGNED_OFF, office)
    bring_to(small.problems["czt"], S.DISMISSED, office)
    undated = do_create_problem(
        actor=office,
        data={
            "campaign": small.campaign,
            "unit": small.units["150100"],
            "number": "Q-undated",
            "description": "无期限",
            "discovery_method": "supervision",
            "found_on": FOUND_ON,
        },
    )

    def overdue(day: dt.date) -> set[str]:
        return {p.number for p in Problem.objects.overdue(day)}

    assert overdue(dt.date(2024, 7, 1)) == set()  # due today is not yet overdue
    assert overdue(dt.date(2024, 7, 2)) == {"Q-hohhot", "Q-xincheng"}  # found and rectifying
    for day in (dt.date(2024, 7, 1), dt.date(2024, 7, 2), dt.date(2030, 1, 1)):
        assert {p.number for p in Problem.objects.all() if p.is_overdue(day)} == overdue(day)
    assert not Problem.objects.get(pk=undated.pk).is_overdue(dt.date(2030, 1, 1))

    # Reporting it rectified takes it off the overdue list.
    do_transition_problem(
        small.problems["xincheng"], S.RECTIFIED, actor=small.users["county_a"], evidence=[REPORT], completed_on=DONE
    )
    assert overdue(dt.date(2024, 7, 2)) == {"Q-hohhot"}
    # A rejected rectification is open, and overdue, again.
    do_transition_problem(small.problems["xincheng"], S.RECTIFYING, actor=small.users["group_a"], reason="材料不全")
    assert overdue(dt.date(2024, 7, 2)) == {"Q-hohhot", "Q-xincheng"}


def test_overdue_combines_with_scoping(small):
    today = dt.date(2024, 7, 2)
    visible = restrict(Problem.objects.all(), small.users["league_a"], "view").overdue(today)
    assert {p.number for p in visible} == {"Q-hohhot", "Q-xincheng"}
