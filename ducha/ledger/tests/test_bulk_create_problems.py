"""do_bulk_create_problems: new problems written with their stated statuses in one pass
write what creating them (do_bulk_create_objects) and then moving them
(do_bulk_transition_problems) writes (rows, steps, evidence, change log), and refuse
what either refuses."""

import datetime as dt

import pytest

from ducha.core.actions import BulkValidationError, do_bulk_create_objects
from ducha.core.changelog import verify_chain
from ducha.core.models import ChangeLogEntry
from ducha.ledger.actions import do_bulk_create_problems, do_bulk_transition_problems
from ducha.ledger.choices import ProblemStatus as S
from ducha.ledger.models import Evidence, Problem, RectificationStep
from ducha.ledger.rectification import TransitionError
from ducha.testing import move

FOUND_ON = dt.date(2024, 6, 1)
TARGETS = [S.FOUND, S.RECTIFYING, S.RECTIFIED, S.SIGNED_OFF, S.DISMISSED]
# What differs between twins by nature: ids, numbers, the moment written.
APART = {"id", "number", "problem_id", "step_id", "created_at", "updated_at", "uploaded_at", "original_name"}


def _new(small, prefix: str, target: str) -> Problem:
    project = small.projects["hohhot"]
    measures = "完善制度" if target in (S.RECTIFYING, S.RECTIFIED, S.SIGNED_OFF) else ""
    return Problem(campaign=small.campaign, unit=project.unit, project=project, number=f"{prefix}-{target}",
                   description="问题", discovery_method="self", found_on=FOUND_ON, deadline=dt.date(2024, 7, 1),
                   measures=measures)  # fmt: skip


def _moves(problems: list[Problem]):
    return [move(p, target) for p, target in zip(problems, TARGETS, strict=True) if target != S.FOUND]


def _written(problems: list[Problem], since: int) -> list:
    """Each problem's row, steps, evidence and change-log rows, without what differs by nature."""
    log = list(ChangeLogEntry.objects.filter(seq__gt=since).order_by("seq"))

    def kept(values: dict | None) -> dict | None:
        return None if values is None else {k: v for k, v in values.items() if k not in APART}

    out = []
    for p in problems:
        row = Problem.objects.filter(pk=p.pk).values().get()
        steps = list(RectificationStep.objects.filter(problem=p).order_by("acted_at", "pk").values())
        files = list(Evidence.objects.filter(problem=p).values())
        ids = {("ledger.problem", str(p.pk))} | {("ledger.rectificationstep", str(s["id"])) for s in steps}
        ids |= {("ledger.evidence", str(f["id"])) for f in files}
        entries = sorted(((e.action, e.object_type, kept(e.before), kept(e.after)) for e in log
                          if (e.object_type, e.object_id) in ids), key=repr)  # fmt: skip
        out.append((kept(row), [kept(s) for s in steps], [kept(f) for f in files], entries))
    return out


def test_one_pass_writes_what_create_then_move_writes(small):
    office = small.users["office"]
    twice = [_new(small, "TWO", t) for t in TARGETS]
    since = ChangeLogEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    do_bulk_create_objects(twice, actor=office)
    do_bulk_transition_problems(_moves(twice), actor=office)
    once = [_new(small, "ONE", t) for t in TARGETS]
    do_bulk_create_problems(once, _moves(once), actor=office)
    assert [p.status for p in Problem.objects.filter(pk__in=[p.pk for p in once]).order_by("pk")] == TARGETS
    two, one = _written(twice, since), _written(once, since)
    assert one == two
    assert sum(len(steps) for _r, steps, _f, _e in one) == 1 + 2 + 3 + 1
    assert verify_chain().ok


def test_the_creation_rules_are_checked_as_found(small):
    office = small.users["office"]
    bad = _new(small, "BAD", S.RECTIFIED)
    bad.deadline = dt.date(2024, 5, 1)  # before the day found: Problem.clean refuses
    with pytest.raises(BulkValidationError, match="'deadline'"):
        do_bulk_create_problems([bad], [move(bad, S.RECTIFIED)], actor=office)
    stated = _new(small, "STATED", S.RECTIFIED)
    stated.status = S.RECTIFIED  # a new problem starts as found: only its moves take it further
    with pytest.raises(BulkValidationError, match="'status'"):
        do_bulk_create_problems([stated], [move(stated, S.SIGNED_OFF)], actor=office)
    assert not Problem.objects.filter(number__in=["BAD-rectified", "STATED-rectified"]).exists()


def test_the_moves_rules_hold_and_nothing_is_written(small):
    before = ChangeLogEntry.objects.count()
    signed = _new(small, "UNIT", S.SIGNED_OFF)
    # A unit reporter does not sign off its own problems, in a file or on a page.
    with pytest.raises(TransitionError, match="UNIT-signed_off"):
        do_bulk_create_problems([signed], [move(signed, S.SIGNED_OFF)], actor=small.users["league_a"])
    started = _new(small, "NOMEASURES", S.FOUND)  # no measures: starting rectification needs them
    with pytest.raises(TransitionError):
        do_bulk_create_problems([started], [move(started, S.RECTIFYING, measures="")], actor=small.users["office"])
    assert ChangeLogEntry.objects.count() == before
    assert not Problem.objects.filter(number__in=["UNIT-signed_off", "NOMEASURES-found"]).exists()
