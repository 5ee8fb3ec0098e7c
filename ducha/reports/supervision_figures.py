"""The supervision work's figures (督导工作), per group, per unit and in total: part of
`statistics.campaign_statistics`, which is where every caller reads them.

Each figure counts what had happened by the figures' day (`as_of`): a record counts from
its business date (issued, contacted, received, checked on), a weekly report from its
submission; a week's report is on time, late or missing once its due time has passed by
the end of that day, Beijing time (ducha.supervision.weeks is the one definition).
A record carries the group whose work it is; the office's letters and complaints not
assigned to a group count in the total only. Keys: docs/statistics.md.
"""

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Q, QuerySet

from ducha.core.access import restrict, user_scope
from ducha.core.days import end_of
from ducha.org.models import Assignment, Campaign, SupervisionGroup
from ducha.supervision.choices import ComplaintStatus, ContactKind, LetterKind, LookBackOutcome, RoundKind, Timeliness
from ducha.supervision.models import (
    Complaint,
    Contact,
    GroupWeeklyReport,
    Letter,
    LetterRecipient,
    LookBackCheck,
    ReportingSchedule,
    SupervisionRound,
    UnitWeeklyReport,
    WorkPlan,
)
from ducha.supervision.models.letters import response_overdue_q
from ducha.supervision.weeks import Week, reporting_weeks, timeliness

CONTACT_FIGURES = {
    ContactKind.PHONE: "contacts_phone",
    ContactKind.ON_SITE: "contacts_on_site",
    ContactKind.WRITTEN: "contacts_written",
}
# The figures a unit's own row holds too: its reports, the contacts with it, the letters to it, its complaints.
UNIT_REPORTS = ("unit_reports_submitted", "unit_reports_on_time", "unit_reports_late", "unit_reports_missing")
RESPONSES = (
    "letter_responses_due",
    "letter_responses_answered",
    "letter_responses_accepted",
    "letter_responses_overdue",
)
COMPLAINTS = ("complaints_received", "complaints_closed")
UNIT_FIGURES = ("unit_reports_due", *UNIT_REPORTS, *CONTACT_FIGURES.values(), *RESPONSES, *COMPLAINTS)
SUPERVISION_FIGURES = (
    "work_plans",
    *UNIT_REPORTS,
    "group_reports_submitted",
    "group_reports_on_time",
    "group_reports_late",
    "group_reports_missing",
    "site_rounds",
    "look_back_rounds",
    *CONTACT_FIGURES.values(),
    "counties_visited",
    "letters",
    *RESPONSES,
    *COMPLAINTS,
    "complaints_to_problems",
    "complaints_to_clue_transfers",
    "look_back_projects_rechecked",
    "look_back_problems_rechecked",
    "look_back_problems_found",
    "look_back_problems_reopened",
)
TOTAL = None  # the key of the total's counter: records of no group count only there


class Tally:
    """Counters per group (by id; TOTAL for the whole) and per unit."""

    def __init__(self) -> None:
        self.groups: dict[int | None, Counter] = defaultdict(Counter)
        self.units: dict[int, Counter] = defaultdict(Counter)
        self.counties: dict[int | None, set[int]] = defaultdict(set)

    def add(self, group_id: int | None, figure: str, n: int = 1, unit_id: int | None = None) -> None:
        self.groups[TOTAL][figure] += n
        if group_id is not None:
            self.groups[group_id][figure] += n
        if unit_id is not None:
            self.units[unit_id][figure] += n


def _scoped(model, user, **filters) -> QuerySet:
    qs = model.objects.filter(**filters)
    return restrict(qs, user) if user is not None else qs


def _count(tally: Tally, rows: Iterable[dict[str, Any]], figure: str, *, group="group_id", unit=None) -> None:
    for row in rows:
        tally.add(row[group], figure, row["n"], row[unit] if unit else None)


def _grouped(qs: QuerySet, *fields: str, **aggregates) -> Iterable[dict[str, Any]]:
    return qs.values(*fields).annotate(**aggregates).order_by()


def _group_records(tally: Tally, campaign: Campaign, user, as_of: dt.date) -> None:
    plans = _scoped(WorkPlan, user, campaign=campaign, issued_on__lte=as_of)
    _count(tally, _grouped(plans, "group_id", n=Count("id")), "work_plans")
    rounds = _scoped(SupervisionRound, user, campaign=campaign, starts_on__lte=as_of)
    for row in _grouped(rounds, "group_id", "kind", n=Count("id")):
        tally.add(row["group_id"], "site_rounds", row["n"])
        if row["kind"] == RoundKind.LOOK_BACK:
            tally.add(row["group_id"], "look_back_rounds", row["n"])

    contacts = _scoped(Contact, user, campaign=campaign, contacted_on__lte=as_of)
    for row in _grouped(contacts, "group_id", "unit_id", "kind", n=Count("id")):
        tally.add(row["group_id"], CONTACT_FIGURES[row["kind"]], row["n"], row["unit_id"])
    visited = contacts.filter(kind=ContactKind.ON_SITE, county__isnull=False)
    for group_id, county_id in visited.values_list("group_id", "county_id").distinct().order_by():
        tally.counties[group_id].add(county_id)
        tally.counties[TOTAL].add(county_id)

    checks = _scoped(LookBackCheck, user, round__campaign=campaign, checked_on__lte=as_of)
    for row in _grouped(
        checks,
        "round__group_id",
        look_back_projects_rechecked=Count("id", filter=Q(project__isnull=False)),
        look_back_problems_rechecked=Count("id", filter=Q(problem__isnull=False)),
        look_back_problems_found=Count("id", filter=Q(outcome=LookBackOutcome.NEW_PROBLEM)),
        look_back_problems_reopened=Count("id", filter=Q(outcome=LookBackOutcome.NOT_RECTIFIED)),
    ):
        group_id = row.pop("round__group_id")
        for figure, n in row.items():
            tally.add(group_id, figure, n)


def _letters(tally: Tally, campaign: Campaign, user, as_of: dt.date) -> None:
    letters = _scoped(Letter, user, campaign=campaign, issued_on__lte=as_of)
    for row in _grouped(letters, "group_id", "kind", n=Count("id")):
        tally.add(row["group_id"], "letters", row["n"])
        tally.add(row["group_id"], f"letters_by_kind.{row['kind']}", row["n"])
    recipients = _scoped(LetterRecipient, user, letter__campaign=campaign, letter__issued_on__lte=as_of)
    answered = Q(responded_on__lte=as_of)
    # As of a past day, a response that came later was still outstanding then.
    overdue = response_overdue_q(as_of) | Q(letter__respond_by__lt=as_of, responded_on__gt=as_of)
    for row in _grouped(
        recipients,
        "letter__group_id",
        "unit_id",
        letter_responses_due=Count("id", filter=Q(letter__respond_by__isnull=False)),
        letter_responses_answered=Count("id", filter=answered),
        letter_responses_accepted=Count("id", filter=answered & Q(accepted=True)),
        letter_responses_overdue=Count("id", filter=overdue),
    ):
        group_id, unit_id = row.pop("letter__group_id"), row.pop("unit_id")
        for figure, n in row.items():
            tally.add(group_id, figure, n, unit_id)


def _complaints(tally: Tally, campaign: Campaign, user, as_of: dt.date) -> None:
    complaints = _scoped(Complaint, user, campaign=campaign, received_on__lte=as_of)
    for row in _grouped(
        complaints,
        "group_id",
        "unit_id",
        complaints_received=Count("id"),
        complaints_closed=Count("id", filter=Q(status=ComplaintStatus.CLOSED, closed_on__lte=as_of)),
        complaints_to_problems=Count("id", filter=Q(problem__found_on__lte=as_of)),
        complaints_to_clue_transfers=Count("id", filter=Q(clue_transfer__transferred_on__lte=as_of)),
    ):
        group_id, unit_id = row.pop("group_id"), row.pop("unit_id")
        for figure, n in row.items():
            # A unit's row holds what it handles; the conversions are the group's figures.
            in_unit = figure in UNIT_FIGURES
            tally.add(group_id, figure, n, unit_id if in_unit else None)


def _weekly_reports(tally: Tally, campaign: Campaign, user, as_of: dt.date) -> None:
    # The office's schedule, or until it sets one the default (the weekly scheduling's rule).
    weeks = {w.starts: w for w in reporting_weeks(ReportingSchedule.for_campaign(campaign), until=as_of)}
    now = end_of(as_of)
    scope = user_scope(user) if user is not None else None

    def visible(unit_id: int | None = None, group_id: int | None = None) -> bool:
        if scope is None or scope.everything:
            return True
        return scope.contains(unit_id) if unit_id is not None else group_id in scope.group_ids

    def timed(submitted: dict, key, week: Week, due: dt.datetime) -> Timeliness:
        return timeliness(submitted.get((key, week.starts)), due, now)

    units = _scoped(UnitWeeklyReport, user, campaign=campaign, submitted_at__lte=now)
    unit_reports = {
        (u, w): (g, at) for u, g, w, at in units.values_list("unit_id", "group_id", "week_starts", "submitted_at")
    }
    for (unit_id, starts), (group_id, at) in unit_reports.items():
        tally.add(group_id, "unit_reports_submitted", 1, unit_id)
        if starts in weeks:
            figure = f"unit_reports_{timeliness(at, weeks[starts].unit_due, now)}"
            tally.add(group_id, figure, 1, unit_id)
    submitted_units = {key: at for key, (_, at) in unit_reports.items()}
    expected = Assignment.objects.filter(campaign=campaign, unit__parent__isnull=True).values_list(
        "unit_id", "group_id"
    )
    for unit_id, group_id in expected:
        if not visible(unit_id=unit_id):
            continue
        for week in weeks.values():
            state = timed(submitted_units, unit_id, week, week.unit_due)
            if state != Timeliness.NOT_DUE:
                tally.add(group_id, "unit_reports_due", 1, unit_id)
            if state == Timeliness.MISSING:
                tally.add(group_id, "unit_reports_missing", 1, unit_id)

    groups = _scoped(GroupWeeklyReport, user, campaign=campaign, submitted_at__lte=now)
    group_reports = {(g, w): at for g, w, at in groups.values_list("group_id", "week_starts", "submitted_at")}
    for (group_id, starts), at in group_reports.items():
        tally.add(group_id, "group_reports_submitted")
        if starts in weeks:
            tally.add(group_id, f"group_reports_{timeliness(at, weeks[starts].group_due, now)}")
    for group_id in SupervisionGroup.objects.filter(campaign=campaign).values_list("pk", flat=True):
        if not visible(group_id=group_id):
            continue
        for week in weeks.values():
            if timed(group_reports, group_id, week, week.group_due) == Timeliness.MISSING:
                tally.add(group_id, "group_reports_missing")


def collect(campaign: Campaign, user, as_of: dt.date) -> Tally:
    """Every supervision figure as of `as_of`, counted once; with `user`, only what that
    user may see (restrict)."""
    tally = Tally()
    _group_records(tally, campaign, user, as_of)
    _letters(tally, campaign, user, as_of)
    _complaints(tally, campaign, user, as_of)
    _weekly_reports(tally, campaign, user, as_of)
    return tally


def shape(tally: Tally, group_id: int | None) -> dict[str, Any]:
    """A group's (or, for TOTAL, the whole campaign's) supervision object."""
    counter = tally.groups.get(group_id, Counter())
    out: dict[str, Any] = {name: int(counter.get(name, 0)) for name in SUPERVISION_FIGURES}
    out["counties_visited"] = len(tally.counties.get(group_id, ()))
    out["letters_by_kind"] = {kind: int(counter.get(f"letters_by_kind.{kind}", 0)) for kind in LetterKind.values}
    return out


def shape_unit(tally: Tally, unit_id: int) -> dict[str, int]:
    counter = tally.units.get(unit_id, Counter())
    return {name: int(counter.get(name, 0)) for name in UNIT_FIGURES}
