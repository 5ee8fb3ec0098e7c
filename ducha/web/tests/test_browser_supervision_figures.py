"""Browser test: a group opens its dashboard, sees its units ranked by the lagging rule
with the reasons, and follows a supervision figure to the list behind it; the office
sees the units that lag in every group. Screenshots in Chinese go to
test-output/screenshots/."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from ducha.core.actions import do_bulk_create_objects
from ducha.supervision.models import Contact
from ducha.testing import SmallCampaign
from ducha.web.tests.test_browser import (
    browser,
    campaign,
    chromium_executable,
    screenshot,
    sign_in,
)

__all__ = ["browser", "campaign", "chromium_executable", "sign_in"]  # the fixtures this module uses


@pytest.fixture
def contacted(campaign: SmallCampaign) -> SmallCampaign:
    """Group A phoned 呼和浩特市 twice; nobody has sent a weekly report since the campaign began."""
    do_bulk_create_objects(
        [
            Contact(campaign=campaign.campaign, group=campaign.groups["A"], unit=campaign.units["150100"], kind="phone",
                    contacted_on=day, supervisor="张督导", content="电话了解自查进展")
            for day in (dt.date(2024, 6, 3), dt.date(2024, 6, 5))
        ],
        actor=campaign.users["group_a"],
    )  # fmt: skip
    return campaign


def test_a_group_sees_its_lagging_units_and_follows_a_figure_to_its_list(contacted, sign_in):
    group = sign_in("group_a")
    group.page.goto("/")

    lagging = group.page.get_by_test_id("lagging")
    expect(lagging.locator("tr[data-unit]")).to_have_count(2)  # 呼和浩特市 and 发改委, its units
    # Both missed every weekly report since the default schedule's first week.
    expect(lagging.locator('tr.reasons li[data-criterion="reports"]')).to_have_count(2)
    expect(lagging.locator("tr.reasons").first).to_contain_text("周报：应报")  # the reason in words, in Chinese
    expect(group.page.get_by_test_id("lagging-rule")).to_be_visible()
    screenshot(group.page, "D-group-dashboard")

    phone = group.page.get_by_test_id("supervision").locator('tr[data-figure="contacts_phone"] a')
    expect(phone).to_have_text("2")
    phone.click()
    expect(group.page).to_have_url(f"{group.page.url.split('?')[0]}?kind=phone&group=A")
    rows = group.page.locator("table.list tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("呼和浩特市")
    screenshot(group.page, "D-group-figure-list")
    assert not group.errors

    office = sign_in("office")
    office.page.goto("/")
    overview = office.page.get_by_test_id("lagging-overview")
    expect(overview.locator("tr[data-unit]")).to_have_count(4)  # every group's units: no report from any
    expect(office.page.get_by_test_id("supervision").locator("thead th")).to_have_count(4)  # figure, A, B, total
    screenshot(office.page, "D-office-dashboard")
    assert not office.errors
