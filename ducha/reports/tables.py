"""The statistical tables workbook (统计表, `ducha report tables`): the campaign's figures
by unit (grouped by supervision group), by group and by trading domain, one sheet each.

Every value is a figure of `statistics.campaign_statistics` as it returned it: a unit's
row is its `by_unit` entry, a group's subtotal its `by_group` entry, the total row the
`total`; nothing is added up here, so a total that equals the sum of its rows shows the
statistics agree with themselves. Values only, never a formula; text through the
formula-safe cells of reports/xlsx.py. The workbook is report content: its words are
Chinese, as the office writes its tables.
"""

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ducha.reports.chinese import chinese_date
from ducha.reports.xlsx import safe_cell


@dataclass(frozen=True)
class Figure:
    label: str
    key: str
    rate: bool = False


Bands = tuple[tuple[str, tuple[Figure, ...]], ...]
# Two header rows: a heading over each band of figures (merged), the figure below it.
BANDS: Bands = (
    (
        "项目",
        (
            Figure("总数", "projects"),
            Figure("自查", "projects_self_inspected"),
            Figure("抽查", "projects_sampled"),
            Figure("核查", "projects_verified"),
        ),
    ),
    (
        "问题",
        (
            Figure("发现", "problems"),
            Figure("四类问题", "problems_four_categories"),
            Figure("市场主体", "problems_market_entity"),
            Figure("已整改", "problems_rectified"),
            Figure("已销号", "problems_signed_off"),
            Figure("不予认定", "problems_dismissed"),
            Figure("逾期", "problems_overdue"),
        ),
    ),
    ("问题项目", (Figure("涉及项目", "projects_with_problems"), Figure("清零销号", "projects_with_problems_cleared"))),
    (
        "处置",
        (
            Figure("移交线索", "clue_transfers"),
            Figure("立案", "filed_cases"),
            Figure("曝光", "exposed_cases"),
            Figure("文件", "documents"),
        ),
    ),
    ("培训", (Figure("场次", "trainings"), Figure("人次", "training_attendees"))),
    ("比率", (Figure("整改率", "rectification_rate", rate=True), Figure("销号率", "sign_off_rate", rate=True))),
)
FIGURES: tuple[Figure, ...] = tuple(f for _band, figures in BANDS for f in figures)
COUNTS = tuple(f.key for f in FIGURES if not f.rate)
# The groups' supervision work (督导工作): each group's `supervision` figures.
SUPERVISION_BANDS: Bands = (
    ("工作方案", (Figure("制定", "work_plans"),)),
    (
        "督导组周报",
        (
            Figure("报送", "group_reports_submitted"),
            Figure("按时", "group_reports_on_time"),
            Figure("迟报", "group_reports_late"),
            Figure("未报", "group_reports_missing"),
        ),
    ),
    (
        "盟市、厅局周报",
        (
            Figure("报送", "unit_reports_submitted"),
            Figure("按时", "unit_reports_on_time"),
            Figure("迟报", "unit_reports_late"),
            Figure("未报", "unit_reports_missing"),
        ),
    ),
    ("实地督导", (Figure("轮次", "site_rounds"), Figure("回头看", "look_back_rounds"))),
    (
        "督导记录",
        (
            Figure("电话督导", "contacts_phone"),
            Figure("实地督导", "contacts_on_site"),
            Figure("书面提醒", "contacts_written"),
        ),
    ),
    (
        "函件",
        (
            Figure("发出", "letters"),
            Figure("应回复", "letter_responses_due"),
            Figure("已回复", "letter_responses_answered"),
            Figure("逾期未回复", "letter_responses_overdue"),
        ),
    ),
    ("举报", (Figure("收到", "complaints_received"), Figure("办结", "complaints_closed"))),
)
SUPERVISION_COUNTS = tuple(f.key for _band, figures in SUPERVISION_BANDS for f in figures)

KINDS = {"league": "盟市", "department": "厅局", "county": "旗县"}
TITLE_ROW, SUBTITLE_ROW, HEAD_ROW = 1, 2, 3
FIRST_DATA_ROW = HEAD_ROW + 2

THIN = Side(style="thin", color="808080")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="DDE4EE")
TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)


@dataclass(frozen=True)
class Row:
    """One line of a sheet: its leading (label) cells and the figures it shows."""

    labels: Sequence[Any]
    figures: Mapping[str, Any] | None  # None: the unit has no record (zeros, no rate)
    total: bool = False  # a subtotal or total row: bold, shaded


def tables_file_name(stats: Mapping[str, Any]) -> str:
    return f"tables-{stats['campaign']['code']}-{stats['as_of']}.xlsx"


def build_tables(stats: Mapping[str, Any], *, group: str | None = None, scope_name: str = "") -> Workbook:
    """The workbook of the statistics `stats` (campaign_statistics' shape). `group`: only
    that group's rows (a group member's download: its own statistics hold zeros for the
    others); `scope_name` goes into the title."""
    groups = [g for g in stats["by_group"] if group is None or g["group"] == group]
    title = f"{stats['campaign']['name']}统计表" + (f"（{scope_name}）" if scope_name else "")
    as_of = chinese_date(dt.date.fromisoformat(stats["as_of"]))
    workbook = Workbook()
    workbook.remove(workbook.active)
    sheets: list[tuple[str, Sequence[str], Bands, list[Row], str]] = [
        ("按单位", ("督导组", "单位", "类型"), BANDS, _unit_rows(stats, groups, group), ""),
        ("按督导组", ("督导组", "牵头领域", "盟市", "厅局"), BANDS, _group_rows(stats, groups, group), ""),
        (
            "按交易领域",
            ("交易领域", "单位数"),
            BANDS,
            [Row((d["name"], d["units"]), d) for d in stats["by_domain"]]
            + [Row(("合计", stats["total"]["units"]), stats["total"], total=True)],
            "注：未归入交易领域的记录（不属于某个项目的问题等）计入合计，不计入任何领域。",
        ),
        (
            "督导工作",
            ("督导组",),
            SUPERVISION_BANDS,
            [Row((g["name"],), g["supervision"]) for g in groups]
            + ([Row(("合计",), stats["total"]["supervision"], total=True)] if group is None else []),
            "注：工作组办公室直接发出的函件、受理的举报计入合计，不计入任何督导组。" if group is None else "",
        ),
    ]
    for name, labels, bands, rows, note in sheets:
        subtitle = f"{name}统计（截至{as_of}）" if name.startswith("按") else f"{name}情况（截至{as_of}）"
        _write_sheet(workbook.create_sheet(name), title, subtitle, labels, bands, rows, note)
    return workbook


def save_tables(stats: Mapping[str, Any], target: BinaryIO, **options: Any) -> None:
    build_tables(stats, **options).save(target)


def group_units(stats: Mapping[str, Any], group: str) -> list[tuple[Mapping[str, Any], Mapping[str, Any] | None]]:
    """A group's units in the statistics' order: every unit assigned to it, with records
    or not, each as (its code/name/kind, its by_unit figures or None when it has no record)."""
    ledger = {u["unit"]: u for u in stats["by_unit"]}
    units = [u for u in stats["supervision_by_unit"] if u["group"] == group]
    units += [u for u in stats["by_unit"] if u["group"] == group and u["unit"] not in {v["unit"] for v in units}]
    return [(u, ledger.get(u["unit"])) for u in units]


def _unit_rows(stats: Mapping[str, Any], groups: list[Mapping[str, Any]], only: str | None) -> list[Row]:
    """Each group's units and its subtotal; then the units assigned to no group, and the total."""
    rows: list[Row] = []
    for g in groups:
        rows += [Row((g["name"], u["name"], KINDS.get(u["kind"], "")), f) for u, f in group_units(stats, g["group"])]
        rows.append(Row((g["name"], "小计", ""), g, total=True))
    if only is None:
        rows += [
            Row(("未分配督导组", u["name"], KINDS.get(u["kind"], "")), u) for u in stats["by_unit"] if not u["group"]
        ]
        rows.append(Row(("合计", "", ""), stats["total"], total=True))
    return rows


def _group_rows(stats: Mapping[str, Any], groups: list[Mapping[str, Any]], only: str | None) -> list[Row]:
    domains = {d["domain"]: d["name"] for d in stats["by_domain"]}
    rows = [Row((g["name"], domains.get(g["lead_domain"], ""), g["leagues"], g["departments"]), g) for g in groups]
    if only is None:
        # A unit assigned to no group counts in the total only: its own row keeps the sum.
        rows += [Row((f"未分配督导组：{u['name']}", "", "", ""), u) for u in stats["by_unit"] if not u["group"]]
        rows.append(Row(("合计", "", "", ""), stats["total"], total=True))
    return rows


def _write_sheet(
    sheet: Worksheet, title: str, subtitle: str, labels: Sequence[str], bands: Bands, rows: Iterable[Row], note: str
) -> None:
    figures = [f for _band, band in bands for f in band]
    lead, width = len(labels), len(labels) + len(figures)
    sheet.append([safe_cell(sheet, title)])
    sheet.append([safe_cell(sheet, subtitle)])
    for row_number in (TITLE_ROW, SUBTITLE_ROW):
        sheet.merge_cells(start_row=row_number, end_row=row_number, start_column=1, end_column=width)
    sheet.cell(TITLE_ROW, 1).font = Font(bold=True, size=16)
    sheet.cell(TITLE_ROW, 1).alignment = CENTRE
    sheet.cell(SUBTITLE_ROW, 1).alignment = Alignment(horizontal="right")
    sheet.row_dimensions[TITLE_ROW].height = 30
    _write_head(sheet, labels, bands)
    last = HEAD_ROW + 1
    for row in rows:
        sheet.append([safe_cell(sheet, v) for v in row.labels] + _values(row.figures, figures))
        last += 1
        for column in range(1, width + 1):
            cell = sheet.cell(last, column)
            cell.border = BOX
            if column > lead:
                cell.number_format = "0.0%" if figures[column - lead - 1].rate else "#,##0"
            if row.total:
                cell.font = Font(bold=True)
                cell.fill = TOTAL_FILL
    if note:
        sheet.cell(last + 2, 1, note)
    sheet.freeze_panes = sheet.cell(FIRST_DATA_ROW, lead + 1)
    for column in range(1, width + 1):
        wide = column <= lead and labels[column - 1] in ("督导组", "单位", "交易领域")
        sheet.column_dimensions[get_column_letter(column)].width = 24 if wide else 10


def _values(values: Mapping[str, Any] | None, figures: Sequence[Figure]) -> list[Any]:
    if values is None:  # a unit with no record yet: nothing counted, no rate
        return [None if f.rate else 0 for f in figures]
    return [values[f.key] for f in figures]


def _write_head(sheet: Worksheet, labels: Sequence[str], bands: Bands) -> None:
    """Two header rows: the leading labels span both; each band's heading spans its figures."""
    sheet.append([*labels, *(band if i == 0 else None for band, figures in bands for i, _f in enumerate(figures))])
    sheet.append([None] * len(labels) + [f.label for _band, figures in bands for f in figures])
    for column in range(1, len(labels) + 1):
        sheet.merge_cells(start_row=HEAD_ROW, end_row=HEAD_ROW + 1, start_column=column, end_column=column)
    column = len(labels) + 1
    for _band, figures in bands:
        if len(figures) > 1:
            sheet.merge_cells(
                start_row=HEAD_ROW, end_row=HEAD_ROW, start_column=column, end_column=column + len(figures) - 1
            )
        column += len(figures)
    for row_number in (HEAD_ROW, HEAD_ROW + 1):
        for each in range(1, column):
            cell = sheet.cell(row_number, each)
            cell.font, cell.fill, cell.alignment, cell.border = Font(bold=True), HEAD_FILL, CENTRE, BOX
