"""The registry of ledgers: each app declares its ledgers once (model, columns,
filters, form, search and detail fields) and registers them here, in its
AppConfig.ready(). Navigation, URL patterns, the generic pages and the tests'
role × page matrix are all built from this one list.

It lives below the apps that register into it, so an app never imports the web
layer to declare its pages."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.db import models


@dataclass(frozen=True)
class Column:
    """One column of a ledger list and of its .xlsx export. `value` is the exact value:
    the export writes it as it is (numbers and dates stay typed). `display`, when given,
    turns that value (and the column's total) into what the list shows, e.g. yuan in 万元;
    `export_label` then heads the export, since its unit differs from the list's."""

    label: Any
    value: Callable[[Any], Any]
    sort: str | None = None  # the order_by field, when the column sorts
    link: bool = False  # the cell links to the detail page
    display: Callable[[Any], Any] | None = None  # value → the list's text (not for None)
    export_label: Any = None  # the export's header, when not `label`
    total: str | None = None  # the field summed over the whole filtered list, shown below it
    nowrap: bool = False  # the cell stays on one line (record numbers, short names); dates and numbers always do


@dataclass
class Ledger:
    key: str  # URL prefix and name, e.g. "problems"
    model: type[models.Model]
    title: Any
    columns: Sequence[Column]
    filterset: type
    form: type
    search_fields: Sequence[str]
    select_related: Sequence[str] = ()
    ordering: Sequence[str] = ("-pk",)
    detail_fields: Sequence[str] = ()
    detail_template: str = "web/detail.html"
    extra_context: Callable[[Any, Any], dict] | None = None  # (request, obj) → context for detail
    # The records that belong to one of this ledger's records (a problem's steps, evidence,
    # extensions): obj → querysets; their change-log rows join the record's history.
    history_related: Callable[[Any], Sequence[models.QuerySet]] | None = None
    # Keys of ledgers whose records link to this one (clue transfers of a problem): the
    # detail page lists those the user may see, each a link to its own page.
    linked: Sequence[str] = ()
    # Keys of ledgers whose pages list this ledger's records that link to them, declared
    # here when that app cannot know this one (a complaint on its problem's page).
    listed_on: Sequence[str] = ()
    # The action that adds a record, when adding one writes more than its row (a letter
    # and its recipients): (model, *, actor, data) → the record; default do_create_object.
    create: Callable[..., Any] | None = None
    sortable: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        self.sortable = {c.sort.lstrip("-"): c.sort for c in self.columns if c.sort}

    @cached_property
    def entered_fields(self) -> tuple[models.Field, ...]:
        """The fields a user enters, in the model's order: every concrete field but the
        primary key, the fields Ducha sets itself (not editable: created/updated at) and the
        campaign (a ledger lists the active campaign's records)."""
        return tuple(
            f for f in self.model._meta.concrete_fields if not f.primary_key and f.editable and f.name != "campaign"
        )

    @cached_property
    def export_columns(self) -> tuple[Column, ...]:
        """The full export's columns: every entered field, headed by its verbose name, with
        its value as a user reads it (see `readable_value`)."""
        return tuple(Column(f.verbose_name, _reader(f)) for f in self.entered_fields)

    @cached_property
    def export_related(self) -> tuple[str, ...]:
        """The linked records the full export reads (select_related: one query for them all)."""
        return tuple(f.name for f in self.entered_fields if f.many_to_one or f.one_to_one)


def readable(record: models.Model | None) -> str | None:
    """A linked record as a user names it: its number when it has one (a problem's,
    a project's: with the unit, their natural key), else its name (`str`)."""
    if record is None:
        return None
    number = getattr(record, "number", None)
    return number if number else str(record)


def _reader(f: models.Field) -> Callable[[Any], Any]:
    """A field's value as a user reads it: a choice's label, a linked record's number or
    name, else the value itself (dates stay dates, amounts numbers)."""
    if f.choices:
        return lambda obj: getattr(obj, f"get_{f.name}_display")() if getattr(obj, f.attname) is not None else None
    if f.many_to_one or f.one_to_one:
        return lambda obj: readable(getattr(obj, f.name))
    return lambda obj: getattr(obj, f.attname)


_LEDGERS: dict[str, Ledger] = {}


def register(*ledgers: Ledger) -> None:
    for ledger in ledgers:
        if ledger.key in _LEDGERS and _LEDGERS[ledger.key] is not ledger:
            raise ValueError(f"ledger {ledger.key!r} is registered twice")
        _LEDGERS[ledger.key] = ledger


def ledgers() -> tuple[Ledger, ...]:
    """Every registered ledger, in the order the apps registered them."""
    return tuple(_LEDGERS.values())


def ledger(key: str) -> Ledger:
    return _LEDGERS[key]


def linked_keys(page: Ledger) -> tuple[str, ...]:
    """The ledgers whose records a page of `page` lists: its own `linked`, then those
    that list themselves on it (`listed_on`)."""
    return (*page.linked, *(other.key for other in _LEDGERS.values() if page.key in other.listed_on))


def ledger_of(model: type[models.Model]) -> Ledger | None:
    """The ledger whose records are of this model (so they have a page), if any."""
    return next((ledger for ledger in _LEDGERS.values() if ledger.model is model), None)
