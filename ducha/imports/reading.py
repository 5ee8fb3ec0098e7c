"""Reading a ledger file safely: checks before parsing, then the header row and the rows.

- the size limit (IMPORT_MAX_BYTES) before anything is read;
- only .xlsx and .csv: macro-enabled and old formats (.xlsm, .xls, .xlsb …) are refused by
  extension, and by content (an .xlsx must be a real OOXML workbook within the zip-bomb
  limits: the evidence check of ledger/evidence.py, the same for every uploaded .xlsx);
- .xlsx is read by calamine, which never evaluates formulas: a formula cell gives the
  value Excel saved with it (its cached value), or nothing.
"""

import codecs
import csv
import functools
import io
import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from ducha.imports.values import clean_header, clean_text
from ducha.ledger.evidence import EvidenceUpload, check_upload

ALLOWED = (".xlsx", ".csv")
_filesize = lazy(filesizeformat, str)
HEADER_SEARCH_ROWS = 10  # the header row is among the first ten
HEADER_MIN_KNOWN = 3  # … and is the first holding at least three known headers
NOTE_PREFIXES = ("注", "说明", "备注:", "填表说明")


class FileRefused(Exception):
    """The file as a whole cannot be read: nothing of it is checked row by row."""

    def __init__(self, message, params: dict | None = None):
        super().__init__(str(message))
        self.message, self.params = message, params or {}  # put together when shown


@dataclass
class Table:
    sheet: str  # the worksheet read ("" for a .csv)
    header_row: int  # as Excel numbers rows: 1-based, title rows counted
    columns: dict[int, str]  # column index (0 = A) → header as written (normalised)
    source: Callable[[], Iterable[list[Any]]]  # the sheet's rows from row 1 on, afresh on each call
    estimate: int = 0  # rows below the header row, blank and notes rows counted (for progress)

    @property
    def rows(self) -> Iterator[tuple[int, list[Any]]]:
        """The data rows as (row number, cells), read afresh one at a time (an import holds
        no more of the file than the rows it is working on): blank rows and trailing notes
        rows (填表说明, 注：…) left out."""
        held: list[tuple[int, list[Any]]] = []  # notes rows: ledger rows only if a ledger row follows
        for i, cells in enumerate(itertools.islice(self.source(), self.header_row, None), self.header_row + 1):
            if _blank(cells):
                continue
            if _is_note(cells):
                held.append((i, cells))
                continue
            if held:
                yield from held
                held.clear()
            yield i, cells


def check_file(name: str, content: bytes) -> str:
    """The suffix of an acceptable file, or FileRefused naming the reason."""
    suffix = _checked_suffix(name, len(content))
    if suffix == ".xlsx":
        try:
            check_upload(EvidenceUpload(name, content))
        except ValidationError as error:
            first = error.error_list[0]
            raise FileRefused(first.message, first.params) from None
    else:
        _check_text_head(name, suffix, content[:_HEAD])
    return suffix


_HEAD = 64 * 1024  # a text file's first bytes, looked at for a binary file's marks


def check_file_chunks(name: str, size: int, chunks: Callable[[], Iterable[bytes]]) -> str:
    """As check_file, for an upload read in chunks (`chunks()` gives them afresh): a .csv's
    first bytes only are looked at, an .xlsx is checked whole."""
    suffix = _checked_suffix(name, size)
    if suffix == ".xlsx":
        return check_file(name, b"".join(chunks()))
    head = b""
    for chunk in chunks():
        head += chunk
        if len(head) >= _HEAD:
            break
    _check_text_head(name, suffix, head[:_HEAD])
    return suffix


def _checked_suffix(name: str, size: int) -> str:
    suffix = Path(name).suffix.lower()
    if suffix not in ALLOWED:
        raise FileRefused(
            _("File %(name)s: type %(suffix)s is not accepted; save the ledger as .xlsx (or .csv)."),
            {"name": name, "suffix": suffix or "?"},
        )
    limit = settings.IMPORT_MAX_BYTES
    if size > limit:
        raise FileRefused(
            _("File %(name)s is larger than the limit of %(limit)s."), {"name": name, "limit": _filesize(limit)}
        )
    if not size:
        raise FileRefused(_("File %(name)s is empty."), {"name": name})
    return suffix


def _check_text_head(name: str, suffix: str, head: bytes) -> None:
    if head.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")) or b"\x00" in head:
        raise FileRefused(_("File %(name)s is not a real %(suffix)s file."), {"name": name, "suffix": suffix})


def read_table(name: str, content: bytes, known: set[str]) -> Table:
    """The first worksheet holding a header row, its columns and its data rows (blank rows
    and a trailing notes row left out). `known` are the layout's normalised headers."""
    suffix = check_file(name, content)
    if suffix == ".xlsx":
        sheets = _xlsx_sheets(name, content)
    else:
        rows = _csv_rows(content)
        sheets = iter([("", lambda: rows, len(rows))])
    return _first_table(name, sheets, known)


def read_table_file(path: Path, known: set[str], name: str = "") -> Table:
    """As read_table, from a file on disk (`name`: the name it was uploaded under): a .csv
    is never held whole, its rows are read from the file as they are used (a province's
    millions of bids); an .xlsx is read as read_table does (calamine holds the sheet)."""
    name = name or path.name
    suffix = _checked_suffix(name, path.stat().st_size)
    if suffix == ".xlsx":
        return read_table(name, path.read_bytes(), known)
    with open(path, "rb") as file:
        _check_text_head(name, suffix, file.read(_HEAD))
    encoding, lines = _csv_encoding(path)

    def rows() -> Iterator[list[Any]]:
        with open(path, encoding=encoding, errors="replace", newline="") as file:
            yield from csv.reader(file)

    return _first_table(name, iter([("", rows, lines)]), known)


def _csv_encoding(path: Path) -> tuple[str, int]:
    """UTF-8 (with or without a BOM) when every byte decodes so, else GB18030 (as
    _csv_rows decides, in one pass over the file), and the number of lines."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    utf8, lines = True, 0
    with open(path, "rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            lines += chunk.count(b"\n")
            if utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    return ("utf-8-sig" if utf8 else "gb18030"), lines + 1


def _first_table(
    name: str, sheets: Iterable[tuple[str, Callable[[], Iterable[list[Any]]], int]], known: set[str]
) -> Table:
    for sheet, source, height in sheets:
        table = _table(sheet, source, height, known)
        if table is not None:
            return table
    raise FileRefused(
        _("File %(name)s: no header row found (a row with at least %(count)s of the ledger's column headers "
          "within the first %(rows)s rows)."),
        {"name": name, "count": HEADER_MIN_KNOWN, "rows": HEADER_SEARCH_ROWS},
    )  # fmt: skip


def _xlsx_sheets(name: str, content: bytes) -> Iterable[tuple[str, Callable[[], Iterable[list[Any]]], int]]:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(content))
        names = book.sheet_names
    except Exception:  # calamine raises its own errors for damaged files
        raise FileRefused(
            _("File %(name)s is not a real %(suffix)s file: it is damaged or incomplete."),
            {"name": name, "suffix": ".xlsx"},
        ) from None
    for name_ in names:
        try:
            # calamine reads the whole sheet (in Rust); its rows become Python lists one at a time.
            sheet = book.get_sheet_by_name(name_)
            start, end = sheet.start, sheet.end
        except Exception:
            continue  # a chart sheet or a damaged sheet: not a ledger
        yield name_, functools.partial(_sheet_rows, sheet, start[1] if start else 0), (end[0] + 1 if end else 0)


def _sheet_rows(sheet: Any, first_column: int) -> Iterator[list[Any]]:
    """Row i is Excel's row i + 1 (iter_rows starts at row 1) and column j is column j + 1:
    iter_rows starts at the first filled column, the columns before it are put back."""
    pad = [""] * first_column
    for cells in sheet.iter_rows():
        yield pad + cells if first_column else cells


def _csv_rows(content: bytes) -> list[list[Any]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("gb18030", errors="replace")
    return list(csv.reader(io.StringIO(text, newline="")))


def _blank(cells: list[Any]) -> bool:
    return all(c is None or c == "" or clean_text(c) == "" for c in cells)


def _is_note(cells: list[Any]) -> bool:
    filled = None
    for c in cells:
        if c is None or c == "" or not (text := clean_text(c)):
            continue
        if filled is not None:
            return False  # two filled cells: a ledger row
        filled = text
    return filled is not None and filled.startswith(NOTE_PREFIXES)


def _table(sheet: str, source: Callable[[], Iterable[list[Any]]], height: int, known: set[str]) -> Table | None:
    for index, cells in enumerate(itertools.islice(source(), HEADER_SEARCH_ROWS)):
        headers = {j: clean_header(c) for j, c in enumerate(cells) if clean_header(c)}
        if sum(h in known for h in headers.values()) >= HEADER_MIN_KNOWN:
            return Table(sheet, index + 1, headers, source, max(0, height - index - 1))
    return None
