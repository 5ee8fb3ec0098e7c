"""The header (who, which role, which scope), the navigation, and the three dashboards.
Every figure on a dashboard links to the list behind it: following the link must give a
list with exactly that many records."""

import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from ducha.core.registry import ledgers
from ducha.org.models import Role
from ducha.testing import zh
from ducha.web.tests.conftest import ROLES, add_variety
from ducha.web.tests.helpers import by_testid, has_testid, links, page, read_xlsx, shown_count, text


@pytest.fixture(scope="module")
def variety_once(site_once, django_db_blocker):
    with django_db_blocker.unblock():
        return add_variety(site_once)


@pytest.fixture
def variety(variety_once, site):
    return site


# ---------------------------------------------------------------------------
# Header and navigation.

# The scope follows the role only where it adds something: a group's or a unit's name
# ("whole region" says nothing the office's or the viewer's role does not).
SCOPE = {
    "office": None,
    "viewer": None,
    "group_a": "A组",
    "group_b": "B组",
    "league_a": "呼和浩特市",
    "county_a": "新城区",
    "dept_a": "自治区发展和改革委员会",
    "league_b": "包头市",
    "norole": None,
}


def who(response) -> list[str]:
    return [p.strip() for p in by_testid(response, "who").split("·")]


@pytest.mark.parametrize("name", ROLES)
def test_the_header_shows_the_user_the_role_and_the_scope(site, login, name):
    response = login(name).get(reverse("home"))

    role = Role.objects.filter(user=site.users[name]).first()
    kind = zh(role.get_kind_display()) if role else zh("no role")
    expected = [name, kind, SCOPE[name]] if SCOPE[name] else [name, kind]
    assert who(response) == expected
    assert len(set(who(response))) == len(who(response))


@pytest.mark.parametrize(
    ("name", "full_name", "expected"),
    [
        # The demo names its accounts after the office, the group, the unit: said once.
        ("office", "专项整治工作组办公室", ["专项整治工作组办公室"]),
        ("viewer", "查阅人员", ["查阅人员"]),
        ("group_a", "A组", ["A组", "督导检查组成员"]),
        ("league_a", "呼和浩特市", ["呼和浩特市", "单位填报人员"]),
        ("county_a", "张三", ["张三", "单位填报人员", "新城区"]),
    ],
)
def test_the_header_never_says_the_same_words_twice(site, login, name, full_name, expected):
    user = site.users[name]
    user.first_name = full_name
    user.save(update_fields=["first_name"])  # an account, not a ledger record: no action needed

    assert who(login(name).get(reverse("home"))) == expected


# The ledgers each kind of role can see a record of (a county's reporter: only those whose
# records name a county; a unit's: none of a group's own records).
UNIT_LEDGERS = ("problems", "projects", "clue-transfers", "filed-cases", "exposed-cases", "documents", "trainings")
SUPERVISION_OF = {
    "unit": ("unit-weekly-reports", "reporting-schedules", "contacts", "contact-rules", "look-back-checks",
             "letter-recipients", "complaints"),
    "county": ("reporting-schedules", "contacts", "contact-rules", "complaints"),
}  # fmt: skip
AUDIENCE = {"league_a": "unit", "dept_a": "unit", "league_b": "unit", "county_a": "county"}


@pytest.mark.parametrize("name", ROLES)
def test_the_navigation_offers_what_the_role_may_open(site, login, name):
    response = login(name).get(reverse("home"))

    navs = re.findall(r'<nav class="main[^"]*"[^>]*>(.*?)</nav>', page(response), re.S)
    if name == "norole":
        assert navs == []
        return
    first = UNIT_LEDGERS[:2] if name == "county_a" else UNIT_LEDGERS
    expected = [reverse("home")] + [reverse(f"{key}-list") for key in first]
    if name != "viewer":
        expected.append(reverse("imports"))  # 导入台账: who may import
    assert [href for href, _text in links(navs[0])] == expected  # test_matrix opens each of them
    supervision = [ledger.key for ledger in ledgers() if ledger.model._meta.app_label == "supervision"]
    audience = AUDIENCE.get(name)
    shown = [key for key in supervision if audience is None or key in SUPERVISION_OF[audience]]
    assert [href for href, _text in links(navs[1])][: len(shown)] == [reverse(f"{key}-list") for key in shown]


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
    url = urlsplit(href)
    if url.path == reverse("trainings-list") and set(parse_qs(url.query)) <= {"as_of"}:
        # "Training attendees" sums the attendees of the trainings listed: the list's total shows it
        _header, *rows = read_xlsx(client.get(f"{url.path}?{url.query}&export=xlsx"))
        assert sum(r[-1] for r in rows) == figure, href
        assert by_testid(response, "total-attendees") == f"{figure:,}", href
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
    assert len(figures) == 14 + 14 + 6
    assert any(n > 0 for _h, n in figures[14:])
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


def chart_data(response, source: str) -> dict:
    return json.loads(re.search(rf'id="{source}" type="application/json">(.*?)</script>', page(response), re.S)[1])


@pytest.mark.parametrize("name", ["office", "group_b"])
def test_the_clearance_chart_puts_the_lagging_units_first(variety, login, name):
    clearance = chart_data(login(name).get(reverse("home")), "chart-clearance")

    assert clearance["values"] == sorted(clearance["values"])  # charts.js draws the first on top
    assert (clearance["unit"], clearance["max"]) == ("%", 100)
    if name == "office":
        # 呼和浩特市 and 包头市 have cleared nothing and have two overdue problems each
        assert set(clearance["labels"][:2]) == {"呼和浩特市", "包头市"}
        assert clearance["values"][:2] == [0, 0] and clearance["values"][-1] == 50
    else:
        assert clearance["labels"] == ["包头市", "自治区财政厅"]


def test_the_category_chart_names_the_categories(variety, login):
    category = chart_data(login("office").get(reverse("home")), "chart-category")

    assert category["labels"][0] == "A 公职人员违规插手招标投标方面"  # whole: charts.js wraps, never cuts
    assert 'data-chart="bar-h" data-source="chart-category"' in page(login("office").get(reverse("home")))


def test_group_dashboard_ranks_its_units_by_the_lagging_rule(variety, login):
    client = login("group_b")
    response = client.get(reverse("home"))

    assert response.templates[0].name == "web/dashboard_group.html"
    table = re.search(r'data-testid="lagging">.*?<tbody>(.*?)</tbody>', page(response), re.S).group(1)
    rows = re.findall(r'<tr data-unit="(\w+)"[^>]*>(.*?)</tr>', table, re.S)
    ranking = response.context["lagging"]  # reports/lagging.py, the one rule (tested in reports/tests/test_lagging.py)
    # No weekly report came from either unit since the default schedule's first week; 包头市 (nothing signed
    # off) before 财政厅 (half): too few units and projects to compare what they find.
    assert [code for code, _row in rows] == [u["unit"] for u in ranking] == ["150200", "czt"]
    assert all([f["criterion"] for f in u["flags"]] == ["reports"] for u in ranking)
    for (code, row), u in zip(rows, ranking, strict=True):
        cells = [text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        assert cells[1] == u["name"] and cells[4] == f"{u['sign_off_rate'] * 100:.1f}%"
        reasons = re.search(rf'<tr class="reasons" data-reasons="{code}">(.*?)</tr>', table, re.S).group(1)
        assert [text(r) for r in re.findall(r"<li[^>]*>(.*?)</li>", reasons, re.S)] == [f["reason"] for f in u["flags"]]
        unit_link, overdue_link, reports_link, contacts_link = [h.replace("&amp;", "&") for h, _t in links(row)]
        assert_list_count(
            client, unit_link, next(x for x in variety_units(response) if x["unit"] == code)["problems_open"]
        )
        assert_list_count(client, overdue_link, u["problems_overdue"])
        assert client.get(reports_link).status_code == client.get(contacts_link).status_code == 200
    assert has_testid(response, "lagging-rule")
    for href, _label, figure in cards(response):
        assert_list_count(client, href, figure)


def variety_units(response) -> list[dict]:
    return response.context["figures"]["by_unit"]


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
    total = response.context["total"]  # the statistics' figures, as on every dashboard
    assert (total["problems_open"], total["problems_overdue"]) == (open_, overdue)
    assert total["problems_awaiting_sign_off"] == awaiting
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

    from ducha.ledger.actions import do_bulk_transition_problems
    from ducha.testing import move

    problem = site.problems["fgw"]
    do_bulk_transition_problems([move(problem, "rectified", completed_on=problem.found_on)], actor=site.system)
    response = login("dept_a").get(reverse("home"))

    assert response.context["total"]["problems_open"] == 0
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


def test_dashboards_show_both_rates_and_the_problem_projects(variety, login):
    response = login("office").get(reverse("home"))
    total = response.context["total"]
    html = page(response)
    assert f'data-testid="fig-sign-off-rate">{total["sign_off_rate"] * 100:.1f}%' in html
    assert f'data-testid="fig-rectification-rate">{total["rectification_rate"] * 100:.1f}%' in html
    assert f'data-testid="fig-problem-projects">{total["projects_with_problems"]}<' in html
    assert total["rectification_rate"] > total["sign_off_rate"]  # one problem rectified, awaiting sign-off


def test_another_campaigns_records_count_nowhere(variety, site, login):
    """A second, earlier campaign in the same units: the active campaign's figures,
    lists and dashboards leave its records out."""
    import datetime as dt

    from ducha.core.actions import do_create_object
    from ducha.ledger.models import Problem
    from ducha.org.models import Campaign

    client = login("office")
    before = client.get(reverse("home")).context["total"]
    old = do_create_object(
        Campaign,
        actor=site.system,
        data={"code": "old", "name": "上一轮", "region_code": "150000", "is_active": False,
              "scope_start": dt.date(2021, 1, 1), "scope_end": dt.date(2022, 6, 30),
              "starts_on": dt.date(2022, 1, 1), "closes_on": dt.date(2022, 12, 31)},
    )  # fmt: skip
    project = site.projects["hohhot"]
    do_create_object(
        Problem,
        actor=site.system,
        data={"campaign": old, "unit": project.unit, "number": "Q-old", "description": "旧问题",
              "discovery_method": "self", "found_on": dt.date(2022, 3, 1), "deadline": dt.date(2022, 4, 1)},
    )  # fmt: skip
    after = client.get(reverse("home")).context["total"]
    assert (after["problems"], after["problems_overdue"]) == (before["problems"], before["problems_overdue"])
    assert "Q-old" not in page(client.get(reverse("problems-list")))
    in_hohhot = Problem.objects.filter(campaign=site.campaign, unit__code="150100").count()
    assert shown_count(client.get(reverse("problems-list") + "?unit=150100")) == in_hohhot
    assert "Q-old" not in page(login("league_a").get(reverse("home")))
