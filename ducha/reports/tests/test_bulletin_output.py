"""The weekly bulletin written out: the Word document opened with python-docx (official
layout, the sentences and tables with the week's figures, header rows repeated) and the
standalone HTML file (the same headings, sentences and tables, its print style inline)."""

import datetime as dt
import io
import re
from html.parser import HTMLParser

import docx
import pytest
from django.core.management import CommandError, call_command
from docx.oxml.ns import qn

from ducha.reports.bulletin.content import build_bulletin
from ducha.reports.bulletin.docx import write_docx
from ducha.reports.bulletin.html import render_document
from ducha.reports.official_docx import BODY, HEADING1, HEADING2, TITLE
from ducha.reports.tests.test_bulletin import MONDAY, TODAY, add_week

OVERVIEW = (
    "截至2024年6月9日，各督导检查组负责督导的盟市、厅局共自查5个项目，抽查0个项目，发现6个问题，"
    "其中0个问题已整改完成，0个问题已销号，销号率0.0%，无逾期未整改问题。与上周相比，新发现问题1个。"
)


@pytest.fixture
def bulletin(small):
    add_week(small)
    return build_bulletin(small.campaign, MONDAY, user=small.users["office"], today=TODAY)


class Text(HTMLParser):
    """The text of each heading, paragraph and table row of an HTML page, in order."""

    BLOCKS = {"h1", "h2", "h3", "p", "tr"}

    def __init__(self) -> None:
        super().__init__()
        self.blocks: list[tuple[str, str]] = []
        self.open: str | None = None
        self.text = ""
        self.style = ""
        self.in_style = False

    def handle_starttag(self, tag, attrs):
        if tag in self.BLOCKS:
            self.open, self.text = tag, ""
        elif tag in ("td", "th") and self.text:
            self.text += "|"
        elif tag == "br":
            self.text += "\n"
        self.in_style = tag == "style"

    def handle_endtag(self, tag):
        if tag == self.open:
            self.blocks.append((tag, self.text))
            self.open = None
        self.in_style = False

    def handle_data(self, data):
        if self.in_style:
            self.style += data
        elif self.open:
            self.text += data.strip("\n") if self.open == "tr" else data


def test_the_word_document(bulletin):
    out = io.BytesIO()
    write_docx(bulletin, out)
    document = docx.Document(io.BytesIO(out.getvalue()))

    section = document.sections[0]
    assert [round(x.mm) for x in (section.page_width, section.page_height, section.top_margin)] == [210, 297, 37]
    assert document.core_properties.title == "测试行动周调度通报"
    styled = [(p.style.name, p.text) for p in document.paragraphs]
    assert styled[:4] == [
        (TITLE, "测试行动周调度通报"),
        (BODY, "第1周（2024年6月3日至6月9日）"),
        (HEADING1, "一、总体进展"),
        (BODY, OVERVIEW),
    ]
    assert (HEADING2, "（一）A组") in styled
    assert (BODY, "A组：本组周报按时报送；自治区发展和改革委员会未报送周报。") in styled
    assert (BODY, "B组：本组周报未报送；自治区财政厅未报送周报，包头市迟报。") in styled
    assert (BODY, "A组：自治区发展和改革委员会电话督导要求1次、实际0次。") in styled
    assert (BODY, "B组：本周无督导频次要求。") in styled
    lagging = [t for _s, t in styled if t.startswith("自治区发展和改革委员会（A组）：")]
    assert len(lagging) == 1 and "未报 1 次" in lagging[0]

    overall, group_a, group_b = document.tables
    assert [c.text for c in overall.rows[0].cells] == [
        "督导检查组", "自查项目", "抽查项目", "发现问题", "已整改", "已销号", "逾期", "销号率",
    ]  # fmt: skip
    assert [c.text for c in overall.rows[1].cells][:4] == ["A组", "3\n0", "0\n0", "4\n+1"]
    assert [c.text for c in overall.rows[3].cells][0] == "合计"
    assert [r.cells[0].text for r in group_a.rows] == ["盟市、厅局", "呼和浩特市", "自治区发展和改革委员会"]
    assert group_b.rows[1].cells[7].text == "0.0%\n0.0"
    for table in document.tables:  # the header row repeats on every page
        assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None


def test_the_html_file_says_what_the_word_document_says(bulletin):
    page = Text()
    page.feed(render_document(bulletin))
    out = io.BytesIO()
    write_docx(bulletin, out)
    document = docx.Document(io.BytesIO(out.getvalue()))

    paragraphs = [p.text for p in document.paragraphs]
    assert [text for tag, text in page.blocks if tag != "tr"] == paragraphs
    rows = ["|".join(c.text for c in row.cells) for table in document.tables for row in table.rows]
    assert [text for tag, text in page.blocks if tag == "tr"] == rows
    assert "@page { size: A4;" in page.style and ".bulletin-table" in page.style  # prints on A4, style inline
    assert "@media print" in page.style


def test_the_week_and_day_on_the_page(bulletin):
    html = render_document(bulletin)
    assert re.search(r'data-week="2024-W23" data-as-of="2024-06-09"', html)
    assert bulletin.previous == dt.date(2024, 6, 2)


def test_ducha_report_weekly_writes_the_word_and_the_html_file(bulletin, small, tmp_path):
    out = io.StringIO()
    call_command(
        "report", "weekly", "--week", "2024-W23", "--campaign", "test", "-o", str(tmp_path / "w.docx"), stdout=out
    )
    assert "2024-W23（截至 2024-06-09）" in out.getvalue()
    written = docx.Document(str(tmp_path / "w.docx"))
    expected = io.BytesIO()
    write_docx(bulletin, expected)
    assert [p.text for p in written.paragraphs] == [p.text for p in docx.Document(expected).paragraphs]

    call_command("report", "weekly", "--week", "2024-W23", "--campaign", "test", "--format", "html",
                 "-o", str(tmp_path / "w.html"), stdout=io.StringIO())  # fmt: skip
    assert (tmp_path / "w.html").read_text(encoding="utf-8") == render_document(bulletin)

    for week, said in (("2024-36", "应写作“年-W周”"), ("2023-W40", "不在本次行动的周调度范围内")):
        with pytest.raises(CommandError, match=f"--week：.*{said}"):
            call_command("report", "weekly", "--week", week, "--campaign", "test", "-o", str(tmp_path / "x.docx"))


def test_the_tables_columns_are_set_in_the_grid(bulletin):
    """LibreOffice and WPS lay a table out by its grid: the name column wider than a figure's."""
    out = io.BytesIO()
    write_docx(bulletin, out)
    table = docx.Document(io.BytesIO(out.getvalue())).tables[0]
    widths = [round(column.width.mm) for column in table.columns]
    assert widths == [36] + [17] * 7 and sum(c.width.mm for c in table.columns) == pytest.approx(156, abs=0.5)
