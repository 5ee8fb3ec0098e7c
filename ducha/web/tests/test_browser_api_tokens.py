"""Browser test of the API tokens page (Playwright driving Debian's Chromium, with
test_browser.py's fixtures): reached from the header, a token made and shown once, one
revoked; no console errors (the page keeps the CSP). Screenshot: /tmp/shots/api_tokens.png
(in Chinese) and test-output/screenshots/api-tokens.png. The test body does not touch the database."""

import shutil
from pathlib import Path

from playwright.sync_api import expect

from ducha.testing import zh
from ducha.web.tests.test_browser import (  # noqa: F401  (fixtures)
    browser,
    campaign,
    chromium_executable,
    screenshot,
    sign_in,
)

SHOTS = Path("/tmp/shots")


def test_make_see_once_and_revoke(campaign, sign_in):  # noqa: F811 (the fixtures of test_browser)
    league = sign_in("league_a")
    page = league.page
    page.get_by_test_id("api-tokens").click()
    expect(page.locator("h1")).to_have_text(zh("API tokens"))
    for name in ("旧的脚本", "省交易平台对接"):
        page.locator("#id_name").fill(name)
        page.get_by_test_id("create-token").click()
        expect(page.get_by_test_id("secret")).to_contain_text("dch_")
    secret = page.get_by_test_id("secret").inner_text()
    rows = page.get_by_test_id("tokens").locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("省交易平台对接")
    expect(rows.first).to_contain_text(secret[:10])
    old = rows.nth(1)
    old.get_by_role("button", name=zh("Revoke")).click()
    expect(page.get_by_test_id("new-token")).to_have_count(0)  # shown once only
    expect(page.locator("main")).not_to_contain_text(secret)
    expect(rows.nth(1)).to_contain_text(zh("Revoked"))
    expect(rows.nth(1).get_by_role("button")).to_have_count(0)
    expect(rows.first).to_contain_text(zh("Active"))
    # The page as a user sees it right after making a token (shown once) beside a revoked one.
    page.locator("#id_name").fill("数据报送")
    page.get_by_test_id("create-token").click()
    expect(page.get_by_test_id("secret")).to_be_visible()
    path = screenshot(page, "api-tokens")
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, SHOTS / "api_tokens.png")
    assert league.errors == []
