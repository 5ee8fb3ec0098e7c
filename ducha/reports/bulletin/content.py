"""What the weekly bulletin (周调度通报) says for one reporting week, in the scope of the
user it is written for: each group's and each unit's progress as of the week's last day
against the previous week's last day (`campaign_statistics` twice), the units that lag
with their reasons (`campaign_lagging`), the weekly reports missing or late that week
(`supervision.reporting`) and the contact-rule shortfalls of that week
(`supervision.compliance`). The week is a reporting week of `supervision.weeks`.

A figure is the statistics'; the change is the difference of the two days' figures. The
words are the report's (Chinese), written by the renderers (html.py, docx.py).
"""

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation

from ducha.core.access import RoleKind, role_kind, user_role
from ducha.org.models import Campaign, SupervisionGroup, Unit
from ducha.reports.lagging import campaign_lagging
from ducha.reports.statistics import campaign_statistics
from ducha.reports.tables import Figure, group_units
from ducha.supervision import compliance
from ducha.supervision.choices import ContactKind, Timeliness
from ducha.supervision.compliance import contact_shortfalls, required_contacts
from ducha.supervision.models import ReportingSchedule
from ducha.supervision.reporting import Expected, group_reports, unit_reports
from ducha.supervision.weeks import Week, end_of, reporting_weeks, week_of

# The progress table's columns.
PROGRESS: tuple[Figure, ...] = (
    Figure("自查项目", "projects_self_inspected"),
    Figure("抽查项目", "projects_sampled"),
    Figure("发现问题", "problems"),
    Figure("已整改", "problems_rectified"),
    Figure("已销号", "problems_signed_off"),
    Figure("逾期", "problems_overdue"),
    Figure("销号率", "sign_off_rate", rate=True),
)
ISO_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


@dataclass(frozen=True)
class Cell:
    value: int | float
    change: int | float | None  # since the previous week's last day (a rate: in points of 1.0; None: no rate then)
    rate: bool = False


@dataclass(frozen=True)
class Progress:
    """One line of a progress table: a group, a unit or the total."""

    code: str | None
    name: str
    cells: tuple[Cell, ...]
    recorded: bool = True  # False: a unit with no record yet
    level: str = "unit"  # unit, group or total: what `code` names


@dataclass(frozen=True)
class Lagging:
    name: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Shortfall:
    unit: str
    kind: str  # 电话督导, 实地督导, 书面提醒
    required: int
    made: int


@dataclass
class GroupSection:
    code: str
    name: str
    progress: Progress
    units: list[Progress] = field(default_factory=list)
    lagging: list[Lagging] = field(default_factory=list)
    reports_missing: list[str] = field(default_factory=list)  # units without the week's report
    reports_late: list[str] = field(default_factory=list)
    own_report: str | None = None  # the group's report to the office: Timeliness, None when not shown
    shortfalls: list[Shortfall] = field(default_factory=list)
    contact_rule: bool = False  # a contact rule was in force for the group that week


@dataclass
class Bulletin:
    campaign: str
    week: Week
    number: int  # the campaign's n-th reporting week
    label: str  # 2024-W36
    as_of: dt.date
    previous: dt.date
    total: Progress
    groups: list[GroupSection]
    scope_name: str = ""  # a group's bulletin: the group's name


def parse_week(text: str) -> dt.date:
    """The Monday of an ISO week written 2024-W36; a clear error otherwise."""
    match = ISO_WEEK.match(text.strip())
    try:
        if match is None:
            raise ValueError
        return dt.date.fromisocalendar(int(match[1]), int(match[2]), 1)
    except ValueError:
        raise ValidationError({"week": f"周次“{text}”无效：应写作“年-W周”，如 2024-W36。"}) from None


def reporting_week(campaign: Campaign, monday: dt.date) -> tuple[Week, int]:
    """The campaign's reporting week starting on `monday` and its number (1 = the first)."""
    schedule = ReportingSchedule.for_campaign(campaign)
    week = week_of(schedule, monday)
    if week is None:
        first = schedule.first_week_starts
        raise ValidationError(
            {"week": f"{iso_week(monday)}不在本次行动的周调度范围内（第一周自{first.isoformat()}起，至行动结束）。"}
        )
    return week, len(reporting_weeks(schedule, until=week.starts))


def latest_complete_week(campaign: Campaign, today: dt.date | None = None) -> dt.date:
    """The Monday of the newest reporting week that has ended by the campaign's day (the
    first week while none has)."""
    schedule = ReportingSchedule.for_campaign(campaign)
    weeks = [w for w in reporting_weeks(schedule, until=campaign.as_of(today)) if w.ends <= campaign.as_of(today)]
    return weeks[-1].starts if weeks else schedule.first_week_starts


def iso_week(monday: dt.date) -> str:
    year, week, _day = monday.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass
class Findings:
    """What the supervision records say of one week, as of its last day."""

    units_due: list[Expected]  # the units' reports of the week
    groups_due: list[Expected]  # the groups' reports of the week
    shortfalls: list[compliance.Shortfall]  # the week's
    ruled: set[int]  # groups with a contact rule in force that week
    lagging: dict[str, list[dict[str, Any]]]  # group code → the ranking's units
    unit_names: dict[int, str]
    group_ids: dict[str, int]


def build_bulletin(campaign: Campaign, monday: dt.date, *, user, today: dt.date | None = None) -> Bulletin:
    """The bulletin of the reporting week starting on `monday`, as `user` may see it (the
    office and viewers: every group; a group member: its own). Its figures stand at the
    week's Sunday, or at the campaign's day while that week runs. Its words (the lagging
    reasons, the kinds of contact) are in the report's language, whatever the page's."""
    with translation.override(settings.LANGUAGE_CODE):
        return _build(campaign, monday, user=user, today=today)


def _build(campaign: Campaign, monday: dt.date, *, user, today: dt.date | None) -> Bulletin:
    week, number = reporting_week(campaign, monday)
    as_of = min(week.ends, campaign.as_of(today))
    previous = week.starts - dt.timedelta(days=1)
    own_group = user_role(user).group if role_kind(user) == RoleKind.GROUP_MEMBER else None
    now = campaign_statistics(campaign, user=user, today=as_of)
    before = campaign_statistics(campaign, user=user, today=previous)
    found = _findings(campaign, week, as_of, user=user, own_group=own_group, stats=now)
    sections = [
        _section(g, now, before, found)
        for g in now["by_group"]
        # A member's statistics hold the other groups as zeros.
        if own_group is None or g["group"] == own_group.code
    ]
    total = _progress(None, "合计", now["total"], before["total"], level="total")
    return Bulletin(
        campaign=campaign.name,
        week=week,
        number=number,
        label=iso_week(week.starts),
        as_of=as_of,
        previous=previous,
        total=sections[0].progress if own_group is not None and sections else total,
        groups=sections,
        scope_name=own_group.name if own_group else "",
    )


def _findings(campaign: Campaign, week: Week, as_of: dt.date, *, user, own_group, stats) -> Findings:
    moment = end_of(as_of)
    group = own_group.code if own_group else None
    shortfalls = [s for s in contact_shortfalls(campaign, as_of=as_of, group=own_group) if s.week_starts == week.starts]
    required = required_contacts(campaign, as_of=as_of, group=own_group)
    ranking = campaign_lagging(campaign, today=as_of, group=group, stats=stats)
    return Findings(
        units_due=[r for r in unit_reports(campaign, user, now=moment) if r.week.starts == week.starts],
        groups_due=[r for r in group_reports(campaign, user, now=moment) if r.week.starts == week.starts],
        shortfalls=shortfalls,
        ruled={group_id for group_id, _kind, monday in required if monday == week.starts},
        lagging={g["group"]: g["units"] for g in ranking["groups"]},
        unit_names=dict(Unit.objects.filter(pk__in={s.unit_id for s in shortfalls}).values_list("pk", "name")),
        group_ids=dict(SupervisionGroup.objects.filter(campaign=campaign).values_list("code", "pk")),
    )


def _section(g: Mapping[str, Any], now: Mapping[str, Any], before: Mapping[str, Any], found: Findings) -> GroupSection:
    code, group_id = g["group"], found.group_ids[g["group"]]
    earlier_units = {u["unit"]: u for u in before["by_unit"]}
    earlier = next((e for e in before["by_group"] if e["group"] == code), None)
    section = GroupSection(code, g["name"], _progress(code, g["name"], g, earlier, level="group"))
    for unit, figures in group_units(now, code):
        section.units.append(_progress(unit["unit"], unit["name"], figures, earlier_units.get(unit["unit"])))
    section.lagging = [
        Lagging(u["name"], tuple(f["reason"] for f in u["flags"])) for u in found.lagging.get(code, []) if u["lagging"]
    ]
    mine = [r for r in found.units_due if r.group.pk == group_id]
    section.reports_missing = _names(mine, Timeliness.MISSING)
    section.reports_late = _names(mine, Timeliness.LATE)
    section.own_report = next((r.status for r in found.groups_due if r.group.pk == group_id), None)
    section.shortfalls = [
        Shortfall(found.unit_names[s.unit_id], str(ContactKind(s.kind).label), s.required, s.made)
        for s in found.shortfalls
        if s.group_id == group_id
    ]
    section.contact_rule = group_id in found.ruled
    return section


def _progress(
    code: str | None,
    name: str,
    now: Mapping[str, Any] | None,
    before: Mapping[str, Any] | None,
    *,
    level: str = "unit",
) -> Progress:
    if now is None:
        zeros = tuple(Cell(0, None if f.rate else 0, f.rate) for f in PROGRESS)
        return Progress(code, name, zeros, recorded=False, level=level)
    cells = []
    for f in PROGRESS:
        if f.rate:
            change = round(now[f.key] - before[f.key], 4) if before is not None else None
        else:  # a unit not in the earlier figures had no record then
            change = now[f.key] - (before[f.key] if before is not None else 0)
        cells.append(Cell(now[f.key], change, f.rate))
    return Progress(code, name, tuple(cells), level=level)


def _names(rows: list[Expected], status: Timeliness) -> list[str]:
    return [r.unit.name for r in rows if r.status == status and r.unit is not None]
