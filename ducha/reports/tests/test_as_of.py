"""Figures as of a past day: each record from its date, each problem in the status its
steps had brought it to by then, with the deadline it had then (ledger/as_of.py)."""

import datetime as dt

from django.utils import timezone

from ducha.core.actions import do_create_object
from ducha.ledger.actions import (
    do_bulk_transition_problems,
    do_decide_extension,
    do_record_inspection,
    do_request_extension,
)
from ducha.ledger.choices import InspectionKind
from ducha.ledger.models import ClueTransfer
from ducha.org.models import Domain
from ducha.reports.statistics import _collect, campaign_statistics, weekly_trend
from ducha.testing import move


def noon(year: int, month: int, day: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, month, day, 12))


def total(small, day: dt.date, user=None) -> dict:
    return campaign_statistics(small.campaign, user=user, today=day)["total"]


def test_a_problem_counts_from_the_day_found_in_the_status_of_that_day(small):
    hohhot = small.problems["hohhot"]
    do_bulk_transition_problems([move(hohhot, "rectifying", when=noon(2024, 6, 5))], actor=small.system)
    hohhot.refresh_from_db()
    rectified = move(hohhot, "rectified", when=noon(2024, 6, 20), completed_on=dt.date(2024, 6, 18))
    do_bulk_transition_problems([rectified], actor=small.system)
    hohhot.refresh_from_db()
    do_bulk_transition_problems([move(hohhot, "signed_off", when=noon(2024, 7, 10))], actor=small.system)

    assert total(small, dt.date(2024, 5, 31))["problems"] == 0  # all five found on 2024-06-01
    assert total(small, dt.date(2024, 6, 1))["problems_by_status"] == {"found": 5}
    assert total(small, dt.date(2024, 6, 5))["problems_by_status"] == {"found": 4, "rectifying": 1}
    june_20 = total(small, dt.date(2024, 6, 20))
    assert (june_20["problems_rectified"], june_20["problems_awaiting_sign_off"], june_20["problems_open"]) == (1, 1, 4)
    july_10 = total(small, dt.date(2024, 7, 10))
    assert (july_10["problems_signed_off"], july_10["problems_awaiting_sign_off"]) == (1, 0)
    # The other four were still open after their deadline (2024-07-01).
    assert july_10["problems_overdue"] == 4
    assert july_10["projects_with_problems_cleared"] == 1  # P-hohhot: its one problem signed off
    assert total(small, dt.date(2024, 7, 9))["projects_with_problems_cleared"] == 0
    assert total(small, dt.date.today())["problems_signed_off"] == 1


def test_an_extension_granted_later_had_not_moved_the_deadline_yet(small):
    hohhot = small.problems["hohhot"]
    extension = do_request_extension(
        hohhot, actor=small.users["league_a"], new_deadline=dt.date(2099, 12, 31), reason="需重新招标"
    )
    do_decide_extension(extension, actor=small.users["group_a"], grant=True)  # decided now, not in 2024
    assert total(small, dt.date(2024, 7, 15))["problems_overdue"] == 5  # the old deadline, 2024-07-01
    assert total(small, dt.date.today())["problems_overdue"] == 4  # the new one lies ahead


def test_inspections_and_projects_count_from_their_dates(small):
    # Every project of the small campaign was entered today and self-inspected on 2024-05-20.
    assert (total(small, dt.date(2024, 5, 19))["projects"], total(small, dt.date(2024, 5, 19))["problems"]) == (0, 0)
    may_20 = total(small, dt.date(2024, 5, 20))
    assert may_20["projects"] == may_20["projects_self_inspected"] == len(small.projects)
    project = small.projects["hohhot"]
    do_record_inspection(project, InspectionKind.SAMPLE, actor=small.system, inspected_on=dt.date(2024, 6, 10))
    do_record_inspection(project, InspectionKind.VERIFY, actor=small.system)  # undated: from the day entered
    assert total(small, dt.date(2024, 6, 9))["projects_sampled"] == 0
    assert total(small, dt.date(2024, 6, 10))["projects_sampled"] == 1
    assert total(small, dt.date(2024, 6, 10))["projects_verified"] == 0
    assert total(small, dt.date.today())["projects_verified"] == 1


def test_dispositions_count_from_their_dates_and_scope_still_applies(small):
    do_create_object(
        ClueTransfer, actor=small.users["league_a"],
        data={"campaign": small.campaign, "unit": small.units["150100"], "problem": small.problems["hohhot"],
              "authority": "police", "domain": Domain.objects.get(code="engineering"),
              "transferred_on": dt.date(2024, 6, 15), "summary": "移交公安"},
    )  # fmt: skip
    assert total(small, dt.date(2024, 6, 14))["clue_transfers"] == 0
    assert total(small, dt.date(2024, 6, 15))["clue_transfers"] == 1
    assert total(small, dt.date(2024, 6, 15), user=small.users["league_b"])["clue_transfers"] == 0
    assert total(small, dt.date(2024, 6, 15), user=small.users["county_a"])["problems"] == 1


def test_replaying_the_current_day_gives_the_stored_state(small):
    """The replay and the stored columns agree on today: the figures of today may read
    the columns (indexed) and a past day's the dated records."""
    do_bulk_transition_problems(
        [
            move(small.problems["hohhot"], "rectified"),
            move(small.problems["xincheng"], "signed_off"),
            move(small.problems["fgw"], "dismissed"),
            move(small.problems["baotou"], "rectifying"),
        ],
        actor=small.system,
    )
    do_record_inspection(small.projects["fgw"], InspectionKind.SAMPLE, actor=small.system)
    today = dt.date.today()
    for user in (None, small.users["league_a"], small.users["group_b"]):
        stored = _collect(small.campaign, user, today, replay=False)
        replayed = _collect(small.campaign, user, today, replay=True)
        assert {k: +v for k, v in stored.items()} == {k: +v for k, v in replayed.items()}


def test_the_weekly_trend_of_a_past_day_ends_that_day(small):
    hohhot = small.problems["hohhot"]
    do_bulk_transition_problems([move(hohhot, "rectified", completed_on=dt.date(2024, 6, 25))], actor=small.system)
    assert [w["rectified"] for w in weekly_trend(small.campaign)][-1] == 1  # the week of 06-24
    until = weekly_trend(small.campaign, until=dt.date(2024, 6, 20))
    assert sum(w["rectified"] for w in until) == 0 and sum(w["found"] for w in until) == 5
