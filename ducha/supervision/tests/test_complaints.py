"""Complaints: received by a group or the office, assigned to a group and unit with a
deadline, handled and closed by the unit, turned into a problem or a clue transfer in
one step (linked both ways); the rules, the scope, the change log and the overdue list.
Group A supervises 呼和浩特市 (150100, with 新城区 150102) and 发改委 (fgw), group B
包头市 (150200) and 财政厅 (czt)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from ducha.core.access import AccessDenied, restrict
from ducha.core.actions import do_create_object
from ducha.core.models import ChangeLogEntry
from ducha.ledger.choices import DiscoveryMethod
from ducha.supervision.actions.complaints import (
    do_assign_complaint,
    do_close_complaint,
    do_complaint_to_clue_transfer,
    do_complaint_to_problem,
    do_record_complaint_progress,
)
from ducha.supervision.choices import ComplaintSource, ComplaintStatus
from ducha.supervision.models import Complaint
from ducha.supervision.models.complaints import complaint_overdue_q

RECEIVED = dt.date(2024, 6, 3)


@pytest.fixture(autouse=True)
def english():
    """The messages in their source language, so that the tests can name them."""
    with translation.override("en"):
        yield


def receive(sc, actor: str, number: str = "JB-001", *, group: str | None = "A") -> Complaint:
    data = {
        "campaign": sc.campaign,
        "number": number,
        "source": ComplaintSource.FORWARDED,
        "received_on": RECEIVED,
        "summary": "反映某招标项目评标专家与投标人存在利害关系",
        "group": sc.groups[group] if group else None,
    }
    return do_create_object(Complaint, actor=sc.users[actor], data=data)


def assigned(sc, actor="group_a", unit="150100", **more) -> Complaint:
    complaint = receive(sc, actor)
    deadline = RECEIVED + dt.timedelta(days=30)
    return do_assign_complaint(
        complaint, actor=sc.users[actor], group=sc.groups["A"], unit=sc.units[unit], deadline=deadline, **more
    )


def log(obj, action: str):
    return ChangeLogEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk), action=action)


def test_a_group_receives_and_assigns_within_its_units(small):
    complaint = assigned(small)
    assert (complaint.unit_id, complaint.deadline) == (small.units["150100"].pk, dt.date(2024, 7, 3))
    assert log(complaint, "create").get().actor_name == "group_a"
    assert log(complaint, "update").get().after["unit_id"] == small.units["150100"].pk
    group_a, baotou = small.users["group_a"], small.units["150200"]
    with pytest.raises(ValidationError) as other_unit:
        do_assign_complaint(complaint, actor=group_a, group=small.groups["A"], unit=baotou)
    assert "unit" in other_unit.value.message_dict
    with pytest.raises(AccessDenied):  # a group hands nothing to another group
        do_assign_complaint(complaint, actor=group_a, group=small.groups["B"], unit=baotou)
    with pytest.raises(AccessDenied):
        receive(small, "league_a", "JB-002")  # a unit receives no complaints


def test_the_office_receives_and_assigns_to_any_group(small):
    complaint = receive(small, "office", group=None)
    assert not restrict(Complaint.objects.all(), small.users["group_b"]).exists()  # unassigned: the office's
    moved = do_assign_complaint(
        complaint, actor=small.users["office"], group=small.groups["B"], unit=small.units["czt"],
        deadline=RECEIVED + dt.timedelta(days=15),
    )  # fmt: skip
    assert moved.group == small.groups["B"]
    assert restrict(Complaint.objects.all(), small.users["group_b"]).get() == moved
    with pytest.raises(ValidationError) as early:
        do_assign_complaint(moved, actor=small.users["office"], group=small.groups["B"], unit=small.units["czt"],
                            deadline=RECEIVED - dt.timedelta(days=1))  # fmt: skip
    assert "deadline" in early.value.message_dict


def test_only_its_unit_the_group_and_the_office_see_a_complaint(small):
    complaint = assigned(small, unit="150100", county=small.units["150102"])
    seen = {u for u in ("office", "viewer", "group_a", "group_b", "league_a", "county_a", "dept_a", "league_b")
            if restrict(Complaint.objects.filter(pk=complaint.pk), small.users[u]).exists()}  # fmt: skip
    assert seen == {"office", "viewer", "group_a", "league_a", "county_a"}


def test_the_unit_records_progress_and_closes_and_nothing_else(small):
    complaint = assigned(small)
    league = small.users["league_a"]
    handled = do_record_complaint_progress(complaint, actor=league, progress="已约谈招标人，正在核查")
    assert handled.status == ComplaintStatus.HANDLING
    assert log(complaint, "update").last().after == {"progress": "已约谈招标人，正在核查", "status": "handling"}
    with pytest.raises(ValidationError, match="records its handling"):
        do_assign_complaint(handled, actor=league, group=small.groups["A"], unit=small.units["150100"])
    with pytest.raises(ValidationError) as no_outcome:
        do_close_complaint(handled, actor=league, outcome=" ")
    assert "outcome" in no_outcome.value.message_dict
    with pytest.raises(ValidationError) as before:
        do_close_complaint(handled, actor=league, outcome="查实", closed_on=RECEIVED - dt.timedelta(days=2))
    assert "closed_on" in before.value.message_dict
    closed = do_close_complaint(handled, actor=league, outcome="经核查属实，已责令整改", closed_on=dt.date(2024, 6, 20))
    assert (closed.status, closed.closed_on) == (ComplaintStatus.CLOSED, dt.date(2024, 6, 20))
    assert log(complaint, "update").last().actor_name == "league_a"
    with pytest.raises(ValidationError, match="closed"):
        do_record_complaint_progress(closed, actor=league, progress="补充")
    with pytest.raises(Complaint.DoesNotExist):
        do_record_complaint_progress(closed, actor=small.users["league_b"], progress="不是我的")


def test_a_complaint_becomes_a_problem_in_one_step_linked_both_ways(small):
    complaint = assigned(small, county=small.units["150102"])
    before = ChangeLogEntry.objects.count()
    problem = do_complaint_to_problem(
        complaint, actor=small.users["group_a"],
        data={"number": "JB-Q-001", "found_on": dt.date(2024, 6, 10), "deadline": dt.date(2024, 8, 10)},
    )  # fmt: skip
    assert problem.discovery_method == DiscoveryMethod.COMPLAINT
    place = (small.units["150100"].pk, small.units["150102"].pk, complaint.summary)
    assert (problem.unit_id, problem.county_id, problem.description) == place
    complaint.refresh_from_db()
    assert complaint.problem == problem and problem.complaint == complaint
    new = ChangeLogEntry.objects.filter(seq__gt=ChangeLogEntry.objects.order_by("seq")[before - 1].seq)
    written = [(e.object_type, e.action) for e in new]
    assert written == [("ledger.problem", "create"), ("supervision.complaint", "update")]
    with pytest.raises(ValidationError, match="already become"):
        do_complaint_to_clue_transfer(complaint, actor=small.users["group_a"], data={"authority": "discipline"})


def test_a_complaint_becomes_a_clue_transfer_in_one_step(small):
    complaint = assigned(small)
    clue = do_complaint_to_clue_transfer(
        complaint, actor=small.users["office"], data={"authority": "discipline", "transferred_on": dt.date(2024, 6, 12)}
    )
    assert (clue.unit.code, clue.summary, clue.complaint) == ("150100", complaint.summary, complaint)
    assert log(clue, "create").exists() and log(complaint, "update").last().after == {"clue_transfer_id": clue.pk}


def test_conversion_is_the_groups_and_needs_a_unit(small):
    from ducha.ledger.models import Problem

    problems = Problem.objects.count()
    complaint = assigned(small)
    with pytest.raises(ValidationError, match="records its handling"):
        do_complaint_to_problem(complaint, actor=small.users["league_a"], data={"number": "JB-Q-2"})
    unassigned = receive(small, "group_a", "JB-003")
    with pytest.raises(ValidationError) as no_unit:
        do_complaint_to_problem(unassigned, actor=small.users["group_a"], data={"number": "JB-Q-3"})
    assert "unit" in no_unit.value.message_dict
    with pytest.raises(ValidationError) as bad:  # the problem's own rules, and nothing half-written
        data = {"number": "JB-Q-4", "found_on": dt.date(2020, 1, 1)}
        do_complaint_to_problem(complaint, actor=small.users["group_a"], data=data)
    assert "found_on" in bad.value.message_dict
    assert Problem.objects.count() == problems
    complaint.refresh_from_db()
    assert complaint.problem is None


def test_overdue_complaints(small):
    complaint = assigned(small)  # deadline 2024-07-03
    other = receive(small, "group_a", "JB-009")  # no deadline: never overdue
    after = dt.date(2024, 7, 4)
    assert list(Complaint.objects.filter(complaint_overdue_q(after))) == [complaint]
    assert not Complaint.objects.filter(complaint_overdue_q(dt.date(2024, 7, 3))).exists()
    do_close_complaint(complaint, actor=small.users["league_a"], outcome="已办结", closed_on=dt.date(2024, 7, 10))
    assert not Complaint.objects.filter(complaint_overdue_q(after)).exists()
    assert other.deadline is None
