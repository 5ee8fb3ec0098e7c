"""The dashboards' supervision figures: the statistics' figures, each a link to its list
(filtered to the group) that holds exactly that many records; a group sees its own row."""

import re

import pytest
from django.urls import reverse

from ducha.reports.lagging import campaign_lagging
from ducha.reports.tests.test_supervision_figures import add_supervision
from ducha.web.supervision.figures import FIGURES, SECTIONS, figure_url
from ducha.web.tests.helpers import page, text
from ducha.web.tests.test_dashboards import assert_list_count, zh

TOTAL = zh("Total")  # 合计, once the lead has translated it

# Figures whose link opens a page rather than a list of that many records.
NOT_A_COUNT = {f for f, spec in FIGURES.items() if spec.page} | {"counties_visited"}  # counties: of the visits listed


@pytest.fixture(scope="module")
def supervised_once(site_once, django_db_blocker):
    with django_db_blocker.unblock():
        add_supervision(site_once)
    return site_once


@pytest.fixture
def supervised(supervised_once, site):
    return site


def table_rows(response) -> dict[str, list[tuple[str, str, str | None]]]:
    """Column (a group, or the total) → [(figure, shown value, link)] of the dashboard's supervision table."""
    table = re.search(r'data-testid="supervision">(.*?)</table>', page(response), re.S).group(1)
    names = [text(h) for h in re.findall(r"<th>(.*?)</th>", re.search(r"<thead>(.*?)</thead>", table, re.S)[1])][1:]
    columns: dict[str, list] = {name: [] for name in names}
    for figure, row in re.findall(r'<tr data-figure="([\w.]+)">(.*?)</tr>', table, re.S):
        cells = re.findall(r'<td class="num">(.*?)</td>', row, re.S)
        for name, cell in zip(names, cells, strict=True):
            columns[name].append((figure, text(cell), (re.findall(r'href="([^"]+)"', cell) or [None])[0]))
    return columns


def test_office_dashboard_shows_every_groups_figures_and_the_total_linked_to_their_lists(supervised, login):
    client = login("office")
    response = client.get(reverse("home"))
    figures = response.context["figures"]
    rows = table_rows(response)

    assert list(rows) == ["A组", "B组", TOTAL]
    expected = {g["name"]: g["supervision"] for g in figures["by_group"]} | {TOTAL: figures["total"]["supervision"]}
    linked = 0
    for name, cells in rows.items():
        assert [f for f, _v, _h in cells] == [f for _heading, fs in SECTIONS for f in fs]
        for figure, shown, href in cells:
            kind = figure.split(".", 1)[1] if "." in figure else None
            value = expected[name]["letters_by_kind"][kind] if kind else expected[name][figure]
            assert shown == str(value), (name, figure)
            if href is None:  # a ledger not registered yet: the figure, never a dead link
                assert figure_url(figure) is None
                continue
            href = href.replace("&amp;", "&")
            if figure in NOT_A_COUNT:
                assert client.get(href).status_code == 200, href
            else:
                assert_list_count(client, href, value)
                linked += 1
    assert linked >= 40  # weekly reports, work plans, rounds, contacts, look-back checks at least
    assert expected["A组"]["contacts_on_site"] == 2 and expected[TOTAL]["work_plans"] == 3


def test_group_dashboard_shows_its_own_figures_linked_to_its_lists(supervised, login):
    client = login("group_b")
    response = client.get(reverse("home"))
    rows = table_rows(response)

    assert list(rows) == ["B组"]
    for figure, shown, href in rows["B组"]:
        if href and figure not in NOT_A_COUNT:
            assert "group=B" in href
            assert_list_count(client, href.replace("&amp;", "&"), int(shown))
    shown = {f: v for f, v, _h in rows["B组"]}
    assert (shown["unit_reports_submitted"], shown["contacts_phone"], shown["contacts_on_site"]) == ("3", "1", "1")


def test_a_unit_sees_no_supervision_table(supervised, login):
    assert 'data-testid="supervision"' not in page(login("league_a").get(reverse("home")))


def test_office_dashboard_lists_the_units_that_lag_in_every_group(supervised, login):
    response = login("office").get(reverse("home"))
    ranking = campaign_lagging(supervised.campaign)

    flagged = [u["unit"] for g in ranking["groups"] for u in g["units"] if u["lagging"]]
    table = re.search(r'data-testid="lagging-overview">(.*?)</table>', page(response), re.S).group(1)
    assert re.findall(r'<tr data-unit="(\w+)"', table) == flagged
    # No weekly report since 2024-06-17 from anyone: every unit is missing reports.
    assert set(flagged) == {"150100", "fgw", "150200", "czt"}
    assert table.count('data-criterion="reports"') == 4
