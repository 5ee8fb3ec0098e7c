"""Browser test of the three-way comparison (Playwright driving Debian's Chromium, as in
test_browser.py): the state-property group's member opens 三方比对 from the navigation,
uploads the three synthetic sources, sees the run queued with its progress bar, the
summary and findings once the worker has run it (the page reloads itself), filters them
by unit, and turns two into problems, whose links then stand in the list. Screenshots
(Chinese): test-output/screenshots/r10-comparison-*.png."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from ducha.analyses.tests import sources
from ducha.web.tests.test_browser import screenshot
from ducha.web.tests.test_browser_imports import (  # noqa: F401  (fixtures)
    browser,
    campaign,
    chromium_executable,
    jobs,
    sign_in,
    zh,
)


@pytest.fixture
def group_s(campaign):  # noqa: F811
    return sources.add_state_property_group(campaign, get_user_model())


def test_upload_watch_filter_and_turn_two_into_problems(group_s, jobs, sign_in, tmp_path):  # noqa: F811
    paths = {}
    for kind, (name, content) in sources.files().items():
        paths[kind] = tmp_path / name
        paths[kind].write_bytes(content)
    member = sign_in("group_s")
    page = member.page
    page.goto("/")
    page.locator("nav.sub").get_by_role("link", name=zh("Three-way comparison")).click()
    page.get_by_test_id("new").click()
    for kind, file in paths.items():
        page.locator(f'input[name="{kind}"]').set_input_files(file)
    screenshot(member.page, "r10-comparison-upload")
    page.get_by_test_id("start").click()

    expect(page.get_by_test_id("progress")).to_have_attribute("hx-trigger", "every 1s")  # queued: the page polls
    screenshot(member.page, "r10-comparison-progress")
    jobs.go.set()  # the worker runs it; the page reloads itself when it is done
    expect(page.get_by_test_id("summary")).to_be_visible()
    expect(page.get_by_test_id("n-低价成交")).to_have_text("2")
    expect(page.get_by_test_id("findings")).to_contain_text("应进未进")
    screenshot(member.page, "r10-comparison-run")

    filters = page.get_by_test_id("filters")
    filters.locator('select[name="unit"]').select_option("150900")
    filters.get_by_role("button").click()
    rows = page.get_by_test_id("findings").locator("tbody tr")
    expect(rows).to_have_count(2)
    for i in range(2):
        rows.nth(i).locator('input[type="checkbox"]').check()
    page.get_by_test_id("turn-button").click()
    expect(page.locator("ul.messages")).to_be_visible()
    links = page.get_by_test_id("findings").locator('a[data-testid^="problem-"]')
    expect(links).to_have_count(2)
    screenshot(member.page, "r10-comparison-turned")

    links.first.click()
    expect(page.locator("main")).to_contain_text("三方比对发现低价成交")
    screenshot(member.page, "r10-comparison-problem")
    page.goto("/comparisons/")
    expect(page.get_by_test_id("runs")).to_contain_text(sources.NAMES["exchange"])
    screenshot(member.page, "r10-comparison-list")
    assert jobs.failures == []
    assert member.errors == []
