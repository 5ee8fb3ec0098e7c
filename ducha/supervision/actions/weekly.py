"""Weekly scheduling (周调度): a unit submits its weekly progress report to its group, a
group its report to the office, each once a week, with the week's figures as the ledger
stands at submission.

The figures come from the statistics (ducha.reports), which sit above this app: the
reports app hands its function over when it is ready (`provide_figures`), as the apps
register their ledgers in the core registry. The submitter is the unit's own reporter or
the group's own member, so the statistics counted in the submitter's scope are exactly
the unit's or the group's."""

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ducha.core.access import Actor, RoleKind, role_kind
from ducha.core.actions import do_create_object
from ducha.org.models import Assignment, Campaign, SupervisionGroup, Unit
from ducha.supervision.models import GroupWeeklyReport, ReportingSchedule, UnitWeeklyReport
from ducha.supervision.weeks import Week, week_of

# (campaign, actor=, week_starts=, as_of=) → the figures of everything the actor may see.
FiguresOf = Callable[..., dict[str, Any]]
_figures_of: FiguresOf | None = None


def provide_figures(figures_of: FiguresOf) -> None:
    global _figures_of
    _figures_of = figures_of


def _figures(campaign: Campaign, actor: Actor, week: Week, at: dt.datetime) -> dict[str, Any]:
    if _figures_of is None:
        raise ImproperlyConfigured("ducha.reports provides the weekly reports' figures; is it installed?")
    return _figures_of(campaign, actor=actor, week_starts=week.starts, as_of=campaign.as_of(timezone.localdate(at)))


def reporting_week(campaign: Campaign, week_starts: dt.date, at: dt.datetime) -> Week:
    """The campaign's reporting week starting on `week_starts`, begun by `at`."""
    week = week_of(ReportingSchedule.for_campaign(campaign), week_starts)
    if week is None or week.starts != week_starts:
        message = _("No reporting week of the campaign starts on %(date)s.")
        raise ValidationError({"week_starts": ValidationError(message, params={"date": week_starts.isoformat()})})
    if week.starts > timezone.localdate(at):
        raise ValidationError({"week_starts": _("This week has not begun yet.")})
    return week


def _submission_time(at: dt.datetime | None) -> dt.datetime:
    """Now; or, for a report received earlier and entered afterwards, when it came (never later than now)."""
    now = timezone.now()
    if at is not None and at > now:
        raise ValidationError({"submitted_at": _("A report cannot be submitted in the future.")})
    return at or now


def _refuse_second(model, week: Week, **owner) -> None:
    earlier = model.objects.filter(week_starts=week.starts, **owner).values_list("submitted_at", flat=True).first()
    if earlier is not None:
        message = _("The report of the week of %(date)s was submitted already, at %(time)s.")
        params = {"date": week.starts.isoformat(), "time": timezone.localtime(earlier).strftime("%Y-%m-%d %H:%M")}
        raise ValidationError({"week_starts": ValidationError(message, params=params)})


def do_submit_unit_weekly_report(
    unit: Unit,
    week_starts: dt.date,
    *,
    narrative: str,
    actor: Actor,
    campaign: Campaign,
    submitted_at: dt.datetime | None = None,
) -> UnitWeeklyReport:
    """The unit's report of the week to its group, once: its figures read from the ledger now."""
    if role_kind(actor) != RoleKind.UNIT_REPORTER:
        raise ValidationError({"unit": _("A unit's weekly report is submitted by the unit's own reporter.")})
    at = _submission_time(submitted_at)
    with transaction.atomic():
        week = reporting_week(campaign, week_starts, at)
        assignment = Assignment.objects.filter(campaign=campaign, unit=unit).select_related("group").first()
        if assignment is None:
            raise ValidationError({"unit": _("The unit is not assigned to a supervision group.")})
        _refuse_second(UnitWeeklyReport, week, unit=unit)
        data = {
            "campaign": campaign,
            "unit": unit,
            "group": assignment.group,
            "week_starts": week.starts,
            "submitted_at": at,
            "submitted_by": actor,
            "figures": _figures(campaign, actor, week, at),
            "narrative": narrative,
        }
        return do_create_object(UnitWeeklyReport, actor=actor, data=data)


def do_submit_group_weekly_report(
    group: SupervisionGroup,
    week_starts: dt.date,
    *,
    narrative: str,
    actor: Actor,
    submitted_at: dt.datetime | None = None,
) -> GroupWeeklyReport:
    """The group's report of the week to the office, once: its units' figures read now."""
    if role_kind(actor) != RoleKind.GROUP_MEMBER:
        raise ValidationError({"group": _("A group's weekly report is submitted by a member of the group.")})
    at = _submission_time(submitted_at)
    with transaction.atomic():
        campaign = group.campaign
        week = reporting_week(campaign, week_starts, at)
        _refuse_second(GroupWeeklyReport, week, group=group)
        data = {
            "campaign": campaign,
            "group": group,
            "week_starts": week.starts,
            "submitted_at": at,
            "submitted_by": actor,
            "figures": _figures(campaign, actor, week, at),
            "narrative": narrative,
        }
        return do_create_object(GroupWeeklyReport, actor=actor, data=data)
