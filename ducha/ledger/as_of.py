"""The ledger as it stood at the end of a day (as of D), for the figures, reports and lists
of a past day. The stored columns say how things stand now; a past day is replayed from the
dated records:

- a problem counts from the day it was found, in the status its steps had brought it to
  by the end of that day (their business times: an import states when each step happened),
  with the deadline it had then (a deadline extension granted later had not moved it yet);
- a project counts from the day it was entered, first inspected or first found with a
  problem, whichever came first;
- an inspection counts from its date; one without a date from the day its project was entered.

For today these give exactly the stored columns (tests hold them equal), so the figures
and lists of the current day read the columns, which indexes serve. `in_state` gives a
queryset either way, with the same names: the statistics and the lists count and filter
`state_status`, `state_deadline`, `state_self_inspected`, `state_sampled`, `state_verified`.
"""

import datetime as dt
from typing import Any

from django.db.models import Case, DateField, Exists, Expression, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.db.models.lookups import LessThanOrEqual

from ducha.core.days import end_of
from ducha.ledger.choices import ExtensionStatus, InspectionKind, ProblemStatus
from ducha.ledger.models import DeadlineExtension, Inspection, Problem, Project, RectificationStep


def status_as_of(day: dt.date) -> Expression:
    """A problem's status at the end of `day` (annotate a Problem queryset with it)."""
    last_step = (
        RectificationStep.objects.filter(problem=OuterRef("pk"), acted_at__lte=end_of(day))
        .order_by("-acted_at", "-pk")  # steps of one moment (an import's path) in the order taken
        .values("to_status")[:1]
    )
    return Coalesce(Subquery(last_step), Value(ProblemStatus.FOUND))


def deadline_as_of(day: dt.date) -> Expression:
    """A problem's deadline at the end of `day`: the one the first extension granted after
    that day replaced, if any, else the deadline it has now."""
    later = DeadlineExtension.objects.filter(
        problem=OuterRef("pk"), status=ExtensionStatus.GRANTED, decided_at__gt=end_of(day)
    ).order_by("decided_at", "pk")
    return Case(
        When(Exists(later), then=Subquery(later.values("old_deadline")[:1])),
        default=F("deadline"),
        output_field=DateField(),
    )


def _inspections_by(day: dt.date):
    """A project's inspections dated by `day` (in a subquery over Projects)."""
    undated = Q(inspected_on__isnull=True) & Q(LessThanOrEqual(OuterRef("created_at"), end_of(day)))
    return Inspection.objects.filter(Q(inspected_on__lte=day) | undated, project=OuterRef("pk"))


def inspected_as_of(kind: str, day: dt.date) -> Exists:
    """A project had an inspection of this kind by the end of `day` (annotate or filter Projects)."""
    return Exists(_inspections_by(day).filter(kind=kind))


def entered_as_of(day: dt.date) -> Q:
    """A project was in the ledger by the end of `day`: entered, inspected or found with a
    problem by then."""
    found = Problem.objects.filter(dated_by(Problem, day), project=OuterRef("pk"))
    return Q(created_at__lte=end_of(day)) | Q(Exists(_inspections_by(day))) | Q(Exists(found))


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
