"""The statistics module on the small campaign: slices, scoping, trend, lagging units."""

import datetime as dt

from django.utils import timezone

from ducha.ledger.actions import do_bulk_transition_problems
from ducha.reports.statistics import campaign_statistics, clearance_rate, lagging_units, weekly_trend

TODAY = dt.date(2024, 8, 1)  # after every deadline of the small campaign (2024-07-01)


def test_slices_by_group_domain_and_unit(small):
    stats = campaign_statistics(small.campaign, today=TODAY)
    groups = {g["group"]: g for g in stats["by_group"]}
    assert (groups["A"]["problems"], groups["B"]["problems"]) == (3, 2)
    assert (groups["A"]["units"], groups["A"]["leagues"], groups["A"]["departments"]) == (2, 1, 1)
    domains = {d["domain"]: d for d in stats["by_domain"]}
    assert (domains["engineering"]["problems"], domains["procurement"]["problems"]) == (3, 2)
    units = {u["unit"]: u for u in stats["by_unit"]}
    assert units["150100"]["problems"] == 2  # its own and its county's
    assert stats["total"]["problems_overdue"] == 5
    assert campaign_statistics(small.campaign, today=dt.date(2024, 6, 1))["total"]["problems_overdue"] == 0


def test_a_user_counts_only_what_it_may_see(small):
    league = campaign_statistics(small.campaign, user=small.users["league_a"], today=TODAY)
    assert league["total"]["problems"] == 2
    county = campaign_statistics(small.campaign, user=small.users["county_a"], today=TODAY)
    assert county["total"]["problems"] == 1
    assert campaign_statistics(small.campaign, user=small.users["norole"], today=TODAY)["total"]["problems"] == 0


def test_weekly_trend_has_every_week_between_the_first_and_the_last(small):
    hohhot = small.problems["hohhot"]
    do_bulk_transition_problems([(hohhot, "rectified", timezone.now(), dt.date(2024, 6, 25))], actor=small.system)
    trend = weekly_trend(small.campaign)
    # Found on 2024-06-01 (a Saturday: week of Monday 05-27), rectified 06-25 (week of 06-24).
    assert [w["week"] for w in trend] == ["2024-05-27", "2024-06-03", "2024-06-10", "2024-06-17", "2024-06-24"]
    assert [w["found"] for w in trend] == [5, 0, 0, 0, 0]
    assert [w["rectified"] for w in trend] == [0, 0, 0, 0, 1]
    assert weekly_trend(small.campaign, user=small.users["league_b"])[0]["found"] == 1


def test_lagging_units_worst_first(small):
    do_bulk_transition_problems(
        [(small.problems["hohhot"], "rectified", timezone.now(), dt.date(2024, 6, 25))], actor=small.system
    )
    stats = campaign_statistics(small.campaign, today=TODAY)
    order = [u["unit"] for u in lagging_units(stats["by_unit"])]
    # 呼和浩特市 has one of two problems rectified, the others none: those with open overdue first.
    assert order[-1] == "150100"
    assert clearance_rate({"problems": 4, "problems_dismissed": 2, "problems_rectified": 1}) == 0.5
    assert clearance_rate({"problems": 0, "problems_dismissed": 0, "problems_rectified": 0}) == 1.0
