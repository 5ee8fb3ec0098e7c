"""Browser test of the red flags (Playwright driving Debian's Chromium, as in
test_browser.py): group A's member opens 红旗预警 from the navigation, uploads a small
generated platform file, sees the run queued with its progress bar, the counts per
indicator and the flags once the worker has run it, filters them by indicator, opens a
flag's bid rows and turns it into a problem, whose link then stands in the list.
Screenshots (Chinese): test-output/screenshots/r11-redflags-*.png."""

from playwright.sync_api import expect

from ducha.analyses.tests import redflag_sources
from ducha.web.tests.test_browser import screenshot
from ducha.web.tests.test_browser_imports import (  # noqa: F401  (fixtures)
    browser,
    campaign,
    chromium_executable,
    jobs,
    sign_in,
    zh,
)


def test_upload_watch_filter_open_rows_and_turn_one_into_a_problem(jobs, sign_in, tmp_path):  # noqa: F811
    name, content = redflag_sources.bids_csv()
    file = tmp_path / name
    file.write_bytes(content)
    member = sign_in("group_a")
    page = member.page
    page.goto("/")
    page.locator("nav.sub").get_by_role("link", name=zh("Red flags")).click()
    page.get_by_test_id("new").click()
    page.locator('input[name="bids"]').set_input_files(file)
    screenshot(member.page, "r11-redflags-upload")
    page.get_by_test_id("start").click()

    expect(page.get_by_test_id("progress")).to_have_attribute("hx-trigger", "every 1s")  # queued: the page polls
    screenshot(member.page, "r11-redflags-progress")
    jobs.go.set()  # the worker runs it; the page reloads itself when it is done
    expect(page.get_by_test_id("summary")).to_be_visible()
    expect(page.get_by_test_id("summary")).to_contain_text("应招未招")
    screenshot(member.page, "r11-redflags-run")

    filters = page.get_by_test_id("filters")
    filters.locator('select[name="indicator"]').select_option("CN-SAME-DEVICE")
    filters.locator('select[name="unit"]').select_option("150100")
    filters.get_by_role("button").click()
    rows = page.get_by_test_id("flags").locator("tbody > tr")
    expect(rows.first).to_contain_text("呼和浩特市")
    rows.first.locator("details summary").click()
    expect(rows.first.locator("details table")).to_be_visible()
    screenshot(member.page, "r11-redflags-rows")
    rows.first.locator('input[type="checkbox"]').check()
    page.get_by_test_id("turn-button").click()
    expect(page.locator("ul.messages")).to_be_visible()
    link = page.get_by_test_id("flags").locator('a[data-testid^="problem-"]').first
    expect(link).to_be_visible()
    screenshot(member.page, "r11-redflags-turned")
    link.click()
    expect(page.locator("main")).to_contain_text("红旗预警发现")
    screenshot(member.page, "r11-redflags-problem")
    page.goto("/redflags/")
    expect(page.get_by_test_id("runs")).to_contain_text(name)
    screenshot(member.page, "r11-redflags-list")
    assert not member.errors, member.errors
