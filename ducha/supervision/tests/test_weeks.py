"""Reporting weeks and timeliness at week boundaries, in Beijing time."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from ducha.core.days import end_of
from ducha.org.models import Campaign
from ducha.supervision.choices import Timeliness
from ducha.supervision.models import ReportingSchedule
from ducha.supervision.weeks import monday_of, reporting_weeks, standing_moment, timeliness, week_of

BEIJING = ZoneInfo("Asia/Shanghai")


def schedule(closes_on: dt.date | None = dt.date(2024, 7, 31)) -> ReportingSchedule:
    campaign = Campaign(code="w", name="w", region_code="150000", scope_start=dt.date(2023, 1, 1),
                        scope_end=dt.date(2024, 3, 31), starts_on=dt.date(2024, 4, 20),
                        closes_on=closes_on)  # fmt: skip
    # Units by Friday 12:00, groups by Friday 17:00 (the defaults).
    return ReportingSchedule(campaign=campaign, first_week_starts=dt.date(2024, 6, 3))


def test_weeks_run_monday_to_sunday_from_the_first_to_the_closing_day():
    weeks = reporting_weeks(schedule(), until=dt.date(2024, 12, 1))
    assert [w.starts for w in weeks][:2] == [dt.date(2024, 6, 3), dt.date(2024, 6, 10)]
    assert weeks[-1].starts == dt.date(2024, 7, 29)  # the week holding the closing day 2024-07-31
    assert weeks[0].ends == dt.date(2024, 6, 9)
    assert weeks[0].unit_due == dt.datetime(2024, 6, 7, 12, tzinfo=BEIJING)
    assert weeks[0].group_due == dt.datetime(2024, 6, 7, 17, tzinfo=BEIJING)
    assert len(reporting_weeks(schedule(None), until=dt.date(2024, 6, 16))) == 2  # open campaign: up to `until`


def test_week_of_a_day():
    s = schedule()
    assert week_of(s, dt.date(2024, 6, 9)).starts == dt.date(2024, 6, 3)  # a Sunday: the week that ends then
    assert week_of(s, dt.date(2024, 6, 10)).starts == dt.date(2024, 6, 10)
    assert week_of(s, dt.date(2024, 6, 2)) is None  # before the first week
    assert week_of(s, dt.date(2024, 8, 5)) is None  # after the closing week
    assert monday_of(dt.date(2024, 6, 5)) == dt.date(2024, 6, 3)


@pytest.mark.parametrize(
    ("submitted", "now", "expected"),
    [
        (dt.datetime(2024, 6, 7, 11, 59, 59), dt.datetime(2024, 6, 20), Timeliness.ON_TIME),
        (dt.datetime(2024, 6, 7, 12, 0, 0), dt.datetime(2024, 6, 20), Timeliness.ON_TIME),  # at the due time
        (dt.datetime(2024, 6, 7, 12, 0, 1), dt.datetime(2024, 6, 20), Timeliness.LATE),
        (None, dt.datetime(2024, 6, 7, 12, 0, 0), Timeliness.NOT_DUE),
        (None, dt.datetime(2024, 6, 7, 12, 0, 1), Timeliness.MISSING),
        # As of a day before it came, a report came not yet.
        (dt.datetime(2024, 6, 8, 9), dt.datetime(2024, 6, 7, 23), Timeliness.MISSING),
    ],
)
def test_timeliness_at_the_due_time_in_beijing(submitted, now, expected):
    due = reporting_weeks(schedule(), until=dt.date(2024, 6, 3))[0].unit_due

    def as_beijing(t):
        return t.replace(tzinfo=BEIJING) if t else None

    assert timeliness(as_beijing(submitted), due, as_beijing(now)) == expected


def test_the_due_time_is_beijing_time_not_utc():
    due = reporting_weeks(schedule(), until=dt.date(2024, 6, 3))[0].unit_due
    # 04:30 UTC is 12:30 in Beijing: late.
    assert (
        timeliness(dt.datetime(2024, 6, 7, 4, 30, tzinfo=dt.UTC), due, end_of(dt.date(2024, 6, 30))) == Timeliness.LATE
    )
    assert (
        timeliness(dt.datetime(2024, 6, 7, 3, 30, tzinfo=dt.UTC), due, end_of(dt.date(2024, 6, 30)))
        == Timeliness.ON_TIME
    )


def test_a_closed_campaigns_reports_are_judged_at_the_end_of_its_closing_day(db):
    closed = schedule(closes_on=dt.date(2024, 7, 31)).campaign
    assert standing_moment(closed) == dt.datetime(2024, 7, 31, 23, 59, 59, 999999, tzinfo=BEIJING)
    still_open = schedule(closes_on=None).campaign
    assert standing_moment(still_open) <= end_of(dt.date.today() + dt.timedelta(days=1))
