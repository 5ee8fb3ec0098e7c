"""The figures through the API: `ducha stats --json`'s object for the office, as of a past
day too; cut to what a unit or a group may see; refused without a role."""

import datetime as dt
import io
import json

from django.core.management import call_command
from django.utils import timezone

from ducha.ledger.models import Problem

FIGURES = ("projects", "problems", "problems_open", "problems_signed_off", "problems_by_status", "problems_by_domain")


def stats_json(*args: str) -> dict:
    out = io.StringIO()
    call_command("stats", "--json", *args, stdout=out)
    return json.loads(out.getvalue())


def test_the_offices_figures_are_ducha_stats(small, api):
    response = api("office").get("statistics/")
    assert response.status_code == 200, response.content
    assert response.json() == stats_json()
    assert response.json()["total"]["problems"] == Problem.objects.filter(campaign=small.campaign).count() > 0


def test_as_of_a_past_day_is_ducha_stats_as_of(small, api):
    found = min(Problem.objects.filter(campaign=small.campaign).values_list("found_on", flat=True))
    day = found - dt.timedelta(days=1)  # the day before the first problem was found
    body = api("office").get("statistics/", as_of=day.isoformat()).json()
    assert body == stats_json("--as-of", day.isoformat()) and body["as_of"] == day.isoformat()
    assert body["total"]["problems"] == 0 < Problem.objects.filter(campaign=small.campaign).count()
    later = api("office").get("statistics/", as_of=(timezone.localdate() + dt.timedelta(days=30)).isoformat())
    assert later.json() == stats_json()  # not after today, as on the dashboards
    refused = api("office").get("statistics/", as_of="2024-13-01")
    assert refused.status_code == 422 and "query.as_of" in refused.json()["errors"]


def test_a_unit_sees_its_own_figures_only(small, api):
    everything = stats_json()
    mine = next(u for u in everything["by_unit"] if u["unit"] == "150100")
    body = api("league_a").get("statistics/").json()
    assert [u["unit"] for u in body["by_unit"]] == ["150100"]
    for figure in FIGURES:
        assert body["total"][figure] == mine[figure], figure
    assert body["total"]["problems"] < everything["total"]["problems"]
    group = api("group_a").get("statistics/").json()
    assert {u["unit"] for u in group["by_unit"]} == {"150100", "fgw"}
    assert group["total"]["problems"] == sum(
        u["problems"] for u in everything["by_unit"] if u["unit"] in ("150100", "fgw")
    )


def test_no_role_no_figures(small, api):
    response = api("norole").get("statistics/")
    assert response.status_code == 403 and response["Content-Type"] == "application/problem+json"
    assert api("office").get("statistics/", campaign="no-such-campaign").status_code == 404
