"""The summary report's page and downloads: who may read which report, every figure a
link to the list behind it (as of the report's day) whose count is the figure, the Word
and HTML files, the asked day and group checked, and the dashboards' links."""

import io
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from docx import Document

from ducha.web.tests.helpers import page, shown_count, text

SUMMARY = "/reports/summary/"


def figure_links(response) -> dict[str, list[tuple[str, str]]]:
    """figure key → [(href, text)] of the report's linked figures."""
    found: dict[str, list[tuple[str, str]]] = {}
    for href, key, shown in re.findall(r'<a href="([^"]+)" data-figure="([^"]+)">([^<]+)</a>', page(response)):
        found.setdefault(key, []).append((href.replace("&amp;", "&"), shown))
    return found


def test_every_figure_links_to_its_list_as_of_the_report_day(site, login):
    office = login("office")
    response = office.get(SUMMARY)
    assert response.status_code == 200
    assert "一、A组工作推进情况" in text(response) and "二、B组工作推进情况" in text(response)
    links = figure_links(response)
    assert {"problems", "projects_self_inspected", "clue_transfers", "exposed_cases"} <= set(links)
    day = response.context["summary"].as_of.isoformat()
    for key, found in links.items():
        for href, _shown in found:
            assert parse_qs(urlsplit(href).query)["as_of"] == [day], (key, href)
    # Each group's figures open that group's list, whose count is the figure.
    for href, shown in links["problems"]:
        query = parse_qs(urlsplit(href).query)
        listed = office.get(href)
        assert listed.status_code == 200
        assert shown_count(listed) == int(shown), (query.get("group"), href)
    groups = {parse_qs(urlsplit(href).query).get("group", [""])[0] for href, _ in links["problems"]}
    assert groups == {"", "A", "B"}  # the overview's (no group) and each group's
    for href, shown in links["projects_self_inspected"]:
        assert shown_count(office.get(href)) == int(shown)


def test_a_member_reads_its_own_group_and_a_unit_none(site, login):
    member = login("group_b")
    response = member.get(SUMMARY)
    assert response.status_code == 200
    assert response.context["summary"].group == site.groups["B"]
    assert "B组工作推进情况" in text(response) and "A组" not in text(response)
    other = member.get(SUMMARY, {"group": "A"})
    assert other.status_code == 400 and "group" in other.context["form"].errors
    assert login("league_a").get(SUMMARY).status_code == 403
    assert login("league_a").get(reverse("report-summary-docx")).status_code == 403
    assert login("norole").get(SUMMARY).status_code == 403
    assert login("viewer").get(SUMMARY, {"group": "A"}).context["summary"].group == site.groups["A"]


@pytest.mark.parametrize("day", ["2023-12-31", "31/12/2024"])
def test_a_day_that_cannot_be_the_reports_is_said_on_its_field(site, login, day):
    response = login("office").get(reverse("report-summary-docx"), {"as_of": day})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == ["as_of"]
    assert "summary-form" in page(response) and 'role="alert"' in page(response)


def test_the_word_and_html_downloads(site, login):
    office = login("office")
    response = office.get(reverse("report-summary-docx"), {"group": "A", "as_of": "2024-09-30"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    assert "attachment" in response["Content-Disposition"] and ".docx" in response["Content-Disposition"]
    paragraphs = [p.text for p in Document(io.BytesIO(response.content)).paragraphs]
    assert paragraphs[:2] == ["A组工作推进情况", "（截至2024年9月30日）"]
    assert paragraphs[2].startswith("A组负责督导检查的1个盟市、1个厅局共自查")

    html = office.get(reverse("report-summary-html"), {"as_of": "2024-09-30"})
    assert html["Content-Type"].startswith("text/html") and "attachment" in html["Content-Disposition"]
    body = html.content.decode()
    assert body.startswith("<!doctype html>") and "@page { size: A4" in body
    assert 'href="http://testserver/problems/?group=A&amp;as_of=2024-09-30"' in body  # opened outside the site


@pytest.mark.parametrize(("user", "template"), [("office", "dashboard_office"), ("group_a", "dashboard_group")])
def test_the_dashboards_link_to_the_report(site, login, user, template):
    response = login(user).get("/")
    assert f"web/{template}.html" in [t.name for t in response.templates]
    links = re.findall(r'href="(/reports/summary[^"]*)"', page(response))
    day = response.context["as_of"].isoformat()
    assert {link.split("?")[0] for link in links} == {SUMMARY, "/reports/summary.docx", "/reports/summary.html"}
    assert all(link.endswith(f"?as_of={day}") for link in links)
