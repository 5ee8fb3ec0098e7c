"""Browser tests: Playwright drives Debian's Chromium (launched by path, never
downloaded) against pytest-django's live server.

    (a) a unit reporter starts rectifying an open problem and reports it rectified with evidence;
    (b) the member of the unit's supervision group signs it off;
    (c) the office dashboard's rectified figure for that group goes up by one;
    (d) the unit reporter cannot see another unit's problem.

Full-page screenshots of the three dashboards and of three lists (problems, projects,
trainings) go to test-output/screenshots/ for a person to look at. scripts/test.sh
installs chromium and fonts-noto-cjk (so Chinese renders) when it runs as root; without
chromium these tests skip, or fail under CI.
"""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from ducha.ledger.choices import ProblemStatus
from ducha.ledger.tests.files import PDF
from ducha.testing import PASSWORD, SmallCampaign

SCREENSHOTS = Path(__file__).resolve().parents[3] / "test-output" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Every chart drawn and its entry animation over (ZRender's animation queue is empty), for the screenshots.
CHARTS_SETTLED = """() => [...document.querySelectorAll("[data-chart]")].every((el) => {
    const animation = window.echarts.getInstanceByDom(el)?.getZr().animation;
    return !animation?.isFinished || animation.isFinished();
})"""


def chromium_path() -> str:
    path = shutil.which("chromium") or ("/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else None)
    if path is None:
        message = "Debian's chromium is not installed (as root, scripts/test.sh runs: apt-get install chromium)"
        if os.environ.get("CI", "").lower() not in {"", "0", "false"}:
            pytest.fail(message)
        pytest.skip(message)
    return path


def status_label(status: ProblemStatus) -> str:
    """The label the page shows: Chinese once the zh-Hans catalogue is there, English before."""
    with translation.override("zh-hans"):
        return str(status.label)


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    return chromium_path()


@pytest.fixture
def browser(chromium_executable: str, campaign) -> Iterator[Browser]:
    """Chromium for one test, started after the test's data is written and stopped before
    the database is flushed: while Playwright's sync API runs, its event loop counts as
    running in this thread, and Django refuses database calls from it (SynchronousOnlyOperation).
    The live server answers from its own thread, which has no loop. So the test body
    itself must not touch the database."""
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=chromium_executable, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    finally:
        playwright.stop()


@pytest.fixture
def campaign(small_committed) -> SmallCampaign:
    """The small campaign, committed so that the live server's thread sees it."""
    return small_committed


class Session:
    """One signed-in user in their own browser context; records console errors and
    uncaught exceptions (a CSP violation shows as a console error)."""

    def __init__(self, browser: Browser, base_url: str, username: str):
        self.username = username
        self.errors: list[str] = []
        self.context: BrowserContext = browser.new_context(
            base_url=base_url, viewport={"width": 1366, "height": 900}, accept_downloads=True
        )
        self.context.set_default_timeout(15_000)
        self.page: Page = self.context.new_page()
        self.page.on("console", lambda message: message.type == "error" and self.record(message.text))
        self.page.on("pageerror", lambda error: self.record(str(error)))
        self.page.goto("/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", PASSWORD)
        self.page.get_by_test_id("sign-in").click()
        expect(self.page.get_by_test_id("who")).to_contain_text(username)

    def record(self, error: str) -> None:
        self.errors.append(f"{self.username} at {self.page.url}: {error}")

    def open_problem(self, sc: SmallCampaign, key: str):
        return self.page.goto(reverse("problems-detail", args=[sc.problems[key].pk]))

    def dashboard(self, *, charts: bool = True) -> None:
        self.page.goto("/")
        if charts:
            for chart in self.page.locator("[data-chart]").all():
                expect(chart).to_have_attribute("data-rendered", "1")
                expect(chart.locator("canvas")).to_have_count(1)
            self.page.wait_for_function(CHARTS_SETTLED)

    def rectified_of_group(self, code: str) -> int:
        self.dashboard(charts=False)
        return int(self.page.locator(f'[data-testid="by-group"] tr[data-group="{code}"] td.rectified').inner_text())

    def screenshot(self, name: str) -> Path:
        return screenshot(self.page, f"dashboard-{name}")


def screenshot(page: Page, name: str) -> Path:
    """The whole page, kept as test-output/screenshots/<name>.png for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def sign_in(browser: Browser, live_server) -> Iterator:
    sessions: list[Session] = []

    def open_session(username: str) -> Session:
        sessions.append(Session(browser, live_server.url, username))
        return sessions[-1]

    yield open_session
    for session in sessions:
        session.context.close()


def test_rectify_sign_off_and_count_on_the_dashboards(campaign, sign_in, tmp_path, capsys):
    office = sign_in("office")
    before = office.rectified_of_group("A")

    # (a) The league's reporter starts rectifying its problem, then reports it rectified with evidence.
    league = sign_in("league_a")
    league.open_problem(campaign, "hohhot")
    status = league.page.get_by_test_id("status")
    expect(status).to_have_text(status_label(ProblemStatus.FOUND))
    league.page.locator('textarea[name="measures"]').fill("约谈招标代理机构，重新组织评标")
    league.page.get_by_test_id("do-start").click()
    expect(status).to_have_text(status_label(ProblemStatus.RECTIFYING))

    report = tmp_path / "整改报告.pdf"
    report.write_bytes(PDF)
    complete = league.page.locator("form.transition", has=league.page.get_by_test_id("do-complete"))
    complete.locator('input[name="completed_on"]').fill("2024-06-20")
    complete.locator('input[name="evidence"]').set_input_files(report)
    complete.get_by_test_id("do-complete").click()
    expect(status).to_have_text(status_label(ProblemStatus.RECTIFIED))
    expect(league.page.get_by_test_id("do-sign_off")).to_have_count(0)  # not the unit's step

    link = league.page.get_by_test_id("evidence").get_by_role("link", name=report.name)  # the page is current
    expect(link).to_be_visible()
    with league.page.expect_download() as download:
        link.click()
    assert Path(download.value.path()).read_bytes() == PDF

    # (b) The member of group A, which supervises the league, signs it off.
    group = sign_in("group_a")
    group.open_problem(campaign, "hohhot")
    status = group.page.get_by_test_id("status")
    expect(status).to_have_text(status_label(ProblemStatus.RECTIFIED))
    group.page.locator('textarea[name="opinion"]').fill("整改到位，同意销号")
    group.page.get_by_test_id("do-sign_off").click()
    expect(status).to_have_text(status_label(ProblemStatus.SIGNED_OFF))

    # (c) The office's figure for group A went up by one, though the statistics are cached.
    assert office.rectified_of_group("A") == before + 1

    # The three dashboards, for a person to look at; no script errors or CSP violations anywhere.
    screenshots = []
    for session, name, charts in ((office, "office", True), (group, "group", True), (league, "unit", False)):
        session.dashboard(charts=charts)
        screenshots.append(session.screenshot(name))
    with capsys.disabled():  # shown in the test output even when pytest captures it
        print("".join(f"\nscreenshot: {path}" for path in screenshots))
    assert [e for s in (office, league, group) for e in s.errors] == []


def test_unit_reporter_cannot_see_another_units_problem(campaign, sign_in):
    league = sign_in("league_a")
    response = league.open_problem(campaign, "baotou")  # 包头市's problem, not 呼和浩特市's
    assert response is not None and response.status == 404
    league.page.goto(reverse("problems-list"))
    listing = league.page.locator("table.list")
    expect(listing).to_contain_text(campaign.problems["hohhot"].number)
    expect(listing).not_to_contain_text(campaign.problems["baotou"].number)


LONG_DESCRIPTION = "领导干部违规插手干预招标投标活动，打招呼、递条子、指定中标人，情节严重"


@pytest.fixture
def listed(campaign) -> SmallCampaign:
    """The small campaign with problems of every status and category, the disposition
    ledgers, a long description and a large amount: lists worth looking at."""
    from decimal import Decimal

    from ducha.core.actions import do_update_object
    from ducha.web.tests.conftest import _add_dispositions, add_variety

    add_variety(campaign)
    _add_dispositions(campaign)
    system = campaign.system
    do_update_object(campaign.projects["hohhot"], actor=system, changes={"amount": Decimal("123456789.50")})
    do_update_object(campaign.problems["bidrig"], actor=system, changes={"description": LONG_DESCRIPTION})
    return campaign


CHART_OPTIONS = """() => {
    const option = (source) => window.echarts
        .getInstanceByDom(document.querySelector(`[data-source="${source}"]`)).getOption();
    const data = (source) => JSON.parse(document.getElementById(source).textContent);
    const clearance = option("chart-clearance"), category = option("chart-category");
    return {
        clearance: data("chart-clearance"),
        drawn: clearance.yAxis[0].data,
        label: clearance.series[0].label.formatter({value: 85.3}),
        categories: data("chart-category").labels,
        category_axis: category.yAxis[0].data,
        overflow: category.yAxis[0].axisLabel.overflow,
    };
}"""
# Every date and number cell of a list, and its record numbers, stay on one line.
ONE_LINE = """() => [...document.querySelectorAll("table.list td.date, table.list td.num, table.list td.nowrap")]
    .map((td) => ({text: td.innerText, nowrap: getComputedStyle(td).whiteSpace === "nowrap"}))"""


def test_lists_header_and_charts_read_well(listed, sign_in, capsys):
    with translation.override("zh-hans"):
        office_role = str(translation.gettext("Campaign office"))
    office = sign_in("office")
    page = office.page

    # The header names the user and the role once ("全区" would only repeat the role).
    expect(page.get_by_test_id("who")).to_have_text(f"office · {office_role}")

    # The zero-clearing chart: the lagging units on top, each bar labelled with its percentage;
    # the category chart: whole category names on a horizontal bar chart.
    office.dashboard()
    charts = page.evaluate(CHART_OPTIONS)
    assert charts["drawn"] == charts["clearance"]["labels"][::-1]  # ECharts draws the last on top
    assert charts["clearance"]["values"] == sorted(charts["clearance"]["values"])
    assert charts["label"] == "85.3%"
    assert charts["category_axis"] == charts["categories"][::-1] and charts["overflow"] == "break"
    assert "A 公职人员违规插手招标投标方面" in charts["categories"]

    screenshots = []
    for ledger, totals in (("problems", []), ("projects", ["total-amount"]), ("trainings", ["total-attendees"])):
        page.goto(reverse(f"{ledger}-list"))
        for testid in totals:
            expect(page.get_by_test_id(testid)).to_be_visible()
        cells = page.evaluate(ONE_LINE)
        assert cells and all(c["nowrap"] for c in cells), cells
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        screenshots.append(SCREENSHOTS / f"list-{ledger}.png")
        page.screenshot(path=str(screenshots[-1]), full_page=True)
    page.goto(reverse("problems-list"))
    cut = page.locator(f'td[title="{LONG_DESCRIPTION}"]')
    expect(cut).to_have_count(1)
    expect(cut).to_have_text(LONG_DESCRIPTION[:23] + "…")
    expect(page.get_by_test_id("total-amount")).to_have_count(0)
    with capsys.disabled():
        print("".join(f"\nscreenshot: {path}" for path in screenshots))
    assert office.errors == []
