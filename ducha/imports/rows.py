"""A file's data rows by column key (Row), and the Reader both ledgers' readers build on:
findings on a row's cells, the shared field parsers, unit lookups, scope and model rules."""

import copy
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from ducha.core.access import Action, Actor, allows, may_add_here, role_kind
from ducha.core.actions import do_update_object
from ducha.imports.findings import Finding, ImportResult, Planned
from ducha.imports.layouts import Column
from ducha.imports.values import BadValue, clean_text
from ducha.ledger.evidence import EvidenceUpload
from ducha.org.choices import UnitKind
from ducha.org.models import Campaign, Unit
from ducha.org.resolve import resolve_unit

# Prose is kept as written (only the spaces around it go): NFKC would turn the full-width
# brackets and commas of Chinese text into ASCII ones. Everything else is matched or parsed.
FREE_TEXT = frozenset(
    {"name", "tenderer", "agency", "winner", "remarks", "description", "measures", "opinion", "dismiss_reason",
     "responsible"}
)  # fmt: skip


class Row:
    def __init__(self, number: int, cells: dict[str, Any], columns: Sequence[Column]):
        self.number = number
        self.cells = cells
        self.headers = {c.key: c.header for c in columns}
        self._texts: dict[str, str] = {}  # a reader asks for the same cell several times

    def present(self, key: str) -> bool:
        return key in self.cells

    def raw(self, key: str) -> Any:
        value = self.cells.get(key)
        return None if isinstance(value, str) and not self.text(key) else value

    def text(self, key: str) -> str:
        if key not in self._texts:
            self._texts[key] = clean_text(self.cells.get(key), keep_width=key in FREE_TEXT)
        return self._texts[key]


def read_rows(result: ImportResult, columns: Sequence[Column]) -> list[Row]:
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


class Reader(ABC):
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

    def error(self, row: Row, key: str, reason, value: Any = None, **params) -> None:
        header = self.headers.get(key, "")
        shown = clean_text(row.cells.get(key)) if value is None and key else clean_text(value)
        self.result.findings.append(Finding(row.number, header, shown, reason, {"value": shown, **params}))
        self.result.refused_rows.add(row.number)

    def warn(self, row: Row, key: str, reason, **params) -> None:
        shown = row.text(key)
        finding = Finding(row.number, self.headers.get(key, ""), shown, reason, {"value": shown, **params}, True)
        self.result.findings.append(finding)

    def parse(self, row: Row, key: str, parser: Callable[[Any], Any]) -> Any:
        try:
            return parser(row.raw(key))
        except BadValue as bad:
            self.error(row, key, bad.reason, **bad.params)
            return None

    def required(self, row: Row, key: str, value: Any) -> Any:
        if value in (None, ""):
            self.error(row, key, _("a value is required"))
        return value

    def model_errors(self, row: Row, error: ValidationError) -> None:
        """A model rule's (or the workflow's) messages, each on the column of its field."""
        if hasattr(error, "error_dict"):
            for name, errors in error.error_dict.items():
                key = next((c.key for c in self.columns if name in c.fields), "")
                for e in errors:
                    self.error_of(row, key, e)
        else:
            for e in error.error_list:
                self.error_of(row, "", e)

    def error_of(self, row: Row, key: str, error: ValidationError) -> None:
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

    def owner(self, row: Row, key: str, *, kinds: Iterable[str]) -> Unit | None:
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

    def early_scope(self, row: Row, obj: models.Model, scope_key: str) -> None:
        """The scope, as soon as a row's unit is known: reported with the row's other errors
        (the full check on the finished record follows for rows without them)."""
        if not (may_add_here(self.actor, type(obj)) and allows(self.actor, obj, Action.ADD)):
            self.error(row, scope_key, _("“%(value)s” is not within your scope"))

    def check_new(self, row: Row, obj: models.Model, scope_key: str) -> None:
        if not (may_add_here(self.actor, type(obj)) and allows(self.actor, obj, Action.ADD)):
            self.error(row, scope_key, _("“%(value)s” is not within your scope"))
            return
        self.check_model(row, obj)

    def check_existing(self, row: Row, stored: models.Model, changes: dict, scope_key: str) -> None:
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

    def check_model(self, row: Row, obj: models.Model) -> None:
        relations = [f.name for f in obj._meta.concrete_fields if f.is_relation]
        try:
            obj.clean_fields(exclude=relations)
            obj.clean()
        except ValidationError as error:
            self.model_errors(row, error)

    def changes(self, row: Row, stored: models.Model, values: dict[str, Any]) -> dict[str, Any]:
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

    def duplicates(self, rows: list[tuple[Row, Unit, str]]) -> set[int]:
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

    def stored(
        self, model: type[models.Model], keys: Iterable[tuple[Unit, str]], related: Sequence[str] | None = None
    ) -> dict[tuple[int, str], Any]:
        """The stored records by natural key (whatever the scope: a key taken by another
        unit's record is an error, not a new record), with what their rules read (all
        their links, unless `related` names fewer)."""
        numbers = sorted({n for _u, n in keys})
        found: dict[tuple[int, str], Any] = {}
        if related is None:
            related = [f.name for f in model._meta.concrete_fields if f.many_to_one]
        for start in range(0, len(numbers), 900):
            chunk = numbers[start : start + 900]
            rows: Iterable[Any] = model._default_manager.filter(number__in=chunk).select_related(*related)
            for obj in rows:
                found[(obj.unit_id, obj.number)] = obj
        return found

    @abstractmethod
    def validate(self, rows: list[Row]) -> None:
        """Read and check every row into self.planned and the result's findings."""

    @abstractmethod
    def apply(self, batch: str, evidence: EvidenceUpload) -> None:
        """Write the planned records through the actions, in the import's batch."""

    def update_all(self, batch: str) -> None:
        for p in self.planned:
            if p.existing is not None and p.changes:
                p.existing = do_update_object(
                    p.existing, actor=self.actor, changes=p.changes, reason=self.reason, batch=batch
                )
