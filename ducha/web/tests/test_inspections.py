"""Inspections recorded from the project page: the kinds a role may record now
(self-inspection: the unit; sampling: the unit or its group; verification: the group;
the office all; each once), with date, result, inspector and findings; the inspections
listed with their result; the project's flags and the dashboards' figures follow.
Anything else is refused even when posted by hand (403 in scope, 404 outside) and
changes nothing."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from ducha.core.models import ChangeLogEntry
from ducha.ledger.models import Inspection, Project
from ducha.web.tests.conftest import ROLES, VISIBLE
from ducha.web.tests.helpers import assert_no_inline_code, by_testid, has_testid, page, select_options, text
from ducha.web.tests.test_workflow import zh

# What each role may record on 呼和浩特市's project, which is self-inspected already.
KINDS = {"office": ["sample", "verify"], "group_a": ["sample", "verify"], "league_a": ["sample"]}


def detail_url(project) -> str:
    return reverse("projects-detail", args=[project.pk])


def record_url(project) -> str:
    return reverse("projects-inspection", args=[project.pk])


def record(client, project, kind="sample", extra=None, **data):
    defaults = {
        "inspected_on": "2024-06-12",
        "result": "problems",
        "inspector": "李四",
        "findings": "评标专家抽取不规范",
    }
    return client.post(record_url(project), {"kind": kind, **defaults, **data}, **(extra or {}))


def state(project) -> tuple:
    project = Project.objects.get(pk=project.pk)
    kinds = sorted(project.inspections.values_list("kind", flat=True))
    return kinds, project.self_inspected, project.sampled, project.verified, ChangeLogEntry.objects.count()


def shown_fields(response) -> dict[str, str]:
    return {text(k): text(v) for k, v in re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", page(response), re.S)}


def inspection_row(response, kind: str) -> str:
    match = re.search(rf'<tr data-testid="inspection-{kind}">(.*?)</tr>', page(response), re.S)
    assert match, f"no {kind} inspection listed"
    return text(match.group(1))


def office_sampled(client) -> int:
    match = re.search(r'\?sampled=true"><span>[^<]*</span><strong>(\d+)</strong>', page(client.get("/")))
    assert match, "no sampled figure on the dashboard"
    return int(match.group(1))


@pytest.mark.parametrize("role", ROLES)
def test_the_form_offers_the_kinds_the_role_may_record_now(site, login, role):
    project = site.projects["hohhot"]

    response = login(role).get(detail_url(project))

    if "hohhot" not in VISIBLE[role]:
        assert response.status_code == 404
        return
    assert_no_inline_code(page(response))
    assert inspection_row(response, "self").startswith(zh("Self-inspection"))
    if role in KINDS:
        assert select_options(response, "kind") == KINDS[role]
        form = re.search(r'<form [^>]*data-testid="inspection-form".*?</form>', page(response), re.S).group(0)
        assert re.search(r'<input type="date" name="inspected_on"[^>]*required', form)
        assert select_options(response, "result") == ["clean", "problems"]
        assert 'hx-target="main"' in form
    else:
        assert not has_testid(response, "inspection-form")


def test_a_unit_samples_its_project_and_the_figures_follow(site, login):
    project = site.projects["hohhot"]
    unit, office = login("league_a"), login("office")
    sampled_before = office_sampled(office)
    assert shown_fields(unit.get(detail_url(project)))[zh("sampled")] == zh("no")

    response = record(unit, project)

    assert response.status_code == 302 and response["Location"] == detail_url(project)
    after = unit.get(response["Location"])
    assert zh("Done.") in text(after)
    row = inspection_row(after, "sample")
    assert zh("Sampling") in row and "2024-06-12" in row and "李四" in row and "评标专家抽取不规范" in row
    assert zh("Problems were found") in row
    fields = shown_fields(after)
    assert (fields[zh("self-inspected")], fields[zh("sampled")], fields[zh("verified")]) == (
        zh("yes"),
        zh("yes"),
        zh("no"),
    )
    assert not has_testid(after, "inspection-form")  # nothing left for the unit
    assert state(project)[:4] == (["sample", "self"], True, True, False)
    inspection = Inspection.objects.get(project=project, kind="sample")
    assert (inspection.inspected_on, inspection.result) == (dt.date(2024, 6, 12), "problems")
    assert office_sampled(office) == sampled_before + 1  # the cached statistics follow the change log


def test_the_group_verifies_and_the_page_comes_back_whole_through_htmx(site, login):
    project = site.projects["fgw"]

    response = record(login("group_a"), project, kind="verify", result="clean", extra={"HTTP_HX_REQUEST": "true"})

    assert response.status_code == 200
    assert "<main>" in page(response)
    assert zh("No problem found") in inspection_row(response, "verify")
    assert shown_fields(response)[zh("verified")] == zh("yes")
    assert select_options(response, "kind") == ["sample"]  # verification is done
    assert state(project)[:4] == (["self", "verify"], True, False, True)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"inspected_on": ""}, "inspected_on"),
        ({"result": ""}, "result"),
    ],
)
def test_date_and_result_are_required(site, login, data, field):
    project = site.projects["hohhot"]
    before = state(project)

    response = record(login("league_a"), project, **data)

    assert response.status_code == 200
    assert by_testid(response, f"error-{field}") == zh("This field is required.")
    assert 'class="field invalid"' in page(response)
    assert state(project) == before


@pytest.mark.parametrize("when", ["before the campaign", "tomorrow"])
def test_a_date_outside_the_campaign_is_refused_at_its_field(site, login, when):
    project = site.projects["hohhot"]
    if when == "tomorrow":
        when = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    else:
        when = (site.campaign.starts_on - dt.timedelta(days=1)).isoformat()
    before = state(project)

    response = record(login("league_a"), project, inspected_on=when)

    assert response.status_code == 200
    assert when in by_testid(response, "error-inspected_on")
    assert 'value="李四"' in page(response)  # what was typed stays
    assert state(project) == before


def test_an_inspection_is_recorded_once(site, login):
    project = site.projects["hohhot"]
    client = login("league_a")
    record(client, project)
    before = state(project)

    response = record(client, project, result="clean")

    assert response.status_code == 200
    alert = re.search(r'<p class="error" role="alert">(.*?)</p>', page(response), re.S)
    assert alert and zh("This inspection has been recorded already.") in text(alert.group(1))
    assert state(project) == before


@pytest.mark.parametrize("kind", ["self", "sample", "verify"])
@pytest.mark.parametrize("role", ROLES)
def test_only_the_roles_allowed_record_a_kind(site, login, role, kind):
    project = site.projects["xincheng"]  # self-inspected already, like every project of the small campaign
    before = state(project)

    response = record(login(role), project, kind=kind)

    may = {"self": {"office", "league_a", "county_a"}, "sample": {"office", "league_a", "county_a", "group_a"},
           "verify": {"office", "group_a"}}[kind]  # fmt: skip
    if "xincheng" not in VISIBLE[role]:
        assert response.status_code == 404
    elif role not in may:
        assert response.status_code == 403
    elif kind == "self":
        assert response.status_code == 200  # recorded already
        assert zh("This inspection has been recorded already.") in text(response)
    else:
        assert response.status_code == 302
        assert kind in state(project)[0]
        return
    assert state(project) == before


def test_an_unknown_kind_is_refused_at_its_field(site, login):
    project = site.projects["hohhot"]
    before = state(project)

    response = record(login("office"), project, kind="bogus")

    assert response.status_code == 200
    assert has_testid(response, "error-kind")
    assert state(project) == before


def test_a_get_changes_nothing(site, login):
    project = site.projects["hohhot"]
    before = state(project)
    response = login("league_a").get(record_url(project), {"kind": "sample", "inspected_on": "2024-06-12"})
    assert response.status_code == 302 and response["Location"] == detail_url(project)
    assert state(project) == before
