"""The official Word layout (GB/T 9704-2012), read back with python-docx from the file."""

import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Pt

from ducha.reports import official_docx as od


def written(doc: od.OfficialDocument):
    file = io.BytesIO()
    doc.save(file)
    file.seek(0)
    return Document(file)


def east_asian_font(style) -> str:
    return style.element.rPr.rFonts.get(qn("w:eastAsia"))


def sample():
    doc = od.OfficialDocument(title="关于专项整治工作情况的报告")
    doc.heading1("一、总体情况")
    doc.heading2("（一）督导检查")
    doc.paragraph("正文" * 40)
    doc.table([["盟市", "问题"], ["呼和浩特市", "12"]])
    return written(doc)


def test_a4_with_the_standard_margins_and_22_lines():
    section = sample().sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    margins = (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    assert [round(m.mm) for m in margins] == [37, 35, 28, 26]
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "lines" and int(grid.get(qn("w:linePitch"))) == 579
    # 22 lines fill the text height (225 mm) and 28 characters of 3号 the line (156 mm).
    text_height_pt = (297 - 37 - 35) / 25.4 * 72
    assert 22 * od.LINE_PT <= text_height_pt < 23 * od.LINE_PT
    char_pt = od.BODY_PT + od.CHAR_SPACING_TWIPS / 20
    assert 28 * char_pt <= (210 - 28 - 26) / 25.4 * 72 < 29 * char_pt


def test_fonts_and_sizes_are_set_on_the_styles():
    doc = sample()
    expected = {
        "Title": (od.TITLE_FONT, 22),
        "Normal": (od.BODY_FONT, 16),
        "Heading 1": (od.HEI_FONT, 16),
        "Heading 2": (od.KAI_FONT, 16),
    }
    for name, (official, size) in expected.items():
        style = doc.styles[name]
        font = east_asian_font(style)
        # The official font where the machine has it, else its named CJK fallback (serif or sans).
        assert font == (official if od.installed(official) else od.FALLBACKS[official]), name
        assert od.installed(font), f"{name}: {font} is not installed"
        assert style.font.size == Pt(size), name
        assert not style.font.bold and style.font.color.rgb is None, name
    assert od.FALLBACKS[od.HEI_FONT] == "Noto Sans CJK SC" and od.FALLBACKS[od.TITLE_FONT] == "Noto Serif CJK SC"
    body = doc.styles["Normal"].paragraph_format
    assert body.line_spacing_rule == WD_LINE_SPACING.EXACTLY and body.line_spacing == Pt(od.LINE_PT)
    assert body.first_line_indent == Pt(32)  # two characters
    assert doc.styles["Title"].paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER


def test_content_uses_the_styles_without_direct_formatting():
    doc = sample()
    styles = [p.style.name for p in doc.paragraphs]
    assert styles == ["Title", "Heading 1", "Heading 2", "Normal"]
    for paragraph in doc.paragraphs:
        assert all(run.font.name is None and run.font.size is None for run in paragraph.runs)
    table = doc.tables[0]
    assert [c.text for c in table.rows[1].cells] == ["呼和浩特市", "12"]
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None  # the header repeats on every page


def test_page_numbers_with_dashes_in_the_footer():
    doc = sample()
    assert doc.settings.odd_and_even_pages_header_footer
    section = doc.sections[0]
    for footer, alignment in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        paragraph = footer.paragraphs[0]
        xml = paragraph._p.xml
        assert "PAGE" in "".join(t.text for t in paragraph._p.iter(qn("w:instrText")))
        assert 'w:fldCharType="begin"' in xml and 'w:fldCharType="end"' in xml
        assert paragraph.text.startswith("— ") and paragraph.text.endswith(" —")
        assert paragraph.alignment == alignment
        assert paragraph.style.font.size == Pt(14)  # 4号
        assert od.installed(east_asian_font(paragraph.style)), "the page number's font is installed or its fallback"
