"""The cached figures after every kind of write equal the figures counted anew: a change
recounts the units it touched and keeps the other cells (reports/cache.py)."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.test import override_settings

from ducha.core.actions import do_bulk_create_objects, do_create_object, do_delete_object, do_update_object
from ducha.imports.importer import run_import
from ducha.imports.tests import books
from ducha.ledger.actions import (
    do_bulk_transition_problems,
    do_decide_extension,
    do_record_inspection,
    do_request_extension,
    do_transition_problem,
)
from ducha.ledger.choices import InspectionKind
from ducha.ledger.models import ClueTransfer, Problem, ProblemCategory, Training
from ducha.org.models import Domain
from ducha.reports.cache import cached_weekly_trend, counted_statistics
from ducha.reports.statistics import campaign_statistics, weekly_trend
from ducha.testing import move

LOCAL_CACHE = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "recount"}}
VIEWERS = (None, "league_a", "group_b", "county_a")


@pytest.fixture(autouse=True)
def own_cache():
    with override_settings(CACHES=LOCAL_CACHE):
        cache.clear()
        yield
        cache.clear()


def warm(small) -> None:
    for name in VIEWERS:
        user = small.users[name] if name else None
        counted_statistics(small.campaign, user=user, today=dt.date.today())
        assert counted_statistics(small.campaign, user=user, today=dt.date.today())[1] == "cached"


def assert_recounted_as_counted(small, how: str = "recounted") -> None:
    for name in VIEWERS:
        user = small.users[name] if name else None
        figures, done = counted_statistics(small.campaign, user=user, today=dt.date.today())
        assert done == how, name
        assert figures == campaign_statistics(small.campaign, user=user, today=dt.date.today()), name


def clue(small, unit: str = "150100") -> dict:
    return {"campaign": small.campaign, "unit": small.units[unit], "problem": small.problems["hohhot"],
            "authority": "police", "domain": Domain.objects.get(code="engineering"),
            "transferred_on": dt.date(2024, 6, 15), "summary": "移交公安"}  # fmt: skip


def write_create(small):
    do_create_object(ClueTransfer, actor=small.users["league_a"], data=clue(small))


def write_update(small):
    problem = small.problems["baotou"]
    do_update_object(problem, actor=small.users["office"], changes={"deadline": dt.date(2099, 1, 1)})


def write_move_to_another_unit(small):
    training = do_create_object(
        Training, actor=small.users["office"],
        data={"campaign": small.campaign, "unit": small.units["150100"], "held_on": dt.date(2024, 6, 3),
              "title": "业务培训", "attendees": 30},
    )  # fmt: skip
    warm(small)
    do_update_object(training, actor=small.users["office"], changes={"unit": small.units["150200"]})


def write_delete(small):
    record = do_create_object(ClueTransfer, actor=small.users["league_a"], data=clue(small))
    warm(small)
    do_delete_object(record, actor=small.users["league_a"])


def write_transition(small):
    do_transition_problem(small.problems["hohhot"], "rectifying", actor=small.users["league_a"], measures="重新招标")


def write_bulk(small):
    do_bulk_transition_problems(
        [move(small.problems["xincheng"], "signed_off"), move(small.problems["fgw"], "dismissed")], actor=small.system
    )
    baotou = {**clue(small, "150200"), "problem": small.problems["baotou"]}
    do_bulk_create_objects([ClueTransfer(**baotou), ClueTransfer(**clue(small))], actor=small.users["office"])


def write_inspection(small):
    do_record_inspection(small.projects["fgw"], InspectionKind.SAMPLE, actor=small.users["office"])


def write_extension(small):
    extension = do_request_extension(
        small.problems["hohhot"], actor=small.users["league_a"], new_deadline=dt.date(2099, 1, 1), reason="重新招标"
    )
    do_decide_extension(extension, actor=small.users["group_a"], grant=True)


def write_import(small):
    row = books.problem(**{"问题编号": "RC-1", "整改状态": "整改中", "整改措施": "重新组织招标"})
    result = run_import(
        "problems", "问题台账.xlsx", books.xlsx([row], books.PROBLEM_HEADERS), actor=small.users["office"]
    )
    assert result.applied, result.errors
    assert Problem.objects.filter(number="RC-1").exists()


@pytest.mark.parametrize(
    "write",
    [write_create, write_update, write_move_to_another_unit, write_delete, write_transition, write_bulk,
     write_inspection, write_extension, write_import],
)  # fmt: skip
def test_after_each_kind_of_write_the_recount_equals_a_count(small, write):
    warm(small)
    write(small)
    assert_recounted_as_counted(small)


@pytest.mark.parametrize("write", [write_create, write_update, write_transition, write_bulk, write_import])
@pytest.mark.parametrize("until", [None, dt.date(2024, 6, 20)])
def test_the_weekly_trend_recounted_equals_a_count(small, write, until):
    users = [small.users[name] if name else None for name in VIEWERS]
    before = [cached_weekly_trend(small.campaign, user=user, until=until) for user in users]
    write(small)
    after = [weekly_trend(small.campaign, user=user, until=until) for user in users]
    assert [cached_weekly_trend(small.campaign, user=user, until=until) for user in users] == after
    if write in (write_bulk, write_import):  # new dates in the ledger: the cached trend had to change
        assert after != before


def test_reference_data_changed_counts_everything_again(small):
    warm(small)
    category = ProblemCategory.objects.get(code="A")
    do_update_object(category, actor=small.users["office"], changes={"name": category.name + "（修订）"})
    assert_recounted_as_counted(small, how="counted")


def test_a_past_day_is_recounted_too(small):
    past = dt.date(2024, 6, 20)
    counted_statistics(small.campaign, today=past)
    do_bulk_transition_problems(
        [move(small.problems["hohhot"], "rectified", completed_on=dt.date(2024, 6, 12))], actor=small.system
    )
    figures, how = counted_statistics(small.campaign, today=past)
    assert how == "recounted"
    assert figures == campaign_statistics(small.campaign, today=past)
    assert figures["total"]["problems_rectified"] == 1  # dated 2024-06-11 (testing.move)
