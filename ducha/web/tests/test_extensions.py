"""Deadline extensions (延期) on the problem page: the unit (or the office) asks for a
later deadline with a reason, the unit's group (or the office) grants or refuses it
(a refusal says why); every request and decision is listed on the page. Whatever a
role may not do is refused even when posted by hand (403 in scope, 404 outside) and
changes nothing. The unit's edit form no longer offers the deadline, and a problem
past the unit's hands is not the unit's to edit."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import formats, translation

from ducha.core.models import ChangeLogEntry
from ducha.ledger.models import DeadlineExtension, Problem
from ducha.web.tests.conftest import ROLES, VISIBLE
from ducha.web.tests.helpers import assert_no_inline_code, by_testid, form_fields, has_testid, page, text
from ducha.web.tests.test_workflow import put, zh

REQUESTERS = {"office", "league_a"}  # who may ask, for 呼和浩特市's problem
DECIDERS = {"office", "group_a"}


def detail_url(problem) -> str:
    return reverse("problems-detail", args=[problem.pk])


def request_url(problem) -> str:
    return reverse("problems-extension-request", args=[problem.pk])


def decide_url(extension) -> str:
    return reverse("problems-extension-decide", args=[extension.problem_id, extension.pk])


def ask(client, problem, new_deadline="2024-08-15", reason="设备供货周期长，需延期", **extra):
    return client.post(request_url(problem), {"new_deadline": new_deadline, "reason": reason}, **extra)


def state(problem) -> tuple:
    problem = Problem.objects.get(pk=problem.pk)
    extensions = list(problem.extensions.values_list("status", "new_deadline", "decision_note"))
    return problem.deadline, extensions, ChangeLogEntry.objects.count()


def extension_rows(response) -> list[str]:
    section = re.search(r'<section class="card extensions".*?</section>', page(response), re.S)
    assert section, "no extension section on the page"
    return [text(row) for row in re.findall(r'<li data-testid="extension-[a-z]+">(.*?)</li>', section.group(0), re.S)]


def days(value: dt.date) -> set[str]:
    """The ways a page may show a date: 2024-08-15, or 2024年8月15日."""
    with translation.override("zh-hans"):
        return {value.isoformat(), formats.date_format(value)}


# ---------------------------------------------------------------------------
# Who sees which form.


@pytest.mark.parametrize("role", ROLES)
def test_the_request_form_is_offered_to_the_unit_and_the_office(site, login, role):
    problem = site.problems["hohhot"]

    response = login(role).get(detail_url(problem))

    if "hohhot" not in VISIBLE[role]:
        assert response.status_code == 404
        return
    assert has_testid(response, "request-extension") == (role in REQUESTERS)
    assert not has_testid(response, "decide-extension")  # nothing pending
    assert zh("No extension requested.") in text(response)
    assert_no_inline_code(page(response))


def test_the_request_form_asks_for_a_date_and_a_reason_both_required(site, login):
    response = login("league_a").get(detail_url(site.problems["hohhot"]))

    form = re.search(r'<form [^>]*data-testid="request-extension-form".*?</form>', page(response), re.S).group(0)
    assert re.search(r'<input type="date" name="new_deadline"[^>]*required', form)
    assert re.search(r'<textarea name="reason"[^>]*required', form)
    assert form.count('<span class="required"') == 2
    assert 'hx-target="main"' in form


@pytest.mark.parametrize("status", ["rectified", "signed_off", "dismissed"])
def test_no_request_form_on_a_problem_no_longer_open(site, login, status):
    problem = put(site, "hohhot", status)
    assert not has_testid(login("league_a").get(detail_url(problem)), "request-extension")


# ---------------------------------------------------------------------------
# Asking, granting, refusing.


def test_a_unit_asks_and_its_group_grants(site, login):
    problem = site.problems["hohhot"]
    unit, group = login("league_a"), login("group_a")

    asked = ask(unit, problem)

    assert asked.status_code == 302 and asked["Location"] == detail_url(problem)
    page_after = unit.get(asked["Location"])
    assert zh("Done.") in text(page_after)
    [row] = extension_rows(page_after)
    assert "league_a" in row and "设备供货周期长，需延期" in row and zh("Requested") in row
    assert "2024-07-01 → 2024-08-15" in row
    assert not has_testid(page_after, "request-extension")  # one pending request at a time
    assert not has_testid(page_after, "decide-extension")  # not the unit's to decide
    assert Problem.objects.get(pk=problem.pk).deadline == dt.date(2024, 7, 1)  # not before it is granted

    extension = DeadlineExtension.objects.get(problem=problem)
    seen_by_group = group.get(detail_url(problem))
    assert has_testid(seen_by_group, "grant-extension") and has_testid(seen_by_group, "refuse-extension")
    granted = group.post(decide_url(extension), {"decision": "grant", "decision_note": "同意"})

    assert granted.status_code == 302
    final = group.get(detail_url(problem))
    assert Problem.objects.get(pk=problem.pk).deadline == dt.date(2024, 8, 15)
    assert by_testid(final, "deadline") == "2024-08-15"
    fields = dict(re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", page(final), re.S))
    assert text(fields[zh("deadline")]) in days(dt.date(2024, 8, 15))
    [row] = extension_rows(final)
    assert zh("Granted") in row and "group_a" in row and "同意" in row
    assert not has_testid(final, "decide-extension")
    assert has_testid(unit.get(detail_url(problem)), "request-extension")  # may ask again
    history = text(re.search(r'<table class="grid history">(.*?)</table>', page(final), re.S).group(1))
    assert "2024-08-15" in history


def test_a_refusal_needs_a_note_and_leaves_the_deadline(site, login):
    problem = site.problems["fgw"]
    ask(login("dept_a"), problem)
    extension = DeadlineExtension.objects.get(problem=problem)
    group = login("group_a")
    before = state(problem)

    without = group.post(decide_url(extension), {"decision": "refuse", "decision_note": " "}, HTTP_HX_REQUEST="true")

    assert without.status_code == 200
    assert by_testid(without, "error-decision_note") == zh("Say why the extension is refused.")
    assert state(problem) == before

    refused = group.post(decide_url(extension), {"decision": "refuse", "decision_note": "理由不充分"})
    assert refused.status_code == 302
    problem.refresh_from_db()
    assert problem.deadline == dt.date(2024, 7, 1)
    [row] = extension_rows(group.get(detail_url(problem)))
    assert zh("Refused") in row and "理由不充分" in row and "2024-07-01 → 2024-08-15" in row


def test_an_htmx_request_returns_the_whole_page_with_the_request_listed(site, login):
    problem = site.problems["hohhot"]

    response = ask(login("league_a"), problem, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert "<main>" in page(response)  # the forms' hx-select takes the main region
    assert len(extension_rows(response)) == 1
    assert zh("Done.") in text(response)


def test_a_deadline_not_after_the_current_one_is_refused_at_its_field(site, login):
    problem = site.problems["hohhot"]
    before = state(problem)

    response = ask(login("league_a"), problem, new_deadline="2024-06-20")

    assert response.status_code == 200
    assert by_testid(response, "error-new_deadline") == zh("The new deadline must lie after the current one.")
    assert 'value="2024-06-20"' in page(response) and "设备供货周期长" in page(response)  # kept for correcting
    assert state(problem) == before


@pytest.mark.parametrize("data", [{"new_deadline": "", "reason": "x"}, {"new_deadline": "2024-08-01", "reason": " "}])
def test_date_and_reason_are_required(site, login, data):
    problem = site.problems["hohhot"]
    before = state(problem)

    response = login("league_a").post(request_url(problem), data)

    field = "new_deadline" if not data["new_deadline"] else "reason"
    assert by_testid(response, f"error-{field}") == zh("This field is required.")
    assert state(problem) == before


def test_a_second_request_waits_for_the_first(site, login):
    problem = site.problems["hohhot"]
    client = login("league_a")
    ask(client, problem)
    before = state(problem)

    response = ask(client, problem, new_deadline="2024-09-01")

    alert = re.search(r'<p class="error" role="alert">(.*?)</p>', page(response), re.S)
    assert alert and zh("An extension request is already waiting for a decision.") in text(alert.group(1))
    assert state(problem) == before


def test_a_problem_no_longer_open_gets_no_extension(site, login):
    problem = put(site, "hohhot", "rectified")
    before = state(problem)

    response = ask(login("league_a"), problem)

    assert response.status_code == 200
    assert zh("Only an open problem can have its deadline extended.") in text(response)
    assert state(problem) == before


def test_a_decided_request_is_not_decided_again(site, login):
    problem = site.problems["hohhot"]
    ask(login("league_a"), problem)
    extension = DeadlineExtension.objects.get(problem=problem)
    group = login("group_a")
    group.post(decide_url(extension), {"decision": "grant"})
    before = state(problem)

    response = group.post(decide_url(extension), {"decision": "refuse", "decision_note": "改主意了"})

    assert response.status_code == 200
    assert zh("This extension request has been decided already.") in text(response)
    assert state(problem) == before


# ---------------------------------------------------------------------------
# Refused when posted by hand: 403 in scope, 404 outside; nothing changes.


@pytest.mark.parametrize("role", ROLES)
def test_only_the_unit_and_the_office_may_ask(site, login, role):
    problem = site.problems["hohhot"]
    before = state(problem)

    response = ask(login(role), problem)

    if "hohhot" not in VISIBLE[role]:
        assert response.status_code == 404
    elif role in REQUESTERS:
        assert response.status_code == 302
        assert DeadlineExtension.objects.filter(problem=problem, requested_by__username=role).count() == 1
        return
    else:
        assert response.status_code == 403
    assert state(problem) == before


@pytest.mark.parametrize("role", ROLES)
def test_only_the_group_and_the_office_may_decide(site, login, role):
    problem = site.problems["hohhot"]
    ask(login("league_a"), problem)
    extension = DeadlineExtension.objects.get(problem=problem)
    before = state(problem)

    response = login(role).post(decide_url(extension), {"decision": "grant"})

    if "hohhot" not in VISIBLE[role]:
        assert response.status_code == 404
    elif role in DECIDERS:
        assert response.status_code == 302
        assert Problem.objects.get(pk=problem.pk).deadline == dt.date(2024, 8, 15)
        return
    else:
        assert response.status_code == 403
    assert state(problem) == before


def test_an_extension_is_decided_only_under_its_own_problem(site, login):
    ask(login("league_a"), site.problems["hohhot"])
    extension = DeadlineExtension.objects.get(problem=site.problems["hohhot"])
    other = reverse("problems-extension-decide", args=[site.problems["fgw"].pk, extension.pk])

    assert login("group_a").post(other, {"decision": "grant"}).status_code == 404
    assert DeadlineExtension.objects.get(pk=extension.pk).status == "requested"


def test_a_get_changes_nothing(site, login):
    problem = site.problems["hohhot"]
    response = login("league_a").get(request_url(problem), {"new_deadline": "2024-08-15", "reason": "x"})
    assert response.status_code == 302 and response["Location"] == detail_url(problem)
    assert not DeadlineExtension.objects.exists()


# ---------------------------------------------------------------------------
# The unit's edit form: no deadline; a problem past the unit's hands is not its to edit.


def edit_url(problem) -> str:
    return reverse("problems-edit", args=[problem.pk])


def test_the_units_edit_form_has_no_deadline(site, login):
    problem = site.problems["hohhot"]

    unit_form = page(login("league_a").get(edit_url(problem)))
    office_form = page(login("office").get(edit_url(problem)))

    assert 'name="deadline"' not in unit_form and 'name="measures"' in unit_form
    assert 'name="deadline"' in office_form


def test_a_deadline_posted_by_the_unit_is_ignored(site, login):
    problem = site.problems["hohhot"]
    client = login("league_a")

    data = {**form_fields(client.get(edit_url(problem))), "deadline": "2099-12-31", "responsible": "张三"}
    response = client.post(edit_url(problem), data)

    assert response.status_code == 302
    problem.refresh_from_db()
    assert (problem.deadline, problem.responsible) == (dt.date(2024, 7, 1), "张三")


@pytest.mark.parametrize("status", ["rectified", "signed_off", "dismissed"])
def test_the_unit_no_longer_edits_a_problem_past_its_hands(site, login, status):
    problem = put(site, "hohhot", status)
    client = login("league_a")
    message = zh("A rectified, signed-off or dismissed problem can no longer be edited by the unit.")

    detail = client.get(detail_url(problem))
    form = client.get(edit_url(problem))
    posted = client.post(edit_url(problem), {"responsible": "张三"})

    assert edit_url(problem) not in page(detail)  # no edit link
    for response in (form, posted):
        assert response.status_code == 403
        assert by_testid(response, "refusal") == message
    assert Problem.objects.get(pk=problem.pk).responsible == ""
    assert edit_url(problem) in page(login("group_a").get(detail_url(problem)))  # the group still may


@pytest.mark.parametrize("status", ["found", "rectifying"])
def test_the_unit_edits_an_open_problem(site, login, status):
    problem = put(site, "hohhot", status)
    response = login("league_a").get(edit_url(problem))
    assert response.status_code == 200
    assert edit_url(problem) in page(login("league_a").get(detail_url(problem)))
