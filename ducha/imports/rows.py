"""A file's data rows by column key (Row), and the Reader both ledgers' readers build on:
findings on a row's cells, the shared field parsers, unit lookups, scope and model rules."""

import copy
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import reduce
from operator import or_
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ducha.core.access import Action, Actor, allows, may_add_here, role_kind
from ducha.core.actions import do_update_object
from ducha.imports.findings import Finding, ImportResult, Planned
from ducha.imports.layouts import Column
from ducha.imports.reading import Table
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
    __slots__ = ("number", "cells", "_texts")

    def __init__(self, number: int, cells: dict[str, Any]):
        self.number = number
        self.cells = cells
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


def read_rows(result: ImportResult, columns: Sequence[Column]) -> Iterator[Row]:
    """The data rows by column key, one at a time as the file is read; unknown and duplicate
    columns noted, required ones checked (at once, before the first row)."""
    table = result.table
    assert table is not None
    by_header = {c.normalised: c for c in columns}
    index: dict[str, int] = {}
    for j, header in table.columns.items():
        column = by_header.get(header)
        if column is None:
            result.unknown_columns.append(header)
        elif column.key in index:
            result.add(
                Finding(table.header_row, column.header, header, _("the column appears twice in the header row"))
            )
        else:
            index[column.key] = j
    for column in columns:
        if column.required and column.key not in index:
            result.add(Finding(None, "", "", _("The column “%(column)s” is missing."), {"column": column.header}))
    result.column_index = {c.header: index[c.key] for c in columns if c.key in index}
    return _rows(table, index)


def _rows(table: Table, index: dict[str, int]) -> Iterator[Row]:
    width = max(index.values(), default=-1) + 1
    for number, cells in table.rows:
        if len(cells) < width:
            cells = cells + [None] * (width - len(cells))
        row = Row(number, {key: cells[j] for key, j in index.items()})
        # A template's numbered empty rows (only 序号 filled) are blank rows.
        if any(row.text(key) for key in row.cells if key != "seq"):
            yield row


def _id(record: models.Model | None) -> Any:
    return None if record is None else record.pk


class Reader(ABC):
    """What both ledgers share: findings, lookups with a cache, scope, model rules, applying."""

    columns: Sequence[Column]
    model: type[models.Model]

    def __init__(self, actor: Actor, campaign: Campaign, result: ImportResult):
        self.actor, self.campaign, self.result = actor, campaign, result
        self.role = role_kind(actor)
        self.headers = {c.key: c.header for c in self.columns}
        self.field_columns = {f: c.header for c in self.columns for f in c.fields}
        self._units: dict[tuple, Unit | None] = {}
        self._in_scope: dict[tuple, bool] = {}  # early_scope's answers
        self.seen: dict[tuple[int, str], int] = {}  # natural key → the row it was first on (the whole file)
        self.row_of: dict[int, Row] = {}  # id of a new record → its row (the chunk being applied)
        self.reason = f"import {result.name}"

    # Findings -----------------------------------------------------------------------------

    def error(self, row: Row, key: str, reason, value: Any = None, **params) -> None:
        header = self.headers.get(key, "")
        shown = clean_text(row.cells.get(key)) if value is None and key else clean_text(value)
        self.result.add(Finding(row.number, header, shown, reason, {"value": shown, **params}))
        self.result.refused_rows.add(row.number)

    def warn(self, row: Row, key: str, reason, **params) -> None:
        shown = row.text(key)
        finding = Finding(row.number, self.headers.get(key, ""), shown, reason, {"value": shown, **params}, True)
        self.result.add(finding)

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
        self.result.add(Finding(row.number, header, shown, error.message, dict(error.params or {})))
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

    def early_scope(self, row: Row, scope_key: str, **owners: Unit | None) -> None:
        """The scope, as soon as a row's unit is known: reported with the row's other errors
        (the full check on the finished record follows for rows without them). Asked once
        per owner (unit, county), of a record owned by them."""
        key = tuple((name, owner.pk if owner else None) for name, owner in owners.items())
        if key not in self._in_scope:
            self._in_scope[key] = self.may_add(self.model(**owners))
        if not self._in_scope[key]:
            self.error(row, scope_key, _("“%(value)s” is not within your scope"))

    def may_add(self, obj: models.Model) -> bool:
        return may_add_here(self.actor, type(obj)) and allows(self.actor, obj, Action.ADD)

    def new_record(self, **values: Any) -> models.Model:
        """A new record of the reader's model from its field values, links given as records:
        their ids set and the records kept in the links' caches, which is what assigning
        them does, without a descriptor's checks for each link of each row."""
        links = self._links()
        fields = self._fields()
        if fields is None or not values.keys() <= fields.keys():
            record = self.model(**{links[k].attname if k in links else k: _id(v) if k in links else v
                                   for k, v in values.items()})  # fmt: skip
        else:
            # Every field's value in the fields' order: Django's positional construction (the
            # one from_db uses), with what the keyword one would give a field not named: its default.
            record = self.model(*[(_id(values[name]) if field.many_to_one else values[name])
                                  if name in values else field.get_default()
                                  for name, field in fields.items()])  # fmt: skip
        for name, value in values.items():
            if name in links and value is not None:
                links[name].set_cached_value(record, value)
        return record

    def _fields(self) -> dict[str, Any] | None:
        """The model's fields by name, in their order, when they are all concrete and their
        links foreign keys (the positional construction sets the concrete ones only, links
        by id); else None."""
        if not hasattr(self, "_all_fields"):
            opts = self.model._meta
            concrete = list(opts.concrete_fields)
            plain = list(opts.fields) == concrete and all(f.many_to_one for f in concrete if f.is_relation)
            self._all_fields = {f.name: f for f in concrete} if plain else None
        return self._all_fields

    def _links(self) -> dict[str, Any]:
        if not hasattr(self, "_link_fields"):
            self._link_fields = {f.name: f for f in self.model._meta.concrete_fields if f.many_to_one}
        return self._link_fields

    def check_new(self, row: Row, obj: models.Model, scope_key: str) -> None:
        """A new record's scope. Its model rules are the bulk create's (do_bulk_create_objects
        checks every record before it writes): its refusals come back to their rows (refused)."""
        if not self.may_add(obj):
            self.error(row, scope_key, _("“%(value)s” is not within your scope"))
            return
        self.row_of[id(obj)] = row

    def refused(self, failures: Sequence[tuple[models.Model, ValidationError]]) -> bool:
        """A bulk action's refusals (BulkValidationError.failures) put on their rows and
        columns; False if one of the records is not a row of this chunk."""
        if any(id(obj) not in self.row_of for obj, _error in failures):
            return False
        for obj, error in failures:
            self.model_errors(self.row_of[id(obj)], error)
        return True

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
        """Rows whose unit and number came before in the file (this chunk or an earlier one)."""
        seen = self.seen
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
        self, model: type[models.Model], keys: Iterable[tuple[Unit, str]], only: Sequence[str] | None = None
    ) -> dict[tuple[int, str], Any]:
        """The stored records by natural key (whatever the scope: a key taken by another
        unit's record is an error, not a new record), with what their rules read: all
        their links, or only the fields `only` names (no link followed)."""
        by_unit: dict[int, set[str]] = {}
        for unit, number in keys:
            by_unit.setdefault(unit.pk, set()).add(number)
        found: dict[tuple[int, str], Any] = {}
        related = [f.name for f in model._meta.concrete_fields if f.many_to_one]
        # By unit and number, the natural key's index (the same number is in many units).
        pairs = [(unit_id, number) for unit_id, numbers in sorted(by_unit.items()) for number in sorted(numbers)]
        for start in range(0, len(pairs), 900):
            wanted: dict[int, list[str]] = {}
            for unit_id, number in pairs[start : start + 900]:
                wanted.setdefault(unit_id, []).append(number)
            where = reduce(or_, (Q(unit_id=unit_id, number__in=numbers) for unit_id, numbers in wanted.items()))
            query = model._default_manager.filter(where)
            records: Iterable[models.Model]
            if only is None:
                # The ids first: SQLite plans the OR of keys badly once joined with the links.
                ids = list(query.values_list("pk", flat=True))
                records = model._default_manager.filter(pk__in=ids).select_related(*related) if ids else []
            else:
                # Built from the values as the queryset would build them (from_db, which takes
                # them in the model's field order), without its per-row machinery: a chunk
                # names thousands of projects.
                named = [f for f in model._meta.concrete_fields if f.name in only]
                attnames, db = [f.attname for f in named], query.db
                records = [model.from_db(db, attnames, v) for v in query.values_list(*(f.name for f in named))]
            for obj in records:
                found[(cast(Any, obj).unit_id, cast(Any, obj).number)] = obj
        return found

    def prepare(self) -> None:  # noqa: B027 (a hook: nothing to load by default)
        """Load what every chunk reads (lists, catalogues), once per import."""

    @abstractmethod
    def validate(self, rows: list[Row]) -> list[Planned]:
        """Read and check a chunk of rows: their findings into the result, the valid rows' plans returned."""

    @abstractmethod
    def apply(self, planned: list[Planned], batch: str, evidence: EvidenceUpload | None) -> None:
        """Write a chunk's planned records through the actions, in the import's batch (the
        status moves only with `evidence`: a dry run and a refused file check the records
        and roll them back, the moves were checked when planned)."""

    def update_all(self, planned: list[Planned], batch: str) -> None:
        for p in planned:
            if p.existing is not None and p.changes:
                p.existing = do_update_object(
                    p.existing, actor=self.actor, changes=p.changes, reason=self.reason, batch=batch
                )
