"""The summary report of the small campaign: its sentences, each figure equal to
campaign_statistics as of the same day, the narratives printed where written and left out
where not, one group's report, what a user may see, a past day's figures, the command."""

import datetime as dt
import io
import re
from html import unescape

import pytest
from django.core.management import CommandError, call_command
from docx import Document

from ducha.core.actions import do_create_object
from ducha.ledger.actions import do_bulk_transition_problems
from ducha.ledger.choices import ClueAuthority
from ducha.ledger.models import ClueTransfer
from ducha.reports.chinese import chinese_number
from ducha.reports.models import Narrative
from ducha.reports.statistics import campaign_statistics
from ducha.reports.summary.content import HEADING1, PARAGRAPH, Summary, build_summary
from ducha.reports.summary.docx import write_docx
from ducha.reports.summary.html import figure_url, render_document
from ducha.reports.summary.phrasing import Figure, Trace, about, ordinal
from ducha.testing import move

DAY = dt.date(2024, 9, 30)


def stated(entry: dict, key: str) -> int:
    """The statistics' value of a figure key ("problems", "supervision.contacts_phone",
    "supervision.letters_by_kind.notice")."""
    value = entry
    for part in key.split("."):
        value = value[part]
    return value


def assert_figures_are_the_statistics(summary: Summary, stats: dict) -> int:
    """Every figure of the report is the statistics' value for its slice (the group's entry,
    or the total for the overview), written exactly or, for supervision activity, as N余."""
    entries = {entry["group"]: entry for entry in stats["by_group"]}
    checked = 0
    for block in summary.blocks:
        entry = entries[block.group] if block.group else stats["total"]
        for figure in block.figures:
            assert figure.value == stated(entry, figure.key), (block.group, figure.key)
            assert figure.text in (str(figure.value), about(figure.value)), figure
            checked += 1
    return checked


def narrate(small, group: str | None, section: str, text: str, *, order: int = 1, heading: str = "") -> Narrative:
    data = {"campaign": small.campaign, "group": small.groups[group] if group else None, "section": section}
    data |= {"order": order, "heading": heading, "text": text}
    return do_create_object(Narrative, actor=small.users["office"], data=data)


def group_block(summary: Summary, code: str) -> str:
    return next(b.text for b in summary.blocks if b.kind == PARAGRAPH and b.group == code)


def test_the_group_sentences_say_the_statistics(small):
    do_bulk_transition_problems([move(small.problems["hohhot"], "rectified")], actor=small.system)
    do_create_object(
        ClueTransfer,
        actor=small.system,
        data={"campaign": small.campaign, "unit": small.units["150100"], "authority": ClueAuthority.POLICE,
              "transferred_on": dt.date(2024, 7, 1), "summary": "围标线索"},
    )  # fmt: skip
    summary = build_summary(small.campaign, as_of=DAY)
    stats = campaign_statistics(small.campaign, today=DAY)

    a = group_block(summary, "A")
    assert a.startswith("A组负责督导检查的1个盟市、1个厅局共自查")
    assert "共发现3个问题" in a and "3个问题中1个问题已整改完成。" in a
    assert a.endswith("移交问题线索1条。")  # dispositions there were none of are left out
    assert "B组负责督导检查的1个盟市、1个厅局" in group_block(summary, "B")
    assert assert_figures_are_the_statistics(summary, stats) > 10
    headings = [b.text for b in summary.blocks if b.kind == HEADING1]
    assert headings == ["一、A组工作推进情况", "二、B组工作推进情况"]
    assert summary.blocks[1].text == "（截至2024年9月30日）"


def test_nothing_is_invented_where_nobody_wrote(small):
    summary = build_summary(small.campaign, as_of=DAY)
    for block in summary.blocks:
        if block.kind == PARAGRAPH:
            assert block.figures, f"a paragraph with no figure and no narrative: {block.text}"
    assert "一是" not in summary.text and "共性问题" not in summary.text and "意见建议" not in summary.text


def test_the_narratives_are_printed_where_they_belong(small):
    narrate(small, None, "title", "专项整治督导检查工作成效明显")
    narrate(small, None, "overview", "专项整治开展以来，各督导检查组推进全覆盖的督导检查。")
    narrate(small, "A", "introduction", "A组紧扣督导内容，统筹协调调度。")
    narrate(small, "A", "work", "深入学习领会部署要求。", heading="强化思想认识，形成督查合力")
    narrate(small, "A", "work", "第一时间制定工作方案。", order=2, heading="强化方案先行")
    narrate(small, "A", "common_problems", "监管多头，职责不清。")
    narrate(small, None, "closing", "持续巩固整治成效。")

    summary = build_summary(small.campaign, as_of=DAY)
    texts = [b.text for b in summary.blocks]
    assert texts[0] == "专项整治督导检查工作成效明显"
    assert texts[2] == "专项整治开展以来，各督导检查组推进全覆盖的督导检查。"
    assert group_block(summary, "A").startswith("A组紧扣督导内容，统筹协调调度。A组负责督导检查的")
    assert "一是强化思想认识，形成督查合力。深入学习领会部署要求。" in texts
    assert "二是强化方案先行。第一时间制定工作方案。" in texts
    common = texts.index("（一）发现的共性问题")
    assert texts[common + 1] == "监管多头，职责不清。"
    assert texts[-2:] == ["三、下一步工作", "持续巩固整治成效。"]
    assert texts.index("二、B组工作推进情况") > common  # A's passages stay in A's section


def test_one_group_and_what_its_member_may_see(small):
    narrate(small, "A", "work", "A组的工作。")
    narrate(small, "B", "work", "B组的工作。")
    narrate(small, None, "overview", "办公室的总体情况。")

    summary = build_summary(small.campaign, as_of=DAY, group=small.groups["B"], user=small.users["group_b"])
    assert summary.title == "B组工作推进情况"
    assert "B组的工作。" in summary.text
    assert "A组" not in summary.text and "办公室的总体情况" not in summary.text
    stats = campaign_statistics(small.campaign, user=small.users["group_b"], today=DAY)
    assert assert_figures_are_the_statistics(summary, stats) >= 4
    # A group member's report of the whole campaign has none of the other group's words either.
    whole = build_summary(small.campaign, as_of=DAY, user=small.users["group_b"])
    assert "A组的工作。" not in whole.text and "办公室的总体情况" not in whole.text


def test_a_past_day_gives_that_days_figures(small):
    """A problem rectified on 2024-06-11 (ten days after it was found): the report as of
    2024-06-05 has it open, as of 2024-06-30 rectified; each equals the statistics of its day."""
    do_bulk_transition_problems([move(small.problems["hohhot"], "rectified")], actor=small.system)
    early, late = dt.date(2024, 6, 5), dt.date(2024, 6, 30)
    before = build_summary(small.campaign, as_of=early)
    after = build_summary(small.campaign, as_of=late)
    assert "共发现3个问题，暂无问题整改完成。" in group_block(before, "A")
    assert "3个问题中1个问题已整改完成" in group_block(after, "A")
    assert before.as_of == early and after.as_of == late
    assert_figures_are_the_statistics(before, campaign_statistics(small.campaign, today=early))


def test_the_command_writes_word_and_html(small, tmp_path):
    narrate(small, "A", "work", "A组的工作。", heading="强化精准督导")
    docx_path, html_path = tmp_path / "summary.docx", tmp_path / "summary.html"
    out = io.StringIO()
    call_command("report", "summary", "--as-of", "2024-09-30", "--format", "docx", "-o", str(docx_path), stdout=out)
    assert "截至 2024-09-30" in out.getvalue()
    paragraphs = [(p.style.name, p.text) for p in Document(str(docx_path)).paragraphs]
    assert paragraphs[0] == ("Title", "测试行动督导检查工作情况")
    assert ("Heading 1", "一、A组工作推进情况") in paragraphs
    assert ("Normal", "一是强化精准督导。A组的工作。") in paragraphs

    call_command("report", "summary", "--group", "A", "--format", "html", "-o", str(html_path), stdout=io.StringIO())
    html = html_path.read_text(encoding="utf-8")
    assert "<h1>A组工作推进情况</h1>" in html and "B组" not in html
    assert "@page { size: A4; margin: 37mm 26mm 35mm 28mm; }" in html  # prints on A4 in the official margins
    assert 'href="/problems/?group=A&amp;as_of=' in html


@pytest.mark.parametrize(
    ("arguments", "message"),
    [(["--group", "Z"], "--group：没有代码为 Z 的督导检查组"), (["--as-of", "2023-12-31"], "--as-of：2023-12-31 早于")],
)
def test_the_command_says_what_is_wrong(small, tmp_path, arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("report", "summary", *arguments, "--format", "docx", "-o", str(tmp_path / "x.docx"))


def test_figures_are_written_as_officials_write_them():
    assert [about(n) for n in (3, 19, 20, 25, 30, 64, 300, 305)] == [
        "3",
        "19",
        "20",
        "20余",
        "30",
        "60余",
        "300",
        "300余",
    ]
    figure = Figure("supervision.contacts_phone", 64, about(64))
    assert figure.text == "60余"
    assert [chinese_number(n) for n in (1, 4, 10, 12, 20, 21)] == ["一", "四", "十", "十二", "二十", "二十一"]
    assert ordinal(2) == "二是"


def test_a_figure_links_to_its_list_or_to_nothing(small):
    four = Trace("problems", (("kind", "four"),))
    assert figure_url(four, group="A", as_of="2024-09-30") == "/problems/?kind=four&group=A&as_of=2024-09-30"
    assert figure_url(four, group=None, as_of="2024-09-30", base_url="https://d.example") == (
        "https://d.example/problems/?kind=four&as_of=2024-09-30"
    )
    assert figure_url(Trace("no-such-list"), group="A", as_of="2024-09-30") is None  # never a dead link
    assert figure_url(None, group="A", as_of="2024-09-30") is None


def test_word_and_html_hold_the_same_content(small):
    narrate(small, "A", "work", "A组的工作。", heading="强化精准督导")
    narrate(small, "A", "recommendations", "建立常态化机制。")
    summary = build_summary(small.campaign, as_of=DAY)
    file = io.BytesIO()
    write_docx(summary, file)
    file.seek(0)
    blocks = [block.text for block in summary.blocks]
    assert [p.text for p in Document(file).paragraphs] == blocks
    html = render_document(summary)
    shown = [re.sub(r"<[^>]+>", "", m) for m in re.findall(r"<(?:h1|h2|h3|p)[^>]*>(.*?)</(?:h1|h2|h3|p)>", html)]
    assert [unescape(text) for text in shown] == blocks
