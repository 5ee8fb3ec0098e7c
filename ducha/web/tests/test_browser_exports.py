"""Browser test of a large export (Playwright driving Debian's Chromium, as in
test_browser.py, whose fixtures it uses, with the worker thread of test_browser_imports.py):
a unit reporter exports a list longer than EXPORT_INLINE_ROWS, lands on the export job's
page with its progress bar polling, and, once the worker has written the file (the page
reloads itself), downloads it: the workbook holds the unit's rows. Screenshots go to
test-output/screenshots/. The test body does not touch the database."""

import openpyxl
import pytest
from playwright.sync_api import expect

from ducha.web.tests.test_browser import (  # noqa: F401  (fixtures)
    browser,
    campaign,
    chromium_executable,
    sign_in,
)
from ducha.web.tests.test_browser_imports import jobs, screenshot, zh  # noqa: F401  (fixtures)


@pytest.fixture
def long_lists(settings):
    settings.EXPORT_INLINE_ROWS = 1  # the unit's two projects make a long list


def test_a_large_export_runs_in_the_background_and_is_downloaded(campaign, jobs, long_lists, sign_in, tmp_path):  # noqa: F811
    league = sign_in("league_a")
    page = league.page
    page.goto("/projects/?sort=number")
    page.get_by_role("link", name=zh("Export to Excel")).click()

    progress = page.get_by_test_id("progress")
    expect(progress).to_have_attribute("hx-trigger", "every 1s")  # queued: the page polls
    expect(page.get_by_test_id("download")).to_have_count(0)
    shots = [screenshot(page, "exports-queued")]

    jobs.go.set()  # the worker writes the file; the page reloads itself when it is done
    download_link = page.get_by_test_id("download")
    expect(download_link).to_be_visible()
    expect(page.get_by_test_id("progress")).not_to_have_attribute("hx-trigger", "every 1s")
    expect(page.locator("progress")).to_have_attribute("value", "100")
    shots.append(screenshot(page, "exports-done"))

    with page.expect_download() as info:
        download_link.click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    assert path.name == "projects.xlsx"
    rows = list(openpyxl.load_workbook(path).active.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == ["P-hohhot", "P-xincheng"]  # the unit's projects, sorted as asked

    page.get_by_role("link", name=zh("All exports")).click()
    expect(page.get_by_test_id("jobs")).to_contain_text("projects.xlsx")
    assert jobs.failures == []
    assert league.errors == []
    print("".join(f"\nscreenshot: {path}" for path in shots))
