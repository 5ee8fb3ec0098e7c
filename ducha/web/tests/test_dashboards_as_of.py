"""A dashboard as of a past day (?as_of=): that day's figures, each leading to the list,
as of the same day, of that many records."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from ducha.ledger.actions import do_bulk_transition_problems
from ducha.testing import move
from ducha.web.tests.helpers import list_cells, text
from ducha.web.tests.test_dashboards import assert_list_count, cards, table_links, variety, variety_once  # noqa: F401


def test_a_past_days_figures_lead_to_that_days_lists(variety, login):  # noqa: F811
    hohhot = variety.problems["hohhot"]
    june_20 = timezone.make_aware(dt.datetime(2024, 6, 20, 12))
    moved = move(hohhot, "rectified", when=june_20, completed_on=dt.date(2024, 6, 18))
    do_bulk_transition_problems([moved], actor=variety.system)
    client = login("office")

    now = client.get(reverse("home")).context["total"]
    response = client.get(reverse("home") + "?as_of=2024-06-05")
    assert response.context["as_of"] == dt.date(2024, 6, 5)
    then = response.context["total"]
    assert then["problems_rectified"] == now["problems_rectified"] - 1
    assert "2024-06-05" in text(response)

    figures = [(h, n) for h, _label, n in cards(response)]
    figures += table_links(response, "by-group", 'data-group="A"')
    figures += table_links(response, "by-domain", "工程建设")
    ledger_links = [(h, n) for h, n in figures if "as_of=2024-06-05" in h]
    assert len(ledger_links) == len(figures)
    for href, figure in ledger_links:
        assert_list_count(client, href, figure)


def test_a_date_that_cannot_be_read_is_said_and_today_shown(variety, login):  # noqa: F811
    client = login("group_a")
    response = client.get(reverse("home") + "?as_of=2024-13-45")
    assert response.context["as_of"] == timezone.localdate()
    assert "“2024-13-45”" in text(response)
    future = client.get(reverse("home") + "?as_of=2999-01-01")
    assert future.context["as_of"] == timezone.localdate()


def test_a_list_as_of_a_past_day_shows_that_days_state(variety, login):  # noqa: F811
    hohhot = variety.problems["hohhot"]
    moved = move(hohhot, "signed_off", when=timezone.make_aware(dt.datetime(2024, 6, 20, 12)))
    do_bulk_transition_problems([moved], actor=variety.system)
    client = login("office")
    then = list_cells(client.get(reverse("problems-list") + "?as_of=2024-06-05&q=Q-hohhot"))
    now = list_cells(client.get(reverse("problems-list") + "?q=Q-hohhot"))
    assert (then[0][0], then[0][-1]) == ("Q-hohhot", "待整改")
    assert (now[0][0], now[0][-1]) == ("Q-hohhot", "已销号")
    projects = list_cells(client.get(reverse("projects-list") + "?as_of=2024-05-20&q=P-hohhot"))
    assert projects[0][-3:] == ["是", "否", "否"]  # self-inspected on 2024-05-20
