"""The weekly bulletin's page and downloads, and the statistical tables download, end to
end through the site: who may read them, what each role gets (a group: its own group),
the chosen week, a refused week or day said at its field, and the dashboards' links."""

import datetime as dt
import html
import io
import re

import docx
import openpyxl
import pytest
from django.conf import settings
from django.urls import reverse

from ducha.reports.tables import FIGURES, FIRST_DATA_ROW
from ducha.reports.tests.test_bulletin import add_week, found
from ducha.web.tests.helpers import text
from ducha.web.tests.test_dashboards import assert_list_count


@pytest.fixture
def week(site):
    add_week(site)
    return site


def test_the_office_reads_the_default_week_and_another(week, login):
    client = login("office")
    response = client.get(reverse("report-bulletin"))
    assert response.status_code == 200
    page = text(response)
    assert "测试行动周调度通报" in page and "（一）A组" in page and "（二）B组" in page
    chosen = client.get(reverse("report-bulletin") + "?week=2024-W23")
    assert chosen.context["bulletin"].label == "2024-W23"
    assert "第1周（2024年6月3日至6月9日）" in text(chosen)
    assert "自治区发展和改革委员会电话督导要求1次、实际0次" in text(chosen)
    assert 'href="/reports/weekly.docx?week=2024-W23"' in chosen.content.decode()


def test_a_group_member_reads_its_own_group(week, login):
    page = text(login("group_b").get(reverse("report-bulletin") + "?week=2024-W23"))
    assert "（一）B组" in page and "A组" not in page


def test_a_week_that_is_not_a_reporting_week_is_said_at_its_field(week, login):
    response = login("office").get(reverse("report-bulletin") + "?week=2023-W01")
    assert response.status_code == 400
    assert "报告周次" in text(response) or "Reporting week" in text(response)
    assert response.context["form"].errors["week"]


@pytest.mark.parametrize("user", ["league_a", "dept_a", "norole"])
def test_units_and_users_without_a_role_are_refused(week, login, user):
    client = login(user)
    for name in ("report-bulletin", "report-bulletin-docx", "report-tables"):
        assert client.get(reverse(name)).status_code == 403, name


def test_the_word_and_html_downloads(week, login):
    client = login("office")
    response = client.get(reverse("report-bulletin-docx") + "?week=2024-W23")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    assert "attachment" in response["Content-Disposition"]
    document = docx.Document(io.BytesIO(response.content))
    assert document.paragraphs[0].text == "测试行动周调度通报"
    assert len(document.tables) == 3
    html = client.get(reverse("report-bulletin-html") + "?week=2024-W23").content.decode()
    assert html.startswith("<!doctype html>") and "<style>" in html and "第1周（2024年6月3日至6月9日）" in html


def test_the_tables_workbook_as_of_a_day_and_for_a_group(week, login):
    response = login("office").get(reverse("report-tables") + "?as_of=2024-07-15")
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book["按单位"]["A2"].value == "按单位统计（截至2024年7月15日）"
    names = [r[0].value for r in book["按督导组"].iter_rows(min_row=FIRST_DATA_ROW)]
    assert names == ["A组", "B组", "合计"]

    own = openpyxl.load_workbook(io.BytesIO(login("group_a").get(reverse("report-tables")).content))
    assert own["按单位"]["A1"].value == "测试行动统计表（A组）"
    assert [r[0].value for r in own["按督导组"].iter_rows(min_row=FIRST_DATA_ROW)] == ["A组"]
    # Another group asked for: a member gets its own.
    other = login("group_a").get(reverse("report-tables") + "?group=B")
    assert other.status_code == 400
    assert len(FIGURES) + 4 == book["按督导组"].max_column


def test_a_day_before_the_campaign_is_refused_at_its_field(week, login):
    response = login("office").get(reverse("report-tables") + "?as_of=2023-12-31")
    assert response.status_code == 400
    assert response.context["form"].errors["as_of"]


def test_the_dashboards_link_the_bulletin_and_the_tables(week, login):
    for user in ("office", "group_a"):
        page = login(user).get(reverse("home")).content.decode()
        assert 'data-testid="bulletin-link"' in page and 'href="/reports/tables.xlsx?as_of=' in page, user


def test_each_figure_leads_to_the_list_of_that_many_as_of_the_weeks_sunday(week, login):
    found(week, "later", dt.date(2024, 6, 12))  # after the week: in no list of its bulletin
    client = login("office")
    page = client.get(reverse("report-bulletin") + "?week=2024-W23").content.decode()
    article = page[page.index('data-testid="bulletin"') :]
    links = re.findall(r'<a href="([^"]+)">([\d,]+)</a>', article)
    assert len(links) == 6 * (3 + 2 + 2)  # six linked figures a row: 2 groups and the total, 4 units
    for href, figure in links:
        assert "as_of=2024-06-09" in html.unescape(href)
        assert_list_count(client, html.unescape(href), int(figure.replace(",", "")))
    # 呼和浩特市's problems: 3 by that Sunday (the one found on 06-12 is not in its list).
    assert dict(links)["/problems/?unit=150100&amp;as_of=2024-06-09"] == "3"


def test_the_bulletin_is_written_in_chinese_whatever_the_pages_language(week, login):
    client = login("office")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("report-bulletin") + "?week=2024-W23")
    assert "Reporting week" in text(response)  # the page is in English
    page = text(response)
    assert "自治区发展和改革委员会电话督导要求1次、实际0次" in page  # the kind of contact, in the report's words
    assert "周报：应报 1 次，未报 1 次" in page  # the lagging rule's reason, too
