"""The ledger as it stood at the end of a day (as of D), for the figures, reports and lists
of a past day. The stored columns say how things stand now; a past day is replayed from the
dated records:

- a problem counts from the day it was found, in the status of the step that held at the
  end of that day (its steps form a chain in time: RectificationStep.superseded_at; each
  step at its business time, as an import states it), or found if none had been taken,
  with the deadline it had then (a deadline extension granted later had not moved it yet);
- a project counts from the day it entered the ledger (Project.entered_on: entered or
  first inspected, whichever came first) or, if earlier, the day a problem on it was found;
- an inspection counts from its date, one without a date from the day it was recorded
  (Project.self_inspected_on, sampled_on, verified_on, kept with the flags).

For today these give exactly the stored columns (tests hold them equal), so the figures
and lists of the current day read the columns, which indexes serve. `in_state` gives a
queryset either way, with the same names: the lists filter `state_status`,
`state_deadline`, `state_self_inspected`, `state_sampled`, `state_verified`.
"""

import datetime as dt
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    DateField,
    Exists,
    Expression,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from ducha.core.days import end_of
from ducha.ledger.choices import ExtensionStatus, InspectionKind, ProblemStatus
from ducha.ledger.models import DeadlineExtension, Problem, Project, RectificationStep


def steps_held_at(day: dt.date) -> QuerySet:
    """The steps holding at the end of `day`: one per problem that had taken a step by then."""
    end = end_of(day)
    return RectificationStep.objects.filter(Q(superseded_at__gt=end) | Q(superseded_at=None), acted_at__lte=end)


def status_as_of(day: dt.date) -> Expression:
    """A problem's status at the end of `day` (annotate a Problem queryset with it)."""
    held = steps_held_at(day).filter(problem=OuterRef("pk")).values("to_status")[:1]
    return Coalesce(Subquery(held), Value(ProblemStatus.FOUND))


def extended_after(day: dt.date) -> QuerySet:
    """The extensions granted after `day`, the first of each problem first."""
    later = DeadlineExtension.objects.filter(status=ExtensionStatus.GRANTED, decided_at__gt=end_of(day))
    return later.order_by("decided_at", "pk")


def deadline_as_of(day: dt.date) -> Expression:
    """A problem's deadline at the end of `day`: the one the first extension granted after
    that day replaced, if any, else the deadline it has now (the lists of a past day; the
    statistics count set-wise)."""
    later = extended_after(day).filter(problem=OuterRef("pk"))
    return Case(
        When(Exists(later), then=Subquery(later.values("old_deadline")[:1])),
        default=F("deadline"),
        output_field=DateField(),
    )


def inspected_as_of(kind: str, day: dt.date) -> Expression:
    """A project had an inspection of this kind by `day` (the inspection's date, kept on the project)."""
    field = INSPECTION_DATE[kind]
    # (IS NOT NULL first: an undated row is false, not NULL, in the list's column)
    return ExpressionWrapper(Q(**{f"{field}__isnull": False, f"{field}__lte": day}), output_field=BooleanField())


def entered_as_of(day: dt.date) -> Q:
    """A project was in the ledger by `day`: entered or inspected, or a problem on it found, by then."""
    found_first = Problem.objects.filter(dated_by(Problem, day), project__entered_on__gt=day).values("project_id")
    return Q(entered_on__lte=day) | Q(pk__in=found_first)


INSPECTION_DATE: dict[str, str] = {
    InspectionKind.SELF: "self_inspected_on",
    InspectionKind.SAMPLE: "sampled_on",
    InspectionKind.VERIFY: "verified_on",
}


def dated_by(model, day: dt.date) -> Q:
    """A problem, disposition, document or training counts from its date (its `dated_by` field)."""
    return Q(**{f"{model.dated_by}__lte": day})


STATE_INSPECTED = {
    InspectionKind.SELF: "state_self_inspected",
    InspectionKind.SAMPLE: "state_sampled",
    InspectionKind.VERIFY: "state_verified",
}


def in_state(queryset: QuerySet, day: dt.date | None, *, shown: bool = False) -> QuerySet:
    """The records as of the end of a past `day` (None: now), each in its state then;
    `shown`: a past day's state loaded on the objects too (a list shows it: `shown_state`)."""
    model = queryset.model
    if day is not None and model is Project:
        queryset = queryset.filter(entered_as_of(day))
    elif day is not None and hasattr(model, "dated_by"):
        queryset = queryset.filter(dated_by(model, day))
    states = _states(model, day)
    return (queryset.annotate if shown and day is not None else queryset.alias)(**states) if states else queryset


def _states(model, day: dt.date | None) -> dict[str, Any]:
    if model is Problem:
        if day is None:
            return {"state_status": F("status"), "state_deadline": F("deadline")}
        return {"state_status": status_as_of(day), "state_deadline": deadline_as_of(day)}
    if model is Project:
        if day is None:
            return {name: F(name.removeprefix("state_")) for name in STATE_INSPECTED.values()}
        return {name: inspected_as_of(kind, day) for kind, name in STATE_INSPECTED.items()}
    return {}


def shown_state(obj, field: str):
    """What a list shows for a field: the past day's state when the list is as of one
    (in_state(shown=True)), else the stored value."""
    return getattr(obj, f"state_{field}", getattr(obj, field))
