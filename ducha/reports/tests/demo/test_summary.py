"""The demo campaign's summary report: the seed account's sentences with its figures
(the natural-resources group's), every figure equal to `ducha stats --json` of the same
day, the Word file in the official layout, and the pages as a person sees them: the
.docx rendered to PDF by LibreOffice and to PNG pages by pdftoppm, kept under
var/test-output/summary/ to look at.

The demo is built once for this package (conftest.py)."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from docx import Document
from docx.oxml.ns import qn

from ducha.reports import official_docx as od
from ducha.reports.summary.content import build_summary
from ducha.reports.tests.demo.seed_passages import SEED_NR_OPENING, SEED_OVERVIEW, SEED_TITLE
from ducha.reports.tests.test_summary import assert_figures_are_the_statistics

OUTPUT = Path(settings.BASE_DIR).parent / "var" / "test-output" / "summary"
# The natural-resources group's paragraph in the seed's words and figures (shared/seed).
SEED_NATURAL_RESOURCES = (
    "自然资源交易项目督导检查组负责督导检查的3个盟市、5个厅局共自查9651个项目，抽查4058个项目，",
    "共发现1105个问题，涉及四大类问题的178个，涉及六类市场主体问题的897个，1105个问题中1104个问题已整改完成。",
    "移交问题线索6条，曝光典型案例17个，立案12件，制定、修订或废除相关文件160份。",
)


def test_the_seed_sentences_with_the_seed_figures(demo, db):
    paragraphs = [p.text for p in Document(str(demo["docx"])).paragraphs]
    section = paragraphs.index("三、自然资源交易项目督导检查组工作推进情况")
    natural_resources = paragraphs[section + 1]
    assert natural_resources.startswith(SEED_NR_OPENING + "自然资源交易项目督导检查组负责督导检查的")
    assert paragraphs[:3] == [SEED_TITLE, "（截至2024年12月31日）", SEED_OVERVIEW]
    assert "一是加强组织领导，紧密部署督导工作。按照文件要求" in paragraphs[section + 3]
    assert paragraphs[section + 4].startswith("二是加强部门联动，推动整治全覆盖。")
    for sentence in SEED_NATURAL_RESOURCES:
        assert sentence in natural_resources
    for figure in ("自查9651个项目", "抽查4058个项目", "1105个问题", "178个", "897个", "1104个问题已整改完成",
                   "移交问题线索6条", "曝光典型案例17个", "立案12件", "160份"):  # fmt: skip
        assert figure in natural_resources
    # Its supervision work, as the seed counts it: 提示函、通报等文件10份, 周工作进展20余次, 电话60余次.
    work = paragraphs[section + 2]
    assert "发出工作提示函、工作通报等文件10份" in work and "报送督查组周工作进展20余次" in work
    assert "电话督导60余次" in work and "接收举报材料4件" in work and "开展实地督导3轮（其中“回头看”1轮）" in work
    # 国有产权: every problem rectified; 1165 of them.
    assert "1165个问题已全部整改完成" in paragraphs[paragraphs.index("四、国有产权交易项目督导检查组工作推进情况") + 1]


def test_every_figure_is_ducha_stats_of_the_same_day(demo, db):
    summary = build_summary(demo["campaign"])
    assert summary.as_of.isoformat() == demo["stats"]["as_of"]
    assert assert_figures_are_the_statistics(summary, demo["stats"]) > 100


def test_the_word_file_is_in_the_official_layout(demo, db):
    doc = Document(str(demo["docx"]))
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert [
        round(m.mm) for m in (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    ] == [37, 35, 28, 26]
    fonts = {
        name: doc.styles[name].element.rPr.rFonts.get(qn("w:eastAsia")) for name in ("Title", "Normal", "Heading 1")
    }
    assert fonts == {
        "Title": od.font_for(od.TITLE_FONT),
        "Normal": od.font_for(od.BODY_FONT),
        "Heading 1": od.font_for(od.HEI_FONT),
    }
    assert {p.style.name for p in doc.paragraphs} == {"Title", "Normal", "Heading 1"}
    assert "PAGE" in section.footer.paragraphs[0]._p.xml


def test_the_pages_render_to_pdf_and_png(demo, db, tmp_path):  # db: pytest-django runs it with the others
    soffice, why_not = demo["soffice"]
    if soffice is None:
        pytest.skip(why_not)
    if not shutil.which("pdftoppm"):
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    OUTPUT.mkdir(parents=True, exist_ok=True)
    for old in OUTPUT.glob("summary*"):
        old.unlink()
    source = OUTPUT / "summary.docx"
    shutil.copy(demo["docx"], source)
    profile = f"-env:UserInstallation=file://{tmp_path}/lo-profile"  # no shared profile: runs side by side
    command = [soffice, profile, "--headless", "--convert-to", "pdf", "--outdir", str(OUTPUT), str(source)]
    subprocess.run(command, capture_output=True, timeout=120, check=True)
    pdf = OUTPUT / "summary.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    subprocess.run(["pdftoppm", "-r", "80", "-png", str(pdf), str(OUTPUT / "summary-page")], check=True, timeout=60)
    pages = sorted(OUTPUT.glob("summary-page-*.png"))
    print(f"\nThe summary's pages: {pdf} and {len(pages)} PNG pages in {OUTPUT}")
    assert 2 <= len(pages) <= 12
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=False).stdout
    if text:  # poppler's pdftotext: the page numbers and a seed figure reached the PDF
        assert re.search(r"—\s*1\s*—", text) and "9651" in text
