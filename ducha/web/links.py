"""Links between records on detail pages: a field that names a record with a page of
its own (a problem's project, a clue transfer's problem) links to it, and a record lists
the records of other ledgers that link to it (a problem's clue transfers, filed and
exposed cases). Only what the user may see is linked or listed (restrict)."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.urls import reverse
from django.utils.html import format_html

from ducha.core.access import Action, allows, restrict
from ducha.core.registry import Ledger, ledger, ledger_of, linked_keys


def field_value(obj: models.Model, name: str, user) -> Any:
    """A detail page's value for one field: the choice's label, a link to a linked record
    the user may see (its name as text when it may not), or the value."""
    display = getattr(obj, f"get_{name}_display", None)
    if display:
        return display()
    f = obj._meta.get_field(name)
    value = getattr(obj, name)
    linking = f.many_to_one or f.one_to_one
    target = ledger_of(f.related_model) if linking and value is not None else None  # type: ignore[arg-type]
    if target is not None and allows(user, value, Action.VIEW):  # restrict's rule, for one loaded record
        return format_html('<a href="{}">{}</a>', reverse(f"{target.key}-detail", args=[value.pk]), value)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.isoformat()  # YYYY-MM-DD, as the history and the workflow panel show dates
    return "" if value is None else value


@dataclass
class Linked:
    ledger: Ledger
    records: list[tuple[str, Any, Any]]  # (url, name, date)


def linked_records(page: Ledger, obj: models.Model, user) -> list[Linked]:
    """For each ledger in `linked_keys(page)`, its records the user may see that link to `obj`
    (one query per ledger), in that ledger's order."""
    found = []
    for key in linked_keys(page):
        other = ledger(key)
        fk = next(
            f for f in other.model._meta.concrete_fields
            if (f.many_to_one or f.one_to_one) and f.related_model is page.model
        )  # fmt: skip
        qs = restrict(other.model._default_manager.filter(**{fk.name: obj}), user).order_by(*other.ordering)
        records = [(reverse(f"{key}-detail", args=[r.pk]), r, _date(other, r)) for r in qs]
        found.append(Linked(other, records))
    return found


def _date(other: Ledger, record: models.Model) -> dt.date | None:
    """The first date among the ledger's detail fields (transferred on, filed on, exposed on)."""
    for name in other.detail_fields:
        if isinstance(record._meta.get_field(name), models.DateField):
            return getattr(record, name)
    return None
