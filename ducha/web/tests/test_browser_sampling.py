"""Browser test: the office opens the sampling page from the navigation, draws half of
the self-inspected projects from the form, follows the draw's job (queued, then done once
the worker has run it: the page reloads itself), reads the draw's page (rule, figures per
unit, the sample), checks it against the stored population and seed (a second job),
downloads the sample, and proposes counties for site visits. Screenshots (Chinese):
test-output/screenshots/r10-sampling-job-queued.png, -job-done.png, -draw.png, -check.png, -index.png,
-counties.png."""

import openpyxl
from playwright.sync_api import expect

from ducha.web.tests.test_browser import browser, campaign, chromium_executable, screenshot, sign_in
from ducha.web.tests.test_browser_imports import jobs

__all__ = ["browser", "campaign", "chromium_executable", "jobs", "sign_in"]  # the fixtures this module uses


def test_the_office_draws_a_sample_and_proposes_counties(campaign, jobs, sign_in, tmp_path):
    office = sign_in("office")
    page = office.page
    page.goto("/")
    page.locator("nav.sub").get_by_role("link", name="抽查").click()
    form = page.get_by_test_id("draw-form")
    assert form.locator('input[name="seed"]').input_value()  # a seed is suggested
    form.locator('select[name="covers"]').select_option("all")
    form.locator('input[name="proportion"]').fill("50")
    form.locator('input[name="seed"]').fill("抽查-浏览器")
    form.get_by_test_id("draw").click()

    # The draw's job: queued, the page polls; the worker runs it, the page reloads itself.
    expect(page.get_by_test_id("progress")).to_have_attribute("hx-trigger", "every 1s")
    expect(page.get_by_test_id("job-status")).to_have_text("排队中")
    screenshot(office.page, "r10-sampling-job-queued")
    jobs.go.set()
    expect(page.get_by_test_id("outcome")).to_be_visible()
    expect(page.get_by_test_id("steps").locator("li")).to_have_count(3)
    expect(page.get_by_test_id("message")).to_have_class("result-clean")
    screenshot(office.page, "r10-sampling-job-done")
    page.get_by_test_id("to-draw").click()

    expect(page.get_by_test_id("rule")).to_contain_text("抽查-浏览器")
    expect(page.get_by_test_id("rule")).to_contain_text("50%")
    expect(page.get_by_test_id("check")).to_have_class("muted")  # not checked yet
    figures = page.get_by_test_id("figures").locator("tbody tr")
    expect(figures).to_have_count(4)  # 呼和浩特市, 包头市, 发改委, 财政厅: one project each (呼和浩特市 two)
    expect(page.get_by_test_id("figures")).to_contain_text("呼和浩特市")
    sample = page.get_by_test_id("sample").locator("tbody tr")
    numbers = sorted(sample.nth(i).locator("td").first.inner_text() for i in range(sample.count()))
    assert numbers and all(n.startswith("P-") for n in numbers)
    screenshot(office.page, "r10-sampling-draw")

    page.get_by_test_id("run-check").click()  # the check: a job too, recorded on the draw
    expect(page.get_by_test_id("outcome")).to_be_visible()
    page.get_by_test_id("to-draw").click()
    expect(page.get_by_test_id("check")).not_to_have_class("error")
    expect(page.get_by_test_id("check")).not_to_have_class("muted")
    screenshot(office.page, "r10-sampling-check")

    with page.expect_download() as info:
        page.get_by_test_id("sample-xlsx").click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    book = openpyxl.load_workbook(path)
    assert sorted(row[0] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)) == numbers

    page.get_by_role("link", name="抽查").first.click()
    expect(page.get_by_test_id("draws")).to_contain_text("抽查-浏览器")
    expect(page.get_by_test_id("jobs").locator("tbody tr")).to_have_count(2)  # the draw, the check
    screenshot(office.page, "r10-sampling-index")

    counties = page.get_by_test_id("county-form")
    counties.locator('input[name="per_league"]').fill("2")
    counties.locator('input[name="county_seed"]').fill("下沉-浏览器")
    counties.get_by_test_id("draw-counties").click()
    table = page.get_by_test_id("counties")
    expect(table).to_contain_text("呼和浩特市")
    first = table.inner_text()
    page.reload()
    assert page.get_by_test_id("counties").inner_text() == first  # the same seed: the same counties
    page.get_by_test_id("counties").scroll_into_view_if_needed()
    screenshot(office.page, "r10-sampling-counties")
    assert not office.errors and jobs.failures == []
