"""The bulletin's words: a Bulletin (content.py) as a list of blocks (headings, paragraphs,
tables) in reading order, written the way the office writes its 通报. The Word and the
HTML output both lay out these blocks, so the two say exactly the same."""

from collections.abc import Iterator
from dataclasses import dataclass, field

from ducha.reports.bulletin.content import PROGRESS, Bulletin, Cell, GroupSection, Progress
from ducha.reports.chinese import chinese_date, chinese_number
from ducha.supervision.choices import Timeliness

OWN_REPORT = {Timeliness.ON_TIME: "按时报送", Timeliness.LATE: "迟报", Timeliness.MISSING: "未报送"}


@dataclass(frozen=True)
class Block:
    kind: str  # title, subtitle, heading1, heading2, paragraph, table
    text: str = ""
    rows: list[list[str]] = field(default_factory=list)  # a table's: the header row first
    lines: tuple[Progress, ...] = ()  # a table's: what each row below the header shows


def title(b: Bulletin) -> str:
    return f"{b.campaign}周调度通报"


def subtitle(b: Bulletin) -> str:
    ends = b.week.ends
    span = f"{chinese_date(b.week.starts)}至{ends.month}月{ends.day}日"
    return f"第{b.number}周（{span}）" + (f"　{b.scope_name}" if b.scope_name else "")


def blocks(b: Bulletin) -> list[Block]:
    out = [Block("title", title(b)), Block("subtitle", subtitle(b))]
    out += [Block("heading1", "一、总体进展"), Block("paragraph", overview(b))]
    lines = [g.progress for g in b.groups]
    if not b.scope_name:  # a group's bulletin: its own line is its total
        lines.append(b.total)
    out.append(_table("督导检查组", lines))
    out.append(Block("heading1", "二、各督导检查组负责盟市、厅局进展"))
    for n, g in enumerate(b.groups):
        out += [Block("heading2", f"（{chinese_number(n + 1)}）{g.name}"), Block("paragraph", group_sentence(g))]
        out.append(_table("盟市、厅局", g.units))
    out.append(Block("heading1", "三、进展滞后单位"))
    out += [Block("paragraph", line) for line in _per_group(b.groups, _lagging)]
    out.append(Block("heading1", "四、周调度报送情况"))
    out += [Block("paragraph", line) for line in _per_group(b.groups, _reports)]
    out.append(Block("heading1", "五、督导频次落实情况"))
    out += [Block("paragraph", line) for line in _per_group(b.groups, _contacts)]
    out.append(Block("paragraph", _note(b)))
    return out


def overview(b: Bulletin) -> str:
    who = f"{b.scope_name}负责督导的盟市、厅局" if b.scope_name else "各督导检查组负责督导的盟市、厅局"
    v = _values(b.total)
    text = (
        f"截至{chinese_date(b.as_of)}，{who}共自查{v['projects_self_inspected'].value}个项目，"
        f"抽查{v['projects_sampled'].value}个项目，发现{v['problems'].value}个问题，"
        f"其中{v['problems_rectified'].value}个问题已整改完成，{v['problems_signed_off'].value}个问题已销号，"
        f"销号率{_pct(v['sign_off_rate'].value)}"
    )
    text += (
        f"，逾期未整改问题{v['problems_overdue'].value}个。" if v["problems_overdue"].value else "，无逾期未整改问题。"
    )
    return text + "与上周相比，" + _changes(b.total) + "。"


def group_sentence(g: GroupSection) -> str:
    v = _values(g.progress)
    units = len(g.units)
    return (
        f"{g.name}负责督导的{units}个盟市、厅局本周{_changes(g.progress)}；"
        f"累计发现{v['problems'].value}个问题，{v['problems_signed_off'].value}个已销号，"
        f"销号率{_pct(v['sign_off_rate'].value)}。"
    )


def _changes(p: Progress) -> str:
    v = {key: c.change or 0 for key, c in _values(p).items()}  # a count's change is never None
    found, inspected, sampled = v["problems"], v["projects_self_inspected"], v["projects_sampled"]
    done, signed = v["problems_rectified"], v["problems_signed_off"]
    if not any(n > 0 for n in (found, inspected, sampled, done, signed)):
        return "各项数据无增加"
    # A fall (a record deleted) is in the tables; the sentence tells what was done.
    parts = [
        f"自查项目增加{inspected}个" if inspected > 0 else "",
        f"抽查项目增加{sampled}个" if sampled > 0 else "",
        f"新发现问题{found}个" if found > 0 else "",
        f"整改完成{done}个" if done > 0 else "",
        f"销号{signed}个" if signed > 0 else "",
    ]
    return "、".join(p for p in parts if p)


def _lagging(g: GroupSection) -> Iterator[str]:
    if not g.lagging:
        yield f"{g.name}：负责督导的盟市、厅局中无进展滞后单位。"
        return
    for u in g.lagging:
        yield f"{u.name}（{g.name}）：" + "".join(u.reasons)


def _reports(g: GroupSection) -> Iterator[str]:
    own = f"本组周报{OWN_REPORT[Timeliness(g.own_report)]}" if g.own_report in OWN_REPORT else ""
    units = []
    if g.reports_missing:
        units.append(f"{'、'.join(g.reports_missing)}未报送周报")
    if g.reports_late:
        units.append(f"{'、'.join(g.reports_late)}迟报")
    said = "；".join(p for p in (own, "，".join(units) or "负责督导的盟市、厅局均按时报送周报") if p)
    yield f"{g.name}：{said}。"


def _contacts(g: GroupSection) -> Iterator[str]:
    if not g.contact_rule:
        yield f"{g.name}：本周无督导频次要求。"
        return
    if not g.shortfalls:
        yield f"{g.name}：对负责督导的盟市、厅局均达到督导频次要求。"
        return
    short = "；".join(f"{s.unit}{s.kind}要求{s.required}次、实际{s.made}次" for s in g.shortfalls)
    yield f"{g.name}：{short}。"


def _per_group(groups: list[GroupSection], lines) -> Iterator[str]:
    for g in groups:
        yield from lines(g)


def _note(b: Bulletin) -> str:
    return (
        f"注：数据截至{chinese_date(b.as_of)}，表中每格下行为与{chinese_date(b.previous)}相比的变化（销号率以百分点计）；"
        "进展滞后单位按组内比较规则认定（发现问题数量、销号率、逾期问题、周报报送、督导频次）。"
    )


def _table(first: str, lines: list[Progress]) -> Block:
    header = [first, *(f.label for f in PROGRESS)]
    return Block("table", rows=[header, *(_progress_row(p) for p in lines)], lines=tuple(lines))


def _progress_row(p: Progress) -> list[str]:
    return [p.name, *(_cell(c) for c in p.cells)]


def _cell(c: Cell) -> str:
    value = _pct(c.value) if c.rate else str(c.value)
    return f"{value}\n{_change(c)}"


def _change(c: Cell) -> str:
    if c.change is None:
        return "—"
    if c.rate:
        return f"{c.change * 100:+.1f}".replace("+0.0", "0.0").replace("-0.0", "0.0")
    return f"{c.change:+d}" if c.change else "0"


def _pct(rate: float) -> str:
    return f"{rate * 100:.1f}%"


def _values(p: Progress) -> dict[str, Cell]:
    return {f.key: c for f, c in zip(PROGRESS, p.cells, strict=True)}
