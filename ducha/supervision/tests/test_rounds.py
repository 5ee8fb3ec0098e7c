"""Site rounds, supervision contacts and the problems a round finds: the rules each
record keeps, who may record them, and the change-log rows every action writes.
Group A supervises 呼和浩特市 (with 新城区) and 发改委; group B 包头市 and 财政厅."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from ducha.core.access import AccessDenied
from ducha.core.actions import do_create_object, do_update_object
from ducha.core.models import ChangeLogEntry
from ducha.ledger.choices import DiscoveryMethod
from ducha.ledger.models import Problem
from ducha.supervision.actions.rounds import do_record_contact, do_record_round_problem
from ducha.supervision.choices import ContactKind, LookBackOutcome, RoundKind
from ducha.supervision.models import Contact, LookBackCheck, RoundProblem, SupervisionRound

JUNE = dt.date(2024, 6, 3)  # a Monday


def new_round(sc, group="A", *, number=1, kind=RoundKind.REGULAR, starts=JUNE, days=4, actor=None, **more):
    data = {"campaign": sc.campaign, "group": sc.groups[group], "number": number, "kind": kind,
            "starts_on": starts, "ends_on": starts + dt.timedelta(days=days), **more}  # fmt: skip
    return do_create_object(SupervisionRound, actor=actor or sc.system, data=data)


def contact(sc, actor, **data):
    base = {"campaign": sc.campaign, "unit": sc.units["150100"], "kind": ContactKind.PHONE,
            "contacted_on": JUNE, "content": "电话了解整改进展"}  # fmt: skip
    return do_record_contact(actor=actor, data={**base, **data})


def logged(obj, action="create"):
    label = obj._meta.label_lower
    return ChangeLogEntry.objects.filter(object_type=label, object_id=str(obj.pk), action=action)


# --- site rounds -------------------------------------------------------------------


def test_a_group_records_its_round_with_its_methods(small):
    r = new_round(small, actor=small.users["group_a"], methods=["briefing", "discussion", "records"])
    assert r.methods == ["briefing", "discussion", "records"]
    assert logged(r).get().after["methods"] == ["briefing", "discussion", "records"]


def test_a_round_ends_after_it_starts_and_knows_its_methods(small):
    with pytest.raises(ValidationError) as refused:
        new_round(small, starts=JUNE, days=-1)
    assert "ends_on" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        new_round(small, methods=["gossip"])
    assert "methods" in refused.value.message_dict


def test_a_round_lies_inside_the_campaign(small):
    with pytest.raises(ValidationError) as refused:
        new_round(small, starts=dt.date(2023, 12, 1))
    assert "starts_on" in refused.value.message_dict


def test_a_group_numbers_its_rounds_once(small):
    new_round(small)
    with pytest.raises(ValidationError):
        new_round(small, starts=JUNE + dt.timedelta(days=30))
    new_round(small, "B")  # group B's first round is its own


def test_a_group_records_no_round_of_another_group_and_a_unit_none(small):
    with pytest.raises(AccessDenied):
        new_round(small, "B", actor=small.users["group_a"])
    with pytest.raises(AccessDenied):
        new_round(small, actor=small.users["league_a"])


def test_an_edited_round_keeps_its_visits_inside_its_dates(small):
    r = new_round(small)
    contact(small, small.users["group_a"], kind=ContactKind.ON_SITE, round=r, contacted_on=JUNE + dt.timedelta(days=3))
    with pytest.raises(ValidationError) as refused:
        do_update_object(r, actor=small.users["group_a"], changes={"ends_on": JUNE + dt.timedelta(days=1)})
    assert "starts_on" in refused.value.message_dict
    do_update_object(r, actor=small.users["group_a"], changes={"ends_on": JUNE + dt.timedelta(days=5)})


def test_a_look_back_round_with_checks_stays_one(small):
    r = new_round(small, kind=RoundKind.LOOK_BACK)
    do_create_object(LookBackCheck, actor=small.system, data={"round": r, "project": small.projects["hohhot"],
                     "checked_on": JUNE, "outcome": LookBackOutcome.CONFIRMED})  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        do_update_object(r, actor=small.users["group_a"], changes={"kind": RoundKind.REGULAR})
    assert "kind" in refused.value.message_dict


# --- contacts ----------------------------------------------------------------------


def test_a_group_records_a_phone_contact_with_its_unit_supervisor_defaulting_to_the_actor(small):
    small.users["group_a"].first_name = "张三"
    c = contact(small, small.users["group_a"])
    assert (c.group, c.supervisor) == (small.groups["A"], "张三")
    row = logged(c).get()
    assert row.actor_id == small.users["group_a"].pk and row.after["kind"] == "phone"


def test_a_group_records_contacts_only_with_its_units(small):
    with pytest.raises(ValidationError) as refused:
        contact(small, small.users["group_a"], unit=small.units["150200"])
    assert "unit" in refused.value.message_dict
    with pytest.raises(AccessDenied):  # naming the other group changes nothing
        contact(small, small.users["group_a"], unit=small.units["150200"], group=small.groups["B"])
    assert not Contact.objects.exists()


@pytest.mark.parametrize("role", ["league_a", "county_a", "dept_a", "viewer", "norole"])
def test_a_unit_reporter_or_a_viewer_records_no_contact(small, role):
    with pytest.raises(AccessDenied):
        contact(small, small.users[role], group=small.groups["A"], supervisor="某人")


def test_an_on_site_visit_belongs_to_a_round_of_its_group_within_its_dates(small):
    group_a, r = small.users["group_a"], new_round(small)
    with pytest.raises(ValidationError) as refused:
        contact(small, group_a, kind=ContactKind.ON_SITE)
    assert "round" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        contact(small, group_a, kind=ContactKind.ON_SITE, round=r, contacted_on=JUNE + dt.timedelta(days=5))
    assert "contacted_on" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        contact(small, group_a, kind=ContactKind.PHONE, round=r)
    assert "round" in refused.value.message_dict
    other = new_round(small, "B")
    with pytest.raises(ValidationError) as refused:
        contact(small, small.system, group=small.groups["A"], kind=ContactKind.ON_SITE, round=other)
    assert "round" in refused.value.message_dict
    visit = contact(small, group_a, kind=ContactKind.ON_SITE, round=r, county=small.units["150102"])
    assert list(r.visits.all()) == [visit]


def test_a_contact_is_not_in_the_future(small):
    with pytest.raises(ValidationError) as refused:
        contact(small, small.users["group_a"], contacted_on=dt.date.today() + dt.timedelta(days=2))
    assert "contacted_on" in refused.value.message_dict


# --- problems a round finds ----------------------------------------------------------


def problem_data(sc, unit="150100", number="DC-1", **more):
    return {"unit": sc.units[unit], "domain": sc.projects["hohhot"].domain, "number": number,
            "description": "评标专家抽取不规范", "found_on": JUNE + dt.timedelta(days=1),
            "deadline": dt.date(2024, 8, 1), **more}  # fmt: skip


def test_a_round_records_its_problem_in_the_ledger_discovered_by_supervision(small):
    r, group_a = new_round(small), small.users["group_a"]
    problem = do_record_round_problem(r, actor=group_a, data=problem_data(small, discovery_method="self"))
    assert problem.discovery_method == DiscoveryMethod.SUPERVISION
    link = RoundProblem.objects.get(problem=problem)
    assert link.round == r
    assert logged(problem).get().actor_id == group_a.pk
    assert logged(link).get().after["problem_id"] == problem.pk


def test_a_round_finds_problems_only_in_its_groups_units_and_once_begun(small):
    r = new_round(small)
    with pytest.raises(ValidationError):
        do_record_round_problem(r, actor=small.system, data=problem_data(small, unit="150200"))
    with pytest.raises(ValidationError) as refused:
        do_record_round_problem(r, actor=small.system, data=problem_data(small, found_on=JUNE - dt.timedelta(days=1)))
    assert "found_on" in refused.value.message_dict
    assert not Problem.objects.filter(number="DC-1").exists()  # one transaction: nothing left behind


def test_another_groups_round_is_not_found_and_a_unit_records_no_round_problem(small):
    r = new_round(small)
    with pytest.raises(SupervisionRound.DoesNotExist):
        do_record_round_problem(r, actor=small.users["group_b"], data=problem_data(small))
    with pytest.raises(SupervisionRound.DoesNotExist):
        do_record_round_problem(r, actor=small.users["league_a"], data=problem_data(small))
    assert not Problem.objects.filter(number="DC-1").exists()
