"""Browser test: the office goes from its dashboard to the weekly bulletin, picks a week,
downloads the Word file, and downloads the statistical tables from the dashboard; a
group's member reads its own group's bulletin. Screenshots (Chinese) go to
test-output/screenshots/r9-*.png for a person to look at."""

from pathlib import Path

import docx
import openpyxl
import pytest
from playwright.sync_api import expect

from ducha.reports.tables import FIRST_DATA_ROW
from ducha.reports.tests.test_bulletin import add_week
from ducha.testing import SmallCampaign
from ducha.web.tests.test_browser import Session, browser, campaign, chromium_executable, screenshot, sign_in

__all__ = ["browser", "campaign", "chromium_executable", "sign_in"]  # the fixtures this module uses


def download(session: Session, link, tmp_path: Path) -> Path:
    with session.page.expect_download() as info:
        link.click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    return path


@pytest.fixture
def week(campaign: SmallCampaign) -> SmallCampaign:
    add_week(campaign)  # before the browser starts: Playwright's loop makes the ORM refuse to run
    return campaign


def test_the_office_reads_and_downloads_the_bulletin_and_the_tables(week, sign_in, tmp_path):
    office = sign_in("office")
    office.page.goto("/")
    office.page.get_by_test_id("bulletin-link").click()
    form = office.page.get_by_test_id("bulletin-form")
    form.locator('select[name="week"]').select_option("2024-W23")
    form.locator("button").click()
    bulletin = office.page.get_by_test_id("bulletin")
    expect(bulletin).to_have_attribute("data-week", "2024-W23")
    expect(bulletin).to_contain_text("第1周（2024年6月3日至6月9日）")
    expect(bulletin).to_contain_text("自治区发展和改革委员会电话督导要求1次、实际0次")
    screenshot(office.page, "r9-browser-bulletin-office")

    word = download(office, office.page.get_by_test_id("bulletin-docx"), tmp_path)
    assert word.suffix == ".docx" and "2024-W23" in word.name
    document = docx.Document(str(word))
    assert [p.text for p in document.paragraphs[:2]] == ["测试行动周调度通报", "第1周（2024年6月3日至6月9日）"]

    office.page.goto("/")
    book = openpyxl.load_workbook(download(office, office.page.get_by_test_id("tables-link"), tmp_path))
    groups = [row[0].value for row in book["按督导组"].iter_rows(min_row=FIRST_DATA_ROW)]
    assert groups == ["A组", "B组", "合计"]
    assert not office.errors  # no console error, no blocked style or script

    member = sign_in("group_b")
    member.page.goto("/")
    member.page.get_by_test_id("bulletin-link").click()
    member.page.get_by_test_id("bulletin-form").locator('select[name="week"]').select_option("2024-W23")
    member.page.get_by_test_id("bulletin-form").locator("button").click()
    expect(member.page.get_by_test_id("bulletin")).to_contain_text("（一）B组")
    expect(member.page.get_by_test_id("bulletin")).not_to_contain_text("A组")
    screenshot(member.page, "r9-browser-bulletin-group")
    assert not member.errors
