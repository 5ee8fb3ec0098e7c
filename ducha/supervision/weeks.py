"""Reporting weeks (周调度) and whether a weekly report came on time, late or not at all.

A campaign's ReportingSchedule sets the weeks: Monday to Sunday, from its first week on,
in Beijing time (settings.TIME_ZONE). The report of a week is due on the schedule's
weekday and time within that week: a unit's to its group, then the group's to the
office. This module is the one definition of a week, of a report's due time and of
its timeliness; the statistics count with it, the pages show it.
"""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from ducha.core.days import end_of
from ducha.supervision.choices import Timeliness
from ducha.supervision.models import ReportingSchedule


@dataclass(frozen=True)
class Week:
    starts: dt.date  # a Monday
    unit_due: dt.datetime  # aware
    group_due: dt.datetime

    @property
    def ends(self) -> dt.date:
        return self.starts + dt.timedelta(days=6)


def _due(day: dt.date, weekday: int, time: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=weekday), time))


def week_starting(schedule: ReportingSchedule, starts: dt.date) -> Week:
    return Week(
        starts,
        _due(starts, schedule.unit_due_weekday, schedule.unit_due_time),
        _due(starts, schedule.group_due_weekday, schedule.group_due_time),
    )


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def reporting_weeks(schedule: ReportingSchedule, *, until: dt.date) -> list[Week]:
    """The weeks from the first one to the one holding `until` (the campaign's closing
    day at the latest): every week a report was or is due."""
    closes_on = schedule.campaign.closes_on
    last = monday_of(min(until, closes_on) if closes_on else until)
    weeks, starts = [], schedule.first_week_starts
    while starts <= last:
        weeks.append(week_starting(schedule, starts))
        starts += dt.timedelta(days=7)
    return weeks


def week_of(schedule: ReportingSchedule, day: dt.date) -> Week | None:
    """The reporting week holding `day`, if the schedule has one then."""
    starts = monday_of(day)
    if starts < schedule.first_week_starts:
        return None
    closes_on = schedule.campaign.closes_on
    if closes_on and starts > monday_of(closes_on):
        return None
    return week_starting(schedule, starts)


def timeliness(submitted_at: dt.datetime | None, due: dt.datetime, now: dt.datetime) -> Timeliness:
    """On time (by the due time), late (after it), missing (none, and the due time has
    passed) or not yet due."""
    if submitted_at is None or submitted_at > now:
        return Timeliness.MISSING if now > due else Timeliness.NOT_DUE
    return Timeliness.ON_TIME if submitted_at <= due else Timeliness.LATE


def standing_moment(campaign) -> dt.datetime:
    """The moment a campaign's reports are judged at: now, or the end of its closing day
    once it has closed (a closed campaign's last week is not missing for ever after)."""
    return min(timezone.now(), end_of(campaign.as_of()))
