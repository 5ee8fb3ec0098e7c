"""The three-way comparison's files (三方比对, docs/comparison.md): each source read as a
ledger file is (the same safety checks, .xlsx or .csv in UTF-8 or GB18030, a title row,
blank and notes rows), its cells parsed, and the comparison run by
ducha/analytics/reconcile.py; its results written as findings.xlsx, findings.csv and
summary.json. A row with a value that cannot be read is left out of the comparison and
listed with its row, column, value and reason (the 错误 sheet, summary.json's errors)."""

import csv
import dataclasses
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pyarrow as pa
from django.utils.translation import gettext as _

from ducha.analytics import reconcile as engine
from ducha.analytics.enterprises import Regions
from ducha.imports.reading import read_table
from ducha.imports.values import BadValue, clean_header, clean_text, parse_date, parse_wan_yuan
from ducha.org.choices import UnitKind
from ducha.org.models import Unit
from ducha.reports.xlsx import csv_cell, save_sheets

SOURCES = {
    "exchange": (engine.EXCHANGE_HEADERS, "产权交易所成交记录"),
    "registry": (engine.REGISTRY_HEADERS, "市场监管股东变更登记"),
    "self_reports": (engine.SELF_REPORT_HEADERS, "企业自报交易情况"),
}
_DATES = {"appraisal_date", "listed_from", "listed_to", "deal_date", "changed_on"}
_AMOUNTS = {"price", "appraisal", "capital_before", "capital_after", "amount"}
_RATIOS = {"ratio", "ratio_before", "ratio_after"}


@dataclass(frozen=True)
class RowError:
    source: str  # the source's Chinese name
    row: int
    column: str  # the header as the layout writes it
    value: str
    reason: str


def parse_percent(value: Any) -> float | None:
    """30, 30%, 30.5 ％: percentage points."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    text = clean_text(value).removesuffix("%").strip()
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise BadValue(_("“%(value)s” is not a valid percentage"), value=clean_text(value)) from None
    if not number.is_finite() or not 0 <= number <= 100:
        raise BadValue(_("“%(value)s” is not a percentage between 0 and 100"), value=clean_text(value))
    return float(number)


def _amount(value: Any) -> float | None:
    yuan = parse_wan_yuan(value)
    return None if yuan is None else float(yuan / 10000)


def _parser(key: str) -> Callable[[Any], Any]:
    if key in _DATES:
        return parse_date
    if key in _AMOUNTS:
        return _amount
    if key in _RATIOS:
        return parse_percent
    return lambda v: clean_text(v) or None


def read_source(kind: str, name: str, content: bytes) -> tuple[pa.Table, list[RowError]]:
    """A source file as the engine's table (its columns and `row`), and its rows' errors."""
    headers, title = SOURCES[kind]
    wanted = {clean_header(h): key for h, key in headers.items()}
    table = read_table(name, content, set(wanted))
    found = {index: wanted[clean_header(h)] for index, h in table.columns.items() if clean_header(h) in wanted}
    layout_header = {key: h for h, key in headers.items()}
    parsers = {key: _parser(key) for key in headers.values()}
    columns: dict[str, list] = {"row": [], **{key: [] for key in headers.values()}}
    errors: list[RowError] = []
    for number, cells in table.rows:
        values: dict[str, Any] = dict.fromkeys(headers.values())
        bad = False
        for index, key in found.items():
            raw = cells[index] if index < len(cells) else None
            try:
                values[key] = parsers[key](raw)
            except BadValue as error:
                reason = str(error.reason) % error.params
                errors.append(RowError(title, number, layout_header[key], clean_text(raw), reason))
                bad = True
        if not bad:
            columns["row"].append(number)
            for key, value in values.items():
                columns[key].append(value)
    types = {key: pa.date32() if key in _DATES else pa.float64() if key in _AMOUNTS | _RATIOS else pa.string()
             for key in headers.values()}  # fmt: skip
    arrays = {"row": pa.array(columns["row"], pa.int64())}
    arrays |= {key: pa.array(values, types[key]) for key, values in columns.items() if key != "row"}
    return pa.table(arrays), errors


def regions() -> Regions:
    """The leagues/cities and counties with their former names (伊克昭盟 → 鄂尔多斯市)."""
    units = Unit.objects.filter(kind__in=[UnitKind.LEAGUE, UnitKind.COUNTY]).values_list("name", "former_names")
    return Regions((name, former or []) for name, former in units)


@dataclass(frozen=True)
class Comparison:
    result: engine.Reconciled
    errors: list[RowError]
    tables: dict[str, pa.Table] = dataclasses.field(default_factory=dict)  # the sources as read

    @property
    def summary(self) -> dict[str, Any]:
        return {**self.result.summary, "errors": len(self.errors)}


def compare(
    files: dict[str, tuple[str, bytes]],
    settings: engine.ReconcileSettings | None = None,
    progress: Callable[[str], None] | None = None,
) -> Comparison:
    """Run the comparison on the three files: {"exchange": (name, content), "registry": …,
    "self_reports": …}; `progress` is told "read" once the files are read, "matched" at the end."""
    tables, errors = {}, []
    for kind in SOURCES:
        tables[kind], refused = read_source(kind, *files[kind])
        errors += refused
    if progress:
        progress("read")
    result = engine.reconcile(tables["exchange"], tables["registry"], tables["self_reports"], regions(),
                              settings or engine.ReconcileSettings())  # fmt: skip
    if progress:
        progress("matched")
    return Comparison(result, errors, tables)


FINDING_HEADERS = ("发现类型", "规则", "企业", "企业名称", "日期", "交易所行号", "登记行号", "自报行号", "依据")


def finding_rows(comparison: Comparison) -> list[list[Any]]:
    return [
        [f["finding"], _(f["rule"]), f["enterprise"], f["enterprise_name"], f["date"],
         _rows(f["exchange_rows"]), _rows(f["registry_rows"]), _rows(f["self_rows"]), f["evidence"]]
        for f in comparison.result.findings.to_pylist()
    ]  # fmt: skip


def _rows(numbers: list[int]) -> str:
    return "、".join(str(n) for n in numbers)


def write_outputs(comparison: Comparison, folder: Path) -> None:
    """findings.xlsx (findings, the review list, the rows refused), findings.csv (UTF-8
    with a BOM, which Excel and WPS open as Chinese) and summary.json."""
    folder.mkdir(parents=True, exist_ok=True)
    findings = finding_rows(comparison)
    review = [[r["id"], r["tier"], "、".join(r["candidates"]), r["evidence"]]
              for r in comparison.result.review.to_pylist()]  # fmt: skip
    refused = [dataclasses.astuple(e) for e in comparison.errors]
    with (folder / "findings.xlsx").open("wb") as target:
        save_sheets(
            target,
            [
                ("发现", FINDING_HEADERS, findings),
                ("待复核", ("提及编号", "匹配层级", "候选企业", "依据"), review),
                ("错误", ("来源", "行号", "列", "值", "原因"), refused),
            ],
        )
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(FINDING_HEADERS)
    writer.writerows([csv_cell(v) for v in row] for row in findings)
    (folder / "findings.csv").write_text(text.getvalue(), encoding="utf-8-sig")
    (folder / "summary.json").write_text(json.dumps(comparison.summary, ensure_ascii=False, indent=2), encoding="utf-8")
