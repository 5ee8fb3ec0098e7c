"""Letters: issued by a group (or the office) to its units in one action, answered by each
unit, accepted or refused by the issuer; the rules, the scope, the change log and the
overdue responses. Group A supervises 呼和浩特市 (150100) and 发改委 (fgw), group B
包头市 (150200) and 财政厅 (czt)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from ducha.core.access import AccessDenied, restrict
from ducha.core.actions import do_update_object
from ducha.core.models import ChangeLogEntry
from ducha.supervision.actions.letters import do_answer_letter, do_decide_response, do_issue_letter
from ducha.supervision.choices import LetterKind
from ducha.supervision.models import Letter, LetterRecipient
from ducha.supervision.models.letters import response_overdue_q

ISSUED = dt.date(2024, 6, 3)


@pytest.fixture(autouse=True)
def english():
    """The messages in their source language, so that the tests can name them."""
    with translation.override("en"):
        yield


def issue(sc, actor: str, units: list[str], *, group: str | None = "A", respond_by=ISSUED + dt.timedelta(days=10)):
    data = {
        "campaign": sc.campaign,
        "group": sc.groups[group] if group else None,
        "kind": LetterKind.REMINDER,
        "number": "督导函〔2024〕1号",
        "title": "关于加快问题整改进度的提醒函",
        "points": "一、问题整改进度滞后；二、台账填报不规范。",
        "issued_on": ISSUED,
        "respond_by": respond_by,
    }
    return do_issue_letter(actor=sc.users[actor], data=data, units=[sc.units[u] for u in units])


def recipient(letter: Letter, unit: str) -> LetterRecipient:
    return letter.recipients.get(unit__code=unit)


def log(obj, action: str):
    return ChangeLogEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk), action=action)


def test_a_group_issues_one_letter_to_several_of_its_units_logged(small):
    letter = issue(small, "group_a", ["150100", "fgw"])
    assert sorted(letter.recipients.values_list("unit__code", flat=True)) == ["150100", "fgw"]
    assert letter.issued_by == small.users["group_a"]
    for row in (letter, *letter.recipients.all()):
        entry = log(row, "create").get()
        assert entry.actor_name == "group_a"


def test_a_group_writes_only_to_its_own_units_and_nothing_is_left_behind(small):
    letters, recipients = Letter.objects.count(), LetterRecipient.objects.count()
    with pytest.raises(ValidationError) as refused:
        issue(small, "group_a", ["150100", "150200"])
    assert "units" in refused.value.message_dict
    assert "not supervised" in " ".join(refused.value.message_dict["units"])
    assert (Letter.objects.count(), LetterRecipient.objects.count()) == (letters, recipients)


def test_a_letter_needs_a_unit_and_a_group_member_writes_as_its_group(small):
    with pytest.raises(ValidationError) as refused:
        issue(small, "group_a", [])
    assert "units" in refused.value.message_dict
    with pytest.raises(AccessDenied):
        issue(small, "group_a", ["150200"], group="B")  # another group's name on the letter
    with pytest.raises(AccessDenied):
        issue(small, "league_a", ["150100"])  # a unit issues no letters
    with pytest.raises(ValidationError) as early:
        issue(small, "group_a", ["150100"], respond_by=ISSUED - dt.timedelta(days=1))
    assert "respond_by" in early.value.message_dict


def test_the_office_writes_to_any_units(small):
    letter = issue(small, "office", ["150100", "150200"], group=None)
    assert letter.recipients.count() == 2


def test_a_unit_sees_only_the_letters_addressed_to_it(small):
    issue(small, "group_a", ["150100", "fgw"])
    issue(small, "group_b", ["150200"], group="B")
    seen = {
        user: sorted(restrict(LetterRecipient.objects.all(), small.users[user]).values_list("unit__code", flat=True))
        for user in ("league_a", "dept_a", "league_b", "county_a", "group_a", "group_b")
    }
    assert seen == {
        "league_a": ["150100"],
        "dept_a": ["fgw"],
        "league_b": ["150200"],
        "county_a": [],
        "group_a": ["150100", "fgw"],
        "group_b": ["150200"],
    }
    assert not restrict(Letter.objects.all(), small.users["league_a"]).exists()  # only through its recipient row
    assert restrict(Letter.objects.all(), small.users["group_b"]).count() == 1


def test_the_unit_answers_and_no_one_else(small):
    letter = issue(small, "group_a", ["150100", "fgw"])
    row = recipient(letter, "150100")
    with pytest.raises(LetterRecipient.DoesNotExist):
        do_answer_letter(row, actor=small.users["dept_a"], response="已整改")  # another unit's letter
    with pytest.raises(ValidationError, match="unit's own"):
        do_answer_letter(row, actor=small.users["group_a"], response="代为回复")
    answered = do_answer_letter(row, actor=small.users["league_a"], response="已制定整改方案", responded_on=ISSUED)
    assert (answered.response, answered.responded_on) == ("已制定整改方案", ISSUED)
    entry = log(row, "update").get()
    assert entry.after == {"response": "已制定整改方案", "responded_on": "2024-06-03"}
    assert entry.actor_name == "league_a"
    with pytest.raises(ValidationError) as blank:
        do_answer_letter(recipient(letter, "fgw"), actor=small.users["dept_a"], response="  ")
    assert "response" in blank.value.message_dict
    with pytest.raises(ValidationError) as early:
        do_answer_letter(
            recipient(letter, "fgw"), actor=small.users["dept_a"], response="好", responded_on=dt.date(2024, 6, 1)
        )
    assert "responded_on" in early.value.message_dict


def test_the_issuer_accepts_or_refuses_saying_why(small):
    letter = issue(small, "group_a", ["150100"])
    row = recipient(letter, "150100")
    with pytest.raises(ValidationError) as not_yet:
        do_decide_response(row, actor=small.users["group_a"], accepted=True)
    assert "accepted" in not_yet.value.message_dict
    do_answer_letter(row, actor=small.users["league_a"], response="正在整改")
    with pytest.raises(ValidationError) as why:
        do_decide_response(row, actor=small.users["group_a"], accepted=False)
    assert "decision_note" in why.value.message_dict
    with pytest.raises(ValidationError, match="the issuer's"):
        do_decide_response(row, actor=small.users["league_a"], accepted=True)
    refused = do_decide_response(row, actor=small.users["group_a"], accepted=False, note="未说明整改时限")
    assert refused.accepted is False
    assert log(row, "update").last().after == {"accepted": False, "decision_note": "未说明整改时限"}
    again = do_answer_letter(refused, actor=small.users["league_a"], response="6月30日前完成整改")
    accepted = do_decide_response(again, actor=small.users["group_a"], accepted=True, note="同意")
    assert accepted.accepted is True
    with pytest.raises(ValidationError, match="accepted"):
        do_answer_letter(accepted, actor=small.users["league_a"], response="改口")
    with pytest.raises(ValidationError, match="stays with its letter"):
        do_update_object(accepted, actor=small.users["office"], changes={"unit": small.units["fgw"]})


def test_the_office_decides_on_its_own_letters(small):
    letter = issue(small, "office", ["150100"], group=None)
    row = do_answer_letter(recipient(letter, "150100"), actor=small.users["league_a"], response="已整改")
    with pytest.raises(ValidationError, match="office decides"):
        do_decide_response(row, actor=small.users["group_a"], accepted=True)
    assert do_decide_response(row, actor=small.users["office"], accepted=True).accepted is True


def test_overdue_responses(small):
    as_of = ISSUED + dt.timedelta(days=11)  # the day after the response was due
    letter = issue(small, "group_a", ["150100", "fgw"])
    do_answer_letter(recipient(letter, "fgw"), actor=small.users["dept_a"], response="已整改", responded_on=ISSUED)
    issue(small, "group_a", ["150100"], respond_by=None)  # no deadline: never overdue
    overdue = LetterRecipient.objects.filter(response_overdue_q(as_of))
    assert list(overdue.values_list("unit__code", flat=True)) == ["150100"]
    assert not LetterRecipient.objects.filter(response_overdue_q(as_of - dt.timedelta(days=1))).exists()
