"""Importing a unit's project or problem ledger (项目台账, 问题台账).

    run_import(kind, name, content, actor=…, dry_run=False, progress=None) -> ImportResult

1. the file is checked before it is parsed (reading.py) and kept under
   VAR_DIR/imports/<sha256>.<ext> (0600);
2. every row is read and validated (rows.py, then projects.py or problems.py): each
   problem found is one Finding (findings.py) naming the row (as Excel numbers it), the
   column, the value and the reason; the model's own rules (clean()), the workflow's
   requirements (check_requirements) and the scope (allows) are asked per row, so that
   all errors are collected before anything is written;
3. with no error, the whole file is applied in one transaction and one change-log
   batch, through the bulk actions (new records, inspections, status moves) and
   do_update_object (records found by their natural key, unit + number);
4. an ImportRecord notes the import (applied, refused or dry run) in the same batch; a
   refused file gets an error workbook (report.py).
"""

import contextlib
import gc
import hashlib
import io
import itertools
import os
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ducha.core.access import AccessDenied, Actor
from ducha.core.actions import BulkValidationError
from ducha.core.changelog import new_batch
from ducha.core.planner import refresh_after_commit
from ducha.core.writing import writing_beside
from ducha.imports.actions import do_record_import
from ducha.imports.findings import Finding, ImportResult, Planned
from ducha.imports.layouts import PROBLEM_COLUMNS, PROJECT_COLUMNS
from ducha.imports.models import ImportKind, ImportRecord
from ducha.imports.problems import ProblemReader
from ducha.imports.projects import ProjectReader
from ducha.imports.reading import FileRefused, read_table
from ducha.imports.rows import Reader, Row, read_rows
from ducha.ledger.evidence import EvidenceUpload
from ducha.org.models import active_campaign

# ---------------------------------------------------------------------------------------
# The entry point


# progress(rows read, rows validated, rows applied): told after reading the header row,
# every PROGRESS_EVERY rows while validating, after each chunk and once applied (the
# background jobs' counters). Rows read is the sheet's rows below the header until the
# whole file is read, then the data rows.
Progress = Callable[[int, int, int], None]
PROGRESS_EVERY = 500
# Rows read, checked and applied at a time: an import holds no more of the file than this
# (with the natural keys seen, its counts and its findings), whatever the file's size.
CHUNK_ROWS = 5000
PAGE_CACHE_KIB = 64 * 1024  # SQLite's page cache while importing (_page_cache)


def run_import(
    kind: str, name: str, content: bytes, *, actor: Actor, dry_run: bool = False, progress: Progress | None = None
) -> ImportResult:
    """Check, validate and (unless a dry run, and only with no error) apply one file."""
    kind = ImportKind(kind)
    result = ImportResult(kind, Path(name).name, hashlib.sha256(content).hexdigest(), len(content), dry_run)
    columns = PROJECT_COLUMNS if kind == ImportKind.PROJECTS else PROBLEM_COLUMNS
    try:
        result.table = read_table(result.name, content, {c.normalised for c in columns})
    except FileRefused as refused:
        result.add(Finding(None, "", "", refused.message, refused.params))
        _finish(result, actor, content)
        return result
    result.stored = _keep(result, content)
    campaign = active_campaign()
    if campaign is None:
        result.add(Finding(None, "", "", _("There is no active campaign to import into.")))
        _finish(result, actor, content)
        return result
    rows = read_rows(result, columns)
    if not result.errors:
        reader = (ProjectReader if kind == ImportKind.PROJECTS else ProblemReader)(actor, campaign, result)
        _run(reader, rows, result, actor, content, progress)
    _finish(result, actor, content)
    return result


class _Ticking(list):
    """A chunk's rows, telling `tick` every PROGRESS_EVERY rows as a reader walks them."""

    def __init__(self, rows: list[Row], tick: Callable[[int], None]):
        super().__init__(rows)
        self.tick = tick

    def __iter__(self) -> Iterator[Row]:
        for n, row in enumerate(super().__iter__(), 1):
            if n % PROGRESS_EVERY == 0:
                self.tick(n)
            yield row


class _RollBack(Exception):
    """A dry run, or a file with errors: everything written is rolled back."""


def _run(
    reader: Reader, rows: Iterator[Row], result: ImportResult, actor: Actor, content: bytes, progress: Progress | None
) -> None:
    """Every row read, checked and written a chunk at a time, in one transaction and one
    change-log batch, with the import's record. The records' own rules are their bulk
    action's, which checks a chunk's records before it writes any: a dry run, and a file
    with errors, run the actions too (all but the status moves, checked when planned) so
    that every error is found, then roll everything back."""
    table = result.table
    assert table is not None
    estimate = table.estimate
    read = validated = applied = 0
    told = None

    def tell() -> None:
        nonlocal told
        now = (max(read, estimate), validated, applied)
        if progress is not None and now != told:
            progress(*now)
            told = now

    tell()
    reader.prepare()
    batch = new_batch()
    with _without_cyclic_gc(), _page_cache():
        evidence = None if result.dry_run else _evidence(result, content)
        try:
            # (writing_beside: on SQLite the chunks' inserts run on a second thread while
            # the next rows are checked, in the same transaction: core/writing.py)
            with transaction.atomic(), writing_beside():
                for chunk in _chunks(rows):
                    read += len(chunk)
                    reader.row_of.clear()
                    done = validated

                    def tick(n: int, done: int = done) -> None:
                        nonlocal validated
                        validated = done + n
                        tell()

                    planned = reader.validate(_Ticking(chunk, tick))
                    validated = done + len(chunk)
                    tell()
                    written = _apply(reader, planned, result, batch, None if result.error_count else evidence)
                    for p in planned:
                        if p.row not in result.refused_rows:
                            result.keep(p)
                    if written and not result.error_count and not result.dry_run:
                        applied += len(chunk)
                        tell()
                estimate = 0  # the whole file read: the rows read are known
                tell()
                if result.error_count or result.dry_run:
                    raise _RollBack
                result.applied = True
                result.record = _record(result, actor, batch)
                refresh_after_commit(read)  # the bulk actions' chunks are smaller than the file
        except _RollBack:
            result.applied, result.record = False, None


@contextlib.contextmanager
def _without_cyclic_gc() -> Iterator[None]:
    """Python's cycle collector paused while the rows go through (reference counting frees
    them as before): each chunk's thousands of live objects would otherwise set off a full
    collection of the whole heap every few hundred rows, which cost an import of 100,000
    rows more than any part of it. Hardly any of them form cycles."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextlib.contextmanager
def _page_cache() -> Iterator[None]:
    """SQLite: a larger page cache (PAGE_CACHE_KIB) for the connection while it imports,
    the size it had afterwards. A problem has 17 indexes: with SQLite's default 2 MiB the
    pages a chunk's inserts and moves touch keep falling out of the cache and are read back
    from the file and its write-ahead log. A fixed size, whatever the file's."""
    connection = transaction.get_connection()
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (size,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = -{int(PAGE_CACHE_KIB)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(size)}")


def _chunks(rows: Iterator[Row]) -> Iterator[list[Row]]:
    while chunk := list(itertools.islice(rows, CHUNK_ROWS)):
        yield chunk


def _keep(result: ImportResult, content: bytes) -> Path:
    """The original file, kept as read: VAR_DIR/imports/<sha256>.<ext>, readable by Ducha only."""
    folder = Path(settings.VAR_DIR) / "imports"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = folder / f"{result.sha256}{Path(result.name).suffix.lower()}"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as file:
            file.write(content)
    return path


def _finish(result: ImportResult, actor: Actor, content: bytes) -> None:
    """The import's record (applied ones are written inside their own transaction), and the
    error workbook when rows were refused."""
    if result.errors and result.table is not None and result.stored is not None:
        from ducha.imports.report import write_error_report

        result.error_report = write_error_report(result, content)
    if result.record is None:
        result.record = _record(result, actor, new_batch())


def _record(result: ImportResult, actor: Actor, batch: str) -> ImportRecord:
    return do_record_import(
        actor=actor,
        batch=batch,
        kind=result.kind,
        file_name=result.name[:255],
        sha256=result.sha256,
        size=result.size,
        imported_at=timezone.now(),
        status=result.status,
        unknown_columns=result.unknown_columns,
        **result.counts,
    )


# ---------------------------------------------------------------------------------------
# Applying


def _evidence(result: ImportResult, content: bytes) -> EvidenceUpload:
    """The workbook as evidence of the statuses it states. A .csv is no evidence type: it is
    attached inside a .zip, byte for byte."""
    if Path(result.name).suffix.lower() == ".xlsx":
        return EvidenceUpload(result.name, content)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(result.name, content)
    return EvidenceUpload(f"{Path(result.name).stem}.zip", buffer.getvalue())


def _apply(reader: Reader, planned: list[Planned], result: ImportResult, batch: str, evidence) -> bool:
    """A chunk's planned rows written (rolled back to before the chunk if an action
    refuses: its errors are put on their rows). Whether it was written."""
    if not planned:
        return True
    try:
        with transaction.atomic():
            reader.apply(planned, batch, evidence)
        return True
    except BulkValidationError as error:
        if not reader.refused(error.failures):
            _map_errors(result, error, planned)
    except (ValidationError, AccessDenied, ObjectDoesNotExist) as error:
        _map_errors(result, error, planned)
    return False


def _map_errors(result: ImportResult, error: Exception, planned: list[Planned]) -> None:
    """The errors an action raised (they name their record) put back on their rows."""
    messages = error.messages if isinstance(error, ValidationError) else [str(error)]
    for message in messages:
        rows = [p.row for p in planned if p.number and f" {p.number}:" in f" {message}"]
        row = rows[0] if rows else None
        result.add(Finding(row, "", "", message))
        if row is not None:
            result.refused_rows.add(row)
