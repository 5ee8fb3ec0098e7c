"""The rectification workflow (整改): the only way a problem's status changes.

    found → rectifying → rectified → signed_off
    rectified → rectifying        (verification rejected; reason required)
    found | rectifying → dismissed (reason required)
    signed_off → rectifying       (reopened by a look-back round; reason required)

Unit reporters (and the office) carry a problem up to rectified, with evidence;
only a member of the unit's group (or the office) signs off, rejects or dismisses.
"""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ducha.core.access import RoleKind as R
from ducha.ledger.choices import ProblemStatus as S

StrOrPromise = str | Promise


@dataclass(frozen=True)
class Transition:
    source: S
    target: S
    verb: str
    label: StrOrPromise
    roles: frozenset[str]
    needs_reason: bool = False
    needs_measures: bool = False  # 整改措施, when rectification starts
    needs_opinion: bool = False  # 销号意见, when the group signs off
    needs_evidence: bool = False
    needs_completion_date: bool = False
    # Taken only from a look-back round's page (回头看), which records the round with it;
    # never offered on the problem's page, never stated by an import.
    look_back: bool = False


_UNIT_SIDE = frozenset({R.UNIT_REPORTER, R.OFFICE})
_GROUP_SIDE = frozenset({R.GROUP_MEMBER, R.OFFICE})

TRANSITIONS: tuple[Transition, ...] = (
    Transition(S.FOUND, S.RECTIFYING, "start", _("Start rectification"), _UNIT_SIDE, needs_measures=True),
    Transition(
        S.RECTIFYING,
        S.RECTIFIED,
        "complete",
        _("Report rectified"),
        _UNIT_SIDE,
        needs_evidence=True,
        needs_completion_date=True,
    ),
    Transition(S.RECTIFIED, S.SIGNED_OFF, "sign_off", _("Sign off"), _GROUP_SIDE, needs_opinion=True),
    Transition(
        S.RECTIFIED,
        S.RECTIFYING,
        "reject",
        _("Reject rectification"),
        _GROUP_SIDE,
        needs_reason=True,
    ),
    Transition(S.FOUND, S.DISMISSED, "dismiss", _("Dismiss"), _GROUP_SIDE, needs_reason=True),
    Transition(
        S.SIGNED_OFF,
        S.RECTIFYING,
        "reopen",
        _("Reopen (look-back)"),
        _GROUP_SIDE,
        needs_reason=True,
        look_back=True,
    ),
    Transition(S.RECTIFYING, S.DISMISSED, "dismiss", _("Dismiss"), _GROUP_SIDE, needs_reason=True),
)

_BY_PAIR = {(t.source, t.target): t for t in TRANSITIONS}


class TransitionError(ValidationError):
    """An illegal or incomplete transition; nothing was changed."""


def _cannot(source: str, target: str) -> TransitionError:
    # params, not %: the message is put together, in the language active then, when shown.
    return TransitionError(
        _("A problem cannot go from “%(source)s” to “%(target)s”."),
        params={"source": S(source).label, "target": S(target).label},
    )


def find_transition(source: str, target: str) -> Transition:
    transition = _BY_PAIR.get((S(source), S(target)))
    if transition is None:
        raise _cannot(source, target)
    return transition


def transitions_from(source: str) -> list[Transition]:
    return [t for t in TRANSITIONS if t.source == source]


_FORWARD = {S.FOUND: S.RECTIFYING, S.RECTIFYING: S.RECTIFIED, S.RECTIFIED: S.SIGNED_OFF}


def path_between(source: str, target: str) -> list[Transition]:
    """The transitions from `source` to `target`: the direct one if it exists, else
    the forward chain (imports state only the final status). Raises if unreachable."""
    if source == target:
        return []
    direct = _BY_PAIR.get((S(source), S(target)))
    if direct and not direct.look_back:
        return [direct]
    steps, current = [], S(source)
    while current != target and current in _FORWARD:
        step = _BY_PAIR[(current, _FORWARD[current])]
        steps.append(step)
        current = step.target
    if current != target:
        raise _cannot(source, target)  # (a look-back reopening is no status a ledger states)
    return steps


@dataclass(frozen=True)
class StepInput:
    """What a step brings with it: the same for one step taken in a page and for the
    steps an import or the demo states in bulk."""

    reason: str = ""
    measures: str = ""
    opinion: str = ""
    evidence_count: int = 0
    completed_on: dt.date | None = None


def check_requirements(transition: Transition, step: StepInput, *, found_on: dt.date, as_of: dt.date) -> None:
    """Everything a transition needs, checked the same on every path (one step or a
    bulk move). `as_of` is the latest completion date possible: today, or the
    campaign's closing day."""
    errors: dict[str, StrOrPromise | ValidationError] = {}
    if transition.needs_reason and not step.reason.strip():
        errors["reason"] = _("A reason is required.")
    if transition.needs_measures and not step.measures.strip():
        errors["measures"] = _("The rectification measures are required.")
    if transition.needs_opinion and not step.opinion.strip():
        errors["opinion"] = _("The sign-off opinion is required.")
    if transition.needs_evidence and step.evidence_count == 0:
        errors["evidence"] = _("Attach at least one evidence file.")
    if transition.needs_completion_date:
        done = step.completed_on
        if done is None:
            errors["completed_on"] = _("The completion date is required.")
        elif done < found_on:
            errors["completed_on"] = _("The completion date lies before the day it was found.")
        elif done > as_of:
            errors["completed_on"] = ValidationError(
                _("The completion date lies after %(date)s (today, or the campaign's closing day)."),
                params={"date": as_of.isoformat()},
            )
    if errors:
        raise TransitionError(errors)
