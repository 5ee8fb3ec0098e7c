"""Contact rules kept or not, at week boundaries (Monday to Sunday, Beijing time): a rule
from 2024-07-01 asks two phone contacts per unit per week. Group A supervises 呼和浩特市
(150100) and 发改委 (fgw); group B 包头市 (150200) and 财政厅 (czt)."""

import datetime as dt

import pytest

from ducha.core.actions import do_bulk_create_objects, do_create_object
from ducha.supervision.choices import ContactKind
from ducha.supervision.compliance import Shortfall, contact_shortfalls, rule_weeks
from ducha.supervision.models import Contact, ContactRule

JULY_1 = dt.date(2024, 7, 1)  # a Monday
SUNDAY = dt.date(2024, 7, 7)


def rule(sc, *, starts=JULY_1, per_week=2, group=None, kind=ContactKind.PHONE, ends=None):
    return do_create_object(ContactRule, actor=sc.system, data={
        "campaign": sc.campaign, "group": sc.groups[group] if group else None, "kind": kind,
        "per_week": per_week, "starts_on": starts, "ends_on": ends})  # fmt: skip


def contacts(sc, unit, *days, kind=ContactKind.PHONE):
    group = sc.groups["A"] if unit in ("150100", "fgw") else sc.groups["B"]
    do_bulk_create_objects([Contact(campaign=sc.campaign, group=group, unit=sc.units[unit], kind=kind,
                                    contacted_on=day, supervisor="李四", content="电话督导") for day in days],
                           actor=sc.system)  # fmt: skip


def short(sc, as_of, group=None):
    found = contact_shortfalls(sc.campaign, as_of=as_of, group=sc.groups[group] if group else None)
    codes = {u.pk: code for code, u in sc.units.items()}
    return {(codes[s.unit_id], s.week_starts, s.made) for s in found}


def test_a_week_counts_once_its_sunday_is_over_and_contacts_count_from_monday_to_sunday(small):
    rule(small)
    contacts(small, "150100", JULY_1, SUNDAY)  # Monday and Sunday: the same week, kept
    contacts(small, "fgw", SUNDAY, SUNDAY + dt.timedelta(days=1))  # Sunday and the next Monday: one each
    assert short(small, SUNDAY - dt.timedelta(days=1)) == set()  # Saturday: the week is not over
    assert short(small, SUNDAY, "A") == {("fgw", JULY_1, 1)}
    week_2 = JULY_1 + dt.timedelta(days=7)
    assert short(small, SUNDAY + dt.timedelta(days=7), "A") == {
        ("fgw", JULY_1, 1),
        ("fgw", week_2, 1),
        ("150100", week_2, 0),
    }


def test_every_group_and_its_units_without_a_group(small):
    rule(small)
    contacts(small, "150200", JULY_1, JULY_1)
    found = contact_shortfalls(small.campaign, as_of=SUNDAY)
    assert {(s.group_id, s.unit_id) for s in found} == {
        (small.groups["A"].pk, small.units["150100"].pk), (small.groups["A"].pk, small.units["fgw"].pk),
        (small.groups["B"].pk, small.units["czt"].pk)}  # fmt: skip
    s = next(s for s in found if s.unit_id == small.units["czt"].pk)
    assert s == Shortfall(small.groups["B"].pk, small.units["czt"].pk, JULY_1, ContactKind.PHONE, 2, 0)
    assert s.missing == 2


def test_a_rule_applies_from_the_first_whole_week_in_force_and_to_its_end(small):
    late = rule(small, starts=dt.date(2024, 7, 3))  # a Wednesday
    assert rule_weeks(late, small.campaign, dt.date(2024, 7, 21)) == [dt.date(2024, 7, 8), dt.date(2024, 7, 15)]
    ending = rule(small, ends=dt.date(2024, 7, 17))  # ends on a Wednesday: that week is not whole
    assert rule_weeks(ending, small.campaign, dt.date(2024, 7, 31)) == [JULY_1, dt.date(2024, 7, 8)]


def test_only_the_rules_kind_counts_and_the_strictest_rule_holds(small):
    rule(small)
    rule(small, group="A", per_week=3)
    contacts(small, "150100", JULY_1, JULY_1)
    contacts(small, "150100", JULY_1, kind=ContactKind.WRITTEN)
    contacts(small, "150200", JULY_1, JULY_1)
    assert short(small, SUNDAY, "A") == {("150100", JULY_1, 2), ("fgw", JULY_1, 0)}
    assert ("150200", JULY_1, 2) not in short(small, SUNDAY)  # group B: two asked, two made
    by_unit = {s.unit_id: s.required for s in contact_shortfalls(small.campaign, as_of=SUNDAY)}
    assert by_unit[small.units["150100"].pk] == 3 and by_unit[small.units["czt"].pk] == 2


def test_another_groups_rule_asks_nothing_of_this_group(small):
    rule(small, group="B")
    assert short(small, SUNDAY, "A") == set()
    assert {code for code, *_ in short(small, SUNDAY)} == {"150200", "czt"}


def test_no_rule_no_shortfall(small):
    assert contact_shortfalls(small.campaign, as_of=SUNDAY) == []


@pytest.mark.parametrize("as_of", [dt.date(2024, 6, 30), dt.date(2024, 7, 6)])
def test_a_rule_not_yet_in_force_for_a_whole_week_asks_nothing(small, as_of):
    rule(small)
    assert contact_shortfalls(small.campaign, as_of=as_of) == []
