"""The statistics module on the small campaign: slices, scoping, trend, lagging units."""

import datetime as dt

from ducha.ledger.actions import do_bulk_transition_problems
from ducha.reports.statistics import campaign_statistics, weekly_trend
from ducha.testing import move

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
    do_bulk_transition_problems([move(hohhot, "rectified", completed_on=dt.date(2024, 6, 25))], actor=small.system)
    trend = weekly_trend(small.campaign)
    # Found on 2024-06-01 (a Saturday: week of Monday 05-27), rectified 06-25 (week of 06-24).
    assert [w["week"] for w in trend] == ["2024-05-27", "2024-06-03", "2024-06-10", "2024-06-17", "2024-06-24"]
    assert [w["found"] for w in trend] == [5, 0, 0, 0, 0]
    assert [w["rectified"] for w in trend] == [0, 0, 0, 0, 1]
    assert weekly_trend(small.campaign, user=small.users["league_b"])[0]["found"] == 1


def test_rates_and_cleared_problem_projects(small):
    """Rectified ÷ problems and signed off ÷ problems (dismissed ones do not count);
    a problem project is cleared only when all its problems are signed off."""
    do_bulk_transition_problems(
        [
            move(small.problems["hohhot"], "rectified"),
            move(small.problems["xincheng"], "signed_off"),
            move(small.problems["fgw"], "dismissed"),
        ],
        actor=small.system,
    )
    total = campaign_statistics(small.campaign, today=TODAY)["total"]
    assert (total["problems"], total["problems_dismissed"]) == (5, 1)
    assert total["rectification_rate"] == 0.5  # 2 of the 4 that count
    assert total["sign_off_rate"] == 0.25
    assert total["problems_awaiting_sign_off"] == 1
    # hohhot is rectified but not signed off: not cleared; xincheng signed off, fgw dismissed: cleared.
    assert (total["projects_with_problems"], total["projects_with_problems_cleared"]) == (5, 2)


def test_a_closed_campaign_stands_at_its_closing_day(small):
    from ducha.core.actions import do_update_object

    office = small.users["office"]
    later = dt.date(2026, 11, 27)
    assert campaign_statistics(small.campaign, today=later)["total"]["problems_overdue"] == 5
    campaign = do_update_object(small.campaign, actor=office, changes={"closes_on": dt.date(2024, 6, 30)})
    stats = campaign_statistics(campaign, today=later)
    assert stats["as_of"] == "2024-06-30"
    assert stats["campaign"]["closes_on"] == "2024-06-30"
    assert stats["total"]["problems_overdue"] == 0  # deadlines 2024-07-01: not yet passed on closing day
