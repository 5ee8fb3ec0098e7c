"""Browser test of an OCDS run (Playwright driving Debian's Chromium): the office uploads
OCDS compiled releases with the kind chosen, watches the run, sees the counts per indicator
(Cardinal's beside the CN- ones OCDS can carry) and opens a flag's evidence rows, taken from
the model. Screenshots (Chinese): test-output/screenshots/r11-redflags-ocds-*.png."""

from playwright.sync_api import expect

from ducha.analytics.tests.test_redflag_model import ocds_world
from ducha.web.tests.test_browser import screenshot
from ducha.web.tests.test_browser_imports import (  # noqa: F401  (fixtures)
    browser,
    campaign,
    chromium_executable,
    jobs,
    sign_in,
    zh,
)


def test_an_ocds_file_uploaded_run_and_its_flags_rows_opened(jobs, sign_in, tmp_path):  # noqa: F811
    file = ocds_world(tmp_path)
    office = sign_in("office")
    page = office.page
    page.goto("/redflags/new/")
    page.locator('select[name="source"]').select_option("ocds")
    page.locator('input[name="bids"]').set_input_files(file)
    screenshot(page, "r11-redflags-ocds-upload")
    page.get_by_test_id("start").click()
    expect(page.get_by_test_id("progress")).to_have_attribute("hx-trigger", "every 1s")
    jobs.go.set()
    expect(page.get_by_test_id("summary")).to_contain_text("化整为零规避招标")
    filters = page.get_by_test_id("filters")
    filters.locator('select[name="indicator"]').select_option("CN-PRICE-PATTERN")
    filters.get_by_role("button").click()
    rows = page.get_by_test_id("flags").locator("tbody > tr")
    expect(rows.first).to_contain_text("ocds-steps")
    rows.first.locator("details summary").click()
    expect(rows.first.locator("details table")).to_contain_text("T2公司")
    screenshot(page, "r11-redflags-ocds-run")
    assert not office.errors, office.errors
