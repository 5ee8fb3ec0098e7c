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

import hashlib
import io
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
from ducha.core.changelog import new_batch
from ducha.imports.actions import do_record_import
from ducha.imports.findings import Finding, ImportResult
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


# progress(rows read, rows validated, rows applied): told after reading, every
# PROGRESS_EVERY rows while validating, and once applied (the background jobs' counters).
Progress = Callable[[int, int, int], None]
PROGRESS_EVERY = 500


class _Counted(list):
    """The rows, telling `progress` every PROGRESS_EVERY rows as a reader walks them."""

    def __init__(self, rows: list[Row], progress: Progress):
        super().__init__(rows)
        self.progress = progress

    def __iter__(self) -> Iterator[Row]:
        for n, row in enumerate(super().__iter__(), 1):
            if n % PROGRESS_EVERY == 0:
                self.progress(len(self), n, 0)
            yield row


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
        result.findings.append(Finding(None, "", "", refused.message, refused.params))
        _finish(result, actor, content)
        return result
    result.stored = _keep(result, content)
    campaign = active_campaign()
    if campaign is None:
        result.findings.append(Finding(None, "", "", _("There is no active campaign to import into.")))
        _finish(result, actor, content)
        return result
    rows = read_rows(result, columns)
    if progress is not None:
        progress(len(rows), 0, 0)
        rows = _Counted(rows, progress)
    if not result.errors:
        reader = (ProjectReader if kind == ImportKind.PROJECTS else ProblemReader)(actor, campaign, result)
        reader.validate(rows)
        if progress is not None:
            progress(len(rows), len(rows), 0)
        if not result.errors and not dry_run:
            _apply(reader, result, actor, content)
            if progress is not None and result.applied:
                progress(len(rows), len(rows), len(result.planned))
    _finish(result, actor, content)
    return result


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


def _apply(reader: Reader, result: ImportResult, actor: Actor, content: bytes) -> None:
    """The whole file in one transaction and one change-log batch, the import's record with it."""
    batch = new_batch()
    try:
        with transaction.atomic():
            reader.apply(batch, _evidence(result, content))
            result.applied = True
            result.record = _record(result, actor, batch)
    except (ValidationError, AccessDenied, ObjectDoesNotExist) as error:
        result.applied, result.record = False, None
        _map_errors(result, error)


def _map_errors(result: ImportResult, error: Exception) -> None:
    """The errors an action raised (they name their record) put back on their rows."""
    messages = error.messages if isinstance(error, ValidationError) else [str(error)]
    for message in messages:
        rows = [p.row for p in result.planned if p.number and f" {p.number}:" in f" {message}"]
        row = rows[0] if rows else None
        result.findings.append(Finding(row, "", "", message))
        if row is not None:
            result.refused_rows.add(row)
