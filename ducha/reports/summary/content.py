"""The campaign summary report's content, built once and written as Word or HTML: the
title, the as-of line, the overview (the office's words, then the campaign's figures),
one section per supervision group (its opening words and figures, its supervision work,
its work items 一是、二是……, its common problems and recommendations), then the office's
common problems, recommendations and next steps. Figures come from `campaign_statistics`
as of the report's day; words from the narratives kept in Ducha (reports.Narrative), and a
passage nobody has written is left out."""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from ducha.core.access import restrict
from ducha.org.models import Campaign, SupervisionGroup
from ducha.reports.chinese import chinese_date, chinese_number
from ducha.reports.models import Narrative, NarrativeSection
from ducha.reports.statistics import campaign_statistics
from ducha.reports.summary import sentences
from ducha.reports.summary.phrasing import Figure, Part, ordinal, plain_text

TITLE, DATE_LINE, HEADING1, HEADING2, PARAGRAPH = "title", "date", "heading1", "heading2", "paragraph"
# The passages under headings of their own, in a group's section and (with the closing) at the end.
GROUP_PASSAGES = ((NarrativeSection.COMMON_PROBLEMS, "发现的共性问题"), (NarrativeSection.RECOMMENDATIONS, "意见建议"))


@dataclass
class Block:
    kind: str  # TITLE, DATE_LINE, HEADING1, HEADING2, PARAGRAPH
    parts: list[Part]
    group: str | None = None  # the group whose figures the block states (the lists' ?group=)

    @property
    def text(self) -> str:
        return plain_text(self.parts)

    @property
    def figures(self) -> list[Figure]:
        return [p for p in self.parts if isinstance(p, Figure)]


@dataclass
class Summary:
    campaign: Campaign
    as_of: dt.date
    title: str
    group: SupervisionGroup | None
    statistics: dict
    blocks: list[Block] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(block.text for block in self.blocks)


def build_summary(
    campaign: Campaign,
    *,
    user=None,
    as_of: dt.date | None = None,
    group: SupervisionGroup | None = None,
    figures: Callable[..., dict] = campaign_statistics,
) -> Summary:
    """The report of the whole campaign, or of one group (`group`): as of `as_of` (default:
    the campaign's day), with what `user` may see (None: everything, as the command).
    `figures`: campaign_statistics, or its cached variant for the pages."""
    stats = figures(campaign, user=user, today=as_of or campaign.as_of())
    day = dt.date.fromisoformat(stats["as_of"])
    words = _narratives(campaign, user)
    entries = {entry["group"]: entry for entry in stats["by_group"]}
    if group is not None:
        title = f"{group.name}工作推进情况"  # as the seed heads a group's section
    else:
        title = _one(words, None, NarrativeSection.TITLE) or f"{campaign.name}督导检查工作情况"
    report = Summary(campaign, day, title, group, stats)
    report.blocks += [Block(TITLE, [title]), Block(DATE_LINE, [f"（截至{chinese_date(day)}）"])]
    if group is not None:
        report.blocks += _group_section(group, entries[group.code], words, day, heading=None)
        return report
    report.blocks += _overview(stats, words, day)
    groups = {g.code: g for g in SupervisionGroup.objects.filter(campaign=campaign, code__in=entries)}
    number = 0
    for number, entry in enumerate(stats["by_group"], start=1):  # in the statistics' order
        g = groups[entry["group"]]
        report.blocks += _group_section(g, entry, words, day, heading=f"{chinese_number(number)}、{g.name}工作推进情况")
    for section, name in (*GROUP_PASSAGES, (NarrativeSection.CLOSING, "下一步工作")):
        passages = words[(None, section)]
        if passages:
            number += 1
            report.blocks.append(Block(HEADING1, [f"{chinese_number(number)}、{name}"]))
            report.blocks += _items(passages, numbered=len(passages) > 1)
    return report


def _overview(stats: dict, words, day: dt.date) -> list[Block]:
    figures = sentences.Figures(stats["total"])
    blocks = [Block(PARAGRAPH, [p.text]) for p in words[(None, NarrativeSection.OVERVIEW)]]
    ledger = sentences.inspections_and_problems(figures, [f"截至{chinese_date(day)}，本次专项整治"], signed_off=True)
    ledger.parts += sentences.dispositions(figures).parts
    blocks.append(Block(PARAGRAPH, ledger.parts))
    work = sentences.supervision_work(figures, "督导检查工作中，")
    if not work.empty:
        blocks.append(Block(PARAGRAPH, work.parts))
    return blocks


def _group_section(group: SupervisionGroup, entry: dict, words, day: dt.date, *, heading: str | None) -> list[Block]:
    """As the seed writes a group: its opening words and its figures in one paragraph,
    its supervision work, its work items, then its common problems and recommendations."""
    figures = sentences.Figures(entry)
    blocks = [Block(HEADING1, [heading])] if heading else []
    opening = _one(words, group.pk, NarrativeSection.INTRODUCTION)
    lead: list[Part] = [opening] if opening else []
    lead += [f"{group.name}负责督导检查的", *sentences.units_phrase(entry)]
    ledger = sentences.inspections_and_problems(figures, lead)
    ledger.parts += sentences.dispositions(figures).parts
    blocks.append(Block(PARAGRAPH, ledger.parts, group.code))
    work = sentences.supervision_work(figures, f"督导工作方面，截至{chinese_date(day)}，")
    if not work.empty:
        blocks.append(Block(PARAGRAPH, work.parts, group.code))
    blocks += _items(words[(group.pk, NarrativeSection.WORK)], numbered=True)
    number = 0
    for section, name in (
        (NarrativeSection.COMMON_PROBLEMS, "发现的共性问题"),
        (NarrativeSection.RECOMMENDATIONS, "意见建议"),
    ):
        passages = words[(group.pk, section)]
        if passages:
            number += 1
            blocks.append(Block(HEADING2, [f"（{chinese_number(number)}）{name}"]))
            blocks += _items(passages, numbered=len(passages) > 1)
    return blocks


def _items(passages: list[Narrative], *, numbered: bool) -> list[Block]:
    """ "一是强化思想认识，形成督查合力。<text>" for each passage (its lead phrase, when written)."""
    blocks = []
    for index, passage in enumerate(passages, start=1):
        lead = ordinal(index) if numbered else ""
        if passage.heading.strip():
            lead += passage.heading.strip().rstrip("。") + "。"
        blocks.append(Block(PARAGRAPH, [lead + passage.text.strip()]))
    return blocks


def _narratives(campaign: Campaign, user) -> dict[tuple[int | None, str], list[Narrative]]:
    """The passages by (group id or None for the office's, section), in their order; a
    user reads only those in scope (the command, with no user, reads them all)."""
    qs = Narrative.objects.filter(campaign=campaign)
    if user is not None:
        qs = restrict(qs, user)
    found: dict[tuple[int | None, str], list[Narrative]] = defaultdict(list)
    for passage in qs.order_by("order", "pk"):
        found[(passage.group_id, passage.section)].append(passage)
    return found


def _one(words, group_id: int | None, section: str) -> str:
    passages = words[(group_id, section)]
    return passages[0].text.strip() if passages else ""
