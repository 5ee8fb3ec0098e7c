"""The weekly bulletin's content for one reporting week of the small campaign: the week
read from "2024-W23", each group's and unit's figures as of the week's Sunday with the
change since the Sunday before, the units that lag with their reasons, the week's
missing and late reports, the week's contact-rule shortfalls; a group member's bulletin
holds its own group only."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from ducha.core.actions import do_bulk_create_objects
from ducha.ledger.actions import do_create_problem
from ducha.reports.bulletin.content import PROGRESS, Shortfall, build_bulletin, latest_complete_week, parse_week
from ducha.supervision.models import Contact, ContactRule, GroupWeeklyReport, ReportingSchedule, UnitWeeklyReport

MONDAY = dt.date(2024, 6, 3)  # 2024-W23, the first reporting week
TODAY = dt.date(2024, 6, 20)


def at(day: int, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2024, 6, day, hour))


def add_week(sc) -> None:
    """Week 23: 呼和浩特市 reports on time, 包头市 late, the two departments not at all;
    group A reports on time, group B not; group A must phone each unit once a week and
    phoned 呼和浩特市 only; 呼和浩特市 finds one more problem that week."""
    system, campaign, units, groups = sc.system, sc.campaign, sc.units, sc.groups
    ReportingSchedule.objects.filter(campaign=campaign).delete()
    do_bulk_create_objects([ReportingSchedule(campaign=campaign, first_week_starts=MONDAY)], actor=system)
    do_bulk_create_objects(
        [
            UnitWeeklyReport(campaign=campaign, unit=units["150100"], group=groups["A"], week_starts=MONDAY,
                             submitted_at=at(7, 9), narrative="本周进展"),
            UnitWeeklyReport(campaign=campaign, unit=units["150200"], group=groups["B"], week_starts=MONDAY,
                             submitted_at=at(8, 10), narrative="本周进展"),
        ],
        actor=system,
    )  # fmt: skip
    do_bulk_create_objects(
        [GroupWeeklyReport(campaign=campaign, group=groups["A"], week_starts=MONDAY, submitted_at=at(7, 16),
                           narrative="本周督导")],
        actor=system,
    )  # fmt: skip
    do_bulk_create_objects(
        [ContactRule(campaign=campaign, group=groups["A"], kind="phone", per_week=1, starts_on=MONDAY)], actor=system
    )
    do_bulk_create_objects(
        [Contact(campaign=campaign, group=groups["A"], unit=units["150100"], kind="phone",
                 contacted_on=dt.date(2024, 6, 4), supervisor="督导员", content="电话了解进展")],
        actor=system,
    )  # fmt: skip
    found(sc, "week", dt.date(2024, 6, 5))


def found(sc, key: str, day: dt.date) -> None:
    """One more problem of 呼和浩特市's project, found on `day`."""
    project = sc.projects["hohhot"]
    do_create_problem(
        actor=sc.system,
        data={"campaign": sc.campaign, "unit": project.unit, "project": project, "domain": project.domain,
              "number": f"Q-{key}", "description": "问题", "discovery_method": "sample", "found_on": day,
              "deadline": dt.date(2024, 7, 31)},
    )  # fmt: skip


@pytest.fixture
def week(small):
    add_week(small)
    return small


def cells(progress) -> dict:
    return {f.key: (c.value, c.change) for f, c in zip(PROGRESS, progress.cells, strict=True)}


def test_a_week_is_written_the_iso_way():
    assert parse_week("2024-W23") == MONDAY
    assert parse_week(" 2024-W01 ") == dt.date(2024, 1, 1)
    for bad in ("2024-23", "2024-W54", "W23", "2024-W0"):
        with pytest.raises(ValidationError) as error:
            parse_week(bad)
        assert "week" in error.value.message_dict
        assert "2024-W36" in error.value.message_dict["week"][0]


def test_a_week_outside_the_reporting_weeks_is_refused(week):
    with pytest.raises(ValidationError, match="不在本次行动的周调度范围内"):
        build_bulletin(week.campaign, dt.date(2024, 5, 27), user=week.users["office"], today=TODAY)


def test_the_office_bulletin_of_a_week(week):
    bulletin = build_bulletin(week.campaign, MONDAY, user=week.users["office"], today=TODAY)

    assert (bulletin.number, bulletin.label, bulletin.as_of, bulletin.previous) == (
        1,
        "2024-W23",
        dt.date(2024, 6, 9),
        dt.date(2024, 6, 2),
    )
    assert [g.name for g in bulletin.groups] == ["A组", "B组"]
    a, b = bulletin.groups
    assert [u.name for u in a.units] == ["呼和浩特市", "自治区发展和改革委员会"]
    assert cells(a.units[0])["projects_self_inspected"] == (2, 0)
    # The problem found on Wednesday: 3 of 呼和浩特市's, one more than the Sunday before.
    assert cells(a.units[0])["problems"] == (3, 1)
    assert cells(a.progress)["problems"] == (4, 1)
    assert cells(bulletin.total)["problems"] == (6, 1)
    assert cells(bulletin.total)["sign_off_rate"] == (0.0, 0.0)

    assert (a.reports_missing, a.reports_late, a.own_report) == (["自治区发展和改革委员会"], [], "on_time")
    assert (b.reports_missing, b.reports_late, b.own_report) == (["自治区财政厅"], ["包头市"], "missing")
    assert a.shortfalls == [Shortfall("自治区发展和改革委员会", "电话督导", 1, 0)]
    assert b.shortfalls == []
    # The lagging rule's reasons, in the report's language: the department that neither reported nor was phoned.
    [lagging] = a.lagging
    assert lagging.name == "自治区发展和改革委员会"
    assert len(lagging.reasons) == 2 and all("周报" in r or "督导" in r for r in lagging.reasons), lagging.reasons


def test_a_group_members_bulletin_holds_its_own_group(week):
    bulletin = build_bulletin(week.campaign, MONDAY, user=week.users["group_b"], today=TODAY)
    assert [g.code for g in bulletin.groups] == ["B"]
    assert bulletin.scope_name == "B组"
    assert bulletin.total == bulletin.groups[0].progress
    assert cells(bulletin.total)["problems"] == (2, 0)


def test_what_came_after_the_week_leaves_its_bulletin_as_it_was(week):
    before = build_bulletin(week.campaign, MONDAY, user=week.users["office"], today=TODAY)
    found(week, "later", dt.date(2024, 6, 12))  # the next week
    do_bulk_create_objects(
        [UnitWeeklyReport(campaign=week.campaign, unit=week.units["fgw"], group=week.groups["A"], week_starts=MONDAY,
                          submitted_at=at(11, 9), narrative="补报")],
        actor=week.system,
    )  # fmt: skip
    do_bulk_create_objects(
        [Contact(campaign=week.campaign, group=week.groups["A"], unit=week.units["fgw"], kind="phone",
                 contacted_on=dt.date(2024, 6, 10), supervisor="督导员", content="电话了解进展")],
        actor=week.system,
    )  # fmt: skip
    again = build_bulletin(week.campaign, MONDAY, user=week.users["office"], today=TODAY)
    assert again == before
    assert again.groups[0].reports_missing == ["自治区发展和改革委员会"]  # its report came the next week
    # The next week's bulletin has them.
    following = build_bulletin(week.campaign, dt.date(2024, 6, 10), user=week.users["office"], today=TODAY)
    assert cells(following.groups[0].units[0])["problems"] == (4, 1)


def test_the_default_week_is_the_newest_that_has_ended(week):
    assert latest_complete_week(week.campaign, today=dt.date(2024, 6, 19)) == dt.date(2024, 6, 10)
    assert latest_complete_week(week.campaign, today=dt.date(2024, 6, 16)) == dt.date(2024, 6, 10)
    assert latest_complete_week(week.campaign, today=dt.date(2024, 6, 4)) == MONDAY  # none ended yet: the first


def test_the_running_weeks_bulletin_stands_at_the_campaigns_day(week):
    """On Wednesday of week 23 nothing is due yet and no week of the contact rule is complete."""
    bulletin = build_bulletin(week.campaign, MONDAY, user=week.users["office"], today=dt.date(2024, 6, 5))
    assert bulletin.as_of == dt.date(2024, 6, 5)
    a, b = bulletin.groups
    assert (a.reports_missing, b.reports_missing, b.own_report) == ([], [], "not_due")
    assert a.shortfalls == [] and not a.contact_rule
    assert cells(a.units[0])["problems"] == (3, 1)  # found that day
