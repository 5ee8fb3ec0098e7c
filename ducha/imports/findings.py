"""What an import found and plans: a Finding per error or warning (row, column, value,
reason), a Planned change per valid row, and the ImportResult that gathers them."""

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import models
from django.utils.translation import gettext

from ducha.imports.models import ImportRecord, ImportStatus
from ducha.imports.reading import Table
from ducha.ledger.rectification import StepInput


@dataclass
class Finding:
    """One error (or warning) about the file, a row or a cell."""

    row: int | None  # as Excel numbers it; None: the file as a whole
    column: str  # the column's header ("" for the row, or the file)
    value: str
    reason: Any  # lazy message (translated when shown)
    params: dict = field(default_factory=dict)
    warning: bool = False

    @property
    def reason_text(self) -> str:
        """The reason in the language active now (a model's lazy message formats itself)."""
        return str(self.reason % self.params) if self.params else str(self.reason)

    @property
    def text(self) -> str:
        reason = self.reason_text
        if self.row is None:
            return reason
        if not self.column:
            return gettext("Row %(row)s: %(reason)s") % {"row": self.row, "reason": reason}
        params = {"row": self.row, "column": self.column, "reason": reason}
        return gettext("Row %(row)s “%(column)s”: %(reason)s") % params

    def __str__(self) -> str:
        return self.text


@dataclass
class Planned:
    """What one valid row does: a record to create, or a stored one to change."""

    row: int
    number: str
    new: models.Model | None = None
    existing: models.Model | None = None
    changes: dict[str, Any] = field(default_factory=dict)
    inspections: list[str] = field(default_factory=list)
    steps: list[tuple[str, dt.datetime]] = field(default_factory=list)  # (target status, business time)
    step_input: StepInput = field(default_factory=StepInput)
    noted: list[str] = field(default_factory=list)

    @property
    def outcome(self) -> str:
        if self.new is not None:
            return "added"
        return "changed" if (self.changes or self.inspections or self.steps) else "unchanged"


@dataclass
class ImportResult:
    """What an import found and did. It holds no more than the file's counts, its findings
    and the rows that change a stored record (for the preview): the rows themselves are
    read, checked and applied a chunk at a time, and let go."""

    kind: str
    name: str
    sha256: str = ""
    size: int = 0
    dry_run: bool = False
    findings: list[Finding] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    planned: list[Planned] = field(default_factory=list)  # the rows changing a stored record
    refused_rows: set[int] = field(default_factory=set)
    table: Table | None = None
    column_index: dict[str, int] = field(default_factory=dict)  # header → column (0 = A)
    stored: Path | None = None
    error_report: Path | None = None
    record: ImportRecord | None = None
    applied: bool = False
    outcomes: dict[str, int] = field(default_factory=dict)  # added / changed / unchanged → rows
    noted: dict[str, int] = field(default_factory=dict)  # dispositions noted → rows
    error_count: int = 0

    def add(self, finding: Finding) -> None:
        self.findings.append(finding)
        if not finding.warning:
            self.error_count += 1

    def keep(self, planned: Planned) -> None:
        """A valid row counted (and kept, when it changes a stored record)."""
        outcome = planned.outcome
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1
        for what in planned.noted:
            self.noted[what] = self.noted.get(what, 0) + 1
        if planned.changes and planned.existing is not None:
            self.planned.append(planned)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if not f.warning]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.warning]

    def count(self, outcome: str) -> int:
        return self.outcomes.get(outcome, 0)

    @property
    def counts(self) -> dict[str, int]:
        return {
            "added": self.count("added"),
            "changed": self.count("changed"),
            "unchanged": self.count("unchanged"),
            "refused": len(self.refused_rows),
        }

    @property
    def status(self) -> str:
        if self.dry_run:
            return ImportStatus.DRY_RUN
        return ImportStatus.APPLIED if self.applied else ImportStatus.REFUSED
