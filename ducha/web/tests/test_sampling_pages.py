"""The sampling pages: drawing through the form, a draw's page with its figures and
sample, the sample as .xlsx, who may draw and what they see, bad rules refused with the
field named, and counties for site visits drawn again alike from the same seed."""

import io
import re
from decimal import Decimal
from html import unescape as html_unescape

import openpyxl
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from ducha.core.actions import do_update_object
from ducha.imports.models import JobStatus, SamplingJob
from ducha.ledger.models import Inspection, SampleDraw
from ducha.web.tests.helpers import run_jobs, text


def _post(client, **fields):
    data = {"covers": "all", "proportion": "50", "minimum": "1", "weighting": "none", "seed": "抽查-2024-一"} | fields
    return client.post(reverse("sampling"), data)


def _draw_as(site, login, user: str, **fields) -> SampleDraw:
    """Drawn through the form: the draw is queued as a job, the worker runs it."""
    response = _post(login(user), **fields)
    assert response.status_code == 302, text(response)
    job = SamplingJob.objects.get(pk=int(re.search(r"/sampling/jobs/(\d+)/", response["Location"]).group(1)))
    assert run_jobs() == 1
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.draw is not None, job.message
    return job.draw


def _check(client, draw: SampleDraw) -> str:
    """The draw checked by a job started from its page; the page afterwards."""
    started = client.post(reverse("sampling-check", args=[draw.pk]))
    assert started.status_code == 302 and "/sampling/jobs/" in started["Location"]
    assert run_jobs() == 1
    return client.get(reverse("sampling-draw", args=[draw.pk])).content.decode()


def test_the_office_draws_through_the_form_and_sees_the_draw(site, login):
    client = login("office")
    assert 'data-testid="draw-form"' in client.get(reverse("sampling")).content.decode()
    draw = _draw_as(site, login, "office")
    recorded = set(Inspection.objects.filter(draw=draw).values_list("project__number", flat=True))
    assert draw.seed == "抽查-2024-一" and str(draw.proportion) == "0.5000" and draw.population == len(site.projects)
    assert recorded and len(recorded) == draw.drawn
    html = client.get(reverse("sampling-draw", args=[draw.pk])).content.decode()
    assert '<p class="muted" data-testid="check">' in html  # not checked yet
    assert '<p data-testid="check">' in _check(client, draw)  # drawn again from the stored population: identical
    shown = text(html)
    assert "50%" in shown and "抽查-2024-一" in shown
    for number in recorded:
        assert number in shown
    for unsampled in set(p.number for p in site.projects.values()) - recorded:
        assert unsampled not in shown
    # Per unit: each unit's name with its population, quota and drawn.
    for row in draw.figures:
        assert row["drawn"] == row["quota"] >= 1
    assert "呼和浩特市" in shown
    listed = text(client.get(reverse("sampling")))
    assert f"#{draw.pk}" in listed and "抽查-2024-一" in listed


def test_the_xlsx_holds_exactly_the_recorded_sample(site, login):
    draw = _draw_as(site, login, "office", proportion="40", seed="表格")
    response = login("office").get(reverse("sampling-sample", args=[draw.pk]))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sample, rule, per_unit = book.worksheets
    numbers = [row[0] for row in sample.iter_rows(min_row=2, values_only=True)]
    recorded = Inspection.objects.filter(draw=draw).values_list("project__number", flat=True)
    assert sorted(numbers) == sorted(recorded)
    values = {row[1] for row in rule.iter_rows(min_row=2, values_only=True)}
    assert "表格" in values and "40%" in values
    assert sum(row[3] for row in per_unit.iter_rows(min_row=2, values_only=True)) == draw.drawn


def _amounts(site, **amounts) -> None:
    for key, amount in amounts.items():
        do_update_object(site.projects[key], actor=site.system, changes={"amount": Decimal(amount)})


def test_a_draw_that_no_longer_comes_out_the_same_is_flagged(site, login):
    # Weighted by amount, 呼和浩特市's one of two goes to the far larger amount (about
    # 10^-11 odds otherwise); the amounts swapped after the draw, drawn again it differs.
    _amounts(site, hohhot="900000000000", xincheng="1")
    draw = _draw_as(site, login, "office", covers=f"u{site.units['150100'].pk}", weighting="amount", minimum="0")
    assert list(Inspection.objects.filter(draw=draw).values_list("project__number", flat=True)) == ["P-hohhot"]
    assert '<p data-testid="check">' in _check(login("office"), draw)
    _amounts(site, hohhot="1", xincheng="900000000000")
    # The page shows the last check until the draw is checked again.
    assert '<p data-testid="check">' in login("office").get(reverse("sampling-draw", args=[draw.pk])).content.decode()
    assert '<p class="error" data-testid="check">' in _check(login("office"), draw)


def test_a_formula_in_a_project_name_stays_text_in_the_xlsx(site, login):
    do_update_object(site.projects["fgw"], actor=site.system, changes={"name": '=HYPERLINK("http://x")'})
    draw = _draw_as(site, login, "office", proportion="100", covers=f"u{site.units['fgw'].pk}")
    book = openpyxl.load_workbook(io.BytesIO(login("office").get(reverse("sampling-sample", args=[draw.pk])).content))
    cell = book.worksheets[0]["B2"]
    assert cell.value == '=HYPERLINK("http://x")' and cell.data_type == "s"


def test_a_group_draws_for_its_own_group_and_units_only(site, login):
    client = login("group_a")
    form = client.get(reverse("sampling")).content.decode()
    assert f'value="g{site.groups["A"].pk}"' in form and f'value="u{site.units["fgw"].pk}"' in form
    assert f'value="g{site.groups["B"].pk}"' not in form and f'value="u{site.units["czt"].pk}"' not in form
    assert 'value="all"' not in form
    draw = _draw_as(site, login, "group_a", covers=f"g{site.groups['A'].pk}", proportion="100")
    drawn = set(Inspection.objects.filter(draw=draw).values_list("project__number", flat=True))
    assert drawn == {"P-hohhot", "P-xincheng", "P-fgw"}
    # Another group's unit is refused at the field; nothing recorded.
    refused = _post(client, covers=f"u{site.units['czt'].pk}")
    assert refused.status_code == 400 and 'data-testid="error-covers"' in refused.content.decode()
    assert SampleDraw.objects.count() == 1
    # Another group's draw is not there.
    other = _draw_as(site, login, "group_b", covers=f"g{site.groups['B'].pk}")
    assert client.get(reverse("sampling-draw", args=[other.pk])).status_code == 404
    assert client.get(reverse("sampling-sample", args=[other.pk])).status_code == 404
    assert f"#{other.pk}" not in text(client.get(reverse("sampling")))


@pytest.mark.parametrize("user", ["league_a", "county_a", "viewer"])
def test_units_and_viewers_see_no_form_and_may_not_post(site, login, user):
    unit_draw = _draw_as(site, login, "office", covers=f"u{site.units['150100'].pk}", proportion="100")
    other = _draw_as(site, login, "office", covers=f"u{site.units['150200'].pk}", proportion="100", seed="b")
    county = _draw_as(site, login, "office", covers=f"u{site.units['150102'].pk}", proportion="100", seed="c")
    client = login(user)
    page = client.get(reverse("sampling"))
    assert page.status_code == 200 and 'data-testid="draw-form"' not in page.content.decode()
    assert 'data-testid="county-form"' not in page.content.decode()
    assert _post(client).status_code == 403
    assert SampleDraw.objects.count() == 3
    listed = text(page)
    # A county's draw is its league's too; a county sees its own only.
    seen = {"league_a": {unit_draw, county}, "county_a": {county}, "viewer": {unit_draw, other, county}}[user]
    for draw in (unit_draw, other, county):
        assert (f"#{draw.pk}" in listed) == (draw in seen)
        assert client.get(reverse("sampling-draw", args=[draw.pk])).status_code == (200 if draw in seen else 404)


def test_no_role_is_refused(site, login):
    assert login("norole").get(reverse("sampling")).status_code == 403


ABOVE_ZERO = "The proportion must be above zero and at most one hundred percent."


@pytest.mark.parametrize(
    ("proportion", "message"),
    [
        ("0", ABOVE_ZERO),
        ("150", ABOVE_ZERO),
        ("abc", "Enter the proportion as a percent, e.g. 10 for 10%."),
        ("12.345", "Enter the proportion as a percent with at most two decimals."),
    ],
)
def test_a_bad_proportion_is_refused_at_its_field_and_nothing_recorded(site, login, proportion, message):
    response = _post(login("office", HTTP_ACCEPT_LANGUAGE="zh-hans"), proportion=proportion)
    assert response.status_code == 400
    html = response.content.decode()
    error = re.search(r'data-testid="error-proportion">([^<]*)<', html)
    with translation.override("zh-hans"):  # the page's language: the message as translated
        assert error and html_unescape(error.group(1)) == gettext(message), html
    assert not SampleDraw.objects.exists() and not Inspection.objects.filter(kind="sample").exists()
    assert not SamplingJob.objects.exists()  # refused before a job is queued


def test_counties_for_site_visits_are_the_same_for_the_same_seed(site, login):
    client = login("office")
    query = {"per_league": "2", "county_seed": "下沉-1"}
    first = client.get(reverse("sampling"), query).content.decode()
    again = client.get(reverse("sampling"), query).content.decode()
    assert _counties(first) == _counties(again)
    rows = _counties(first)
    assert "呼和浩特市" in rows and all(1 <= len(counties) <= 2 for counties in rows.values())
    assert not SampleDraw.objects.exists()
    # A group member is offered its own leagues' counties only.
    assert set(_counties(login("group_b").get(reverse("sampling"), query).content.decode())) == {"包头市"}


def _counties(html: str) -> dict[str, list[str]]:
    """League/city → the counties proposed, from the page's table."""
    table = re.search(r'data-testid="counties">.*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    rows = re.findall(r"<tr><td>([^<]*)</td><td>(.*?)</td></tr>", table, re.S)
    return {league: re.findall(r"([^、>]+?) <span", counties) for league, counties in rows}


def test_a_bad_county_count_is_said_at_its_field(site, login):
    response = login("office").get(reverse("sampling"), {"per_league": "0", "county_seed": "下沉"})
    assert 'data-testid="error-per_league"' in response.content.decode()
    assert 'data-testid="counties"' not in response.content.decode()


def test_labels_follow_the_users_language(site, login):
    client = login("office")
    assert "阶段" in text(client.get(reverse("sampling")))  # the model's name of the field, in Chinese
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = text(client.get(reverse("sampling")))
    assert "Stage" in page and "阶段" not in page
