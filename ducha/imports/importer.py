"""Importing a unit's project or problem ledger (项目台账, 问题台账).

    run_import(kind, name, content, actor=…, dry_run=False) -> ImportResult

1. the file is checked before it is parsed (reading.py) and kept under
   VAR_DIR/imports/<sha256>.<ext> (0600);
2. every row is read and validated: each problem found is one Finding naming the row
   (as Excel numbers it), the column, the value and the reason; the model's own rules
   (clean()), the workflow's requirements (check_requirements) and the scope (allows)
   are asked per row, so that all errors are collected before anything is written;
3. with no error, the whole file is applied in one transaction and one change-log
   batch, through the bulk actions (new records, inspections, status moves) and
   do_update_object (records found by their natural key, unit + number);
4. an ImportRecord notes the import (applied, refused or dry run) in the same batch; a
   refused file gets an error workbook (report.py).
"""

import copy
import datetime as dt
import hashlib
import io
import os
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ducha.core.access import AccessDenied, Action, Actor, allows, may_add_here, role_kind, user_scope
from ducha.core.actions import do_bulk_create_objects, do_update_object
from ducha.core.changelog import new_batch
from ducha.core.uscc import is_valid_uscc, normalise_uscc
from ducha.imports.actions import do_record_import
from ducha.imports.layouts import PROBLEM_COLUMNS, PROJECT_COLUMNS, Column
from ducha.imports.models import ImportKind, ImportRecord, ImportStatus
from ducha.imports.reading import FileRefused, Table, read_table
from ducha.imports.values import (
    BadValue,
    clean_header,
    clean_text,
    parse_date,
    parse_wan_yuan,
    parse_yes_no,
    short_name,
)
from ducha.ledger.actions import Move, do_bulk_record_inspections, do_bulk_transition_problems
from ducha.ledger.choices import ClueAuthority, DiscoveryMethod, InspectionKind, ProblemStatus
from ducha.ledger.evidence import EvidenceUpload
from ducha.ledger.models import Inspection, MarketEntityType, Problem, ProblemCategory, ProblemItem, Project
from ducha.ledger.rectification import StepInput, TransitionError, check_requirements, path_between
from ducha.org.choices import UnitKind
from ducha.org.models import Campaign, Domain, ProjectType, Unit, active_campaign
from ducha.org.resolve import resolve_unit

# The words of the workbooks (they are Chinese whatever the interface language).
STATUS_WORDS: dict[str, str] = {
    "待整改": ProblemStatus.FOUND,
    "整改中": ProblemStatus.RECTIFYING,
    "已整改": ProblemStatus.RECTIFIED,
    "已销号": ProblemStatus.SIGNED_OFF,
    "不予认定": ProblemStatus.DISMISSED,
}
STATUS_NAMES: dict[str, str] = {v: k for k, v in STATUS_WORDS.items()}
DISCOVERY_WORDS: dict[str, str] = {
    "自查": DiscoveryMethod.SELF,
    "抽查": DiscoveryMethod.SAMPLE,
    "核查": DiscoveryMethod.VERIFY,
    "督导": DiscoveryMethod.SUPERVISION,
    "举报": DiscoveryMethod.COMPLAINT,
    "数据分析": DiscoveryMethod.ANALYTICS,
}
AUTHORITY_WORDS: dict[str, str] = {
    "公安机关": ClueAuthority.POLICE,
    "纪检监察机关": ClueAuthority.DISCIPLINE,
    "行业主管部门": ClueAuthority.INDUSTRY,
}
INSPECTION_COLUMNS = {"self": InspectionKind.SELF, "sample": InspectionKind.SAMPLE, "verify": InspectionKind.VERIFY}
# Prose is kept as written (only the spaces around it go): NFKC would turn the full-width
# brackets and commas of Chinese text into ASCII ones. Everything else is matched or parsed.
FREE_TEXT = frozenset(
    {"name", "tenderer", "agency", "winner", "remarks", "description", "measures", "opinion", "dismiss_reason",
     "responsible"}
)  # fmt: skip
_FLAGS = {InspectionKind.SELF: "self_inspected", InspectionKind.SAMPLE: "sampled", InspectionKind.VERIFY: "verified"}


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
    kind: str
    name: str
    sha256: str = ""
    size: int = 0
    dry_run: bool = False
    findings: list[Finding] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    planned: list[Planned] = field(default_factory=list)
    refused_rows: set[int] = field(default_factory=set)
    table: Table | None = None
    column_index: dict[str, int] = field(default_factory=dict)  # header → column (0 = A)
    stored: Path | None = None
    error_report: Path | None = None
    record: ImportRecord | None = None
    applied: bool = False

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if not f.warning]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.warning]

    def count(self, outcome: str) -> int:
        return sum(p.outcome == outcome for p in self.planned)

    @property
    def counts(self) -> dict[str, int]:
        return {
            "added": self.count("added"),
            "changed": self.count("changed"),
            "unchanged": self.count("unchanged"),
            "refused": len(self.refused_rows),
        }

    @property
    def noted(self) -> dict[str, int]:
        noted: dict[str, int] = {}
        for p in self.planned:
            for what in p.noted:
                noted[what] = noted.get(what, 0) + 1
        return noted

    @property
    def status(self) -> str:
        if self.dry_run:
            return ImportStatus.DRY_RUN
        return ImportStatus.APPLIED if self.applied else ImportStatus.REFUSED


# ---------------------------------------------------------------------------------------
# The entry point


def run_import(kind: str, name: str, content: bytes, *, actor: Actor, dry_run: bool = False) -> ImportResult:
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
    rows = _rows(result, columns)
    if not result.errors:
        reader = (ProjectReader if kind == ImportKind.PROJECTS else ProblemReader)(actor, campaign, result)
        reader.validate(rows)
        if not result.errors and not dry_run:
            _apply(reader, result, actor, content)
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


def _rows(result: ImportResult, columns: Sequence[Column]) -> list["Row"]:
    """The data rows by column key; unknown and duplicate columns noted, required ones checked."""
    table = result.table
    assert table is not None
    by_header = {c.normalised: c for c in columns}
    index: dict[str, int] = {}
    for j, header in table.columns.items():
        column = by_header.get(header)
        if column is None:
            result.unknown_columns.append(header)
        elif column.key in index:
            result.findings.append(
                Finding(table.header_row, column.header, header, _("the column appears twice in the header row"))
            )
        else:
            index[column.key] = j
    for column in columns:
        if column.required and column.key not in index:
            result.findings.append(
                Finding(None, "", "", _("The column “%(column)s” is missing."), {"column": column.header})
            )
    result.column_index = {c.header: index[c.key] for c in columns if c.key in index}
    rows = [
        Row(number, {key: cells[j] if j < len(cells) else None for key, j in index.items()}, columns)
        for number, cells in table.rows
    ]
    # A template's numbered empty rows (only 序号 filled) are blank rows.
    return [row for row in rows if any(row.text(key) for key in row.cells if key != "seq")]


class Row:
    def __init__(self, number: int, cells: dict[str, Any], columns: Sequence[Column]):
        self.number = number
        self.cells = cells
        self.headers = {c.key: c.header for c in columns}

    def present(self, key: str) -> bool:
        return key in self.cells

    def raw(self, key: str) -> Any:
        value = self.cells.get(key)
        return None if isinstance(value, str) and not clean_text(value) else value

    def text(self, key: str) -> str:
        if key in FREE_TEXT:
            return clean_text(self.cells.get(key), keep_width=True)
        return clean_text(self.cells.get(key))


class _Reader:
    """What both ledgers share: findings, lookups with a cache, scope, model rules, applying."""

    columns: Sequence[Column]
    model: type[models.Model]

    def __init__(self, actor: Actor, campaign: Campaign, result: ImportResult):
        self.actor, self.campaign, self.result = actor, campaign, result
        self.role = role_kind(actor)
        self.headers = {c.key: c.header for c in self.columns}
        self.field_columns = {f: c.header for c in self.columns for f in c.fields}
        self.planned: list[Planned] = []
        self._units: dict[tuple, Unit | None] = {}
        self.reason = f"import {result.name}"

    # Findings -----------------------------------------------------------------------------

    def error(self, row: "Row", key: str, reason, value: Any = None, **params) -> None:
        header = self.headers.get(key, "")
        shown = clean_text(row.cells.get(key)) if value is None and key else clean_text(value)
        self.result.findings.append(Finding(row.number, header, shown, reason, {"value": shown, **params}))
        self.result.refused_rows.add(row.number)

    def warn(self, row: "Row", key: str, reason, **params) -> None:
        shown = row.text(key)
        finding = Finding(row.number, self.headers.get(key, ""), shown, reason, {"value": shown, **params}, True)
        self.result.findings.append(finding)

    def parse(self, row: "Row", key: str, parser: Callable[[Any], Any]) -> Any:
        try:
            return parser(row.raw(key))
        except BadValue as bad:
            self.error(row, key, bad.reason, **bad.params)
            return None

    def required(self, row: "Row", key: str, value: Any) -> Any:
        if value in (None, ""):
            self.error(row, key, _("a value is required"))
        return value

    def model_errors(self, row: "Row", error: ValidationError) -> None:
        """A model rule's (or the workflow's) messages, each on the column of its field."""
        if hasattr(error, "error_dict"):
            for name, errors in error.error_dict.items():
                key = next((c.key for c in self.columns if name in c.fields), "")
                for e in errors:
                    self.error_of(row, key, e)
        else:
            for e in error.error_list:
                self.error_of(row, "", e)

    def error_of(self, row: "Row", key: str, error: ValidationError) -> None:
        """A model rule's message with its own params (no %(value)s of ours)."""
        header, shown = self.headers.get(key, ""), row.text(key) if key else ""
        self.result.findings.append(Finding(row.number, header, shown, error.message, dict(error.params or {})))
        self.result.refused_rows.add(row.number)

    # Lookups --------------------------------------------------------------------------------

    def unit(self, text: str, parent: Unit | None = None) -> Unit | None:
        key = (text, parent.pk if parent else None)
        if key not in self._units:
            self._units[key] = resolve_unit(text, parent=parent)
        return self._units[key]

    def owner(self, row: "Row", key: str, *, kinds: Iterable[str]) -> Unit | None:
        """A league/city or department by name, code or former name."""
        text = row.text(key)
        if not text:
            return None
        unit = self.unit(text)
        if unit is None:
            self.error(row, key, _("“%(value)s” is not a known unit"))
        elif unit.kind not in kinds:
            if UnitKind.DEPARTMENT not in kinds:
                self.error(row, key, _("“%(value)s” is not a league/city"))
            elif UnitKind.LEAGUE not in kinds:
                self.error(row, key, _("“%(value)s” is not an autonomous-region department"))
            else:
                self.error(row, key, _("“%(value)s” is neither a league/city nor a department"))
            return None
        return unit

    # Scope and model rules -------------------------------------------------------------------------

    def early_scope(self, row: "Row", obj: models.Model, scope_key: str) -> None:
        """The scope, as soon as a row's unit is known: reported with the row's other errors
        (the full check on the finished record follows for rows without them)."""
        if not (may_add_here(self.actor, type(obj)) and allows(self.actor, obj, Action.ADD)):
            self.error(row, scope_key, _("“%(value)s” is not within your scope"))

    def check_new(self, row: "Row", obj: models.Model, scope_key: str) -> None:
        if not (may_add_here(self.actor, type(obj)) and allows(self.actor, obj, Action.ADD)):
            self.error(row, scope_key, _("“%(value)s” is not within your scope"))
            return
        self.check_model(row, obj)

    def check_existing(self, row: "Row", stored: models.Model, changes: dict, scope_key: str) -> None:
        if not allows(self.actor, stored, Action.CHANGE):
            self.error(row, scope_key, _("“%(value)s” is not within your scope"))
            return
        if not changes:
            return
        changed = copy.copy(stored)
        for name, value in changes.items():
            setattr(changed, name, value)
        if not allows(self.actor, changed, Action.CHANGE):
            self.error(row, scope_key, _("“%(value)s” is not within your scope"))
            return
        if check_update := getattr(stored, "check_update", None):
            try:
                check_update(self.role, set(changes))
            except ValidationError as error:
                self.model_errors(row, error)
                return
        self.check_model(row, changed)

    def check_model(self, row: "Row", obj: models.Model) -> None:
        relations = [f.name for f in obj._meta.concrete_fields if f.is_relation]
        try:
            obj.clean_fields(exclude=relations)
            obj.clean()
        except ValidationError as error:
            self.model_errors(row, error)

    def changes(self, row: "Row", stored: models.Model, values: dict[str, Any]) -> dict[str, Any]:
        """The fields whose column is in the file and whose value differs from the stored one."""
        changed = {}
        for name, (key, value) in values.items():
            if not row.present(key):
                continue
            f = cast(models.Field, stored._meta.get_field(name))
            old = getattr(stored, f.attname)
            new = value.pk if f.is_relation and value is not None else value
            if (old or None) != (new or None) and old != new:
                changed[name] = value
        return changed

    def duplicates(self, rows: list[tuple["Row", Unit, str]]) -> set[int]:
        seen: dict[tuple[int, str], int] = {}
        bad = set()
        for row, unit, number in rows:
            key = (unit.pk, number)
            if key in seen:
                self.error(row, "number", _("“%(value)s” appears twice in the file (also row %(other)s)"),
                           other=seen[key])  # fmt: skip
                bad.add(row.number)
            else:
                seen[key] = row.number
        return bad

    def stored(self, model: type[models.Model], keys: Iterable[tuple[Unit, str]]) -> dict[tuple[int, str], Any]:
        """The stored records by natural key (whatever the scope: a key taken by another
        unit's record is an error, not a new record), with what their rules read."""
        numbers = sorted({n for _u, n in keys})
        found: dict[tuple[int, str], Any] = {}
        related = [f.name for f in model._meta.concrete_fields if f.many_to_one]
        for start in range(0, len(numbers), 900):
            chunk = numbers[start : start + 900]
            rows: Iterable[Any] = model._default_manager.filter(number__in=chunk).select_related(*related)
            for obj in rows:
                found[(obj.unit_id, obj.number)] = obj
        return found

    def validate(self, rows: list["Row"]) -> None:
        raise NotImplementedError

    def apply(self, batch: str, evidence: EvidenceUpload) -> None:
        raise NotImplementedError

    def update_all(self, batch: str) -> None:
        for p in self.planned:
            if p.existing is not None and p.changes:
                p.existing = do_update_object(
                    p.existing, actor=self.actor, changes=p.changes, reason=self.reason, batch=batch
                )


def _day(date: dt.date) -> dt.datetime:
    """The business time of a step known by its day: that day's start, local time."""
    return timezone.make_aware(dt.datetime.combine(date, dt.time()))


# ---------------------------------------------------------------------------------------
# 项目台账


class ProjectReader(_Reader):
    columns = PROJECT_COLUMNS
    model = Project

    def validate(self, rows: list[Row]) -> None:
        domains = list(Domain.objects.all())
        types = {(t.domain_id, clean_header(t.name)): t for t in ProjectType.objects.all()}
        parsed = []
        for row in rows:
            before = len(self.result.errors)
            values = self.parse_row(row, domains, types)
            if values is not None and len(self.result.errors) == before:
                parsed.append((row, values))
        bad = self.duplicates([(row, v["unit"][1], v["number"][1]) for row, v in parsed])
        parsed = [(row, v) for row, v in parsed if row.number not in bad]
        stored = self.stored(Project, [(v["unit"][1], v["number"][1]) for _r, v in parsed])
        for row, values in parsed:
            self.plan(row, values, stored.get((values["unit"][1].pk, values["number"][1])))
        self.result.planned = self.planned

    def parse_row(self, row: Row, domains: list[Domain], types: dict) -> dict | None:
        number = self.required(row, "number", row.text("number"))
        name = self.required(row, "name", row.text("name"))
        domain = None
        if text := row.text("domain"):
            wanted = clean_header(text)
            domain = next((d for d in domains if wanted in {d.name, d.short_name, d.code, d.short_name + "领域"}),
                          None)  # fmt: skip
            if domain is None:
                names = "、".join(d.short_name for d in domains)
                self.error(row, "domain", _("“%(value)s” is not a trading domain (%(choices)s)"), choices=names)
        else:
            self.required(row, "domain", None)
        project_type = None
        if (text := row.text("project_type")) and domain is not None:
            project_type = types.get((domain.pk, clean_header(text)))
            if project_type is None:
                self.error(row, "project_type", _("“%(value)s” is not a project type of %(domain)s"),
                           domain=domain.short_name)  # fmt: skip
        league = self.owner(row, "league", kinds=[UnitKind.LEAGUE])
        department = self.owner(row, "department", kinds=[UnitKind.DEPARTMENT])
        unit = league or department
        if unit is None and not row.text("league") and not row.text("department"):
            self.error(row, "league", _("a value is required (or give 主管部门)"))
        county = None
        if text := row.text("county"):
            if league is None:
                if unit is not None:
                    self.error(row, "county", _("“%(value)s”: a county is given only with its league/city"))
            else:
                county = self.unit(text, parent=league)
                if county is None:
                    elsewhere = self.unit(text)
                    if elsewhere is not None and elsewhere.kind == UnitKind.COUNTY:
                        self.error(row, "county", _("“%(value)s” does not lie in %(unit)s"), unit=league.name)
                    else:
                        self.error(row, "county", _("“%(value)s” is not a known county"))
        if unit is not None:
            key = "league" if league else "department"
            self.early_scope(row, Project(unit=unit, county=county), "county" if county else key)
        self.required(row, "tenderer", row.text("tenderer"))
        usccs = {}
        for key in ("tenderer_uscc", "winner_uscc"):
            code = normalise_uscc(row.text(key))
            if code and not is_valid_uscc(code):
                self.error(row, key, _("“%(value)s” is not a valid unified social credit code"))
            usccs[key] = code
        amount = self.parse(row, "amount", parse_wan_yuan)
        trade_date = self.parse(row, "trade_date", parse_date)
        if trade_date and not (self.campaign.scope_start <= trade_date <= self.campaign.scope_end):
            self.warn(row, "trade_date", _("“%(value)s” lies outside the campaign's scope (%(start)s to %(end)s)"),
                      start=self.campaign.scope_start.isoformat(), end=self.campaign.scope_end.isoformat())  # fmt: skip
        flags = {k: self.parse(row, k, parse_yes_no) for k in INSPECTION_COLUMNS}
        if unit is None or not number:
            return None
        return {
            "unit": ("league", unit),
            "number": ("number", number),
            "name": ("name", name),
            "domain": ("domain", domain),
            "project_type": ("project_type", project_type),
            "county": ("county", county),
            "tenderer": ("tenderer", row.text("tenderer")),
            "tenderer_uscc": ("tenderer_uscc", usccs["tenderer_uscc"]),
            "agency": ("agency", row.text("agency")),
            "winner": ("winner", row.text("winner")),
            "winner_uscc": ("winner_uscc", usccs["winner_uscc"]),
            "amount": ("amount", amount),
            "trade_date": ("trade_date", trade_date),
            "platform_code": ("platform_code", row.text("platform_code")),
            "remarks": ("remarks", row.text("remarks")),
            "_flags": flags,
        }

    def plan(self, row: Row, values: dict, stored: Project | None) -> None:
        flags = values.pop("_flags")
        scope_key = "county" if values["county"][1] is not None else "league"
        if not row.text("league"):
            scope_key = "department"
        p = Planned(row.number, values["number"][1])
        if stored is None:
            obj = Project(campaign=self.campaign, **{k: v for k, (_key, v) in values.items()})
            self.check_new(row, obj, scope_key)
            p.new = obj
            p.inspections = [kind for key, kind in INSPECTION_COLUMNS.items() if flags[key]]
        else:
            values.pop("unit"), values.pop("number")
            p.existing = stored
            p.changes = self.changes(row, stored, values)
            self.check_existing(row, stored, p.changes, scope_key)
            for key, kind in INSPECTION_COLUMNS.items():
                done = getattr(stored, _FLAGS[kind])
                if flags[key] and not done:
                    p.inspections.append(kind)
                elif flags[key] is False and done:
                    self.warn(row, key, _("“%(value)s”: the inspection is recorded already and stays recorded"))
        if row.number not in self.result.refused_rows:
            self.planned.append(p)

    def apply(self, batch: str, evidence: EvidenceUpload) -> None:
        do_bulk_create_objects([p.new for p in self.planned if p.new is not None], actor=self.actor,
                               reason=self.reason, batch=batch)  # fmt: skip
        self.update_all(batch)
        inspections = [
            Inspection(project=cast(Project, p.new if p.new is not None else p.existing), kind=kind)
            for p in self.planned
            for kind in p.inspections
        ]
        do_bulk_record_inspections(inspections, actor=self.actor, batch=batch)


# ---------------------------------------------------------------------------------------
# 问题台账


class ProblemReader(_Reader):
    columns = PROBLEM_COLUMNS
    model = Problem

    def validate(self, rows: list[Row]) -> None:
        self.categories = list(ProblemCategory.objects.all())
        self.items = list(ProblemItem.objects.select_related("category"))
        self.entity_types = list(MarketEntityType.objects.all())
        parsed = []
        for row in rows:
            before = len(self.result.errors)
            values = self.parse_row(row)
            if values is not None and len(self.result.errors) == before:
                parsed.append((row, values))
        bad = self.duplicates([(row, v["unit"], v["number"]) for row, v in parsed])
        parsed = [(row, v) for row, v in parsed if row.number not in bad]
        keys = [(v["unit"], v["number"]) for _r, v in parsed]
        stored = self.stored(Problem, keys)
        projects = self.stored(Project, [(v["unit"], v["project"]) for _r, v in parsed if v["project"]])
        for row, values in parsed:
            self.plan(row, values, stored.get((values["unit"].pk, values["number"])), projects)
        self.result.planned = self.planned

    def _catalogue(self, row: Row, key: str, objects: Sequence[Any]) -> Any:
        text = row.text(key)
        if not text:
            return None
        wanted = clean_header(text)
        for match in (lambda o: clean_header(o.code) == wanted.upper(), lambda o: clean_header(o.name) == wanted,
                      lambda o: short_name(o.name) == wanted):  # fmt: skip
            found = [o for o in objects if match(o)]
            if len(found) == 1:
                return found[0]
        return None

    def parse_row(self, row: Row) -> dict | None:
        number = self.required(row, "number", row.text("number"))
        unit = self.owner(row, "unit", kinds=[UnitKind.LEAGUE, UnitKind.DEPARTMENT])
        if not row.text("unit"):
            self.required(row, "unit", None)
        if unit is not None and not user_scope(self.actor, Action.ADD).county_ids:
            # (a county's reporter: its problems are in scope through their project's county, known later)
            self.early_scope(row, Problem(unit=unit), "unit")
        category = self._catalogue(row, "category", self.categories)
        item = self._catalogue(row, "item", self.items)
        if row.text("category") and category is None:
            # A domain list's entry named in 问题类别 (应进未进): its item, and so its category.
            named = self._catalogue(row, "category", self.items)
            if named is None:
                self.error(row, "category", _("“%(value)s” is not a category of the problem catalogue"))
            else:
                category, item = named.category, item or named
        if row.text("item") and item is None:
            self.error(row, "item", _("“%(value)s” is not an item of the problem catalogue"))
        elif item is not None and category is None:
            category = item.category
        elif item is not None and item.category_id != category.pk:
            self.error(row, "item", _("“%(value)s” does not belong to the category %(category)s"),
                       category=category.name)  # fmt: skip
        entity_type = self._catalogue(row, "entity_type", self.entity_types)
        if row.text("entity_type") and entity_type is None:
            self.error(row, "entity_type", _("“%(value)s” is not a market-entity type"))
        description = self.required(row, "description", row.text("description"))
        method = self.choice(row, "discovery_method", DISCOVERY_WORDS, required=True)
        found_on = self.parse(row, "found_on", parse_date)
        if not row.text("found_on"):
            self.required(row, "found_on", None)
        deadline = self.parse(row, "deadline", parse_date)
        status = self.choice(row, "status", STATUS_WORDS)
        rectified_on = self.parse(row, "rectified_on", parse_date)
        if status in (ProblemStatus.RECTIFIED, ProblemStatus.SIGNED_OFF) and rectified_on is None:
            self.error(row, "rectified_on", _("a value is required when the status is %(status)s"),
                       status=STATUS_NAMES[status])  # fmt: skip
        if status == ProblemStatus.SIGNED_OFF and not row.text("opinion"):
            self.error(row, "opinion", _("a value is required when the status is %(status)s"),
                       status=STATUS_NAMES[status])  # fmt: skip
        if status == ProblemStatus.DISMISSED and not row.text("dismiss_reason"):
            self.error(row, "dismiss_reason", _("a value is required when the status is %(status)s"),
                       status=STATUS_NAMES[status])  # fmt: skip
        noted = []
        clue = self.parse(row, "clue", parse_yes_no)
        authority = self.choice(row, "authority", AUTHORITY_WORDS)
        if clue and authority is None and not row.text("authority"):
            self.error(row, "authority", _("a value is required when 是否移交线索 is 是"))
        if clue:
            noted.append("clue")
        for key in ("filed", "exposed"):
            if self.parse(row, key, parse_yes_no):
                noted.append(key)
        if unit is None or not number:
            return None
        return {
            "unit": unit,
            "number": number,
            "project": row.text("project"),
            "category": category,
            "item": item,
            "entity_type": entity_type,
            "description": description,
            "discovery_method": method,
            "found_on": found_on,
            "measures": row.text("measures"),
            "deadline": deadline,
            "status": status,
            "rectified_on": rectified_on,
            "opinion": row.text("opinion"),
            "reason": row.text("dismiss_reason"),
            "responsible": row.text("responsible"),
            "remarks": row.text("remarks"),
            "noted": noted,
        }

    def choice(self, row: Row, key: str, words: dict[str, str], *, required: bool = False) -> str | None:
        text = clean_header(row.text(key))
        if not text:
            if required:
                self.required(row, key, None)
            return None
        value = words.get(text) or (text if text in words.values() else None)
        if value is None:
            self.error(row, key, _("“%(value)s” is not one of %(choices)s"), choices=" / ".join(words))
        return value

    def plan(self, row: Row, v: dict, stored: Problem | None, projects: dict) -> None:
        unit = v["unit"]
        project = None
        if v["project"]:
            project = projects.get((unit.pk, v["project"]))
            if project is None:
                self.error(row, "project", _("“%(value)s”: no such project of %(unit)s"), unit=unit.name)
                return
        category = v["category"]
        domain = project.domain if project else (category.domain if category else None)
        fields = {
            "project": ("project", project),
            "county": ("project", project.county if project else None),
            "domain": ("project", domain),
            "category": ("category", category),
            "item": ("item", v["item"]),
            "entity_type": ("entity_type", v["entity_type"]),
            "description": ("description", v["description"]),
            "discovery_method": ("discovery_method", v["discovery_method"]),
            "found_on": ("found_on", v["found_on"]),
            "measures": ("measures", v["measures"]),
            "deadline": ("deadline", v["deadline"]),
            "responsible": ("responsible", v["responsible"]),
            "remarks": ("remarks", v["remarks"]),
        }
        if stored is not None and not row.present("project"):
            fields = {k: f for k, f in fields.items() if k not in ("project", "county", "domain")}
        p = Planned(row.number, v["number"], noted=v["noted"])
        before = len(self.result.errors)
        if stored is None:
            obj = Problem(campaign=self.campaign, unit=unit, number=v["number"],
                          **{k: value for k, (_key, value) in fields.items()})  # fmt: skip
            self.check_new(row, obj, "unit")
            p.new, current, found_on = obj, str(ProblemStatus.FOUND), v["found_on"]
            measures = v["measures"]
        else:
            p.existing, current = stored, stored.status
            p.changes = self.changes(row, stored, fields)
            self.check_existing(row, stored, p.changes, "unit")
            found_on = p.changes.get("found_on", stored.found_on)
            measures = v["measures"] if row.present("measures") else stored.measures
        if len(self.result.errors) == before:
            self.plan_steps(row, p, current, v, found_on, measures)
        if row.number not in self.result.refused_rows:
            self.planned.append(p)

    def plan_steps(self, row: Row, p: Planned, current: str, v: dict, found_on: dt.date, measures: str) -> None:
        target = v["status"] or current
        try:
            path = path_between(current, target)
        except TransitionError:
            source, wanted = STATUS_NAMES[ProblemStatus(current)], STATUS_NAMES[ProblemStatus(target)]
            self.error(row, "status", _("“%(value)s”: a problem cannot go from %(source)s to %(target)s"),
                       source=source, target=wanted)  # fmt: skip
            return
        if any(t.verb == "reject" for t in path):
            self.error(row, "status", _("“%(value)s”: a rectification is sent back by the group on the problem's "
                                        "page, not by an import"))  # fmt: skip
            return
        started = (ProblemStatus.RECTIFYING, ProblemStatus.RECTIFIED, ProblemStatus.SIGNED_OFF)
        if target in started and not measures:
            self.error(row, "measures", _("a value is required when the status is %(status)s"),
                       status=STATUS_NAMES[ProblemStatus(target)])  # fmt: skip
            return
        # The workbook itself is the evidence of the statuses it states (one file).
        step = StepInput(v["reason"], measures, v["opinion"], 1, v["rectified_on"])
        as_of = self.campaign.as_of()
        for t in path:
            try:
                check_requirements(t, step, found_on=found_on, as_of=as_of)
            except TransitionError as error:
                self.model_errors(row, error)
                return
            if t.verb == "start":
                when = _day(found_on)
            elif t.verb in ("complete", "sign_off"):
                when = _day(v["rectified_on"])
            else:
                when = timezone.now()  # a dismissal: its day is not in the ledger
            p.steps.append((t.target, when))
        p.step_input = step

    def apply(self, batch: str, evidence: EvidenceUpload) -> None:
        do_bulk_create_objects([p.new for p in self.planned if p.new is not None], actor=self.actor,
                               reason=self.reason, batch=batch)  # fmt: skip
        self.update_all(batch)
        # One round per step (all first steps, then all second steps …): each step keeps its
        # own business time, and each change-log row its own before and after.
        for index in range(max((len(p.steps) for p in self.planned), default=0)):
            moves = []
            for p in self.planned:
                if index < len(p.steps):
                    target, when = p.steps[index]
                    s, problem = p.step_input, cast(Problem, p.new if p.new is not None else p.existing)
                    files = [evidence] if target == ProblemStatus.RECTIFIED else []
                    moves.append(Move(problem, target, when, s.completed_on, s.reason, s.measures, s.opinion, files))
            do_bulk_transition_problems(moves, actor=self.actor, batch=batch)


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


def _apply(reader: _Reader, result: ImportResult, actor: Actor, content: bytes) -> None:
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
