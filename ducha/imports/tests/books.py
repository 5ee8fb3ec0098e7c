"""Real workbooks and CSV files for the import tests, written the way units write them."""

import csv
import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook

PROJECT_HEADERS = [
    "序号", "项目编号", "项目名称", "交易领域", "项目类型", "所属盟市", "所属旗县（市、区）", "主管部门",
    "招标人（采购人、出让人、转让方）", "招标人统一社会信用代码", "代理机构", "中标（成交）单位",
    "中标单位统一社会信用代码", "交易金额（万元）", "交易日期", "交易平台项目编码", "是否自查", "是否抽查",
    "是否核查", "备注",
]  # fmt: skip
PROBLEM_HEADERS = [
    "序号", "问题编号", "项目编号", "所属单位", "问题类别", "问题细项", "涉及市场主体类型", "问题描述", "发现方式",
    "发现日期", "整改措施", "整改时限", "整改状态", "整改完成日期", "销号意见", "不予认定理由", "是否移交线索",
    "移交机关", "是否立案", "是否曝光", "责任人", "备注",
]  # fmt: skip


def project(**given: Any) -> dict[str, Any]:
    row = {
        "项目编号": "GC-2024-001",
        "项目名称": "某某道路改造工程",
        "交易领域": "工程建设",
        "项目类型": "施工",
        "所属盟市": "呼和浩特市",
        "招标人（采购人、出让人、转让方）": "呼和浩特市住房和城乡建设局",
        "交易金额（万元）": "125",
        "交易日期": "2024-03-15",
        "是否自查": "是",
    }
    row.update(given)
    return row


def problem(**given: Any) -> dict[str, Any]:
    row = {
        "问题编号": "WT-001",
        "项目编号": "P-hohhot",
        "所属单位": "呼和浩特市",
        "问题类别": "A",
        "问题细项": "A1",
        "问题描述": "领导干部打招呼",
        "发现方式": "自查",
        "发现日期": "2024-06-01",
        "整改状态": "待整改",
    }
    row.update(given)
    return row


def xlsx(
    rows: Sequence[dict[str, Any]],
    headers: Sequence[str] = PROJECT_HEADERS,
    *,
    title: str | None = None,
    notes: str | None = None,
    extra: Sequence[list[Any]] = (),
) -> bytes:
    """A workbook: an optional title row (merged over the header), the header row, the rows."""
    book = Workbook()
    sheet = book.active
    if title:
        sheet.append([title])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    sheet.append(list(headers))
    for i, row in enumerate(rows, 1):
        sheet.append([row.get(h, i if h == "序号" else None) for h in headers])
    for cells in extra:
        sheet.append(list(cells))
    if notes:
        sheet.append([])
        sheet.append([notes])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(
    rows: Sequence[dict[str, Any]], headers: Sequence[str] = PROJECT_HEADERS, *, encoding="utf-8-sig"
) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    for i, row in enumerate(rows, 1):
        writer.writerow([row.get(h, i if h == "序号" else "") for h in headers])
    return out.getvalue().encode(encoding)
