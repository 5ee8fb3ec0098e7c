"""The downloadable import templates (导入模板) of the project and problem ledgers.

    write_template(kind, user) -> bytes of an .xlsx

Sheet 1 (项目台账 / 问题台账): the layout's headers (layouts.py) in row 1, nothing else.
Sheet 2 (填表说明): each column's rules in Chinese. Sheet 3 (选项, hidden): the allowed
values, one list a column; every enumerated column of sheet 1 has a drop-down list (a
list-type data validation) referring to its range there (an inline list is limited to 255
characters by Excel). The units offered are those in the downloading user's scope."""

import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from ducha.core.access import restrict
from ducha.imports.exports import catalogue_labels, columns_of
from ducha.imports.problems import AUTHORITY_WORDS, DISCOVERY_WORDS, STATUS_WORDS
from ducha.ledger.models import MarketEntityType, ProblemCategory, ProblemItem
from ducha.org.choices import UnitKind
from ducha.org.models import Domain, ProjectType, Unit

OPTIONS_SHEET = "选项"
NOTES_SHEET = "填表说明"
SHEET_TITLES = {"projects": "项目台账", "problems": "问题台账"}
ROWS = 2000  # rows 2 … ROWS+1 carry the drop-down lists
YES_NO = ["是", "否"]

_DATE = "日期：写作 2024-06-15（也可写 2024/6/15、2024年6月15日）或设为日期格式的单元格"
_YES_NO = "是 / 否（下拉选择）"
_UNIT = "按名称填写（下拉选择；也可填简称、曾用名或代码）"

NOTES = {
    "projects": {
        "序号": ("否", "可不填，导入时忽略"),
        "项目编号": ("是", "同一单位内不得重复；与所属单位一起是项目的唯一标识，再次导入时按它找到已有项目并更新"),
        "项目名称": ("是", "文字"),
        "交易领域": ("是", "下拉选择：工程建设 / 政府采购 / 自然资源 / 国有产权"),
        "项目类型": ("否", "下拉选择；须是所选交易领域的项目类型"),
        "所属盟市": ("未填主管部门时必填", "项目所属盟市；" + _UNIT),
        "所属旗县（市、区）": ("否", "须在所属盟市之内；" + _UNIT),
        "主管部门": ("否", "自治区厅局；未填所属盟市时，项目属于该部门；" + _UNIT),
        "招标人（采购人、出让人、转让方）": ("是", "文字"),
        "招标人统一社会信用代码": ("否", "18 位统一社会信用代码，导入时校验"),
        "代理机构": ("否", "文字"),
        "中标（成交）单位": ("否", "文字"),
        "中标单位统一社会信用代码": ("否", "18 位统一社会信用代码，导入时校验"),
        "交易金额（万元）": ("否", "以万元为单位的数字，不小于 0，可带千分位；最多精确到分（万元后 6 位小数）"),
        "交易日期": ("否", _DATE + "；不在本次行动的排查范围内时给出提示"),
        "交易平台项目编码": ("否", "文字"),
        "是否自查": ("否", _YES_NO + "；填“是”即记录自查，已记录的不会撤销"),
        "是否抽查": ("否", _YES_NO + "；填“是”即记录抽查，已记录的不会撤销"),
        "是否核查": ("否", _YES_NO + "；填“是”即记录核查，已记录的不会撤销"),
        "备注": ("否", "文字"),
    },
    "problems": {
        "序号": ("否", "可不填，导入时忽略"),
        "问题编号": ("是", "与所属单位一起是问题的唯一标识，再次导入时按它找到已有问题并更新"),
        "项目编号": ("否", "问题所属项目的项目编号（单位层面的问题可不填）；须先导入项目台账"),
        "所属单位": ("是", "盟市或自治区厅局；" + _UNIT),
        "问题类别": ("否", "下拉选择问题类别，也可填类别代码（如 A）"),
        "问题细项": ("否", "下拉选择问题细项，也可填细项代码（如 A1）；须属于所填问题类别"),
        "涉及市场主体类型": ("否", "下拉选择，也可填代码（如 E4）"),
        "问题描述": ("是", "文字"),
        "发现方式": ("是", "下拉选择：自查 / 抽查 / 核查 / 督导 / 举报 / 数据分析"),
        "发现日期": ("是", _DATE + "；在本次行动期间内，不晚于今天"),
        "整改措施": ("整改中、已整改、已销号时必填", "文字"),
        "整改时限": ("否", _DATE + "；不早于发现日期"),
        "整改状态": (
            "否",
            "下拉选择：待整改 / 整改中 / 已整改 / 已销号 / 不予认定；新问题不填为待整改，已有问题不填则不变；"
            "只能按整改流程向前推进",
        ),
        "整改完成日期": ("已整改、已销号时必填", _DATE + "；不早于发现日期，不晚于今天"),
        "销号意见": ("已销号时必填", "督导组的销号意见"),
        "不予认定理由": ("不予认定时必填", "文字"),
        "是否移交线索": ("否", _YES_NO),
        "移交机关": ("是否移交线索为“是”时必填", "下拉选择：公安机关 / 纪检监察机关 / 行业主管部门"),
        "是否立案": ("否", _YES_NO),
        "是否曝光": ("否", _YES_NO),
        "责任人": ("否", "文字"),
        "备注": ("否", "文字"),
    },
}

GENERAL_NOTES = [
    "1. 第一个工作表的第 1 行是表头，请勿修改、删除表头；列的顺序可以调整，不需要的选填列可以删除。",
    "2. 从第 2 行起每行填写一条记录；空行不导入。带下拉箭头的列请从下拉列表中选择。",
    "3. 所属单位与编号一起是记录的唯一标识：再次导入同一文件不会重复新增，只更新有变化的内容；某列留空即清空该项。",
    "4. 日期写作 2024-06-15（或 2024/6/15、2024年6月15日）；金额以万元为单位。",
    "5. 文件中任何一行有错，整个文件都不导入；系统会给出错误说明表，改正后重新导入。",
    "6. 只能导入本单位（权限范围内）的记录。",
]


def _unit_lists(user) -> dict[str, list[str]]:
    """The units in the user's scope by kind (a county's league with it)."""
    units = list(restrict(Unit.objects.all(), user).select_related("parent").order_by("order", "code"))
    leagues = {u.pk: u for u in units if u.kind == UnitKind.LEAGUE}
    for u in units:
        if u.kind == UnitKind.COUNTY and u.parent is not None:
            leagues.setdefault(u.parent.pk, u.parent)
    ordered = sorted(leagues.values(), key=lambda u: (u.order, u.code))
    return {
        "leagues": [u.name for u in ordered],
        "counties": [u.name for u in units if u.kind == UnitKind.COUNTY],
        "departments": [u.name for u in units if u.kind == UnitKind.DEPARTMENT],
    }


def _unique(names: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(names))


def option_lists(kind: str, user) -> dict[str, list[str]]:
    """The drop-down list of each enumerated column, by header."""
    units = _unit_lists(user)
    if kind == "projects":
        return {
            "交易领域": [d.short_name for d in Domain.objects.order_by("order")],
            "项目类型": _unique([t.name for t in ProjectType.objects.order_by("domain__order", "order")]),
            "所属盟市": units["leagues"],
            "所属旗县（市、区）": units["counties"],
            "主管部门": units["departments"],
            "是否自查": YES_NO,
            "是否抽查": YES_NO,
            "是否核查": YES_NO,
        }
    categories = ProblemCategory.objects.order_by("order", "code")
    items = ProblemItem.objects.order_by("category__order", "order", "code")
    entity_types = MarketEntityType.objects.order_by("order", "code")
    return {
        "所属单位": units["leagues"] + units["departments"],
        "问题类别": list(catalogue_labels(categories).values()),
        "问题细项": list(catalogue_labels(items).values()),
        "涉及市场主体类型": list(catalogue_labels(entity_types).values()),
        "发现方式": list(DISCOVERY_WORDS),
        "整改状态": list(STATUS_WORDS),
        "是否移交线索": YES_NO,
        "移交机关": list(AUTHORITY_WORDS),
        "是否立案": YES_NO,
        "是否曝光": YES_NO,
    }


# Lists whose values the importer also takes in other forms (codes, short names): a value
# not in the list is a warning in Excel, not refused.
_OPEN_LISTS = {"所属盟市", "所属旗县（市、区）", "主管部门", "所属单位", "问题类别", "问题细项", "涉及市场主体类型"}


def write_template(kind: str, user) -> bytes:
    columns = columns_of(kind)
    headers = [c.header for c in columns]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLES[kind]
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    sheet.append(headers)
    for j, header in enumerate(headers, start=1):
        cell = sheet.cell(row=1, column=j)
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(j)].width = max(10, min(40, 2.2 * len(header) + 2))
    sheet.freeze_panes = "A2"

    notes = workbook.create_sheet(NOTES_SHEET)
    notes.append(["填表说明"])
    notes["A1"].font = Font(bold=True, size=14)
    for line in GENERAL_NOTES:
        notes.append([line])
    notes.append([])
    notes.append(["列名", "是否必填", "填写说明"])
    for cell in notes[notes.max_row]:
        cell.font, cell.fill = bold, fill
    for header in headers:
        required, rule = NOTES[kind][header]
        notes.append([header, required, rule])
    notes.column_dimensions["A"].width = 34
    notes.column_dimensions["B"].width = 26
    notes.column_dimensions["C"].width = 100

    options = workbook.create_sheet(OPTIONS_SHEET)
    options.sheet_state = "hidden"
    lists = option_lists(kind, user)
    j = 0
    for header, values in lists.items():
        if not values or header not in headers:
            continue
        j += 1
        letter = get_column_letter(j)
        options.cell(row=1, column=j, value=header).font = bold
        for i, value in enumerate(values, start=2):
            options.cell(row=i, column=j, value=value)
        options.column_dimensions[letter].width = 30
        target = get_column_letter(headers.index(header) + 1)
        strict = header not in _OPEN_LISTS
        validation = DataValidation(
            type="list",
            formula1=f"'{OPTIONS_SHEET}'!${letter}$2:${letter}${len(values) + 1}",
            allow_blank=True,
            showErrorMessage=True,
            errorStyle="stop" if strict else "warning",
            errorTitle=header,
            error="请从下拉列表中选择" if strict else "不在下拉列表中，请核对（也可填代码或简称）",
        )
        validation.add(f"{target}2:{target}{ROWS + 1}")
        sheet.add_data_validation(validation)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
