"""The supervision contacts, site rounds and look-back: every write one transaction with
its change-log rows (the generic actions, and the ledger's own for problems)."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from ducha.core.access import AccessDenied, Action, Actor, RoleKind, restrict, role_kind, user_role
from ducha.core.actions import do_create_object
from ducha.ledger.actions import do_create_problem, do_transition_problem
from ducha.ledger.choices import DiscoveryMethod, ProblemStatus
from ducha.ledger.models import Problem, Project
from ducha.supervision.choices import LookBackOutcome, RoundKind
from ducha.supervision.models import Contact, LookBackCheck, RoundProblem, SupervisionRound


def supervisor_name(actor: Actor) -> str:
    """How a contact names its supervisor by default: the actor's full name, else the account."""
    return (actor.get_full_name() or actor.get_username()).strip()


def actor_group_id(actor: Actor) -> int | None:
    """The group a group member acts for (None for the office and every other role)."""
    role = user_role(actor)
    return role.group_id if role is not None and role_kind(actor) == RoleKind.GROUP_MEMBER else None


def do_record_contact(*, actor: Actor, data: dict[str, Any], reason: str = "") -> Contact:
    """A group's contact with one of its units (phone, on site in a round, or in writing).
    A group member records for its own group (scope and Contact.clean see to it: one
    group supervises a unit); the supervisor defaults to the actor."""
    data = dict(data)
    if "group" not in data and "group_id" not in data:
        data["group_id"] = actor_group_id(actor)
    if not (data.get("supervisor") or "").strip():
        data["supervisor"] = supervisor_name(actor)
    return do_create_object(Contact, actor=actor, data=data, reason=reason)


def _round_for_change(round: SupervisionRound, actor: Actor) -> SupervisionRound:
    """The round as stored, if the actor may work on it (else DoesNotExist: not found)."""
    return restrict(SupervisionRound.objects.all(), actor, Action.CHANGE).select_related("campaign").get(pk=round.pk)


def do_record_round_problem(round: SupervisionRound, *, actor: Actor, data: dict[str, Any]) -> Problem:
    """A problem a site round found: into the problem ledger (discovered by supervision,
    not before the round began) and linked to the round, in one transaction."""
    with transaction.atomic():
        current = _round_for_change(round, actor)
        found_on = data.get("found_on")
        if found_on and found_on < current.starts_on:
            raise ValidationError({"found_on": _("A round finds its problems once it has begun.")})
        problem = do_create_problem(
            actor=actor,
            data={**data, "campaign": current.campaign, "discovery_method": DiscoveryMethod.SUPERVISION},
        )
        do_create_object(RoundProblem, actor=actor, data={"round": current, "problem": problem})
        return problem


def do_record_look_back_check(
    round: SupervisionRound,
    *,
    actor: Actor,
    outcome: str,
    checked_on: dt.date,
    project: Project | None = None,
    problem: Problem | None = None,
    note: str = "",
    reason: str = "",
    new_problem: dict[str, Any] | None = None,
) -> LookBackCheck:
    """A look-back round re-checks one self-inspected project or one rectified problem.

    Not truly rectified: the signed-off problem goes back to rectifying by the workflow's
    look-back step (a group member or the office, with a reason), kept by the check.
    New problem: recorded in the problem ledger (discovered by supervision) and linked.
    All in one transaction: a refused part leaves nothing behind."""
    with transaction.atomic():
        current = _round_for_change(round, actor)
        if current.kind != RoundKind.LOOK_BACK:
            raise ValidationError({"round": _("Only a look-back round re-checks.")})
        if role_kind(actor) not in (RoleKind.GROUP_MEMBER, RoleKind.OFFICE):
            raise AccessDenied(f"{actor} may not record look-back checks")
        project = _visible(Project, project, actor)
        problem = _visible(Problem, problem, actor)
        check = LookBackCheck(round=current, project=project, problem=problem, checked_on=checked_on,
                              outcome=outcome, note=note)  # fmt: skip
        if outcome == LookBackOutcome.NOT_RECTIFIED:
            check.reopening = _reopen(check, actor=actor, reason=reason)
        elif outcome == LookBackOutcome.NEW_PROBLEM:
            check.new_problem = _new_problem(check, actor=actor, data=new_problem or {})
        return do_create_object(LookBackCheck, actor=actor, data=_fields(check), reason=reason)


def _visible(model, obj, actor: Actor):
    return None if obj is None else restrict(model.objects.all(), actor).get(pk=obj.pk)


def _reopen(check: LookBackCheck, *, actor: Actor, reason: str):
    problem = check.problem
    if problem is None:
        raise ValidationError({"outcome": _("Only a problem is found not truly rectified.")})
    if problem.status != ProblemStatus.SIGNED_OFF:
        refusal = _("Only a signed-off problem is reopened; a rectified one is rejected on its page.")
        raise ValidationError({"problem": refusal})
    check.check_target()  # the round, its dates, the unit, before the problem moves
    do_transition_problem(problem, ProblemStatus.RECTIFYING, actor=actor, reason=reason, look_back=True)
    return problem.steps.order_by("-pk").first()


def _new_problem(check: LookBackCheck, *, actor: Actor, data: dict[str, Any]) -> Problem:
    """The problem the check found, of the re-checked record's unit (and project)."""
    check.check_target()
    target = check.project or check.problem
    assert target is not None  # full_clean: one project or one problem
    project = check.project or (check.problem.project if check.problem else None)
    place = {"unit": target.unit, "county": target.county, "project": project, "domain": target.domain}
    try:
        return do_create_problem(
            actor=actor,
            data={**data, **place, "campaign": check.round.campaign, "discovery_method": DiscoveryMethod.SUPERVISION},
        )
    except ValidationError as error:
        raise _as_new_problem(error) from error


# The new problem's refusals, at the check's fields for it (its number taken: "__all__").
_NEW_FIELDS = {"number": "new_number", "__all__": "new_number", "description": "new_description",
               "deadline": "new_deadline"}  # fmt: skip


def _as_new_problem(error: ValidationError) -> ValidationError:
    if not hasattr(error, "error_dict"):
        return ValidationError({"new_problem": error.error_list})
    fields: dict[str, list] = {}
    for name, errors in error.error_dict.items():
        fields.setdefault(_NEW_FIELDS.get(name, "new_problem"), []).extend(errors)
    return ValidationError(fields)


def _fields(check: LookBackCheck) -> dict[str, Any]:
    names = ("round", "project", "problem", "checked_on", "outcome", "note", "reopening", "new_problem")
    return {name: getattr(check, name) for name in names}
