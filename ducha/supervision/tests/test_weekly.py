"""Weekly scheduling: submitting a unit's and a group's weekly report (figures read from
the ledger at submission, once a week, by whom), the change log, and the on time / late /
missing lists at Beijing-time week boundaries."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from ducha.core.access import AccessDenied
from ducha.core.actions import do_create_object, do_update_object
from ducha.core.models import ChangeLogEntry
from ducha.supervision.actions.weekly import do_submit_group_weekly_report, do_submit_unit_weekly_report
from ducha.supervision.choices import Timeliness
from ducha.supervision.models import ReportingSchedule, UnitWeeklyReport
from ducha.supervision.reporting import group_reports, missing, report_timeliness, unit_reports

BEIJING = ZoneInfo("Asia/Shanghai")
WEEK = dt.date(2024, 6, 3)  # a Monday; units by Friday 2024-06-07 12:00, groups by 17:00 (the defaults)


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=BEIJING)


@pytest.fixture
def schedule(small):
    return do_create_object(
        ReportingSchedule, actor=small.users["office"], data={"campaign": small.campaign, "first_week_starts": WEEK}
    )


def submit_unit(small, user="league_a", unit="150100", week=WEEK, when=None, narrative="本周推进情况"):
    return do_submit_unit_weekly_report(
        small.units[unit],
        week,
        narrative=narrative,
        actor=small.users[user],
        campaign=small.campaign,
        submitted_at=when or at(2024, 6, 7, 10),
    )


def test_a_unit_report_carries_the_ledger_figures_as_they_stood_at_submission(small, schedule):
    report = submit_unit(small)
    assert report.group == small.groups["A"]  # the unit's own group
    assert report.figures["problems"] == 2  # 150100: hohhot and its county xincheng
    assert report.figures["problems_open"] == 2
    assert report.figures["projects_self_inspected"] == 2
    assert report.figures["problems_found_this_week"] == 0  # found 2024-06-01, the week before
    # The ledger moves on; the submitted report keeps what it said.
    small.add_project("hohhot2", "150100")
    small.add_problem("hohhot2", "hohhot2")
    report.refresh_from_db()
    assert report.figures["problems"] == 2
    later = submit_unit(small, week=WEEK + dt.timedelta(days=7), when=at(2024, 6, 14, 9))
    assert later.figures["problems"] == 3


def test_a_report_counts_the_problems_found_in_its_week(small):
    # The default schedule (from the campaign's first Monday): the week 2024-05-27 holds
    # 2024-06-01, the day the small campaign's problems were found.
    report = submit_unit(small, week=dt.date(2024, 5, 27), when=at(2024, 6, 7, 9))
    assert report.figures["problems_found_this_week"] == 2
    assert report_timeliness(report) == Timeliness.LATE  # due Friday 2024-05-31 12:00


def test_a_group_report_carries_its_units_figures(small, schedule):
    report = do_submit_group_weekly_report(
        small.groups["A"], WEEK, narrative="A组本周", actor=small.users["group_a"], submitted_at=at(2024, 6, 7, 16)
    )
    assert report.figures["problems"] == 3  # hohhot, xincheng, fgw
    assert report_timeliness(report) == Timeliness.ON_TIME


def test_a_week_is_reported_once(small, schedule):
    submit_unit(small)
    with pytest.raises(ValidationError) as refused:
        submit_unit(small, when=at(2024, 6, 7, 11))
    assert "week_starts" in refused.value.message_dict
    assert "2024-06-03" in refused.value.message_dict["week_starts"][0]
    assert UnitWeeklyReport.objects.filter(unit=small.units["150100"]).count() == 1


def test_only_the_unit_itself_submits_its_report(small, schedule):
    with pytest.raises(AccessDenied):
        submit_unit(small, user="league_b")  # another unit
    for user in ("group_a", "office"):  # a group does not report for its unit, nor the office
        with pytest.raises(ValidationError) as refused:
            submit_unit(small, user=user)
        assert "unit" in refused.value.message_dict
    with pytest.raises(AccessDenied):
        do_submit_group_weekly_report(
            small.groups["B"], WEEK, narrative="x", actor=small.users["group_a"], submitted_at=at(2024, 6, 7, 9)
        )
    with pytest.raises(ValidationError):
        do_submit_group_weekly_report(
            small.groups["A"], WEEK, narrative="x", actor=small.users["league_a"], submitted_at=at(2024, 6, 7, 9)
        )
    assert not UnitWeeklyReport.objects.exists()


@pytest.mark.parametrize(
    ("week", "when", "field"),
    [
        (dt.date(2024, 6, 4), at(2024, 6, 7, 9), "week_starts"),  # not a Monday
        (dt.date(2024, 5, 27), at(2024, 6, 7, 9), "week_starts"),  # before the first reporting week
        (dt.date(2024, 6, 10), at(2024, 6, 7, 9), "week_starts"),  # not begun when submitted
    ],
)
def test_a_report_names_a_reporting_week_that_has_begun(small, schedule, week, when, field):
    with pytest.raises(ValidationError) as refused:
        submit_unit(small, week=week, when=when)
    assert field in refused.value.message_dict


def test_submission_and_correction_are_in_the_change_log(small, schedule):
    report = submit_unit(small)
    rows = ChangeLogEntry.objects.filter(object_type="supervision.unitweeklyreport", object_id=str(report.pk))
    row = rows.get()
    assert row.action == "create" and row.actor == small.users["league_a"]
    assert row.after["figures"]["problems"] == 2
    do_update_object(report, actor=small.users["league_a"], changes={"narrative": "更正"}, reason="笔误")
    update = rows.filter(action="update").get()
    assert update.after == {"narrative": "更正"} and update.reason == "笔误"
    # Its figures and time stand as submitted.
    with pytest.raises(ValidationError) as refused:
        do_update_object(report, actor=small.users["league_a"], changes={"figures": {"problems": 0}})
    assert "figures" in refused.value.message_dict


def test_missing_and_late_at_the_beijing_due_time(small, schedule):
    office = small.users["office"]
    just_due, just_after = at(2024, 6, 7, 12), at(2024, 6, 7, 12, 0, 1)
    this_week = [r for r in unit_reports(small.campaign, office, now=just_due) if r.week.starts == WEEK]
    assert {r.status for r in this_week} == {Timeliness.NOT_DUE}
    assert len(this_week) == 4  # the four assigned units
    assert missing(unit_reports(small.campaign, office, now=just_due)) == []
    rows = missing(unit_reports(small.campaign, office, now=just_after))
    assert {r.unit.code for r in rows} == {"150100", "fgw", "150200", "czt"}
    # 04:00:01 UTC is 12:00:01 in Beijing: one second late.
    late = submit_unit(small, when=dt.datetime(2024, 6, 7, 4, 0, 1, tzinfo=dt.UTC))
    on_time = submit_unit(small, user="dept_a", unit="fgw", when=just_due)
    assert report_timeliness(late) == Timeliness.LATE and report_timeliness(on_time) == Timeliness.ON_TIME
    now = at(2024, 6, 10, 0, 0)  # Monday: the next week has begun, its report not yet due
    rows = unit_reports(small.campaign, office, now=now)
    status = {(r.unit.code, r.week.starts): r.status for r in rows}
    assert status[("150100", WEEK)] == Timeliness.LATE
    assert status[("fgw", WEEK)] == Timeliness.ON_TIME
    assert status[("150200", WEEK)] == Timeliness.MISSING
    assert status[("150100", WEEK + dt.timedelta(days=7))] == Timeliness.NOT_DUE
    chased = {r.unit.code: r.chase for r in missing(rows)}
    assert set(chased) == {"150200", "czt"} and "B组" in chased["150200"]


def test_each_sees_the_missing_reports_it_must_chase(small, schedule):
    now = at(2024, 6, 8, 9)
    group_a = missing(unit_reports(small.campaign, small.users["group_a"], now=now))
    assert {r.unit.code for r in group_a} == {"150100", "fgw"}  # its own units only
    assert {r.group.code for r in missing(group_reports(small.campaign, small.users["group_a"], now=now))} == {"A"}
    assert {r.group.code for r in missing(group_reports(small.campaign, small.users["office"], now=now))} == {
        "A",
        "B",
    }
    assert [r.unit.code for r in missing(unit_reports(small.campaign, small.users["league_b"], now=now))] == ["150200"]
    assert missing(group_reports(small.campaign, small.users["league_b"], now=now)) == []
    do_submit_group_weekly_report(
        small.groups["A"], WEEK, narrative="迟报", actor=small.users["group_a"], submitted_at=at(2024, 6, 7, 17, 1)
    )
    rows = group_reports(small.campaign, small.users["office"], now=now)
    assert {r.group.code: r.status for r in rows if r.week.starts == WEEK} == {
        "A": Timeliness.LATE,
        "B": Timeliness.MISSING,
    }
    assert "办公室" in missing(rows)[0].chase or "office" in missing(rows)[0].chase


def test_without_a_schedule_the_default_runs_from_the_campaigns_first_monday(small):
    schedule = ReportingSchedule.for_campaign(small.campaign)
    assert schedule.pk is None  # not stored: reading writes nothing
    assert schedule.first_week_starts == dt.date(2024, 1, 1)  # the campaign starts on a Monday
    report = submit_unit(small, week=dt.date(2024, 1, 1), when=at(2024, 1, 5, 12))
    assert report_timeliness(report) == Timeliness.ON_TIME
