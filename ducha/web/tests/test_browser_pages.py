"""Browser tests of the problem and project pages' own forms (Playwright driving Debian's
Chromium, as in test_browser.py, whose fixtures these use):

    (a) a unit reporter asks for a deadline extension, the member of its group grants
        it, and the new deadline shows on the problem page;
    (b) after a workflow step the whole problem page is current (status, the measures
        among the fields, the steps, the history) without a reload;
    (c) an inspection recorded from a project page shows there, with the project's flag.

Screenshots of the problem page (with its extension section) and of the project page
(with the inspection form) go to test-output/screenshots/ for a person to look at.
As in test_browser.py, the test bodies do not touch the database."""

from django.urls import reverse
from playwright.sync_api import Page, expect

from ducha.ledger.choices import ExtensionStatus, InspectionKind, InspectionResult, ProblemStatus
from ducha.testing import zh
from ducha.web.tests.test_browser import (  # noqa: F401  (fixtures)
    SCREENSHOTS,
    browser,
    campaign,
    chromium_executable,
    screenshot,
    sign_in,
    status_label,
)


def mark_document(page: Page) -> None:
    """A mark on the loaded document: still there after an in-place update, gone after a reload."""
    page.evaluate("window.__notReloaded = true")


def assert_not_reloaded(page: Page) -> None:
    assert page.evaluate("window.__notReloaded === true"), "the page was reloaded"


def test_an_extension_asked_by_the_unit_and_granted_by_its_group(campaign, sign_in, capsys):  # noqa: F811 (the fixtures of test_browser)
    url = reverse("problems-detail", args=[campaign.problems["hohhot"].pk])

    league = sign_in("league_a")
    league.page.goto(url)
    mark_document(league.page)
    expect(league.page.get_by_test_id("deadline")).to_have_text("2024-07-01")
    form = league.page.get_by_test_id("request-extension-form")
    form.locator('input[name="new_deadline"]').fill("2024-08-15")
    form.locator('textarea[name="reason"]').fill("设备供货周期长，需延期至八月中旬")
    league.page.get_by_test_id("request-extension").click()
    requested = league.page.get_by_test_id(f"extension-{ExtensionStatus.REQUESTED.value}")
    expect(requested).to_contain_text("设备供货周期长")
    expect(requested).to_contain_text("2024-07-01 → 2024-08-15")
    expect(league.page.get_by_test_id("request-extension-form")).to_have_count(0)  # one at a time
    assert_not_reloaded(league.page)

    group = sign_in("group_a")
    group.page.goto(url)
    mark_document(group.page)
    expect(group.page.get_by_test_id("decide-extension")).to_be_visible()
    shots = [screenshot(group.page, "problem-extension-pending")]
    group.page.get_by_test_id("decide-extension").locator("textarea").fill("同意延期，请按期完成整改")
    group.page.get_by_test_id("grant-extension").click()
    expect(group.page.get_by_test_id(f"extension-{ExtensionStatus.GRANTED.value}")).to_contain_text("同意延期")
    expect(group.page.get_by_test_id("deadline")).to_have_text("2024-08-15")
    expect(group.page.get_by_test_id("decide-extension")).to_have_count(0)
    assert_not_reloaded(group.page)

    league.page.reload()
    expect(league.page.get_by_test_id("deadline")).to_have_text("2024-08-15")
    expect(league.page.get_by_test_id(f"extension-{ExtensionStatus.GRANTED.value}")).to_contain_text("group_a")
    shots.append(screenshot(league.page, "problem-extension-granted"))
    with capsys.disabled():
        print("".join(f"\nscreenshot: {path}" for path in shots))
    assert league.errors + group.errors == []


def test_the_whole_problem_page_is_current_after_a_step(campaign, sign_in):  # noqa: F811 (the fixtures of test_browser)
    league = sign_in("league_a")
    league.page.goto(reverse("problems-detail", args=[campaign.problems["hohhot"].pk]))
    mark_document(league.page)

    start = league.page.get_by_test_id("form-start")
    start.get_by_test_id("do-start").click()  # without the measures: refused at the field
    expect(start.get_by_test_id("error-measures")).to_be_visible()
    expect(league.page.get_by_test_id("status")).to_have_text(status_label(ProblemStatus.FOUND))

    league.page.get_by_test_id("form-start").locator('textarea[name="measures"]').fill("约谈招标代理机构，重新组织评标")
    league.page.get_by_test_id("do-start").click()

    expect(league.page.get_by_test_id("status")).to_have_text(status_label(ProblemStatus.RECTIFYING))
    fields = league.page.locator("dl.fields")
    expect(fields).to_contain_text("约谈招标代理机构，重新组织评标")  # 整改措施 among the fields
    expect(fields).to_contain_text(status_label(ProblemStatus.RECTIFYING))
    expect(league.page.get_by_test_id("step-measures")).to_have_text("约谈招标代理机构，重新组织评标")
    expect(league.page.locator("table.history")).to_contain_text("约谈招标代理机构")  # the step's row
    expect(league.page.get_by_test_id("form-complete")).to_be_visible()  # the next step's form
    expect(league.page.locator("ul.messages")).to_contain_text(zh("Done."))
    assert_not_reloaded(league.page)
    assert league.errors == []


def test_an_inspection_recorded_from_the_project_page(campaign, sign_in, capsys):  # noqa: F811 (the fixtures of test_browser)
    group = sign_in("group_a")
    group.page.goto(reverse("projects-detail", args=[campaign.projects["fgw"].pk]))
    mark_document(group.page)
    form = group.page.get_by_test_id("inspection-form")
    form.locator('select[name="kind"]').select_option(InspectionKind.VERIFY.value)
    form.locator('input[name="inspected_on"]').fill("2024-06-18")
    form.locator('select[name="result"]').select_option(InspectionResult.PROBLEMS.value)
    form.locator('input[name="inspector"]').fill("王五")
    form.locator('textarea[name="findings"]').fill("中标候选人公示期不足三日")
    shots = [screenshot(group.page, "project-inspection-form")]
    group.page.get_by_test_id("record-inspection").click()

    row = group.page.get_by_test_id(f"inspection-{InspectionKind.VERIFY.value}")
    expect(row).to_contain_text("2024-06-18")
    expect(row).to_contain_text(zh(InspectionResult.PROBLEMS.label))
    expect(row).to_contain_text("中标候选人公示期不足三日")
    verified = group.page.locator("dl.fields dt", has_text=zh("verified")).locator("xpath=following-sibling::dd[1]")
    expect(verified).to_have_text(zh("yes"))
    options = group.page.get_by_test_id("inspection-form").locator('select[name="kind"] option')
    expect(options).to_have_count(1)  # sampling is left
    assert_not_reloaded(group.page)
    shots.append(screenshot(group.page, "project-inspection-recorded"))
    with capsys.disabled():
        print("".join(f"\nscreenshot: {path}" for path in shots))
    assert group.errors == []
