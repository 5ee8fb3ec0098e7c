"""The single source of campaign figures. Reports, dashboards and `ducha stats`
only format what `campaign_statistics` returns; the keys are documented in
docs/statistics.md.

Each ledger table is aggregated once by (unit, domain), in the database; the
slices are sums of those cells: by group (its assigned units, all domains), by
domain (all units, one domain) and by unit. Distinct-project counts add up too,
because a project belongs to exactly one unit and one domain.
"""

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any, TypedDict, cast

from django.db.models import Count, F, Q, QuerySet, Sum, Value
from django.utils import timezone

from ducha.core.access import restrict, user_scope
from ducha.core.beside import beside
from ducha.ledger.as_of import STATE_INSPECTED, extended_after, in_state, steps_held_at
from ducha.ledger.choices import (
    CLEARED_STATUSES,
    OPEN_STATUSES,
    RECTIFIED_STATUSES,
    CategoryKind,
    InspectionKind,
    ProblemStatus,
)
from ducha.ledger.models import (
    ClueTransfer,
    ExposedCase,
    FiledCase,
    MarketEntityType,
    PolicyDocument,
    Problem,
    ProblemCategory,
    Project,
    Training,
)
from ducha.ledger.models.problems import is_overdue, overdue_q
from ducha.org.models import Assignment, Campaign, Domain, SupervisionGroup, Unit
from ducha.reports import supervision_figures

Cell = tuple[int, int | None]  # (unit id, domain id)
Cells = dict[Cell, Counter]


class Figures(TypedDict):
    """The figures of one slice (a group, a domain, a unit, the total)."""

    projects: int
    projects_self_inspected: int
    projects_sampled: int
    projects_verified: int
    problems: int
    problems_four_categories: int
    problems_market_entity: int
    projects_with_problems: int
    projects_with_problems_cleared: int
    problems_open: int
    problems_rectified: int
    problems_awaiting_sign_off: int
    problems_signed_off: int
    problems_dismissed: int
    problems_overdue: int
    clue_transfers: int
    filed_cases: int
    exposed_cases: int
    documents: int
    trainings: int
    training_attendees: int
    rectification_rate: float
    sign_off_rate: float
    problems_by_category: dict[str, int]
    problems_by_entity_type: dict[str, int]
    problems_by_discovery: dict[str, int]
    problems_by_status: dict[str, int]
    clue_transfers_by_authority: dict[str, int]
    documents_by_action: dict[str, int]
    projects_self_inspected_by_domain: dict[str, int]
    problems_by_domain: dict[str, int]


FIGURES = (
    "projects",
    "projects_self_inspected",
    "projects_sampled",
    "projects_verified",
    "problems",
    "problems_four_categories",
    "problems_market_entity",
    "projects_with_problems",
    "projects_with_problems_cleared",
    "problems_open",
    "problems_rectified",
    "problems_awaiting_sign_off",
    "problems_signed_off",
    "problems_dismissed",
    "problems_overdue",
    "clue_transfers",
    "filed_cases",
    "exposed_cases",
    "documents",
    "trainings",
    "training_attendees",
)
BREAKDOWNS = (
    "problems_by_category",
    "problems_by_entity_type",
    "problems_by_discovery",
    "problems_by_status",
    "clue_transfers_by_authority",
    "documents_by_action",
    "projects_self_inspected_by_domain",
    "problems_by_domain",
)


def _count_where(condition: Q) -> Count:
    # COUNT(1) FILTER reads no column; COUNT(id) reads the id at the end of each index
    # entry, which doubled the time of a count over 1,000,000 projects.
    return Count(Value(1), filter=condition)


def _cells(qs: QuerySet, **aggregates) -> Iterable[dict[str, Any]]:
    return qs.values("unit_id", "domain_id").annotate(**aggregates).order_by()


def collect_cells(campaign: Campaign, user, as_of: dt.date, *, units: Iterable[int] | None = None) -> Cells:
    """The figures per (unit, domain) cell as of `as_of` (`campaign.as_of(...)`), of every
    unit or only of `units` (reports/cache.py recounts the units a change touched)."""
    # A day before the campaign's current day is replayed from the dated records.
    return _collect(campaign, user, as_of, replay=as_of < campaign.as_of(timezone.localdate()), units=units)


def _collect(campaign: Campaign, user, as_of: dt.date, *, replay: bool, units: Iterable[int] | None = None) -> Cells:
    """The figures per (unit, domain) cell: now (the stored state), or replayed for a past day."""
    cells: Cells = defaultdict(Counter)
    domain_codes = dict(Domain.objects.values_list("pk", "code"))
    units = list(units) if units is not None else None

    def scoped(model):
        qs = model.objects.filter(campaign=campaign)
        if units is not None:
            qs = qs.filter(unit_id__in=units)
        return in_state(restrict(qs, user) if user is not None else qs, as_of if replay else None)

    # The projects (the larger table) are counted on a second connection meanwhile.
    projects = scoped(Project)
    with beside(lambda: _count_projects(projects, domain_codes)) as counted_projects:
        _count_problems(cells, scoped(Problem), as_of, domain_codes, replay=replay)
        for model, figure in (
            (ClueTransfer, "clue_transfers"),
            (FiledCase, "filed_cases"),
            (ExposedCase, "exposed_cases"),
            (PolicyDocument, "documents"),
        ):
            for row in _cells(scoped(model), n=Count("id")):
                cells[row["unit_id"], row["domain_id"]][figure] += row["n"]
        for model, field, prefix in (
            (ClueTransfer, "authority", "clue_transfers_by_authority"),
            (PolicyDocument, "action", "documents_by_action"),
        ):
            for row in scoped(model).values("unit_id", "domain_id", field).annotate(n=Count("id")).order_by():
                cells[row["unit_id"], row["domain_id"]][f"{prefix}.{row[field]}"] += row["n"]
        for row in _cells(scoped(Training), trainings=Count("id"), training_attendees=Sum("attendees")):
            cells[row.pop("unit_id"), row.pop("domain_id")].update(row)
    for key, counter in counted_projects().items():
        cells[key].update(counter)
    return cells


def _count_projects(projects: QuerySet, domain_codes: dict[int, str]) -> Cells:
    cells: Cells = defaultdict(Counter)
    inspected = {kind: Q(**{name: True}) for kind, name in STATE_INSPECTED.items()}
    for row in _cells(
        projects,
        projects=Count("*"),
        projects_self_inspected=_count_where(inspected[InspectionKind.SELF]),
        projects_sampled=_count_where(inspected[InspectionKind.SAMPLE]),
        projects_verified=_count_where(inspected[InspectionKind.VERIFY]),
    ):
        key = row.pop("unit_id"), row.pop("domain_id")
        cells[key].update(row)
        # Per domain too: what a unit finds is set against its mix of domains (lagging.py).
        if key[1] is not None:
            cells[key][f"projects_self_inspected_by_domain.{domain_codes[key[1]]}"] += row["projects_self_inspected"]
    return cells


def _count_problems(cells: Cells, problems: QuerySet, as_of: dt.date, domain_codes, *, replay: bool) -> None:
    """The problem figures: what does not depend on the status counted alike for any day;
    the statuses now from the status column, or for a past day from the steps then holding."""
    four = set(ProblemCategory.objects.filter(kind=CategoryKind.CAMPAIGN_FOUR).values_list("pk", flat=True))
    categories = dict(ProblemCategory.objects.values_list("pk", "code"))
    entity_types = dict(MarketEntityType.objects.values_list("pk", "code"))
    # One pass over the covering index (unit, domain, status, category, entity type, deadline)
    # grouped in its order by what the figures break down by, today's statuses and overdue
    # included (a past day takes its statuses from the steps, below, and ignores these).
    now_statuses: dict[tuple[int, int | None, str], list[int]] = defaultdict(lambda: [0, 0])
    for row in (
        problems.values("unit_id", "domain_id", "status", "category_id", "entity_type_id")
        .annotate(n=Count("*"), overdue=_count_where(overdue_q(as_of)))
        .order_by()
    ):
        key, n, category, entity_type = (
            (row["unit_id"], row["domain_id"]),
            row["n"],
            row["category_id"],
            row["entity_type_id"],
        )
        counter = cells[key]
        counter["problems"] += n
        counter["problems_four_categories"] += n if category in four else 0
        if key[1] is not None:
            counter[f"problems_by_domain.{domain_codes[key[1]]}"] += n
        if category is not None:
            counter[f"problems_by_category.{categories[category]}"] += n
        if entity_type is not None:
            counter["problems_market_entity"] += n
            counter[f"problems_by_entity_type.{entity_types[entity_type]}"] += n
        status_now = now_statuses[(*key, row["status"])]
        status_now[0] += n
        status_now[1] += row["overdue"]
    for row in problems.values("unit_id", "domain_id").annotate(n=Count("project_id", distinct=True)).order_by():
        cells[row["unit_id"], row["domain_id"]]["projects_with_problems"] += row["n"]
    for row in problems.values("unit_id", "domain_id", "discovery_method").annotate(n=Count("*")).order_by():
        cells[row["unit_id"], row["domain_id"]][f"problems_by_discovery.{row['discovery_method']}"] += row["n"]

    statuses = (
        _statuses_then(problems, as_of) if replay else {key: (n, overdue) for key, (n, overdue) in now_statuses.items()}
    )
    for (unit_id, domain_id, status), (n, overdue) in statuses.items():
        counter = cells[unit_id, domain_id]
        counter[f"problems_by_status.{status}"] += n
        counter["problems_overdue"] += overdue
        counter["problems_open"] += n if status in OPEN_STATUSES else 0
        counter["problems_rectified"] += n if status in RECTIFIED_STATUSES else 0
        counter["problems_awaiting_sign_off"] += n if status == ProblemStatus.RECTIFIED else 0
        counter["problems_signed_off"] += n if status == ProblemStatus.SIGNED_OFF else 0
        counter["problems_dismissed"] += n if status == ProblemStatus.DISMISSED else 0
    not_cleared = _not_cleared_then(problems, as_of) if replay else _not_cleared_now(problems)
    for row in not_cleared.values("unit_id", "domain_id").annotate(n=Count("project_id", distinct=True)).order_by():
        # Cleared (清零销号): every problem of the project signed off or dismissed.
        cells[row["unit_id"], row["domain_id"]]["projects_not_cleared"] += row["n"]
    for counter in cells.values():
        counter["projects_with_problems_cleared"] = counter["projects_with_problems"] - counter.pop(
            "projects_not_cleared", 0
        )


Statuses = dict[tuple[int, int | None, str], tuple[int, int]]  # (unit, domain, status) → (problems, overdue)


def _statuses_then(problems: QuerySet, day: dt.date) -> Statuses:
    """A past day's statuses, set-wise (groups over the steps holding at the end of the
    day, no per-problem subquery, which a planner without fresh statistics may run for
    every row): a problem with such a step is in its status; the others are still found
    (open). Overdue is counted on today's deadlines, then put right for the few problems
    whose deadline an extension granted later has moved."""
    held = steps_held_at(day).filter(problem__in=problems.values("pk"))
    statuses: dict[tuple[int, int | None, str], list[int]] = {}
    stepped: Counter = Counter()
    for r in (
        held.values(unit_id=F("problem__unit_id"), domain_id=F("problem__domain_id"), status=F("to_status"))
        .annotate(
            n=Count("*"),
            overdue=_count_where(overdue_q(day, status="to_status", deadline="problem__deadline")),
            late=_count_where(Q(problem__deadline__lt=day)),
        )
        .order_by()
    ):
        statuses[r["unit_id"], r["domain_id"], r["status"]] = [r["n"], r["overdue"]]
        stepped[r["unit_id"], r["domain_id"], "n"] += r["n"]
        stepped[r["unit_id"], r["domain_id"], "late"] += r["late"]
    assert ProblemStatus.FOUND in OPEN_STATUSES  # (what "late" counts for the problems still found)
    everything = problems.values("unit_id", "domain_id").annotate(n=Count("*"), late=_count_where(Q(deadline__lt=day)))
    for r in everything.order_by():
        cell = r["unit_id"], r["domain_id"]
        if found := r["n"] - stepped[(*cell, "n")]:  # (no step leads back to found)
            statuses[(*cell, ProblemStatus.FOUND)] = [found, r["late"] - stepped[(*cell, "late")]]
    moved: dict[int, dt.date | None] = {}
    for problem_id, old in extended_after(day).values_list("problem_id", "old_deadline"):
        moved.setdefault(problem_id, old)  # the first extension after the day replaced the day's deadline
    if moved:
        status_then = dict(held.filter(problem_id__in=list(moved)).values_list("problem_id", "to_status"))
        for pk, unit_id, domain_id, deadline in problems.filter(pk__in=list(moved)).values_list(
            "pk", "unit_id", "domain_id", "deadline"
        ):
            status = status_then.get(pk, ProblemStatus.FOUND)
            then, now = is_overdue(status, moved[pk], day), is_overdue(status, deadline, day)
            statuses[unit_id, domain_id, status][1] += int(then) - int(now)
    return {key: (n, overdue) for key, (n, overdue) in statuses.items()}


def _not_cleared_now(problems: QuerySet) -> QuerySet:
    return problems.exclude(status__in=CLEARED_STATUSES)


def _not_cleared_then(problems: QuerySet, day: dt.date) -> QuerySet:
    cleared = steps_held_at(day).filter(to_status__in=CLEARED_STATUSES)  # (one table: any planner hashes it)
    return problems.exclude(pk__in=cleared.values("problem_id"))


def _shape(counter: Counter) -> Figures:
    """Flat counter → the documented figure dict (breakdowns nested, rates added)."""
    out: dict[str, Any] = {name: int(counter.get(name, 0)) for name in FIGURES}
    # Rates over the problems that count: a dismissed problem (不予认定) was no problem.
    counted = out["problems"] - out["problems_dismissed"]
    out["rectification_rate"] = round(out["problems_rectified"] / counted, 4) if counted else 1.0
    out["sign_off_rate"] = round(out["problems_signed_off"] / counted, 4) if counted else 1.0
    for name in BREAKDOWNS:
        prefix = name + "."
        out[name] = {k[len(prefix) :]: int(v) for k, v in sorted(counter.items()) if k.startswith(prefix)}
    return cast(Figures, out)


def _sum(counters: Iterable[Counter]) -> Counter:
    total: Counter = Counter()
    for c in counters:
        total.update(c)
    return total


def campaign_statistics(campaign: Campaign, *, user=None, today: dt.date | None = None) -> dict[str, Any]:
    """Every campaign figure, by group, by domain and by unit, plus the total, as of
    `campaign.as_of(today)`: today, or the closing day of a closed campaign; a past day's
    as they stood at its end.

    With `user`, only what that user may see is counted (restrict)."""
    as_of = campaign.as_of(today or timezone.localdate())
    return figures_from(campaign, collect_cells(campaign, user, as_of), user=user, as_of=as_of)


def figures_from(campaign: Campaign, cells: Cells, *, user, as_of: dt.date) -> dict[str, Any]:
    """The figures of campaign_statistics out of its cells (and the supervision figures, counted here)."""
    supervision = supervision_figures.collect(campaign, user, as_of)
    units = {u.pk: u for u in Unit.objects.filter(parent__isnull=True)}
    domains = list(Domain.objects.all())
    group_of: dict[int, SupervisionGroup] = {}
    for a in Assignment.objects.filter(campaign=campaign).select_related("group"):
        group_of[a.unit_id] = a.group

    by_unit = []
    for unit_id in sorted({u for u, _ in cells}, key=lambda u: (units[u].order, units[u].code)):
        unit = units[unit_id]
        figures = _shape(_sum(c for (u, _), c in cells.items() if u == unit_id))
        group = group_of.get(unit_id)
        by_unit.append(
            {
                "unit": unit.code,
                "name": unit.name,
                "kind": unit.kind,
                "group": group.code if group else None,
                **figures,
            }
        )

    by_group = []
    for group in SupervisionGroup.objects.filter(campaign=campaign).select_related("lead_domain"):
        members = [u for u, g in group_of.items() if g.pk == group.pk]
        kinds = Counter(units[u].kind for u in members if u in units)
        figures = _shape(_sum(c for (u, _), c in cells.items() if u in members))
        by_group.append(
            {
                "group": group.code,
                "name": group.name,
                "lead_domain": group.lead_domain.code,
                "units": len(members),
                "leagues": kinds["league"],
                "departments": kinds["department"],
                **figures,
                "supervision": supervision_figures.shape(supervision, group.pk),
            }
        )

    by_domain = []
    for domain in domains:
        slice_ = {u: c for (u, d), c in cells.items() if d == domain.pk}
        by_domain.append(
            {
                "domain": domain.code,
                "name": domain.name,
                "units": len({u for u in slice_}),
                **_shape(_sum(slice_.values())),
            }
        )

    return {
        "campaign": {
            "code": campaign.code,
            "name": campaign.name,
            "scope_start": campaign.scope_start.isoformat(),
            "scope_end": campaign.scope_end.isoformat(),
            "starts_on": campaign.starts_on.isoformat(),
            "closes_on": campaign.closes_on.isoformat() if campaign.closes_on else None,
        },
        "as_of": as_of.isoformat(),
        "total": {
            "units": len({u for u, _ in cells}),
            **_shape(_sum(cells.values())),
            "supervision": supervision_figures.shape(supervision, supervision_figures.TOTAL),
        },
        "by_group": by_group,
        "by_domain": by_domain,
        "by_unit": by_unit,
        "supervision_by_unit": _supervision_by_unit(supervision, units, group_of, user),
    }


def _supervision_by_unit(supervision, units: dict[int, Unit], group_of: dict[int, SupervisionGroup], user):
    """Each owning unit's own supervision figures: every unit assigned to a group (that the
    user may see), and any other with a record."""
    scope = user_scope(user) if user is not None else None
    ids = {u for u in group_of if scope is None or scope.contains(u)} | set(supervision.units)
    ids &= set(units)  # owning units (leagues/cities, departments)
    rows = []
    for unit_id in sorted(ids, key=lambda u: (units[u].order, units[u].code)):
        group = group_of.get(unit_id)
        rows.append(
            {
                "unit": units[unit_id].code,
                "name": units[unit_id].name,
                "kind": units[unit_id].kind,
                "group": group.code if group else None,
                **supervision_figures.shape_unit(supervision, unit_id),
            }
        )
    return rows


def weekly_trend(campaign: Campaign, *, user=None, until: dt.date | None = None) -> list[dict[str, Any]]:
    """Problems found and rectified per ISO week (Monday), from the ledger dates (up to
    `until`: a past day's dashboard)."""
    return trend_from(trend_cells(campaign, user=user, until=until))


TrendCells = dict[tuple[int, str, str], int]  # (unit id, week's Monday, "found" | "rectified") → problems


def trend_cells(
    campaign: Campaign, *, user=None, until: dt.date | None = None, units: Iterable[int] | None = None
) -> TrendCells:
    """The counts weekly_trend sums, per unit: after a change only the units it touched are
    counted again (reports/cache.py), as for the figures."""
    problems: QuerySet = Problem.objects.filter(campaign=campaign)
    if user is not None:
        problems = restrict(problems, user)
    if units is not None:
        problems = problems.filter(unit_id__in=units)
    cells: Counter = Counter()
    for figure, date_field in (("found", "found_on"), ("rectified", "rectified_on")):
        dated = problems.filter(**{f"{date_field}__isnull": False})
        if until is not None:
            dated = dated.filter(**{f"{date_field}__lte": until})
        for row in dated.values("unit_id", date_field).annotate(n=Count("id")).order_by():
            day = row[date_field]
            cells[(row["unit_id"], (day - dt.timedelta(days=day.weekday())).isoformat(), figure)] += row["n"]
    return dict(cells)


def trend_from(cells: TrendCells) -> list[dict[str, Any]]:
    weeks: dict[dt.date, Counter] = defaultdict(Counter)
    for (_unit, week, figure), n in cells.items():
        weeks[dt.date.fromisoformat(week)][figure] += n
    if not weeks:
        return []
    # Every week from the first to the last, quiet ones as zeros: a chart's axis is time.
    first, last = min(weeks), max(weeks)
    span = [first + dt.timedelta(weeks=i) for i in range((last - first).days // 7 + 1)]
    return [{"week": w.isoformat(), "found": weeks[w]["found"], "rectified": weeks[w]["rectified"]} for w in span]
