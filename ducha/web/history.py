"""A record's change history as text: who did what when, and for each field its label
with the value before and after as a person reads it (names, not ids; choice labels,
dates, yes/no, amounts with thousands separators), in the current language.

`entries` reads the change log for one record the user may see (and for the records
that belong to it: a problem's steps, evidence files and deadline extensions); the log
itself stays the office's. `rows` turns the entries into what the template shows, with
one query per model the entries name (never one per row)."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from ducha.core.access import Action, allows, restrict
from ducha.core.fields import ChoiceListField
from ducha.core.models import ChangeLogEntry
from ducha.core.registry import ledgers

LIMIT = 100  # the newest rows; older ones stay in the log
EMPTY = "—"
# Kept by Django or by the log itself, not a change anybody made; the campaign is the page's own.
TECHNICAL = frozenset({"id", "created_at", "updated_at", "campaign_id"})


@dataclass
class Line:
    """One field of a row: `label: value` (created, deleted) or `label: before → after`."""

    label: str
    value: str = ""
    before: str | None = None
    after: str | None = None

    @property
    def changed(self) -> bool:
        return self.before is not None


@dataclass
class Row:
    time: dt.datetime
    who: str
    what: str
    lines: list[Line] = field(default_factory=list)
    reason: str = ""


def entries(obj: models.Model, user, related: Iterable[models.QuerySet] = ()) -> list[ChangeLogEntry]:
    """The newest change-log rows of `obj` and of the related records the user may see,
    newest first, in one query. Nothing for an object outside the user's scope."""
    if not allows(user, obj, Action.VIEW):
        return []
    where = Q(object_type=obj._meta.label_lower, object_id=str(obj.pk))
    for qs in related:
        # The ids as values, not a subquery: PostgreSQL cannot tell how many rows a subquery
        # matches and walked the whole log backwards by seq (2.7 s on the 1,000,000-project
        # campaign); with a few literal ids it reads the (object_type, object_id) index.
        ids = [str(pk) for pk in restrict(qs, user).order_by().values_list("pk", flat=True)]
        if ids:
            where |= Q(object_type=qs.model._meta.label_lower, object_id__in=ids)
    return list(ChangeLogEntry.objects.filter(where).order_by("-seq")[:LIMIT])


def rows(log: Sequence[ChangeLogEntry], user, known: Iterable[models.Model] = ()) -> list[Row]:
    """The template's rows for these entries, in their order. The records already loaded
    on `known` objects (the page's record with its unit, domain, project) are named
    without another query."""
    names = _Names(user)
    for obj in known:
        names.know(obj)
    typed = [(entry, _model(entry.object_type)) for entry in log]
    for entry, model in typed:
        names.want(get_user_model(), entry.actor_id)
        if model is not None:
            shown = _shown(model, entry.object_type)
            for values in (entry.before, entry.after):
                for attname, value in (values or {}).items():
                    target = _foreign_key(model, attname) if attname in shown else None
                    if target is not None:
                        names.want(target, value)
    names.load()
    built = [(entry, _row(entry, model, names)) for entry, model in typed]
    return _without_repeats(built)


def _without_repeats(built: list[tuple[ChangeLogEntry, Row]]) -> list[Row]:
    """A workflow step writes two rows: the problem's status change, and the step with
    what it recorded (measures, opinion, completion date). The problem's own copies of
    those (its measures, its rectified-on date) are left to the step's row."""
    recorded: dict[tuple[str, str], set[str]] = defaultdict(set)
    for e, row in built:
        if e.object_type == "ledger.rectificationstep" and e.action == ChangeLogEntry.Action.CREATE:
            problem = str((e.after or {}).get("problem_id"))
            recorded[e.batch, problem].update(line.value for line in row.lines if line.value)
    for e, row in built:
        if e.object_type == "ledger.problem" and e.action == ChangeLogEntry.Action.TRANSITION:
            shown = recorded.get((e.batch, e.object_id), set())
            row.lines = [line for line in row.lines if not (line.changed and line.after in shown)]
    return [row for _e, row in built]


# ---------------------------------------------------------------------------
# Names of the records the entries point to: one query per model.


class _Names:
    def __init__(self, user) -> None:
        self.user = user
        self.wanted: dict[type[models.Model], set] = defaultdict(set)
        self.found: dict[type[models.Model], dict] = {}

    def want(self, model: type[models.Model], pk) -> None:
        if pk is not None and pk not in self.found.get(model, {}):
            self.wanted[model].add(pk)

    def know(self, obj: models.Model) -> None:
        """Name the records loaded on `obj` (a ledger record only if the user may see it)."""
        pages = {ledger.model for ledger in ledgers()}
        for f in obj._meta.concrete_fields:
            if isinstance(f, models.ForeignKey) and f.is_cached(obj):
                related = f.get_cached_value(obj)
                if related is not None and (type(related) not in pages or allows(self.user, related, Action.VIEW)):
                    self.found.setdefault(type(related), {})[related.pk] = self._name(related)

    def _name(self, obj: models.Model) -> str:
        if isinstance(obj, get_user_model()):
            return obj.get_full_name() or obj.get_username()
        return str(obj)

    def load(self) -> None:
        user_model = get_user_model()
        pages = {ledger.model for ledger in ledgers()}
        for model, pks in self.wanted.items():
            qs = model._default_manager.filter(pk__in=pks)
            if model in pages:
                qs = restrict(qs, self.user)  # a ledger record is named only to those who may see it
            if model is user_model:
                qs = qs.only("pk", "username", "first_name", "last_name")
            self.found.setdefault(model, {}).update((o.pk, self._name(o)) for o in qs)

    def name(self, model: type[models.Model], pk) -> str:
        if pk is None:
            return EMPTY
        return self.found.get(model, {}).get(pk) or _("(not available)")


def _model(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def _fields(model: type[models.Model]) -> dict[str, models.Field]:
    return {f.attname: f for f in model._meta.concrete_fields}


def _foreign_key(model: type[models.Model], attname: str) -> type[models.Model] | None:
    f = _fields(model).get(attname)
    return f.related_model if f is not None and (f.many_to_one or f.one_to_one) else None  # type: ignore[return-value]


# ---------------------------------------------------------------------------
# Values as a person reads them.


def _value(f: models.Field, value: Any, names: _Names) -> str:
    if value is None or value == "":
        return EMPTY
    if f.many_to_one or f.one_to_one:  # a complaint's problem: a link too
        return names.name(f.related_model, value)  # type: ignore[arg-type]
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(f, ChoiceListField):
        return f.labels(value)
    if isinstance(f, models.BooleanField):
        return _("yes") if value else _("no")
    try:
        if isinstance(f, models.DateTimeField):
            moment = dt.datetime.fromisoformat(value)
            return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if timezone.is_aware(moment) else str(value)
        if isinstance(f, models.DateField):
            return dt.date.fromisoformat(value).isoformat()
        if isinstance(f, models.DecimalField):
            return f"{Decimal(value):,}"
    except (TypeError, ValueError, InvalidOperation):
        return str(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def _label(f: models.Field) -> str:
    return capfirst(str(f.verbose_name))


def _set(value: Any) -> bool:
    return not (value is None or value == "" or value is False)


def _shown(model: type[models.Model], object_type: str) -> list[str]:
    """The fields a row shows, by attname: a problem's own records show what they say
    (not the problem they belong to, nor checksums); others all but the technical ones."""
    fields = _fields(model)
    if object_type in _OWN_FIELDS:
        return [k for k in _OWN_FIELDS[object_type] if k in fields]
    return [k for k, f in fields.items() if k not in TECHNICAL and not f.primary_key]


def _lines(model: type[models.Model], entry: ChangeLogEntry, names: _Names, only: Sequence[str] = ()) -> list[Line]:
    """A line per field: the values set (created, deleted) or the changed ones (updates)."""
    fields = _fields(model)
    keys = [k for k in _shown(model, entry.object_type) if not only or k in only]
    before, after = entry.before or {}, entry.after or {}
    if entry.action in (ChangeLogEntry.Action.CREATE, ChangeLogEntry.Action.DELETE):
        values = after if entry.action == ChangeLogEntry.Action.CREATE else before
        return [Line(_label(fields[k]), _value(fields[k], values[k], names)) for k in keys if _set(values.get(k))]
    if entry.action == ChangeLogEntry.Action.TRANSITION:
        keys.sort(key=lambda k: k != "status")  # the status first, then what came with it
    lines = []
    for k in keys:
        if k in after and before.get(k) != after[k]:
            f = fields[k]
            lines.append(Line(_label(f), before=_value(f, before.get(k), names), after=_value(f, after[k], names)))
    return lines


# ---------------------------------------------------------------------------
# A problem's own records: what happened, told the way a problem's page tells it.


def _step(entry: ChangeLogEntry, model, names: _Names) -> tuple[str, list[Line]]:
    """What the step recorded; its status move only when it recorded nothing else (the
    problem's own row says it)."""
    recorded = _lines(model, entry, names, ("measures", "opinion", "completed_on"))
    if recorded:
        return _("rectification step"), recorded
    values = entry.after or entry.before or {}
    fields = _fields(model)
    moves = [Line(capfirst(_("status")), before=_value(fields["from_status"], values.get("from_status"), names),
                  after=_value(fields["to_status"], values.get("to_status"), names))]  # fmt: skip
    return _("rectification step"), moves


def _evidence(entry: ChangeLogEntry, model, names: _Names) -> tuple[str, list[Line]]:
    values = entry.after or entry.before or {}
    size = values.get("size")
    text = values.get("original_name", "") + (f" ({filesizeformat(size)})" if isinstance(size, int) else "")
    what = _("evidence file removed") if entry.action == ChangeLogEntry.Action.DELETE else _("evidence file added")
    return what, [Line("", text)]


def _extension(entry: ChangeLogEntry, model, names: _Names) -> tuple[str, list[Line]]:
    if entry.action == ChangeLogEntry.Action.CREATE:
        return _("deadline extension requested"), _lines(model, entry, names, ("old_deadline", "new_deadline"))
    status = str((entry.after or {}).get("status"))
    what = {"granted": _("deadline extension granted"), "refused": _("deadline extension refused")}.get(status)
    if what is None:
        return f"{_('deadline extension')}: {entry.get_action_display()}", _lines(model, entry, names)
    return what, []


_OWN_FIELDS = {
    "ledger.rectificationstep": ("from_status", "to_status", "measures", "opinion", "completed_on"),
    "ledger.evidence": ("original_name", "size"),
    "ledger.deadlineextension": ("old_deadline", "new_deadline", "status", "decision_note"),
}
_OWN_RECORDS = {
    "ledger.rectificationstep": _step,
    "ledger.evidence": _evidence,
    "ledger.deadlineextension": _extension,
}


def _row(entry: ChangeLogEntry, model, names: _Names) -> Row:
    # The user's name; a deleted user keeps the name the log wrote.
    who = names.found.get(get_user_model(), {}).get(entry.actor_id) or entry.actor_name
    row = Row(time=entry.time, who=who, what=entry.get_action_display(), reason=entry.reason)
    if model is None:
        return row
    if entry.object_type in _OWN_RECORDS:
        row.what, row.lines = _OWN_RECORDS[entry.object_type](entry, model, names)
    else:
        row.lines = _lines(model, entry, names)
    return row
