"""Work plans and their documents: a group's own plans, documents stored like evidence
(checked first, nothing stored when one is refused), each in the change log."""

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from ducha.core.access import AccessDenied, restrict
from ducha.core.actions import do_create_object
from ducha.core.models import ChangeLogEntry
from ducha.ledger.evidence import EvidenceUpload, evidence_path
from ducha.ledger.tests.files import PDF
from ducha.supervision.actions.plans import do_attach_work_plan_documents
from ducha.supervision.models import WorkPlan, WorkPlanDocument


def add_plan(small, *, group: str = "A", issued_on: dt.date = dt.date(2024, 5, 1)) -> WorkPlan:
    data = {"campaign": small.campaign, "group": small.groups[group], "title": "工作方案", "issued_on": issued_on}
    return do_create_object(WorkPlan, actor=small.users["group_a"], data=data)


@pytest.fixture
def plan(small):
    return add_plan(small)


def test_a_group_attaches_its_plans_documents(small, plan):
    documents = do_attach_work_plan_documents(
        plan, actor=small.users["group_a"], uploads=[EvidenceUpload("方案.pdf", PDF), EvidenceUpload("附件.pdf", PDF)]
    )
    assert [d.original_name for d in documents] == ["方案.pdf", "附件.pdf"]
    assert evidence_path(documents[0].sha256).read_bytes() == PDF  # stored once, by checksum
    logged = ChangeLogEntry.objects.filter(object_type="supervision.workplandocument", action="create")
    assert sorted(logged.values_list("after__original_name", flat=True)) == ["方案.pdf", "附件.pdf"]
    assert logged.values("batch").distinct().count() == 1  # one upload, one batch


@pytest.mark.parametrize("user", ["group_b", "league_a", "viewer"])
def test_only_the_plans_group_and_the_office_attach(small, plan, user):
    with pytest.raises(AccessDenied):
        do_attach_work_plan_documents(plan, actor=small.users[user], uploads=[EvidenceUpload("方案.pdf", PDF)])
    do_attach_work_plan_documents(plan, actor=small.users["office"], uploads=[EvidenceUpload("方案.pdf", PDF)])
    assert WorkPlanDocument.objects.count() == 1


def test_a_refused_file_stores_nothing(small, plan):
    with pytest.raises(ValidationError) as refused:
        do_attach_work_plan_documents(
            plan,
            actor=small.users["group_a"],
            uploads=[EvidenceUpload("方案.pdf", PDF), EvidenceUpload("脚本.exe", b"MZ\x90\x00")],
        )
    assert "脚本.exe" in " ".join(refused.value.messages)
    assert not WorkPlanDocument.objects.exists()
    root = Path(settings.EVIDENCE_ROOT)
    assert not root.exists() or not any(p.is_file() for p in root.rglob("*"))
    with pytest.raises(ValidationError) as empty:
        do_attach_work_plan_documents(plan, actor=small.users["group_a"], uploads=[])
    assert "documents" in empty.value.message_dict


def test_plans_are_seen_by_their_group_and_the_office(small, plan):
    for user, seen in (("group_a", True), ("office", True), ("viewer", True), ("group_b", False), ("league_a", False)):
        assert restrict(WorkPlan.objects.all(), small.users[user]).filter(pk=plan.pk).exists() == seen, user


def test_a_plan_is_issued_inside_the_campaign(small):
    with pytest.raises(ValidationError) as refused:
        add_plan(small, issued_on=dt.date(2023, 5, 1))
    assert "issued_on" in refused.value.message_dict
    with pytest.raises(AccessDenied):  # group A adds no plan of group B
        add_plan(small, group="B")
