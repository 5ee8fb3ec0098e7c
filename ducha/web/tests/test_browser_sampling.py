"""Browser test: the office opens the sampling page from the navigation, draws half of
the self-inspected projects from the form, reads the draw's page (rule, figures per
unit, the sample, the check against the stored population and seed), downloads the
sample, and proposes counties for site visits. Screenshots (Chinese):
/tmp/shots/s10-sampling.png, s10-draw.png, s10-counties.png."""

import shutil
from pathlib import Path

import openpyxl
from playwright.sync_api import expect

from ducha.web.tests.test_browser import Session, browser, campaign, chromium_executable, sign_in

__all__ = ["browser", "campaign", "chromium_executable", "sign_in"]  # the fixtures this module uses

SHOTS = Path("/tmp/shots")


def shot(session: Session, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(session.screenshot(name), SHOTS / f"s10-{name}.png")


def test_the_office_draws_a_sample_and_proposes_counties(campaign, sign_in, tmp_path):
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

    expect(page.get_by_test_id("rule")).to_contain_text("抽查-浏览器")
    expect(page.get_by_test_id("rule")).to_contain_text("50%")
    expect(page.get_by_test_id("check")).not_to_have_class("error")
    figures = page.get_by_test_id("figures").locator("tbody tr")
    expect(figures).to_have_count(4)  # 呼和浩特市, 包头市, 发改委, 财政厅: one project each (呼和浩特市 two)
    expect(page.get_by_test_id("figures")).to_contain_text("呼和浩特市")
    sample = page.get_by_test_id("sample").locator("tbody tr")
    numbers = sorted(sample.nth(i).locator("td").first.inner_text() for i in range(sample.count()))
    assert numbers and all(n.startswith("P-") for n in numbers)
    shot(office, "draw")

    with page.expect_download() as info:
        page.get_by_test_id("sample-xlsx").click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    book = openpyxl.load_workbook(path)
    assert sorted(row[0] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)) == numbers

    page.get_by_role("link", name="抽查").first.click()
    expect(page.get_by_test_id("draws")).to_contain_text("抽查-浏览器")
    shot(office, "sampling")

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
    shot(office, "counties")
    assert not office.errors
