"""Who reported which week, and who has not: every reporting week × every unit (to its
group) and every group (to the office) in the user's scope, each with its report, if
any, and its timeliness (ducha.supervision.weeks), and who must chase the missing ones."""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from ducha.core.access import restrict, user_scope
from ducha.org.models import Assignment, Campaign, SupervisionGroup, Unit
from ducha.supervision.choices import Timeliness
from ducha.supervision.models import GroupWeeklyReport, ReportingSchedule, UnitWeeklyReport
from ducha.supervision.weeks import Week, reporting_weeks, standing_moment, timeliness, week_starting


@dataclass(frozen=True)
class Expected:
    """A report that was or is due: a unit's to its group (`unit` set) or a group's to the office."""

    week: Week
    group: SupervisionGroup
    unit: Unit | None
    report_id: int | None
    submitted_at: dt.datetime | None
    status: Timeliness

    @property
    def due(self) -> dt.datetime:
        return self.week.unit_due if self.unit else self.week.group_due

    @property
    def chase(self) -> str:
        """Who must chase whom for it."""
        if self.unit is not None:
            return _("%(group)s chases %(unit)s") % {"group": self.group.name, "unit": self.unit.name}
        return _("The campaign office chases %(group)s") % {"group": self.group.name}


def _weeks(campaign: Campaign, now: dt.datetime) -> list[Week]:
    return reporting_weeks(ReportingSchedule.for_campaign(campaign), until=timezone.localdate(now))


def unit_reports(campaign: Campaign, user, *, now: dt.datetime | None = None) -> list[Expected]:
    """Every unit's report of every week so far, newest week first, for the units the user sees."""
    now = now or standing_moment(campaign)
    # The leagues/cities and departments report (a county through its league/city).
    assigned = Assignment.objects.filter(campaign=campaign, unit__parent__isnull=True)
    assignments = restrict(assigned, user).select_related("unit", "group")
    assignments = assignments.order_by("group__lead_domain__order", "unit__order", "unit__code")
    reports = restrict(UnitWeeklyReport.objects.filter(campaign=campaign), user)
    got = {(r[0], r[1]): (r[2], r[3]) for r in reports.values_list("unit_id", "week_starts", "pk", "submitted_at")}
    rows = []
    for week in reversed(_weeks(campaign, now)):
        for a in assignments:
            pk, at = got.get((a.unit_id, week.starts), (None, None))
            rows.append(Expected(week, a.group, a.unit, pk, at, timeliness(at, week.unit_due, now)))
    return rows


def group_reports(campaign: Campaign, user, *, now: dt.datetime | None = None) -> list[Expected]:
    """Every group's report to the office of every week so far, for the groups whose
    reports the user sees (the office and viewers: all; a member: its own group)."""
    now = now or standing_moment(campaign)
    scope = user_scope(user)
    groups = SupervisionGroup.objects.filter(campaign=campaign).order_by("lead_domain__order", "code")
    if not scope.everything:
        groups = groups.filter(pk__in=scope.group_ids)
    reports = restrict(GroupWeeklyReport.objects.filter(campaign=campaign), user)
    got = {(r[0], r[1]): (r[2], r[3]) for r in reports.values_list("group_id", "week_starts", "pk", "submitted_at")}
    rows = []
    for week in reversed(_weeks(campaign, now)):
        for g in groups:
            pk, at = got.get((g.pk, week.starts), (None, None))
            rows.append(Expected(week, g, None, pk, at, timeliness(at, week.group_due, now)))
    return rows


def missing(rows: list[Expected]) -> list[Expected]:
    return [r for r in rows if r.status == Timeliness.MISSING]


def missing_by_reporter(rows: list[Expected]) -> list[tuple[Expected, int]]:
    """Each unit or group with reports missing: its newest missing one and how many."""
    found: dict[tuple, list[Expected]] = {}
    for r in missing(rows):  # newest week first
        found.setdefault((r.group.pk, r.unit.pk if r.unit else None), []).append(r)
    return [(reports[0], len(reports)) for reports in found.values()]


def report_timeliness(report: UnitWeeklyReport | GroupWeeklyReport) -> Timeliness:
    """A submitted report: on time or late, by its own week's due time."""
    week = week_starting(ReportingSchedule.for_campaign(report.campaign), report.week_starts)
    due = week.unit_due if isinstance(report, UnitWeeklyReport) else week.group_due
    return timeliness(report.submitted_at, due, max(timezone.now(), report.submitted_at))
