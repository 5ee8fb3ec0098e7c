"""Browser tests of the supervision contacts and rounds (Playwright driving Debian's
Chromium, with test_browser.py's fixtures): a group records a phone contact with one of
its units, its supervisor filled in for it; on a look-back round's page it reopens a
signed-off problem found not truly rectified; the compliance page shows who fell short.
Screenshots of every page of this area go to test-output/screenshots/B-*.png. As in test_browser.py,
the test bodies do not touch the database: `rounds` writes the data first."""

import datetime as dt

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from ducha.core.actions import do_bulk_create_objects, do_create_object
from ducha.ledger.actions import do_bulk_transition_problems
from ducha.ledger.choices import ProblemStatus
from ducha.supervision.actions.rounds import do_record_round_problem
from ducha.supervision.choices import ContactKind, RoundKind
from ducha.supervision.models import Contact, ContactRule, SupervisionRound
from ducha.testing import SmallCampaign, move, zh
from ducha.web.tests.test_browser import (  # noqa: F401  (fixtures)
    browser,
    campaign,
    chromium_executable,
    screenshot,
    sign_in,
)

JUNE = dt.date(2024, 6, 3)


@pytest.fixture
def rounds(campaign: SmallCampaign) -> dict:  # noqa: F811 (the fixture of test_browser)
    """Group A: a site round in June down to 新城区 that found a problem, an August
    look-back round, phone contacts short of a two-a-week rule; 呼和浩特市's problem signed off."""
    sc, system = campaign, campaign.system
    group = sc.groups["A"]

    def add_round(number, kind, starts, methods):
        return do_create_object(SupervisionRound, actor=system, data={
            "campaign": sc.campaign, "group": group, "number": number, "kind": kind, "starts_on": starts,
            "ends_on": starts + dt.timedelta(days=4), "methods": methods,
            "summary": "听取盟市工作汇报，查阅项目资料，抽查在建项目"})  # fmt: skip

    site = add_round(1, RoundKind.REGULAR, JUNE, ["briefing", "discussion", "records"])
    look_back = add_round(2, RoundKind.LOOK_BACK, dt.date(2024, 8, 5), ["records", "questioning", "spot_check"])
    base = {"campaign": sc.campaign, "group": group, "supervisor": "王督导"}
    do_bulk_create_objects([
        Contact(**base, unit=sc.units["150100"], county=sc.units["150102"], kind=ContactKind.ON_SITE, round=site,
                contacted_on=JUNE + dt.timedelta(days=1), content="实地督导新城区自查抽查工作"),
        Contact(**base, unit=sc.units["150100"], kind=ContactKind.PHONE, contacted_on=JUNE + dt.timedelta(days=7),
                content="电话了解问题整改进度", follow_up="下周报送整改材料"),
        Contact(**base, unit=sc.units["fgw"], kind=ContactKind.WRITTEN, contacted_on=JUNE + dt.timedelta(days=8),
                content="书面提醒按时报送周调度"),
    ], actor=system)  # fmt: skip
    do_create_object(ContactRule, actor=system, data={"campaign": sc.campaign, "kind": ContactKind.PHONE,
                                                     "per_week": 2, "starts_on": JUNE})  # fmt: skip
    do_record_round_problem(site, actor=system, data={
        "unit": sc.units["150100"], "county": sc.units["150102"], "domain": sc.projects["xincheng"].domain,
        "project": sc.projects["xincheng"], "number": "DC-2024-01", "description": "招标文件设置不合理资格条件",
        "found_on": JUNE + dt.timedelta(days=1), "deadline": dt.date(2024, 7, 31)})  # fmt: skip
    do_bulk_transition_problems([move(sc.problems["hohhot"], ProblemStatus.SIGNED_OFF)], actor=system)
    return {"site": site.pk, "look_back": look_back.pk, "problem": sc.problems["hohhot"].pk}


def test_a_group_records_a_phone_contact(campaign, rounds, sign_in):  # noqa: F811 (fixtures of test_browser)
    group = sign_in("group_a")
    page = group.page
    page.goto(reverse("contacts-list"))
    expect(page.locator("table.list")).to_contain_text("电话了解问题整改进度")
    screenshot(page, "B-contacts-list")
    page.get_by_role("link", name=zh("Add"), exact=True).click()
    expect(page.locator("#id_supervisor")).to_have_value("group_a")  # the actor, as the default
    expect(page.locator("#id_group")).to_have_value(str(campaign.groups["A"].pk))
    page.select_option("#id_unit", label="自治区发展和改革委员会")
    page.select_option("#id_kind", value="phone")
    page.fill("#id_contacted_on", "2024-06-12")
    page.fill("#id_content", "电话督导发改委问题整改和周调度报送情况")
    page.fill("#id_follow_up", "6月14日前报送整改佐证材料")
    screenshot(page, "B-contact-add")
    page.get_by_role("button", name=zh("Save")).click()
    expect(page.locator("dl.fields")).to_contain_text("电话督导发改委问题整改和周调度报送情况")
    expect(page.locator("dl.fields")).to_contain_text(zh("Phone supervision"))
    expect(page.locator("dl.fields")).to_contain_text("group_a")
    screenshot(page, "B-contact-detail")
    page.goto(reverse("contacts-list") + "?kind=phone")
    expect(page.get_by_test_id("count")).to_contain_text("2")
    assert group.errors == []


def test_a_look_back_round_reopens_a_problem_and_the_pages_read_well(campaign, rounds, sign_in):  # noqa: F811 (fixtures of test_browser)
    group = sign_in("group_a")
    page = group.page
    page.goto(reverse("site-rounds-list"))
    screenshot(page, "B-site-rounds-list")
    page.goto(reverse("site-rounds-detail", args=[rounds["site"]]))
    expect(page.get_by_test_id("round-counties")).to_contain_text("新城区")
    expect(page.get_by_test_id("round-problems")).to_contain_text("DC-2024-01")
    expect(page.get_by_test_id("round-methods")).to_contain_text("听取汇报、座谈交流、查阅资料")
    screenshot(page, "B-site-round-detail")

    page.goto(reverse("site-rounds-detail", args=[rounds["look_back"]]))
    offered = page.get_by_test_id("candidates")
    offered.locator("summary").click()
    offered.get_by_role("link", name="Q-hohhot").click()  # fills in the form
    form = page.get_by_test_id("look-back-form")
    expect(form.locator("#check-problem")).to_have_value("Q-hohhot")
    expect(form.locator("#check-unit")).to_have_value(str(campaign.units["150100"].pk))
    form.locator("#check-checked_on").fill("2024-08-06")
    form.locator("#check-outcome").select_option(value="not_rectified")
    form.get_by_role("button").click()  # no reason: refused at its field
    expect(page.get_by_test_id("error-reason")).to_contain_text(zh("A reason is required."))
    page.get_by_test_id("look-back-form").locator("#check-reason").fill("现场核查发现整改资料与实际不符")
    screenshot(page, "B-look-back-round")
    page.get_by_test_id("record-look-back").click()
    expect(page.get_by_test_id("round-checks")).to_contain_text(zh("Not truly rectified, reopened"))
    screenshot(page, "B-look-back-round-after")
    page.goto(reverse("problems-detail", args=[rounds["problem"]]))
    expect(page.locator("dl.fields")).to_contain_text(zh("Rectifying"))

    page.goto(reverse("look-back-checks-list"))
    expect(page.locator("table.list")).to_contain_text("Q-hohhot")
    screenshot(page, "B-look-back-checks-list")
    page.goto(reverse("contact-compliance") + "?week=2024-06-10")
    expect(page.get_by_test_id("shortfall-150100")).to_contain_text("1")
    expect(page.get_by_test_id("shortfall-fgw")).to_be_visible()
    screenshot(page, "B-compliance")
    assert group.errors == []


def test_the_office_sets_a_contact_rule(campaign, rounds, sign_in):  # noqa: F811 (fixtures of test_browser)
    office = sign_in("office")
    page = office.page
    page.goto(reverse("contact-rules-add"))
    page.select_option("#id_kind", value="phone")
    page.fill("#id_per_week", "2")
    page.fill("#id_starts_on", "2024-07-01")
    page.select_option("#id_group", label="A组")
    screenshot(page, "B-contact-rule-add")
    page.get_by_role("button", name=zh("Save")).click()
    expect(page.get_by_test_id("compliance-link")).to_be_visible()
    screenshot(page, "B-contact-rule-detail")
    page.goto(reverse("contact-rules-list"))
    screenshot(page, "B-contact-rules-list")
    page.goto(reverse("site-rounds-add"))
    page.select_option("#id_group", label="A组")
    page.fill("#id_number", "3")
    page.select_option("#id_kind", value="look_back")
    page.fill("#id_starts_on", "2024-09-23")
    page.fill("#id_ends_on", "2024-09-27")
    for method in (zh("Hearing reports"), zh("Random spot checks")):
        page.get_by_label(method).check()
    screenshot(page, "B-site-round-add")
    page.get_by_role("button", name=zh("Save")).click()
    expect(page.get_by_test_id("round-methods")).to_contain_text(f"{zh('Hearing reports')}、{zh('Random spot checks')}")
    page.goto(reverse("look-back-checks-add"))
    expect(page.locator("#id_round")).to_contain_text("A组 第3轮")
    screenshot(page, "B-look-back-check-add")
    page.goto(reverse("contact-compliance") + "?group=B")
    expect(page.get_by_test_id("compliance-group")).to_have_value("B")
    screenshot(page, "B-compliance-office")
    assert office.errors == []
