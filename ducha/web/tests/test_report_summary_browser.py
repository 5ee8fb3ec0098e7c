"""Browser test: a group member writes a work item of the report on the narratives page,
reads the summary report with it, follows a figure to its list, and downloads the Word
file from the dashboard; the office reads the whole report. Screenshots (Chinese) go to
test-output/screenshots/r9-*.png for a person to look at."""

import io
import re
import shutil
import subprocess
from pathlib import Path

from docx import Document
from playwright.sync_api import expect

from ducha.web.tests.test_browser import (
    SCREENSHOTS,
    Session,
    browser,
    campaign,
    chromium_executable,
    screenshot,
    sign_in,
)

__all__ = ["browser", "campaign", "chromium_executable", "sign_in"]  # the fixtures this module uses


def printed(session: Session, folder: Path) -> None:
    """The page as the browser prints it (A4 from the report's @page rule), its first page a PNG."""
    pdf = folder / "summary-print.pdf"
    session.page.pdf(path=str(pdf), prefer_css_page_size=True)
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-r", "70", "-png", "-f", "1", "-l", "1", str(pdf), str(folder / "p")], check=True)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(next(folder.glob("p-*.png")), SCREENSHOTS / "r9-summary-print.png")


def test_a_group_writes_its_passage_and_reads_the_report(campaign, sign_in, tmp_path):
    member = sign_in("group_a")
    member.page.goto("/narratives/add/")
    form = member.page.locator("main form").last
    form.locator('select[name="section"]').select_option("work")
    form.locator('input[name="heading"]').fill("强化精准督导，有效传导压力")
    form.locator('textarea[name="text"]').fill(
        "建立“督查组-盟市、厅局”工作机制，实施线下实地督导、线上电话督导、书面提醒督导。"
    )
    screenshot(member.page, "r9-narrative-add")
    form.locator('button[type="submit"]').first.click()
    expect(member.page.locator("main")).to_contain_text("强化精准督导，有效传导压力")
    screenshot(member.page, "r9-narrative-detail")
    member.page.goto("/narratives/")
    screenshot(member.page, "r9-narratives-list")

    member.page.goto("/")
    member.page.get_by_test_id("summary-links").get_by_role("link").first.click()
    report = member.page.get_by_test_id("summary")
    expect(report.locator("h1")).to_have_text("A组工作推进情况")
    expect(report).to_contain_text("一是强化精准督导，有效传导压力。建立“督查组-盟市、厅局”工作机制")
    expect(report).to_contain_text("A组负责督导检查的1个盟市、1个厅局共自查")
    screenshot(member.page, "r9-summary-group")

    # A figure opens its list, filtered to the group, as of the report's day.
    problems = report.locator('a[data-figure="problems"]').first
    count = problems.inner_text()
    problems.click()
    expect(member.page).to_have_url(re.compile(r"/problems/\?group=A&as_of=\d{4}-\d{2}-\d{2}"))
    expect(member.page.get_by_test_id("count")).to_contain_text(count)
    screenshot(member.page, "r9-summary-figure-list")

    member.page.goto("/")
    with member.page.expect_download() as download:
        member.page.get_by_test_id("summary-docx-link").click()
    paragraphs = [p.text for p in Document(io.BytesIO(Path(download.value.path()).read_bytes())).paragraphs]
    assert (
        "一是强化精准督导，有效传导压力。建立“督查组-盟市、厅局”工作机制，实施线下实地督导、线上电话督导、书面提醒督导。"
        in paragraphs
    )
    assert download.value.suggested_filename.endswith(".docx")

    office = sign_in("office")
    office.page.goto("/")
    screenshot(office.page, "r9-dashboard-office")
    office.page.goto("/reports/summary/")
    expect(office.page.get_by_test_id("summary")).to_contain_text("二、B组工作推进情况")
    screenshot(office.page, "r9-summary-office")
    printed(office, tmp_path)
    assert not member.errors and not office.errors, member.errors + office.errors
