"""Browser test: a unit submits its weekly report from its dashboard (the form prefilled
with the figures read from its ledger), and its group then sees it; a group uploads a
work plan's document. Screenshots of every weekly scheduling and work plan page, in
Chinese, go to test-output/screenshots/ for a person to look at."""

import datetime as dt
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from ducha.core.actions import do_create_object
from ducha.ledger.tests.files import PDF
from ducha.supervision.models import WorkPlan
from ducha.supervision.weeks import monday_of
from ducha.testing import SmallCampaign
from ducha.web.tests.test_browser import (
    Session,
    browser,
    campaign,
    chromium_executable,
    screenshot,
    sign_in,
)

__all__ = ["browser", "campaign", "chromium_executable", "sign_in"]  # the fixtures this module uses


def visit(session: Session, url: str, name: str) -> None:
    """Open a page and keep its screenshot."""
    session.page.goto(url)
    screenshot(session.page, f"weekly-{name}")


@pytest.fixture
def plan(campaign: SmallCampaign) -> WorkPlan:
    return do_create_object(
        WorkPlan,
        actor=campaign.users["group_a"],
        data={"campaign": campaign.campaign, "group": campaign.groups["A"], "title": "工程建设项目督导检查组工作方案",
              "issued_on": dt.date(2024, 5, 10), "summary": "压实责任，细化分工"},
    )  # fmt: skip


def test_a_unit_submits_its_weekly_report_from_its_dashboard(campaign, plan, sign_in, tmp_path):
    week = monday_of(timezone.localdate()).isoformat()
    league = sign_in("league_a")
    league.page.goto("/")
    panel = league.page.get_by_test_id("weekly-panel")
    expect(panel.locator('select[name="week_starts"]')).to_have_value(week)  # this week, chosen
    expect(panel.get_by_test_id("figures")).to_contain_text("2")  # 呼和浩特市's two problems, from its ledger
    panel.locator('textarea[name="narrative"]').fill("本周完成全部项目自查，发现问题2个，正在整改。")
    screenshot(league.page, "weekly-unit-dashboard")
    panel.get_by_test_id("do-submit-weekly").click()

    # The report's page: the narrative, its timeliness and the figures as submitted.
    expect(league.page.get_by_test_id("timeliness")).to_be_visible()
    expect(league.page.locator("main")).to_contain_text("本周完成全部项目自查")
    expect(league.page.get_by_test_id("figures")).to_contain_text("2")
    screenshot(league.page, "weekly-unit-report")
    league.page.goto("/")
    expect(league.page.get_by_test_id("weekly-status")).to_have_attribute("data-submitted", "1")
    visit(league, reverse("weekly-reports-missing"), "missing-unit")

    # Its group sees it in its list; the missing page lists the group's other unit.
    group = sign_in("group_a")
    group.page.goto(reverse("unit-weekly-reports-list"))
    expect(group.page.locator("table.list")).to_contain_text("呼和浩特市")
    screenshot(group.page, "weekly-unit-reports-list")
    group.page.goto(reverse("weekly-reports-missing"))
    expect(group.page.get_by_test_id("missing-units")).to_contain_text("发展和改革委员会")
    screenshot(group.page, "weekly-missing-group")
    group.page.goto(reverse("group-weekly-reports-add"))
    group.page.locator('textarea[name="narrative"]').fill("本周督导组电话督导4次，收到周报1份。")
    screenshot(group.page, "weekly-group-submit")
    group.page.get_by_test_id("do-submit-weekly").click()
    expect(group.page.get_by_test_id("timeliness")).to_be_visible()
    visit(group, reverse("group-weekly-reports-list"), "group-reports-list")

    # A work plan's document, uploaded and listed, downloaded as it was.
    document = tmp_path / "工作方案.pdf"
    document.write_bytes(PDF)
    group.page.goto(reverse("work-plans-detail", args=[plan.pk]))
    group.page.locator('input[name="documents"]').set_input_files(document)
    group.page.get_by_test_id("upload").click()
    link = group.page.get_by_test_id("documents").get_by_role("link", name=document.name)
    expect(link).to_be_visible()
    with group.page.expect_download() as download:
        link.click()
    assert Path(download.value.path()).read_bytes() == PDF
    screenshot(group.page, "weekly-work-plan")
    visit(group, reverse("work-plans-list"), "work-plans-list")
    visit(group, reverse("work-plans-add"), "work-plan-add")

    office = sign_in("office")
    office.page.goto(reverse("weekly-reports-missing"))
    expect(office.page.get_by_test_id("missing-groups")).to_contain_text("B组")
    screenshot(office.page, "weekly-missing-office")
    visit(office, reverse("reporting-schedules-add"), "schedule-add")
    assert [e for s in (league, group, office) for e in s.errors] == []
