"""The letter pages: a group issues a letter to its units from the add page (a recipient
each), the unit reads it on its recipient page and answers, the group accepts or refuses;
the lists and the overdue responses, each user seeing only their own."""

import datetime as dt

from django.urls import reverse

from ducha.supervision.actions.letters import do_answer_letter, do_issue_letter
from ducha.supervision.models import Letter, LetterRecipient
from ducha.web.tests.helpers import list_body, page, text

ISSUED = dt.date(2024, 6, 3)


def issue(site, actor="group_a", units=("150100", "fgw"), group="A", respond_by=dt.date(2024, 6, 13)) -> Letter:
    data = {
        "campaign": site.campaign, "group": site.groups[group] if group else None, "kind": "reminder",
        "title": "关于加快问题整改进度的提醒函", "points": "问题整改进度滞后", "issued_on": ISSUED,
        "respond_by": respond_by,
    }  # fmt: skip
    return do_issue_letter(actor=site.users[actor], data=data, units=[site.units[u] for u in units])


def test_a_group_issues_a_letter_to_its_units_from_the_add_page(site, login):
    client = login("group_a")
    form = page(client.get(reverse("letters-add")))
    assert f'value="{site.units["150100"].pk}"' in form and f'value="{site.units["150200"].pk}"' not in form
    post = {
        "group": site.groups["A"].pk, "kind": "reminder", "number": "工程督导函〔2024〕3号",
        "title": "关于工程建设项目问题整改的提醒函", "points": "一、整改进度滞后", "issued_on": "2024-06-03",
        "respond_by": "2024-06-14", "units": [site.units["150100"].pk, site.units["fgw"].pk],
    }  # fmt: skip
    response = client.post(reverse("letters-add"), post)
    letter = Letter.objects.get(title="关于工程建设项目问题整改的提醒函")
    assert response.status_code == 302 and response["Location"] == reverse("letters-detail", args=[letter.pk])
    assert sorted(letter.recipients.values_list("unit__code", flat=True)) == ["150100", "fgw"]
    detail = text(client.get(response["Location"]))
    assert "呼和浩特市" in detail and "一、整改进度滞后" in detail


def test_a_letter_to_another_groups_unit_is_refused_at_its_field(site, login):
    client = login("group_a")
    post = {"group": site.groups["A"].pk, "kind": "notice", "title": "提示函", "points": "注意",
            "issued_on": "2024-06-03", "units": [site.units["150200"].pk]}  # fmt: skip
    response = client.post(reverse("letters-add"), post)
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["units"]
    assert not Letter.objects.filter(title="提示函").exists()


def test_the_unit_reads_and_answers_and_the_group_decides(site, login):
    letter = issue(site)
    row = letter.recipients.get(unit__code="150100")
    league = login("league_a")
    # The letter itself is the issuer's record; the unit reads its own copy.
    assert league.get(reverse("letters-detail", args=[letter.pk])).status_code == 404
    shown = league.get(reverse("letter-recipients-detail", args=[row.pk]))
    assert "问题整改进度滞后" in text(shown) and 'data-testid="answer-form"' in page(shown)
    answered = league.post(
        reverse("letter-recipients-answer", args=[row.pk]), {"response": "已制定整改方案", "responded_on": "2024-06-10"}
    )
    assert answered.status_code == 302
    row.refresh_from_db()
    assert (row.response, row.responded_on) == ("已制定整改方案", dt.date(2024, 6, 10))
    group = login("group_a")
    assert 'data-testid="decide-form"' in page(group.get(reverse("letter-recipients-detail", args=[row.pk])))
    refused = group.post(reverse("letter-recipients-decide", args=[row.pk]), {"decision": "refuse"})
    assert refused.status_code == 200 and 'data-testid="error-decision_note"' in page(refused)
    group.post(reverse("letter-recipients-decide", args=[row.pk]), {"decision": "accept", "decision_note": "同意"})
    row.refresh_from_db()
    assert row.accepted is True
    after = page(league.get(reverse("letter-recipients-detail", args=[row.pk])))
    assert 'data-testid="answer-form"' not in after  # accepted: nothing more to answer


def test_no_one_else_answers_or_sees_a_units_letter(site, login):
    letter = issue(site)
    row = letter.recipients.get(unit__code="150100")
    url = reverse("letter-recipients-detail", args=[row.pk])
    for user in ("league_b", "dept_a", "county_a", "group_b", "norole"):
        assert login(user).get(url).status_code == 404, user
    assert login("group_b").get(reverse("letters-detail", args=[letter.pk])).status_code == 404
    answer = reverse("letter-recipients-answer", args=[row.pk])
    assert login("viewer").post(answer, {"response": "代答", "responded_on": "2024-06-10"}).status_code == 403
    assert login("group_a").post(answer, {"response": "代答", "responded_on": "2024-06-10"}).status_code == 403
    assert login("league_b").post(answer, {"response": "代答", "responded_on": "2024-06-10"}).status_code == 404
    assert not LetterRecipient.objects.get(pk=row.pk).response
    mine = list_body(login("league_a").get(reverse("letter-recipients-list")))
    assert "呼和浩特市" in mine and "发展和改革委员会" not in mine


def test_overdue_responses_are_listed_for_the_group_and_the_unit(site, login):
    letter = issue(site)
    do_answer_letter(
        letter.recipients.get(unit__code="fgw"), actor=site.users["dept_a"], response="已整改", responded_on=ISSUED
    )
    overdue = reverse("letter-recipients-list") + "?overdue=true"
    group_list = list_body(login("group_a").get(overdue))
    assert "呼和浩特市" in group_list and "发展" not in group_list
    assert "呼和浩特市" in list_body(login("league_a").get(overdue))
    assert "呼和浩特市" not in list_body(login("league_b").get(overdue))
    mine = letter.recipients.get(unit__code="150100")
    detail = page(login("league_a").get(reverse("letter-recipients-detail", args=[mine.pk])))
    assert 'data-testid="response-overdue"' in detail


def test_a_letter_keeps_its_issuer_and_a_group_adds_a_unit_to_its_own_letter(site, login):
    letter = issue(site, units=("150100",))
    other = issue(site, actor="group_b", units=("150200",), group="B")
    group = login("group_a")
    edit = group.get(reverse("letters-edit", args=[letter.pk]))
    assert edit.status_code == 200 and "group" not in edit.context["form"].fields
    add = group.get(reverse("letter-recipients-add"))
    letters = list(add.context["form"].fields["letter"].queryset)
    assert letters == [letter] and other not in letters
    response = group.post(reverse("letter-recipients-add"), {"letter": letter.pk, "unit": site.units["fgw"].pk})
    assert response.status_code == 302
    assert sorted(letter.recipients.values_list("unit__code", flat=True)) == ["150100", "fgw"]
