"""Every state change of the ledger: one transaction each, change log inside it."""

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ducha.core.access import AccessDenied, Action, allows, ensure_allowed, restrict, role_kind
from ducha.core.actions import do_create_object
from ducha.core.changelog import Change, record_changes, serialize
from ducha.core.planner import refresh_after_commit
from ducha.ledger.choices import InspectionKind, ProblemStatus
from ducha.ledger.evidence import EvidenceUpload, check_upload, store_upload
from ducha.ledger.models import Evidence, Inspection, Problem, Project, RectificationStep
from ducha.ledger.rectification import (
    Transition,
    TransitionError,
    check_requirements,
    find_transition,
    path_between,
    transitions_from,
)

_INSPECTION_FLAG = {
    InspectionKind.SELF: "self_inspected",
    InspectionKind.SAMPLE: "sampled",
    InspectionKind.VERIFY: "verified",
}


def allowed_transitions(problem: Problem, actor) -> list[Transition]:
    """What this actor may do with this problem now (the buttons a page shows)."""
    if not allows(actor, problem, Action.CHANGE):
        return []
    role = role_kind(actor)
    return [t for t in transitions_from(problem.status) if role in t.roles]


def do_create_problem(*, actor, data: dict, reason: str = "") -> Problem:
    """A new problem starts as found (do_create_object refuses any other status)."""
    return do_create_object(Problem, actor=actor, data=data, reason=reason)


def _attach(problem: Problem, step: RectificationStep | None, uploads: Sequence[EvidenceUpload], actor):
    for upload in uploads:
        check_upload(upload)  # all of them before any is written: a refused batch leaves no files
    created = []
    for upload in uploads:
        stored = store_upload(upload)
        created.append(
            Evidence.objects.create(
                problem=problem,
                step=step,
                original_name=stored.original_name,
                content_type=stored.content_type,
                size=stored.size,
                sha256=stored.sha256,
                uploaded_by=actor,
            )
        )
    return created


def do_transition_problem(
    problem: Problem,
    target: str,
    *,
    actor,
    reason: str = "",
    evidence: Sequence[EvidenceUpload] = (),
    completed_on: dt.date | None = None,
) -> Problem:
    """Move one problem along the workflow. Illegal, unauthorised or incomplete
    transitions raise and change nothing."""
    with transaction.atomic():
        current = restrict(Problem.objects.all(), actor, Action.CHANGE).select_for_update().get(pk=problem.pk)
        transition = find_transition(current.status, target)
        if role_kind(actor) not in transition.roles:
            raise AccessDenied(f"{actor} may not {transition.verb} problem {current.number}")
        check_requirements(transition, reason=reason, evidence_count=len(evidence), completed_on=completed_on)
        if completed_on and completed_on < current.found_on:
            raise TransitionError({"completed_on": _("The completion date lies before the day it was found.")})
        before = serialize(current)
        step = RectificationStep.objects.create(
            problem=current,
            from_status=current.status,
            to_status=transition.target,
            actor=actor,
            acted_at=timezone.now(),
            reason=reason,
            completed_on=completed_on,
        )
        files = _attach(current, step, evidence, actor)
        current.status = transition.target
        if transition.needs_completion_date:
            current.rectified_on = completed_on
        elif transition.target == ProblemStatus.RECTIFYING:
            current.rectified_on = None
        current.save(update_fields=["status", "rectified_on", "updated_at"])
        after = serialize(current)
        changes = [
            Change(
                "transition",
                current,
                before={"status": before["status"]},
                after={"status": after["status"], "rectified_on": after["rectified_on"]},
                reason=reason,
            ),
            Change("create", step, after=serialize(step)),
            *(Change("create", f, after=serialize(f)) for f in files),
        ]
        record_changes(changes, actor=actor)
        return current


def do_attach_evidence(problem: Problem, *, actor, uploads: Sequence[EvidenceUpload]) -> list[Evidence]:
    with transaction.atomic():
        current = restrict(Problem.objects.all(), actor, Action.CHANGE).get(pk=problem.pk)
        files = _attach(current, None, uploads, actor)
        record_changes([Change("create", f, after=serialize(f)) for f in files], actor=actor)
        return files


def _stored_states(ids: Sequence[int]) -> dict[int, tuple[str, dt.date | None]]:
    """(status, rectified_on) of these problems as stored now, rows locked."""
    ids, states = list(dict.fromkeys(ids)), {}
    for start in range(0, len(ids), 900):
        rows = Problem.objects.select_for_update().filter(pk__in=ids[start : start + 900])
        states.update({pk: (status, on) for pk, status, on in rows.values_list("pk", "status", "rectified_on")})
    return states


def do_bulk_transition_problems(
    moves: Sequence[tuple[Problem, str, dt.datetime, dt.date | None]],
    *,
    actor,
    reason: str = "",
    batch: str | None = None,
) -> str:
    """Apply ledger-stated statuses (imports, the demo) along the allowed paths.

    Each move is (problem, target status, when, completion date). Every step of the
    path is recorded with its business time; the rules on who may act do not apply
    (an import states facts the unit already reported), the path rules do, and a
    rectified problem needs its completion date."""
    steps: list[RectificationStep] = []
    changed: list[tuple[Problem, str]] = []
    with transaction.atomic():
        # The stored state decides the path, not the caller's copy, which may be stale.
        stored = _stored_states([p.pk for p, *_ in moves])
        for problem, target, when, completed_on in moves:
            ensure_allowed(actor, problem, Action.CHANGE)
            if problem.pk not in stored:
                raise Problem.DoesNotExist(f"problem {problem.number} does not exist")
            problem.status, problem.rectified_on = stored[problem.pk]
            number = {"number": problem.number}
            path = path_between(problem.status, target)
            if any(t.needs_reason for t in path) and not reason.strip():
                raise TransitionError(
                    {"reason": ValidationError(_("Problem %(number)s: a reason is required."), params=number)}
                )
            if any(t.needs_completion_date for t in path) and completed_on is None:
                message = _("Problem %(number)s: a rectified problem needs its completion date.")
                raise TransitionError({"completed_on": ValidationError(message, params=number)})
            old = problem.status
            for t in path:
                steps.append(
                    RectificationStep(
                        problem=problem,
                        from_status=t.source,
                        to_status=t.target,
                        actor=actor,
                        acted_at=when,
                        reason=reason,
                        completed_on=completed_on if t.needs_completion_date else None,
                    )
                )
            if path:
                problem.status = target
                if any(t.needs_completion_date for t in path):
                    problem.rectified_on = completed_on
                elif target == ProblemStatus.RECTIFYING:
                    problem.rectified_on = None  # a rejection, as in do_transition_problem
                changed.append((problem, old))
            stored[problem.pk] = (problem.status, problem.rectified_on)
        # One UPDATE per (status, date) pair: far cheaper than bulk_update's CASE per row.
        by_values: dict[tuple[str, dt.date | None], list[int]] = {}
        for p, _old in changed:
            by_values.setdefault((p.status, p.rectified_on), []).append(p.pk)
        for (status, rectified_on), ids in by_values.items():
            for start in range(0, len(ids), 900):
                Problem.objects.filter(pk__in=ids[start : start + 900]).update(
                    status=status, rectified_on=rectified_on, updated_at=timezone.now()
                )
        refresh_after_commit(len(changed))
        RectificationStep.objects.bulk_create(steps, batch_size=2000)
        return record_changes(
            [
                *(
                    Change(
                        "transition",
                        p,
                        before={"status": old},
                        after={
                            "status": p.status,
                            "rectified_on": p.rectified_on.isoformat() if p.rectified_on else None,
                        },
                        reason=reason,
                    )
                    for p, old in changed
                ),
                *(Change("create", s, after=serialize(s)) for s in steps),
            ],
            actor=actor,
            batch=batch,
        )


def do_record_inspection(
    project: Project,
    kind: str,
    *,
    actor,
    inspected_on: dt.date | None = None,
    inspector: str = "",
    findings: str = "",
    sampling_seed: str = "",
) -> Inspection:
    with transaction.atomic():
        current = restrict(Project.objects.all(), actor, Action.CHANGE).select_for_update().get(pk=project.pk)
        inspection = Inspection(
            project=current,
            kind=kind,
            inspected_on=inspected_on,
            inspector=inspector,
            findings=findings,
            sampling_seed=sampling_seed,
        )
        inspection.full_clean()
        inspection.save()
        changes = [Change("create", inspection, after=serialize(inspection))]
        flag = _INSPECTION_FLAG[InspectionKind(kind)]
        if not getattr(current, flag):  # imports may have set it already: log only a real change
            setattr(current, flag, True)
            current.save(update_fields=[flag, "updated_at"])
            changes.append(Change("update", current, before={flag: False}, after={flag: True}))
        record_changes(changes, actor=actor)
        return inspection
