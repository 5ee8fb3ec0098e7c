"""The trading platform's bid file for the platform red-flag indicators
(ducha/analytics/redflags/collusion.py): read with the imports' reader (CSV in UTF-8, with
a BOM or GB18030, or .xlsx; the header row found as for the ledgers), and the flags written
for people (flags.csv, flags.xlsx)."""

import csv
import io
from pathlib import Path

import pyarrow as pa

from ducha.analytics.redflags import collusion
from ducha.analytics.redflags import settings as redflag_settings
from ducha.analytics.redflags.collusion import INDICATORS
from ducha.analytics.redflags.platform import HEADERS, PlatformError
from ducha.imports.reading import FileRefused, read_table
from ducha.imports.values import clean_header, clean_text
from ducha.reports.xlsx import csv_cell, save_sheets

FLAG_HEADERS = ("indicator", "scope", "id", "value", "explanation", "rows")
# The workbook's headers, for people: the Chinese names and the legal basis too.
SHEET_HEADERS = ("指标代码", "指标名称", "对象类型", "对象", "值", "说明", "证据行号", "依据")
SCOPES = {"lot": "标段", "bidder": "投标人", "buyer": "招标人", "expert": "评标专家"}


def read_bids(name: str, content: bytes) -> pa.Table:
    """The file's rows as text under the layout's headers (unknown columns kept under their
    own, for the engine's note), plus `row`, the row's number in the file."""
    wanted = {clean_header(h): h for h in HEADERS}
    table = read_table(name, content, set(wanted))
    names = {index: wanted.get(clean_header(h), clean_text(h)) for index, h in table.columns.items()}
    columns: dict[str, list] = {"row": [], **{n: [] for n in names.values()}}
    for number, cells in table.rows:
        columns["row"].append(number)
        for index, header in names.items():
            columns[header].append(clean_text(cells[index]) if index < len(cells) else "")
    return pa.table({"row": pa.array(columns.pop("row"), pa.int64())} | {h: pa.array(v, pa.string())
                                                                         for h, v in columns.items()})  # fmt: skip


def _value(value: float) -> str:
    return f"{value:.6g}" if abs(value) < 1e6 else f"{value:.2f}"


def write_outputs(flags: pa.Table, folder: Path) -> None:
    """flags.csv (UTF-8 with a BOM; formula-like cells neutralised) and flags.xlsx."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = flags.to_pylist()
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(FLAG_HEADERS)
    for f in rows:
        evidence = ";".join(str(r) for r in f["rows"])
        writer.writerow([f["indicator"], f["scope"], csv_cell(f["id"]), _value(f["value"]), csv_cell(f["explanation"]),
                         evidence])  # fmt: skip
    (folder / "flags.csv").write_text(text.getvalue(), encoding="utf-8-sig")
    sheet = (
        [f["indicator"], INDICATORS[f["indicator"]].name_zh, SCOPES[f["scope"]], f["id"], f["value"], f["explanation"],
         "、".join(str(r) for r in f["rows"]), INDICATORS[f["indicator"]].basis]
        for f in rows
    )  # fmt: skip
    with open(folder / "flags.xlsx", "wb") as target:
        save_sheets(target, [("红旗线索", SHEET_HEADERS, sheet)])


def run_file(source: Path, settings_path: str | None, out: Path) -> tuple[int, int, list[str]]:
    """`ducha redflags --platform`: the file through the indicators into `out`; the rows
    read, the flags and the engine's notes. Raises ValueError with a reason for people."""
    try:
        rows = read_bids(source.name, source.read_bytes())
        flags, notes = collusion.run(rows, redflag_settings.load(settings_path) if settings_path else None)
    except FileRefused as error:
        raise ValueError(str(error.message) % error.params) from None
    except (PlatformError, redflag_settings.SettingsError) as error:
        raise ValueError(str(error)) from None
    write_outputs(flags, out)
    return rows.num_rows, flags.num_rows, notes
