"""The add-problem form finds the project as one types (htmx asks the project lookup,
which answers only within the user's scope), and every ledger form marks its required
fields."""

import html
import json
import re

import pytest
from django.urls import reverse

from ducha.core.actions import do_bulk_create_objects
from ducha.core.registry import ledgers
from ducha.ledger.models import Project
from ducha.testing import zh
from ducha.web.tests.helpers import assert_no_inline_code, page, text


def suggestions(client, text_typed: str, **params) -> list[str]:
    """The project numbers the lookup suggests."""
    response = client.get(reverse("projects-lookup"), {"project": text_typed, **params})
    assert response.status_code == 200
    assert_no_inline_code(page(response))
    return re.findall(r"<strong>(.*?)</strong>", page(response))


def fills(response) -> list[dict]:
    return [json.loads(html.unescape(v)) for v in re.findall(r'data-fill="([^"]*)"', page(response))]


def test_the_project_field_asks_the_lookup_as_one_types(site, login):
    response = login("league_a").get(reverse("problems-add"))

    source = page(response)
    assert_no_inline_code(source)
    field = re.search(r'<input [^>]*name="project"[^>]*>', source).group(0)
    assert f'hx-get="{reverse("projects-lookup")}"' in field
    assert 'hx-target="#id_project-suggestions"' in field and "hx-include=" in field
    assert 'hx-trigger="input changed delay:250ms"' in field and 'autocomplete="off"' in field
    assert 'id="id_project-suggestions"' in source
    assert re.search(r'<script src="/static/web/lookup\.js"', source)


def test_by_number_prefix_or_name_within_the_chosen_unit(site, login):
    client = login("group_a")  # 呼和浩特市 with its counties, and 发改委
    hohhot = site.units["150100"].pk

    assert suggestions(client, "P-h") == ["P-hohhot"]
    assert suggestions(client, "hohhot") == ["P-hohhot"]  # the name 项目 hohhot contains it
    assert suggestions(client, "项目") == ["P-fgw", "P-hohhot", "P-xincheng"]
    assert suggestions(client, "项目", unit=hohhot) == ["P-hohhot", "P-xincheng"]
    assert suggestions(client, "项目", unit=hohhot, county=site.units["150102"].pk) == ["P-xincheng"]
    assert suggestions(client, "") == []


def test_nothing_outside_the_users_scope(site, login):
    baotou = site.units["150200"].pk

    assert suggestions(login("league_a"), "P-baotou") == []  # 包头市's project, for 呼和浩特市's reporter
    assert suggestions(login("league_a"), "P-", unit=baotou) == []
    assert suggestions(login("county_a"), "项目") == ["P-xincheng"]
    assert suggestions(login("dept_a"), "P-") == ["P-fgw"]
    assert suggestions(login("norole"), "P-") == []
    assert suggestions(login("league_b"), "P-baotou") == ["P-baotou"]
    response = login("league_a").get(reverse("projects-lookup"), {"project": "P-baotou"})
    assert "包头" not in text(response) and zh("No matching project.") in text(response)


def test_at_most_ten(site, login):
    template = Project.objects.get(pk=site.projects["hohhot"].pk)
    extra = [
        Project(
            campaign=site.campaign,
            unit=template.unit,
            domain=template.domain,
            number=f"P-批量-{n:02}",
            name=f"批量项目 {n}",
            tenderer="某某局",
        )
        for n in range(12)
    ]
    do_bulk_create_objects(extra, actor=site.system)

    assert suggestions(login("league_a"), "P-批量") == [f"P-批量-{n:02}" for n in range(10)]


def test_choosing_fills_the_number_unit_county_and_domain(site, login):
    project = site.projects["xincheng"]

    response = login("league_a").get(reverse("projects-lookup"), {"project": "P-x"})

    assert fills(response) == [
        {
            "project": "P-xincheng",
            "unit": str(project.unit_id),
            "county": str(project.county_id),
            "domain": str(project.domain_id),
        }
    ]
    assert "新城区" in text(response) and "项目 xincheng" in text(response)


def test_a_chosen_project_saves_the_problem(site, login):
    """What a suggestion fills in is what the form takes: the project's number."""
    client = login("league_a")
    [fill] = fills(client.get(reverse("projects-lookup"), {"project": "P-hohhot"}))
    data = {**fill, "number": "Q-查找-1", "description": "评审专家打分畸高", "discovery_method": "supervision",
            "found_on": "2024-06-05", "deadline": "2024-08-31"}  # fmt: skip

    response = client.post(reverse("problems-add"), data)

    assert response.status_code == 302
    assert Project.objects.get(number="P-hohhot").problems.filter(number="Q-查找-1").exists()


# ---------------------------------------------------------------------------
# Required fields, marked on every ledger form.


def labels(response) -> dict[str, bool]:
    """Field name → whether its label (a group of checkboxes: its legend, not its
    options' labels) carries the required mark."""
    found = {}
    for name, inner in re.findall(r'<legend id="id_([^"]+)-legend">(.*?)</legend>', page(response), re.S):
        found[name] = 'class="required"' in inner
    for for_id, inner in re.findall(r'<label for="id_([^"]+)">(.*?)</label>', page(response), re.S):
        if re.sub(r"_\d+$", "", for_id) not in found:
            found[for_id] = 'class="required"' in inner
    return found


# Who adds a record where the office does not: a weekly report is submitted by its unit or group.
ADDED_BY = {"unit-weekly-reports": "league_a", "group-weekly-reports": "group_a"}


@pytest.mark.parametrize("ledger", [ledger.key for ledger in ledgers()])
def test_required_fields_are_marked(site, login, ledger):
    response = login(ADDED_BY.get(ledger, "office")).get(reverse(f"{ledger}-add"))

    form = response.context["form"]
    marked = labels(response)
    assert marked == {name: field.required for name, field in form.fields.items()}
    assert any(marked.values()) and "*" in text(response)


def test_the_project_form_requires_the_domain(site, login):
    response = login("office").get(reverse("projects-add"))

    assert labels(response)["domain"] and labels(response)["number"] and not labels(response)["remarks"]
