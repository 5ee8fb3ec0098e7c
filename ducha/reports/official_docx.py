"""A Word document in the layout of official documents, GB/T 9704-2012 (党政机关公文格式):
A4, margins 37 / 35 / 28 / 26 mm (top / bottom / left / right), 22 lines of 28 characters
(docGrid's line pitch with exact line spacing; characters set 0.25 pt closer),
title 2号 方正小标宋简体, body 3号 仿宋_GB2312, first-level headings 黑体, second-level 楷体_GB2312,
page numbers 4号 "— 1 —" at the foot (odd pages right, even pages left, one character in).

Every font is set on a style (never on a run), so a reader can check the fonts per style.
Where an official font is not installed (fc-list), the style names a CJK font the machine
has instead: a serif for 小标宋/仿宋/楷体, a sans for 黑体 (`FALLBACKS`).

    doc = OfficialDocument(title="……")
    doc.heading1("一、……"); doc.heading2("（一）……"); doc.paragraph("……")
    doc.table([["盟市", "问题"], ["呼和浩特市", "12"]]); doc.save("out.docx")
"""

import functools
import shutil
import subprocess
from collections.abc import Sequence
from typing import IO

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

# Official font → the installed font to name instead when it is missing.
TITLE_FONT, BODY_FONT, HEI_FONT, KAI_FONT = "方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312"
SERIF_FALLBACK, SANS_FALLBACK = "Noto Serif CJK SC", "Noto Sans CJK SC"
PAGE_NUMBER_FONT = "宋体"  # GB/T 9704 7.5: 4号半角宋体阿拉伯数字
FALLBACKS = {
    TITLE_FONT: SERIF_FALLBACK,
    BODY_FONT: SERIF_FALLBACK,
    KAI_FONT: SERIF_FALLBACK,
    PAGE_NUMBER_FONT: SERIF_FALLBACK,
    HEI_FONT: SANS_FALLBACK,
}

TITLE_PT, BODY_PT, PAGE_NUMBER_PT, TABLE_PT = 22, 16, 14, 12  # 2号, 3号, 4号, 小四
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
LINES, CHARS = 22, 28
# 225 mm of text height / 22 lines = 28.95 pt; exact spacing holds the grid where a
# reader ignores docGrid. 156 mm / 28 characters = 15.8 pt a character.
LINE_PITCH_TWIPS = 579
LINE_PT = LINE_PITCH_TWIPS / 20
# 28 characters of 3号 need 15.75 pt each: the body's characters are set 0.25 pt closer
# (w:spacing, in twentieths of a point). Not docGrid's charSpace: LibreOffice lets a
# 16 pt character take two 15.8 pt cells of that grid (14 characters a line).
CHAR_SPACING_TWIPS = -5

# Style names (tests read fonts by these).
TITLE, BODY, HEADING1, HEADING2, TABLE_TEXT, PAGE_NUMBER = (
    "Title",
    "Normal",
    "Heading 1",
    "Heading 2",
    "Table Text",
    "Page Number Text",
)


@functools.cache
def installed(family: str) -> bool:
    """Whether fontconfig knows the family (no fc-list: assume not)."""
    if not shutil.which("fc-list"):
        return False
    found = subprocess.run(["fc-list", f":family={family}", "family"], capture_output=True, text=True, check=False)
    return bool(found.stdout.strip())


def font_for(official: str) -> str:
    """The official font when the machine has it, else its CJK fallback."""
    if official in FALLBACKS and not installed(official):
        return FALLBACKS[official]
    return official


def _set_fonts(style, family: str, size_pt: float, *, bold: bool = False) -> None:
    style.font.name = family
    style.font.size = Pt(size_pt)
    style.font.bold = bold
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), family)


def _exact_lines(style, *, first_line_chars: int = 0, before_pt: float = 0, after_pt: float = 0) -> None:
    fmt = style.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(LINE_PT)
    fmt.space_before, fmt.space_after = Pt(before_pt), Pt(after_pt)
    fmt.first_line_indent = Pt(BODY_PT * first_line_chars) if first_line_chars else Pt(0)


def _paragraph_style(styles, name: str):
    try:
        return styles[name]
    except KeyError:
        return styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)


class OfficialDocument:
    """One document in the official layout; add content in reading order, then save."""

    def __init__(self, title: str = "", *, subtitle: str = "") -> None:
        self.document = Document()
        self._page_setup()
        self._styles()
        self._page_numbers()
        self.document.core_properties.title = title
        self.document.core_properties.language = "zh-CN"
        if title:
            self.title(title)
        if subtitle:
            self.paragraph(subtitle, centered=True)

    # Content -----------------------------------------------------------------

    def title(self, text: str) -> None:
        self.document.add_paragraph(text, style=TITLE)

    def heading1(self, text: str) -> None:
        self.document.add_paragraph(text, style=HEADING1)

    def heading2(self, text: str) -> None:
        self.document.add_paragraph(text, style=HEADING2)

    def paragraph(self, text: str, *, centered: bool = False) -> None:
        paragraph = self.document.add_paragraph(text, style=BODY)
        if centered:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            paragraph.paragraph_format.first_line_indent = Pt(0)

    def table(self, rows: Sequence[Sequence[object]], *, header_rows: int = 1, widths_mm: Sequence[float] = ()):
        """A bordered table of text (numbers written as given); the first `header_rows`
        rows repeat on every page. Returns the python-docx table for merging cells."""
        columns = max((len(row) for row in rows), default=0)
        table = self.document.add_table(rows=len(rows), cols=columns)
        table.style = self.document.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                cell = table.cell(r, c)
                cell.paragraphs[0].style = self.document.styles[TABLE_TEXT]
                cell.paragraphs[0].text = "" if value is None else str(value)
                if widths_mm and c < len(widths_mm):
                    cell.width = Mm(widths_mm[c])
        for r in range(min(header_rows, len(rows))):
            row_properties = table.rows[r]._tr.get_or_add_trPr()
            row_properties.append(OxmlElement("w:tblHeader"))
        return table

    def save(self, target: str | IO[bytes]) -> None:
        self.document.save(target)

    # Layout ------------------------------------------------------------------

    def _page_setup(self) -> None:
        section = self.document.sections[0]
        section.start_type = WD_SECTION.NEW_PAGE
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
        section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
        section.footer_distance = Mm(MARGINS_MM["bottom"] - 7 - 7)  # the number's line 7 mm under the text
        grid = section._sectPr.find(qn("w:docGrid"))
        if grid is None:
            grid = OxmlElement("w:docGrid")
            section._sectPr.append(grid)
        grid.set(qn("w:type"), "lines")
        grid.set(qn("w:linePitch"), str(LINE_PITCH_TWIPS))

    def _styles(self) -> None:
        styles = self.document.styles
        body = styles[BODY]
        _set_fonts(body, font_for(BODY_FONT), BODY_PT)
        _exact_lines(body, first_line_chars=2)
        _character_spacing(body, CHAR_SPACING_TWIPS)
        body.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        body.paragraph_format.widow_control = False

        title = _paragraph_style(styles, TITLE)
        title.base_style = body
        _set_fonts(title, font_for(TITLE_FONT), TITLE_PT)
        title.element.get_or_add_pPr()  # drop the template's border line under "Title"
        for border in title.element.pPr.findall(qn("w:pBdr")):
            title.element.pPr.remove(border)
        title.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        title.paragraph_format.line_spacing = Pt(LINE_PT * 1.5)
        title.paragraph_format.first_line_indent = Pt(0)
        title.paragraph_format.space_after = Pt(LINE_PT)
        title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _no_theme_colour(title)

        for name, official in ((HEADING1, HEI_FONT), (HEADING2, KAI_FONT)):
            heading = _paragraph_style(styles, name)
            heading.base_style = body
            _set_fonts(heading, font_for(official), BODY_PT)
            _exact_lines(heading, first_line_chars=2)
            heading.paragraph_format.keep_with_next = True
            heading.font.italic = False
            _no_theme_colour(heading)

        table_text = _paragraph_style(styles, TABLE_TEXT)
        table_text.base_style = body
        _set_fonts(table_text, font_for(BODY_FONT), TABLE_PT)
        table_text.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        table_text.paragraph_format.first_line_indent = Pt(0)
        table_text.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _character_spacing(table_text, 0)
        _off_grid(table_text)

        number = _paragraph_style(styles, PAGE_NUMBER)
        _set_fonts(number, font_for(PAGE_NUMBER_FONT), PAGE_NUMBER_PT)
        number.paragraph_format.first_line_indent = Pt(0)
        _off_grid(number)

    def _page_numbers(self) -> None:
        """ "— N —" with a PAGE field: odd pages at the right, even pages at the left,
        each one character (of the body) in from the margin."""
        self.document.settings.odd_and_even_pages_header_footer = True
        section = self.document.sections[0]
        for footer, alignment in (
            (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
            (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
        ):
            paragraph = footer.paragraphs[0]
            paragraph.style = self.document.styles[PAGE_NUMBER]
            paragraph.alignment = alignment
            indent = Pt(BODY_PT)
            if alignment == WD_ALIGN_PARAGRAPH.RIGHT:
                paragraph.paragraph_format.right_indent = indent
            else:
                paragraph.paragraph_format.left_indent = indent
            paragraph.add_run("— ")
            _page_field(paragraph)
            paragraph.add_run(" —")


def _character_spacing(style, twips: int) -> None:
    spacing = style.element.get_or_add_rPr().find(qn("w:spacing"))
    if spacing is None:
        spacing = OxmlElement("w:spacing")
        style.element.rPr.append(spacing)
    spacing.set(qn("w:val"), str(twips))


def _off_grid(style) -> None:
    """Table cells and the page number keep their own line height, not the body's grid."""
    snap = OxmlElement("w:snapToGrid")
    snap.set(qn("w:val"), "0")
    style.element.get_or_add_pPr().append(snap)


def _no_theme_colour(style) -> None:
    """Built-in heading styles are blue in python-docx's template; an official document is black."""
    style.font.color.rgb = None
    colour = style.element.rPr.find(qn("w:color")) if style.element.rPr is not None else None
    if colour is not None:
        style.element.rPr.remove(colour)
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts = style.element.rPr.find(qn("w:rFonts"))
        if fonts is not None and fonts.get(qn(attribute)) is not None:
            del fonts.attrib[qn(attribute)]


def _page_field(paragraph) -> None:
    """A PAGE field (begin, instruction, separate, a shown value, end)."""
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        run = paragraph.add_run()
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        elif text == " PAGE ":
            instruction = OxmlElement("w:instrText")
            instruction.set(qn("xml:space"), "preserve")
            instruction.text = text
            run._r.append(instruction)
        else:
            run.text = text
