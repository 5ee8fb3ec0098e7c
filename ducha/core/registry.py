"""The registry of ledgers: each app declares its ledgers once (model, columns,
filters, form, search and detail fields) and registers them here, in its
AppConfig.ready(). Navigation, URL patterns, the generic pages and the tests'
role × page matrix are all built from this one list.

It lives below the apps that register into it, so an app never imports the web
layer to declare its pages."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
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
    sortable: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        self.sortable = {c.sort.lstrip("-"): c.sort for c in self.columns if c.sort}


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


def ledger_of(model: type[models.Model]) -> Ledger | None:
    """The ledger whose records are of this model (so they have a page), if any."""
    return next((ledger for ledger in _LEDGERS.values() if ledger.model is model), None)
