"""The trading platform's bid file for the platform red-flag indicators
(ducha/analytics/redflags/collusion.py): read with the imports' reader (CSV in UTF-8, with
a BOM or GB18030, or .xlsx; the header row found as for the ledgers), and the flags written
for people (flags.csv, flags.xlsx)."""

import csv
import io
import itertools
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from ducha.analyses.findings import ROW_HEADER
from ducha.analyses.redflag_settings import read_settings, refusal
from ducha.analytics.redflags import collusion
from ducha.analytics.redflags.collusion import ALL as INDICATORS
from ducha.analytics.redflags.platform import HEADERS, PlatformError
from ducha.analytics.redflags.settings import SettingsError
from ducha.imports.reading import FileRefused, Table, read_table, read_table_file
from ducha.imports.values import clean_header, clean_text
from ducha.reports.xlsx import csv_cell, save_sheets

FLAG_HEADERS = ("indicator", "scope", "id", "value", "explanation", "rows")
# The workbook's headers, for people: the Chinese names and the legal basis too.
SHEET_HEADERS = ("指标代码", "指标名称", "对象类型", "对象", "值", "说明", "证据行号", "依据")
SCOPES = {"lot": "标段", "bidder": "投标人", "buyer": "招标人", "expert": "评标专家"}


BATCH = 50_000  # rows turned into columns at a time (a province's file is never held whole)


def read_bids(name: str, content: bytes) -> pa.Table:
    """The file's rows as text under the layout's headers (unknown columns kept under their
    own, for the engine's note), plus `row`, the row's number in the file."""
    return pa.Table.from_batches(_batches(read_table(name, content, set(_WANTED))))


def bids_to_parquet(source: Path, target: Path, name: str = "", *, batch: int = BATCH) -> int:
    """The bid file on disk (`name`: as uploaded) into a Parquet file of read_bids' columns,
    BATCH rows at a time: a .csv streamed from disk, the engine then reading the Parquet
    within its memory limit. The rows written."""
    batches = _batches(read_table_file(source, set(_WANTED), name), batch)
    first = next(batches)
    rows = 0
    with pq.ParquetWriter(target, first.schema) as writer:
        for written in itertools.chain([first], batches):
            writer.write_batch(written)
            rows += written.num_rows
    return rows


def rows_as_read(parquet: Path, numbers: set[int]) -> dict[int, list[dict[str, Any]]]:
    """{row: [{行号: row, header: value, …}]} of the rows asked for, as the file writes them."""
    if not numbers:
        return {}
    chosen = pq.read_table(parquet, filters=[("row", "in", sorted(numbers))]).to_pylist()
    return {r["row"]: [{ROW_HEADER: r["row"]} | {k: v for k, v in r.items() if k != "row"}] for r in chosen}


_WANTED = {clean_header(h): h for h in HEADERS}


def _batches(table: Table, batch: int = BATCH) -> Iterator[pa.RecordBatch]:
    """The table's rows as record batches of text (the first column of a repeated header)."""
    names: dict[int, str] = {}
    for index, header in table.columns.items():
        name = _WANTED.get(clean_header(header), clean_text(header))
        if name not in names.values():
            names[index] = name
    schema = pa.schema([("row", pa.int64())] + [(n, pa.string()) for n in names.values()])
    chunk: list[tuple[int, list[Any]]] = []
    yielded = False
    for item in itertools.chain(table.rows, [None]):
        if item is not None:
            chunk.append(item)
        if len(chunk) >= batch or (item is None and (chunk or not yielded)):  # one batch at least, for its schema
            columns = [pa.array([n for n, _ in chunk], pa.int64())]
            columns += [pa.array([clean_text(cells[i]) if i < len(cells) else "" for _, cells in chunk], pa.string())
                        for i in names]  # fmt: skip
            yield pa.RecordBatch.from_arrays(columns, schema=schema)
            chunk, yielded = [], True


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
        settings = read_settings(path=settings_path) if settings_path else None
        with tempfile.TemporaryDirectory(prefix="ducha-bids-") as folder:
            parquet = Path(folder) / "bids.parquet"
            rows = bids_to_parquet(source, parquet)
            flags, notes = collusion.run(parquet, settings)
    except FileRefused as error:
        raise ValueError(str(error.message) % error.params) from None
    except SettingsError as error:
        raise ValueError(refusal(error)) from None
    except PlatformError as error:
        raise ValueError(str(error)) from None
    write_outputs(flags, out)
    return rows, flags.num_rows, notes
