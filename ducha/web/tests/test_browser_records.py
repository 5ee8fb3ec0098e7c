"""Browser tests of how records read and link (Playwright driving Debian's Chromium, as
in test_browser.py, whose fixtures these use):

    (a) a problem's page shows its change history as text and links its project and its
        clue transfer, filed and exposed cases, each of which links back;
    (b) the add-problem form suggests the unit's projects as one types its number or
        name; choosing one fills the project, county and domain, and the problem saves.

Screenshots of both go to test-output/screenshots/ for a person to look at. As in
test_browser.py, the test bodies do not touch the database: `records` writes the data
before the browser starts."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from ducha.core.actions import do_bulk_create_objects, do_create_object, do_update_object
from ducha.ledger.actions import (
    do_decide_extension,
    do_request_extension,
    do_transition_problem,
)
from ducha.ledger.evidence import EvidenceUpload
from ducha.ledger.models import ClueTransfer, ExposedCase, FiledCase, Project
from ducha.testing import SmallCampaign, zh
from ducha.web.tests.helpers import PDF
from ducha.web.tests.test_browser import (  # noqa: F401  (fixtures)
    SCREENSHOTS,
    browser,
    campaign,
    chromium_executable,
    sign_in,
)

PROJECTS = (  # number, name, county (None: the city's own), amount
    ("HS-2024-001", "呼和浩特市第二中学教学楼建设项目", None, "38600000.00"),
    ("HS-2024-002", "呼和浩特市城市道路照明改造工程", None, "12450000.00"),
    ("HS-2024-003", "新城区老旧小区供热管网改造工程", "150102", "8760000.00"),
    ("HS-2024-017", "呼和浩特市政务云平台运维服务采购", None, "2300000.00"),
)


@pytest.fixture
def records(campaign: SmallCampaign) -> dict:  # noqa: F811 (the fixture of test_browser)
    """The hohhot problem with a history (an edit, a step with measures, an extension
    asked and granted, a step with a report) and a clue transfer, a filed and an exposed
    case; and a few projects of 呼和浩特市 to search."""
    system, league, group = campaign.system, campaign.users["league_a"], campaign.users["group_a"]
    problem = campaign.problems["hohhot"]
    project = do_update_object(
        campaign.projects["hohhot"], actor=system,
        changes={"name": "呼和浩特市体育中心改扩建工程", "tenderer": "呼和浩特市体育局"},
    )  # fmt: skip
    problem = do_update_object(
        problem, actor=league,
        changes={"description": "评标委员会成员与投标人存在利害关系未回避", "responsible": "张伟"},
        reason="补充问题描述和责任人",
    )  # fmt: skip
    do_transition_problem(problem, "rectifying", actor=league, measures="约谈招标代理机构，重新组织评标")
    extension = do_request_extension(problem, actor=league, new_deadline=dt.date(2024, 8, 15), reason="需重新招标")
    do_decide_extension(extension, actor=group, grant=True, note="同意延期")
    do_transition_problem(
        problem, "rectified", actor=league, completed_on=dt.date(2024, 6, 20),
        evidence=[EvidenceUpload("整改报告.pdf", PDF)],
    )  # fmt: skip
    link = {"campaign": campaign.campaign, "unit": problem.unit, "domain": problem.domain, "problem": problem}
    day = dt.date(2024, 6, 12)
    cases = [
        ClueTransfer(**link, authority="discipline", transferred_on=day, summary="评标专家违规打分问题线索"),
        FiledCase(
            **link,
            filed_on=dt.date(2024, 6, 18),
            filed_by="呼和浩特市纪委监委",
            case_number="呼纪立〔2024〕15号",
            summary="评标专家违规打分",
        ),
        ExposedCase(
            **link,
            title="呼和浩特市通报一起评标专家违规打分典型案例",
            exposed_on=dt.date(2024, 6, 25),
            channel="呼和浩特市纪委监委网站",
        ),
    ]
    for case in cases:
        do_bulk_create_objects([case], actor=system)
    for number, name, county, amount in PROJECTS:
        do_create_object(
            Project, actor=system,
            data={"campaign": campaign.campaign, "unit": campaign.units["150100"],
                  "county": campaign.units[county] if county else None, "domain": project.domain,
                  "number": number, "name": name, "tenderer": "呼和浩特市教育局", "amount": Decimal(amount),
                  "trade_date": dt.date(2024, 3, 1)},
        )  # fmt: skip
    return {
        "problem": reverse("problems-detail", args=[problem.pk]),
        "project": (reverse("projects-detail", args=[project.pk]), str(project)),
        "cases": [
            (reverse(f"{key}-detail", args=[c.pk]), str(c))
            for key, c in zip(("clue-transfers", "filed-cases", "exposed-cases"), cases, strict=True)
        ],
        "county": str(campaign.units["150102"].pk),
    }


def test_a_problem_page_reads_as_text_and_links_its_records(records, sign_in, capsys):  # noqa: F811
    league = sign_in("league_a")
    page = league.page
    page.goto(records["problem"])

    history = page.locator("table.history")
    expect(history).to_contain_text("约谈招标代理机构，重新组织评标")
    expect(history).to_contain_text("整改报告.pdf")
    expect(history).to_contain_text("补充问题描述和责任人")
    expect(history).not_to_contain_text("{")
    url, name = records["project"]
    expect(page.locator("dl.fields").get_by_role("link", name=name)).to_have_attribute("href", url)
    linked = page.get_by_test_id("linked")
    for url, name in records["cases"]:
        expect(linked.get_by_role("link", name=name)).to_have_attribute("href", url)
    shot = SCREENSHOTS / "problem-history-linked.png"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shot), full_page=True)

    # A case links back to its problem.
    url, name = records["cases"][1]
    linked.get_by_role("link", name=name).click()
    expect(page).to_have_url(re.compile(re.escape(url) + "$"))
    page.locator("dl.fields a").first.click()
    expect(page).to_have_url(re.compile(re.escape(records["problem"]) + "$"))
    expect(page.locator("table.history")).to_contain_text("整改报告.pdf")
    with capsys.disabled():
        print(f"\nscreenshot: {shot}")
    assert league.errors == []


def test_the_add_problem_form_suggests_projects_as_one_types(records, sign_in, capsys):  # noqa: F811
    league = sign_in("league_a")
    page = league.page
    page.goto(reverse("problems-add"))
    form = page.locator("form.form")

    form.locator('input[name="project"]').press_sequentially("HS-2024-0", delay=30)
    suggestions = page.get_by_test_id("suggestions").locator("button")
    expect(suggestions).to_have_count(4)
    expect(suggestions.first).to_contain_text("呼和浩特市第二中学教学楼建设项目")
    shots = [SCREENSHOTS / "problem-add-project-search.png"]
    page.screenshot(path=str(shots[0]), full_page=False)

    form.locator('input[name="project"]').fill("")
    form.locator('input[name="project"]').press_sequentially("供热", delay=30)
    expect(suggestions).to_have_count(1)
    suggestions.first.click()
    expect(form.locator('input[name="project"]')).to_have_value("HS-2024-003")
    expect(form.locator('select[name="county"]')).to_have_value(records["county"])
    expect(page.get_by_test_id("suggestions")).to_have_count(0)  # the list closed

    form.locator('input[name="number"]').fill("Q-2024-101")
    form.locator('textarea[name="description"]').fill("供热管网改造项目招标文件设置不合理资格条件")
    form.locator('select[name="discovery_method"]').select_option("supervision")
    form.locator('input[name="found_on"]').fill("2024-06-10")
    form.get_by_role("button", name=zh("Save")).click()

    expect(page.locator("h1")).to_contain_text("Q-2024-101")
    project = page.locator("dl.fields").get_by_role("link", name="HS-2024-003 新城区老旧小区供热管网改造工程")
    expect(project).to_be_visible()
    with capsys.disabled():
        print("".join(f"\nscreenshot: {path}" for path in shots))
    assert league.errors == []
