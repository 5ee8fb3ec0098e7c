"""Contact rules kept or not (督导频次): which of a group's units had fewer contacts of a
kind in a week than a rule asks ("from 2024-07-01, at least two phone contacts per
unit per week").

The rule's weeks are the reporting weeks of ducha.supervision.weeks (Monday to Sunday,
Beijing time). A week counts when the rule is in force on every day of it (from the
first Monday on or after the rule's start, up to its end) and the week is complete by
`as_of` (its Sunday has passed, as of the end of that day) and inside the campaign.
Several rules on the same kind and week: the strictest holds. The lagging ranking
(ducha.reports) and the compliance page read this one function."""

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, Q

from ducha.org.models import Assignment, Campaign, SupervisionGroup
from ducha.supervision.models import Contact, ContactRule
from ducha.supervision.weeks import monday_of

WEEK = dt.timedelta(days=7)


@dataclass(frozen=True)
class Shortfall:
    group_id: int
    unit_id: int
    week_starts: dt.date  # a Monday
    kind: str  # ContactKind
    required: int
    made: int

    @property
    def missing(self) -> int:
        return self.required - self.made


def rule_weeks(rule: ContactRule, campaign: Campaign, as_of: dt.date) -> list[dt.date]:
    """The Mondays of the complete weeks the rule applies to, as of a day."""
    first = monday_of(rule.starts_on + dt.timedelta(days=6))  # the first Monday on or after the start
    first = max(first, monday_of(campaign.starts_on + dt.timedelta(days=6)))
    last_day = min(d for d in (as_of, rule.ends_on, campaign.closes_on) if d is not None)
    weeks, starts = [], first
    while starts + dt.timedelta(days=6) <= last_day:
        weeks.append(starts)
        starts += WEEK
    return weeks


def required_contacts(
    campaign: Campaign, *, as_of: dt.date, group: SupervisionGroup | None = None
) -> dict[tuple[int, str, dt.date], int]:
    """(group id, kind, week's Monday) → the contacts each of the group's units needs."""
    rules = ContactRule.objects.filter(campaign=campaign, starts_on__lte=as_of)
    if group is not None:
        rules = rules.filter(Q(group=group) | Q(group__isnull=True))
    groups = [group] if group is not None else list(SupervisionGroup.objects.filter(campaign=campaign))
    required: dict[tuple[int, str, dt.date], int] = {}
    for rule in rules:
        for g in groups:
            if rule.group_id not in (None, g.pk):
                continue
            for week in rule_weeks(rule, campaign, as_of):
                key = (g.pk, rule.kind, week)
                required[key] = max(required.get(key, 0), rule.per_week)
    return required


def contact_shortfalls(campaign: Campaign, *, as_of: dt.date, group: SupervisionGroup | None = None) -> list[Shortfall]:
    """Every (group, unit, week, kind) below what the rules ask, ordered by group, week,
    unit and kind. Units are the group's assigned leagues/cities and departments."""
    required = required_contacts(campaign, as_of=as_of, group=group)
    if not required:
        return []
    assignments = Assignment.objects.filter(campaign=campaign, unit__parent__isnull=True)
    if group is not None:
        assignments = assignments.filter(group=group)
    units: dict[int, list[int]] = {}
    for group_id, unit_id in assignments.order_by("unit__order", "unit__code").values_list("group_id", "unit_id"):
        units.setdefault(group_id, []).append(unit_id)
    made = _contacts_made(campaign, required)
    shortfalls = [
        Shortfall(group_id, unit_id, week, kind, need, made[group_id, unit_id, kind, week])
        for (group_id, kind, week), need in required.items()
        for unit_id in units.get(group_id, [])
        if made[group_id, unit_id, kind, week] < need
    ]
    order = {unit_id: i for ids in units.values() for i, unit_id in enumerate(ids)}
    return sorted(shortfalls, key=lambda s: (s.group_id, s.week_starts, order[s.unit_id], s.kind))


def _contacts_made(campaign: Campaign, required: dict) -> Counter:
    """(group, unit, kind, week's Monday) → contacts made: one query grouped by day."""
    weeks = [week for _g, _k, week in required]
    kinds = {kind for _g, kind, _w in required}
    groups = {group_id for group_id, _k, _w in required}
    rows = (
        Contact.objects.filter(
            campaign=campaign,
            group_id__in=groups,
            kind__in=kinds,
            contacted_on__range=(min(weeks), max(weeks) + dt.timedelta(days=6)),
        )
        .values_list("group_id", "unit_id", "kind", "contacted_on")
        .annotate(n=Count("pk"))
        .order_by()
    )
    made: Counter = Counter()
    for group_id, unit_id, kind, day, n in rows:
        made[group_id, unit_id, kind, monday_of(day)] += n
    return made
