"""The lagging-units rule: a unit built to lag is flagged, with its reasons in words; no
unit built to be average is; too few units to compare flags nobody on the statistical
criteria; `ducha lagging --group CODE --json` prints the same ranking."""

import datetime as dt
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone, translation

from ducha.core.actions import do_bulk_create_objects
from ducha.ledger.actions import do_bulk_record_inspections
from ducha.ledger.models import Inspection, Problem, Project
from ducha.org.models import Assignment, Domain, Unit
from ducha.reports.lagging import MIN_UNITS, campaign_lagging, lagging_units, robust_z
from ducha.reports.statistics import campaign_statistics
from ducha.supervision.models import Contact, ContactRule, ReportingSchedule, UnitWeeklyReport

TODAY = dt.date(2024, 6, 21)  # three reporting weeks due (Fridays 06-07, 06-14, 06-21), two complete weeks
WEEKS = [dt.date(2024, 6, 3), dt.date(2024, 6, 10), dt.date(2024, 6, 17)]
# Six more leagues for group B, 20 self-inspected engineering projects each, and the problems they found.
AVERAGE = {"150300": ("B", 4), "150400": ("B", 4), "150500": ("B", 5), "150600": ("B", 4), "150700": ("B", 3)}
LAGGER = "150800"  # group B's: one problem in 20 projects, no weekly report, no phone contact


def add_units(sc) -> None:
    system, campaign = sc.system, sc.campaign
    engineering = Domain.objects.get(code="engineering")
    found = {**{code: n for code, (_g, n) in AVERAGE.items()}, LAGGER: 1}
    groups = {**{code: g for code, (g, _n) in AVERAGE.items()}, LAGGER: "B"}
    units = {u.code: u for u in Unit.objects.filter(code__in=found)}
    do_bulk_create_objects(
        [Assignment(campaign=campaign, group=sc.groups[g], unit=units[code]) for code, g in groups.items()],
        actor=system,
    )
    projects = [
        Project(campaign=campaign, unit=units[code], domain=engineering, number=f"L-{code}-{i}", name=f"项目{i}",
                tenderer="某局", amount=Decimal("100000.00"), trade_date=dt.date(2023, 8, 1))
        for code in found for i in range(20)
    ]  # fmt: skip
    do_bulk_create_objects(projects, actor=system)
    projects = list(Project.objects.filter(campaign=campaign, number__startswith="L-"))
    do_bulk_record_inspections(
        [Inspection(project=p, kind="self", inspected_on=dt.date(2024, 5, 20)) for p in projects], actor=system
    )
    by_unit: dict[str, list[Project]] = {}
    for p in projects:
        by_unit.setdefault(p.unit.code, []).append(p)
    do_bulk_create_objects(
        [
            Problem(campaign=campaign, unit=p.unit, project=p, domain=engineering, number=f"Q-{p.number}",
                    description="问题", discovery_method="self", found_on=dt.date(2024, 6, 1),
                    deadline=dt.date(2024, 7, 1))
            for code, n in found.items() for p in by_unit[code][:n]
        ],
        actor=system,
    )  # fmt: skip

    # Every unit reports every week on time but the lagger; group B's rule: one phone contact a week.
    ReportingSchedule.objects.filter(campaign=campaign).delete()
    do_bulk_create_objects([ReportingSchedule(campaign=campaign, first_week_starts=WEEKS[0])], actor=system)
    reporting = {a.unit_id: a.group for a in Assignment.objects.filter(campaign=campaign, unit__parent__isnull=True)}
    due = timezone.make_aware(dt.datetime(2024, 6, 5, 9))
    do_bulk_create_objects(
        [
            UnitWeeklyReport(campaign=campaign, unit_id=unit_id, group=group, week_starts=week,
                             submitted_at=due + (week - WEEKS[0]), narrative="本周进展")
            for unit_id, group in reporting.items() for week in WEEKS
            if unit_id != units[LAGGER].pk
        ],
        actor=system,
    )  # fmt: skip
    do_bulk_create_objects(
        [ContactRule(campaign=campaign, group=sc.groups["B"], kind="phone", per_week=1, starts_on=WEEKS[0])],
        actor=system,
    )
    do_bulk_create_objects(
        [
            Contact(campaign=campaign, group=group, unit_id=unit_id, kind="phone", contacted_on=week,
                    supervisor="督导员", content="电话了解进展")
            for unit_id, group in reporting.items() for week in WEEKS[:2]
            if group.code == "B" and unit_id != units[LAGGER].pk
        ],
        actor=system,
    )  # fmt: skip


@pytest.fixture
def ranked(small):
    add_units(small)
    return small


def rows(ranking, group):
    return next(g for g in ranking["groups"] if g["group"] == group)["units"]


def test_the_unit_built_to_lag_is_flagged_first_with_its_reasons(ranked):
    with translation.override("en"):
        ranking = campaign_lagging(ranked.campaign, today=TODAY)
    b = rows(ranking, "B")

    assert b[0]["unit"] == LAGGER and b[0]["rank"] == 1 and b[0]["lagging"]
    assert [f["criterion"] for f in b[0]["flags"]] == ["discovery", "reports", "contacts"]
    assert b[0]["discovery_z"] <= -2 and b[0]["discovery_rate"] == 0.05
    reasons = [f["reason"] for f in b[0]["flags"]]
    assert reasons[0].startswith(
        "Finds 5.0 problems per 100 self-inspected projects, 28.6% of the 17.5 the group's units find in the same"
    )
    assert reasons[1] == (
        "Weekly reports: 3 missing and 0 late of 3 due (flagged when any is missing or more than a quarter are late)."
    )
    assert reasons[2] == "Fewer contacts than the contact rules ask in 2 weeks (2 contacts short)."


def test_no_unit_built_to_be_average_is_flagged(ranked):
    ranking = campaign_lagging(ranked.campaign, today=TODAY)
    flagged = {u["unit"] for g in ranking["groups"] for u in g["units"] if u["lagging"]}

    assert flagged == {LAGGER}
    average = {u["unit"]: u for g in ranking["groups"] for u in g["units"] if u["unit"] in AVERAGE}
    assert set(average) == set(AVERAGE)
    assert all(abs(u["discovery_z"]) < 2 for u in average.values())
    # The small campaign's units self-inspected one or two projects: too few to judge what they find.
    assert rows(ranking, "B")[-1]["discovery_z"] is None
    rule = ranking["groups"][1]["rule"]
    assert rule["discovery"] == {"compared": 6, "median": pytest.approx(4 / 3.5), "applies": True}
    assert rule["domain_rates"] == {"engineering": 0.175, "procurement": 1.0}  # 21 of 120; 2 of 2
    assert ranking["groups"][0]["rule"]["discovery"]["applies"] is False  # group A: no unit to compare


def test_one_groups_ranking(ranked):
    ranking = campaign_lagging(ranked.campaign, today=TODAY, group="B")
    assert [g["group"] for g in ranking["groups"]] == ["B"]
    assert [u["unit"] for u in rows(ranking, "B")][0] == LAGGER


def test_the_groups_own_statistics_give_the_same_ranking(ranked):
    """The group's dashboard ranks from its member's scoped statistics, `ducha lagging` from the office's."""
    own = campaign_statistics(ranked.campaign, user=ranked.users["group_b"], today=TODAY)
    assert campaign_lagging(ranked.campaign, stats=own, group="B") == campaign_lagging(
        ranked.campaign, today=TODAY, group="B"
    )


def test_too_few_units_to_compare_flags_nobody_on_the_statistics(small):
    ranking = campaign_lagging(small.campaign, today=TODAY)
    assert not any(g["rule"]["discovery"]["applies"] for g in ranking["groups"])
    assert not any(f["criterion"] in ("discovery", "sign_off", "overdue")
                   for g in ranking["groups"] for u in g["units"] for f in u["flags"])  # fmt: skip


def test_robust_z_score():
    assert robust_z({str(i): 1.0 for i in range(MIN_UNITS - 1)}).applies is False  # too few
    assert robust_z({str(i): 1.0 for i in range(MIN_UNITS)}).applies is False  # all alike
    # The MAD is 0 here (most units alike): the mean absolute deviation gives the spread.
    c = robust_z({"a": 1.0, "b": 1.0, "c": 1.0, "d": 1.0, "e": 1.0, "f": 0.2})
    assert c.median == 1.0 and c.z["a"] == 0 and c.z["f"] == pytest.approx(-0.8 / (1.2533 * 0.8 / 6))
    c = robust_z({"a": 1.0, "b": 1.2, "c": 0.8, "d": 1.1, "e": 0.9, "f": 0.1})
    assert c.z["f"] == pytest.approx((0.1 - 0.95) / (1.4826 * 0.15)) and c.z["f"] < -2 < c.z["c"]


def test_ducha_lagging_prints_the_same_ranking(ranked):
    out = StringIO()
    call_command("lagging", "--group", "B", "--json", "--campaign", "test", "--as-of", TODAY.isoformat(), stdout=out)
    printed = json.loads(out.getvalue())

    with translation.override("zh-hans"):
        assert printed == {"campaign": "test", **json.loads(json.dumps(
            campaign_lagging(ranked.campaign, today=TODAY, group="B")))}  # fmt: skip
    assert printed["groups"][0]["units"][0]["unit"] == LAGGER

    text = StringIO()
    call_command("lagging", "--group", "B", "--campaign", "test", "--as-of", TODAY.isoformat(), stdout=text)
    assert " 1. 巴彦淖尔市  滞后" in text.getvalue()
    with pytest.raises(CommandError, match="没有代码为 X"):
        call_command("lagging", "--group", "X", "--campaign", "test")


def synthetic(units: dict[str, tuple[int, int, int, float]]) -> dict:
    """Statistics of one group "G" whose units have (self-inspected, problems, overdue, sign-off rate)."""
    by_unit = [
        {"unit": code, "projects_self_inspected": n, "problems": p, "problems_dismissed": 0, "problems_overdue": o,
         "sign_off_rate": rate, "projects_self_inspected_by_domain": {"engineering": n},
         "problems_by_domain": {"engineering": p}}
        for code, (n, p, o, rate) in units.items()
    ]  # fmt: skip
    own = [
        {"unit": code, "name": code, "kind": "league", "group": "G", "unit_reports_due": 4, "unit_reports_late": 0,
         "unit_reports_missing": 0}
        for code in units
    ]  # fmt: skip
    return {"as_of": "2024-06-21", "by_group": [{"group": "G", "name": "G"}], "by_unit": by_unit,
            "supervision_by_unit": own}  # fmt: skip


def flagged(stats) -> dict[str, list[str]]:
    ranking = lagging_units(stats, [], {})
    return {u["unit"]: [f["criterion"] for f in u["flags"]] for u in ranking["groups"][0]["units"] if u["flags"]}


def test_a_large_z_over_a_small_difference_flags_nothing():
    alike = {f"u{i}": (100, 100, 0, 0.90) for i in range(6)}
    # One overdue problem of 95 where nobody else has one; a sign-off rate two points under the rest;
    # 95 problems where the others find 100: robust z far beyond ±2, the difference too small to matter.
    assert flagged(synthetic({**alike, "x": (100, 95, 1, 0.88)})) == {}
    assert flagged(synthetic({**alike, "x": (100, 100, 10, 0.80)})) == {"x": ["sign_off", "overdue"]}
    assert flagged(synthetic({**alike, "x": (100, 50, 0, 0.90)})) == {"x": ["discovery"]}
