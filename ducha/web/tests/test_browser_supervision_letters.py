"""Browser tests of the letters and complaints (Playwright driving Debian's Chromium, as
in test_browser.py, whose fixtures these use):

    (a) a group issues a reminder letter to one of its units from the add page; the
        unit finds it among its letters, reads it and answers; the group accepts;
    (b) a complaint assigned to a unit becomes a problem in one step on its page, and
        the problem's page links back to the complaint.

Full-page screenshots of every page on the way go to test-output/screenshots/C-*.png for a
person to look at. As in test_browser.py, the test bodies do not touch the database: the
fixtures write the data before the browser starts."""

import datetime as dt

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from ducha.core.actions import do_create_object
from ducha.supervision.actions.complaints import do_assign_complaint
from ducha.supervision.models import Complaint
from ducha.testing import SmallCampaign, zh
from ducha.web.tests.test_browser import (  # noqa: F401  (fixtures)
    SCREENSHOTS,
    browser,
    campaign,
    chromium_executable,
    screenshot,
    sign_in,
)


@pytest.fixture
def letter_units(campaign: SmallCampaign) -> dict:  # noqa: F811 (the fixture of test_browser)
    return {code: str(campaign.units[code].pk) for code in ("150100", "fgw")}


def test_a_group_issues_a_letter_that_the_unit_answers(letter_units, sign_in, capsys):  # noqa: F811
    group = sign_in("group_a")
    page = group.page
    page.goto(reverse("letters-add"))
    page.locator("#id_kind").select_option("reminder")
    page.fill("#id_number", "工程督导函〔2024〕3号")
    page.fill("#id_title", "关于加快呼和浩特市工程建设项目问题整改进度的提醒函")
    page.fill("#id_points", "一、部分问题整改进度滞后，未按时限完成；\n二、问题台账填报不规范，佐证材料不全。")
    page.fill("#id_issued_on", "2024-06-03")
    page.fill("#id_respond_by", "2024-06-14")
    page.check(f'input[name="units"][value="{letter_units["150100"]}"]')
    shots = [screenshot(page, "C-letter-add")]
    page.get_by_role("button", name=zh("Save")).click()
    recipients = page.get_by_test_id("letter-recipients")
    expect(recipients).to_contain_text("呼和浩特市")
    expect(recipients).not_to_contain_text("发展和改革委员会")
    shots += [screenshot(page, "C-letter-detail")]
    page.goto(reverse("letters-list"))
    shots += [screenshot(page, "C-letters-list")]

    league = sign_in("league_a")
    page = league.page
    page.goto(reverse("letter-recipients-list"))
    shots += [screenshot(page, "C-letter-responses-unit")]
    page.locator("table.list tbody").get_by_role("link", name="呼和浩特市").first.click()
    expect(page.get_by_test_id("letter-points")).to_contain_text("问题台账填报不规范")
    expect(page.get_by_test_id("response-state")).to_have_text(zh("not yet answered"))
    page.fill("#answer-response", "已对滞后问题逐项制定整改计划，6月30日前全部完成整改并补齐佐证材料。")
    page.fill("#answer-responded_on", "2024-06-12")
    page.get_by_test_id("answer-letter").click()
    expect(page.get_by_test_id("response-state")).to_have_text(zh("awaiting decision"))
    shots += [screenshot(page, "C-letter-answered-unit")]
    url = page.url

    group.page.goto(url)
    page = group.page
    page.fill("#decision-decision_note", "整改计划明确，同意。")
    page.get_by_test_id("accept-response").click()
    expect(page.get_by_test_id("response-state")).to_have_text(zh("accepted"))
    shots += [screenshot(page, "C-letter-accepted-group")]

    league.page.goto(url)
    expect(league.page.get_by_test_id("answer-form")).to_have_count(0)  # accepted: answered for good
    with capsys.disabled():
        print("".join(f"\nscreenshot: {path}" for path in shots))
    assert [e for s in (group, league) for e in s.errors] == []


@pytest.fixture
def complaint_url(campaign: SmallCampaign) -> str:  # noqa: F811 (the fixture of test_browser)
    data = {
        "campaign": campaign.campaign, "number": "JB-2024-017", "source": "forwarded",
        "received_on": dt.date(2024, 6, 3), "group": campaign.groups["A"],
        "summary": "协调组转办：反映呼和浩特市第二中学教学楼项目评标专家与投标人存在利害关系未回避。",
    }  # fmt: skip
    complaint = do_create_object(Complaint, actor=campaign.users["group_a"], data=data)
    do_assign_complaint(
        complaint, actor=campaign.users["group_a"], group=campaign.groups["A"], unit=campaign.units["150100"],
        deadline=dt.date(2024, 7, 3),
    )  # fmt: skip
    return reverse("complaints-detail", args=[complaint.pk])


def test_a_complaint_becomes_a_problem(complaint_url, sign_in, capsys):  # noqa: F811
    group = sign_in("group_a")
    page = group.page
    page.goto(reverse("complaints-add"))
    shots = [screenshot(page, "C-complaint-add")]
    page.goto(reverse("complaints-list"))
    shots += [screenshot(page, "C-complaints-list")]
    page.goto(complaint_url)
    shots += [screenshot(page, "C-complaint-detail")]
    form = page.get_by_test_id("to-problem-form")
    form.locator('input[name="number"]').fill("JB-Q-2024-001")
    form.locator('input[name="found_on"]').fill("2024-06-10")
    form.locator('input[name="deadline"]').fill("2024-08-10")
    page.get_by_test_id("to-problem").click()
    expect(page.get_by_test_id("to-problem-form")).to_have_count(0)  # one step, once
    link = page.get_by_role("link", name="JB-Q-2024-001", exact=False)
    expect(link).to_be_visible()
    shots += [screenshot(page, "C-complaint-became-problem")]
    link.click()
    expect(page.get_by_test_id("linked")).to_contain_text("JB-2024-017")
    expect(page.locator("dl.fields")).to_contain_text(zh("Complaint"))  # discovery method
    shots += [screenshot(page, "C-problem-from-complaint")]

    league = sign_in("league_a")  # the unit sees both, and handles the complaint
    league.page.goto(complaint_url)
    league.page.locator("#progress-progress").fill("已约谈招标人，正在核查评标过程。")
    league.page.get_by_test_id("record-progress").click()
    expect(league.page.get_by_test_id("complaint-status")).to_have_text(zh("Being handled"))
    shots += [screenshot(league.page, "C-complaint-unit")]
    with capsys.disabled():
        print("".join(f"\nscreenshot: {path}" for path in shots))
    assert [e for s in (group, league) for e in s.errors] == []
