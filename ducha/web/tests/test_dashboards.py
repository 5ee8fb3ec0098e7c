"""The header (who, which role, which scope), the navigation, and the three dashboards.
Every figure on a dashboard links to the list behind it: following the link must give a
list with exactly that many records."""

import json
import re

import pytest
from django.urls import reverse
from django.utils import translation

from ducha.core.registry import ledgers
from ducha.org.models import Role
from ducha.web.tests.conftest import ROLES, add_variety
from ducha.web.tests.helpers import by_testid, links, page, read_xlsx, shown_count, text


@pytest.fixture(scope="module")
def variety_once(site_once, django_db_blocker):
    with django_db_blocker.unblock():
        return add_variety(site_once)


@pytest.fixture
def variety(variety_once, site):
    return site


def zh(message) -> str:
    with translation.override("zh-hans"):
        return str(translation.gettext(message) if isinstance(message, str) else message)


# ---------------------------------------------------------------------------
# Header and navigation.

SCOPE = {
    "office": lambda role: zh("whole region"),
    "viewer": lambda role: zh("whole region, read only"),
    "group_a": lambda role: "A组",
    "group_b": lambda role: "B组",
    "league_a": lambda role: "呼和浩特市",
    "county_a": lambda role: "新城区",
    "dept_a": lambda role: role.unit.name,
    "league_b": lambda role: "包头市",
    "norole": lambda role: zh("no role"),
}


@pytest.mark.parametrize("name", ROLES)
def test_the_header_shows_the_user_the_role_and_the_scope(site, login, name):
    response = login(name).get(reverse("home"))

    who = by_testid(response, "who")
    role = Role.objects.filter(user=site.users[name]).first()
    parts = [p.strip() for p in who.split("·")]
    kind = zh(role.get_kind_display()) if role else ""
    assert parts == [name, kind, SCOPE[name](role)]


@pytest.mark.parametrize("name", ROLES)
def test_the_navigation_offers_what_the_role_may_open(site, login, name):
    response = login(name).get(reverse("home"))

    nav = re.search(r'<nav class="main">(.*?)</nav>', page(response), re.S)
    if name == "norole":
        assert nav is None
        return
    expected = [reverse("home")] + [reverse(f"{ledger.key}-list") for ledger in ledgers()]
    assert [href for href, _text in links(nav.group(1))] == expected  # test_matrix opens each of them


def test_the_current_page_is_marked_in_the_navigation(site, login):
    response = login("office").get(reverse("trainings-list"))
    assert f'<a href="{reverse("trainings-list")}" class="current">' in page(response)


# ---------------------------------------------------------------------------
# Figures link to their lists.

CARD = re.compile(r'<a class="figure[^"]*" href="([^"]*)"><span>(.*?)</span><strong[^>]*>(\d+)</strong></a>', re.S)


def cards(response) -> list[tuple[str, str, int]]:
    return [(h.replace("&amp;", "&"), text(label), int(n)) for h, label, n in CARD.findall(page(response))]


def table_links(response, testid_name: str, row_marker: str | None = None) -> list[tuple[str, int]]:
    table = re.search(rf'<table class="grid" data-testid="{testid_name}">(.*?)</table>', page(response), re.S)
    body = table.group(1)
    if row_marker:
        body = next(r for r in body.split("<tr") if row_marker in r)
    return [(h, int(t)) for h, t in links(body) if t.isdigit()]


def assert_list_count(client, href: str, figure: int) -> None:
    response = client.get(href)
    assert response.status_code == 200, href
    if href.startswith(reverse("trainings-list")) and "?" not in href:
        # "Training attendees" sums the attendees of the trainings listed
        _header, *rows = read_xlsx(client.get(href + "?export=xlsx"))
        assert sum(r[-1] for r in rows) == figure, href
    else:
        assert shown_count(response) == figure, href


def test_office_figures_lead_to_lists_of_that_many(variety, login):
    client = login("office")
    response = client.get(reverse("home"))
    total = response.context["figures"]["total"]
    assert (total["problems"], total["projects"], total["projects_self_inspected"]) == (10, 6, 5)

    figures = [(h, n) for h, _label, n in cards(response)]
    figures += table_links(response, "by-group", 'data-group="B"')
    figures += table_links(response, "by-domain", "政府采购")
    assert len(figures) == 12 + 11 + 5
    assert any(n > 0 for _h, n in figures[12:])
    for href, figure in figures:
        assert_list_count(client, href, figure)


def test_office_chart_links_lead_to_their_lists(variety, login):
    client = login("office")
    response = client.get(reverse("home"))
    chart = json.loads(
        re.search(r'id="chart-category" type="application/json">(.*?)</script>', page(response)).group(1)
    )

    assert set(chart["links"]) and len(chart["links"]) == len(chart["values"]) == 4  # A, B, C, S
    for href, value in zip(chart["links"], chart["values"], strict=True):
        assert_list_count(client, href, value)
    clearance = json.loads(re.search(r'id="chart-clearance" type="application/json">(.*?)</script>', page(response))[1])
    assert len(clearance["labels"]) == len(clearance["links"]) == 4  # the four units with records


def test_group_dashboard_lists_lagging_units_worst_first(variety, login):
    client = login("group_b")
    response = client.get(reverse("home"))

    assert response.templates[0].name == "web/dashboard_group.html"
    rows = re.search(r'data-testid="lagging">.*?<tbody>(.*?)</tbody>', page(response), re.S).group(1)
    lagging = [[text(c) for c in re.findall(r"<td>(.*?)</td>", r, re.S)] for r in re.findall(r"<tr>(.*?)</tr>", rows)]
    # unit, overdue, open, problems, clearance rate
    assert lagging == [["包头市", "2", "2", "3", "0%"], ["自治区财政厅", "1", "1", "2", "50%"]]
    for (href, unit), row in zip(links(rows), lagging, strict=True):
        assert unit == row[0]
        assert_list_count(client, href, int(row[2]))  # the link opens the unit's open problems
    for href, _label, figure in cards(response):
        assert_list_count(client, href, figure)


def test_group_dashboard_counts_only_the_groups_units(variety, login):
    response = login("group_a").get(reverse("home"))
    total = response.context["figures"]["total"]
    assert (total["problems"], total["problems_open"], total["problems_rectified"]) == (5, 4, 1)
    assert "Q-baotou" not in page(response) and "Q-donghe" not in page(response)


@pytest.mark.parametrize(
    ("name", "open_", "overdue", "awaiting", "todo"),
    [
        ("league_a", 3, 2, 0, ["Q-hohhot", "Q-xincheng", "Q-bidrig"]),
        ("county_a", 1, 1, 0, ["Q-xincheng"]),
        ("dept_a", 1, 1, 1, ["Q-fgw"]),
        ("league_b", 2, 2, 0, ["Q-donghe", "Q-baotou"]),
    ],
)
def test_unit_dashboard_shows_open_and_overdue_problems_and_the_next_step(
    variety, login, name, open_, overdue, awaiting, todo
):
    client = login(name)
    response = client.get(reverse("home"))

    assert response.templates[0].name == "web/dashboard_unit.html"
    assert (response.context["open_count"], response.context["overdue_count"]) == (open_, overdue)
    assert response.context["awaiting_sign_off"] == awaiting
    table = re.search(r'data-testid="todo">.*?<tbody>(.*?)</tbody>', page(response), re.S).group(1)
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)
    assert [text(re.search(r"<td>(.*?)</td>", r).group(1)) for r in rows] == todo  # by deadline
    for row in rows:
        number = text(re.search(r"<td>(.*?)</td>", row).group(1))
        problem = variety.problems[number.removeprefix("Q-")]
        step = {"found": "Start rectification and record the measures.",
                "rectifying": "Upload the rectification evidence and report it rectified."}[problem.status]  # fmt: skip
        assert zh(step) in text(row)
        assert ('class="badge overdue"' in row) == (problem.deadline.year < 2099)
    for href, _label, figure in cards(response):
        assert_list_count(client, href, figure)


def test_a_unit_with_nothing_open_is_told_so(site, login):
    from django.utils import timezone

    from ducha.ledger.actions import do_bulk_transition_problems

    do_bulk_transition_problems(
        [(site.problems["fgw"], "rectified", timezone.now(), site.problems["fgw"].found_on)], actor=site.system
    )
    response = login("dept_a").get(reverse("home"))

    assert response.context["open_count"] == 0
    assert zh("No open problems: the ledger is cleared.") in text(response)


def test_the_user_without_a_role_sees_no_data(variety, login):
    response = login("norole").get(reverse("home"))

    assert response.status_code == 200
    assert response.templates[0].name == "web/no_role.html"
    assert "figures" not in response.context
    assert zh("No role has been assigned to your account yet. Ask the campaign office to assign one.") in text(response)
    assert not re.search(r"Q-\w+", text(response))


def test_no_campaign_page(site, login):
    from ducha.org.models import Campaign

    Campaign.objects.update(is_active=False)
    response = login("office").get(reverse("home"))

    assert response.status_code == 200
    assert response.templates[0].name == "web/no_campaign.html"
