"""The report's narratives: written through the actions (change log), their rules, who
sees and writes which, and their pages (the registry's generic ledger pages)."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from ducha.core.access import AccessDenied, restrict
from ducha.core.actions import do_create_object, do_update_object
from ducha.core.models import ChangeLogEntry
from ducha.reports.models import Narrative


def write(small, actor: str, group: str | None, section: str = "work", **given) -> Narrative:
    data = {"campaign": small.campaign, "group": small.groups[group] if group else None, "section": section}
    data |= {"order": 1, "heading": "", "text": "强化督导。"} | given
    return do_create_object(Narrative, actor=small.users[actor], data=data)


def client(small, name: str) -> Client:
    c = Client()
    c.force_login(small.users[name])
    return c


def test_writing_and_editing_a_passage_is_logged(small):
    passage = write(small, "group_a", "A", heading="强化思想认识")
    do_update_object(passage, actor=small.users["group_a"], changes={"text": "深入学习领会部署要求。"}, reason="补充")

    rows = ChangeLogEntry.objects.filter(object_type="reports.narrative", object_id=str(passage.pk)).order_by("seq")
    assert [r.action for r in rows] == ["create", "update"]
    assert rows[1].after == {"text": "深入学习领会部署要求。"} and rows[1].reason == "补充"
    assert rows[0].actor_name == "group_a"


@pytest.mark.parametrize(
    ("group", "section", "given", "field"),
    [
        ("A", "title", {}, "section"),  # the title is the office's
        (None, "work", {}, "group"),  # a work item is a group's
        ("A", "introduction", {"order": 2}, "order"),  # one opening per group
        ("A", "work", {"text": "   "}, "text"),
    ],
)
def test_the_rules_name_the_field(small, group, section, given, field):
    with pytest.raises(ValidationError) as refused:
        write(small, "office", group, section, **given)
    assert field in refused.value.message_dict


def test_one_passage_per_order(small):
    write(small, "office", "A")
    with pytest.raises(ValidationError) as refused:
        write(small, "office", "A")
    assert "order" in refused.value.message_dict
    write(small, "office", "A", order=2)
    write(small, "office", "B")  # another group's first item


def test_each_group_writes_and_sees_its_own(small):
    a = write(small, "group_a", "A")
    office = write(small, "office", None, "overview")
    with pytest.raises(AccessDenied):
        write(small, "group_b", "A")
    with pytest.raises(AccessDenied):
        write(small, "group_a", None, "overview")  # the office's passages are the office's
    with pytest.raises(AccessDenied):
        write(small, "league_a", "A")
    seen = {
        name: set(restrict(Narrative.objects.all(), small.users[name]))
        for name in ("office", "viewer", "group_a", "group_b", "league_a")
    }
    assert seen == {"office": {a, office}, "viewer": {a, office}, "group_a": {a}, "group_b": set(), "league_a": set()}
    with pytest.raises(ValidationError) as refused:
        do_update_object(a, actor=small.users["office"], changes={"group": small.groups["B"]})
    assert "group" in refused.value.message_dict


def test_the_pages(small):
    a = write(small, "group_a", "A", heading="强化方案先行", text="制定工作方案。")
    member = client(small, "group_a")
    form = member.get(reverse("narratives-add")).context["form"]
    assert list(form.fields["group"].queryset) == [small.groups["A"]]  # a member writes as its group

    response = member.post(reverse("narratives-add"), {"group": small.groups["A"].pk, "section": "common_problems",
                                                      "order": 1, "heading": "", "text": "监管多头。"})  # fmt: skip
    assert response.status_code == 302
    added = Narrative.objects.get(section="common_problems")
    assert (added.group, added.text) == (small.groups["A"], "监管多头。")
    assert ChangeLogEntry.objects.filter(object_type="reports.narrative", object_id=str(added.pk)).exists()

    # The edit page keeps the group (check_update); a bad order is said on its field.
    edit = member.get(reverse("narratives-edit", args=[a.pk]))
    assert "group" not in edit.context["form"].fields
    bad = member.post(reverse("narratives-edit", args=[a.pk]), {"section": "work", "order": 0, "heading": "",
                                                                "text": "x", "reason": ""})  # fmt: skip
    assert bad.status_code == 200 and "order" in bad.context["form"].errors

    assert client(small, "group_b").get(reverse("narratives-detail", args=[a.pk])).status_code == 404
    assert client(small, "league_a").get(reverse("narratives-add")).status_code == 403
    listed = member.get(reverse("narratives-list")).content.decode()
    assert "强化方案先行" in listed
