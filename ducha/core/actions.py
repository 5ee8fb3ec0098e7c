"""Generic create / update / delete actions for ledger records.

Each runs in one transaction: access check, validation, the write and its
change-log row. App `actions.py` modules build on these; views and importers
never call `.save()` themselves.
"""

import hashlib
import json
from collections.abc import Sequence
from typing import Any, TypeVar, cast

from django.core.exceptions import ValidationError
from django.db import models, router, transaction
from django.db.models import UniqueConstraint
from django.db.models.deletion import Collector
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from ducha.core.access import Action, Actor, ScopePath, ensure_allowed, restrict, role_kind
from ducha.core.changelog import Change, diff, record_changes, serialize
from ducha.core.inserts import inserted
from ducha.core.pieces import in_pieces
from ducha.core.planner import refresh_after_commit

M = TypeVar("M", bound=models.Model)

LINKS_PER_QUERY = 900  # the ids of linked records checked in one query (under SQLite's old 999 limit)


def _check_workflow_defaults(obj: models.Model) -> None:
    """A new object starts where its workflow starts (a problem as found); only
    the workflow's actions move it on."""
    fields = getattr(type(obj), "workflow_fields", ())
    wrong = [f for f in fields if getattr(obj, f) != cast(models.Field, obj._meta.get_field(f)).get_default()]
    if wrong:
        raise ValidationError({f: _("This field changes only through its workflow.") for f in wrong})


def _check_links(actor: Actor, objs: Sequence[models.Model], failures: list | None = None) -> None:
    """A record links only what its actor may see (restrict): a unit cannot hang its
    clue transfer on another unit's problem by guessing an id. The models' clean()
    then checks that the linked record is of the same unit (and county).
    Raises for the first record linking outside the scope, or, given `failures`, adds
    every such record and its error there."""
    model = type(objs[0])
    own = getattr(model, "scope", None)
    # The owning unit and county are the record's scope itself: ensure_allowed judges them.
    owners = {*own.unit_paths, own.county} if isinstance(own, ScopePath) else set()
    for field in model._meta.concrete_fields:
        target = field.related_model if field.many_to_one else None
        if target is None or field.name in owners or not isinstance(getattr(target, "scope", None), ScopePath):
            continue
        ids = {getattr(o, field.attname) for o in objs} - {None}
        visible: set = set()
        for chunk in in_pieces(sorted(ids), LINKS_PER_QUERY):
            visible.update(restrict(target._default_manager.filter(pk__in=chunk), actor).values_list("pk", flat=True))
        visible.add(None)  # no link is no breach
        for obj in objs:
            if getattr(obj, field.attname) not in visible:
                error = ValidationError({field.name: _("No such record in your scope.")})
                if failures is None:
                    raise naming(_record(obj), error)
                failures.append((obj, error))


def _named(obj: models.Model, message) -> Any:
    """A message that names the record it is about (bulk paths check many at once);
    lazy, so that it reads in the language active when it is shown."""
    return format_lazy("{}: {}", _record(obj), message)


def _record(obj: models.Model) -> Any:
    return format_lazy("{} {}", obj._meta.verbose_name, natural_key(obj))


def naming(record: Any, error: ValidationError) -> ValidationError:
    """The same errors, each message prefixed with the record it is about (lazily)."""

    def named(errors: list[ValidationError]) -> list[ValidationError]:
        return [ValidationError(format_lazy("{}: {}", record, e.message), code=e.code, params=e.params) for e in errors]

    if hasattr(error, "error_dict"):
        return ValidationError({field: named(errors) for field, errors in error.error_dict.items()})
    return ValidationError(named(error.error_list))


def natural_key(obj: models.Model) -> str:
    return str(getattr(obj, "number", None) or getattr(obj, "code", None) or obj)


def _check_unique(objs: Sequence[models.Model], failures: list) -> None:
    """Uniqueness for a batch, as one query per constraint: a duplicate number is a
    validation error naming the record, never an IntegrityError from the database.
    Every duplicate is added to `failures` with its error."""
    model = type(objs[0])
    sets = [c.fields for c in model._meta.constraints if isinstance(c, UniqueConstraint) and c.condition is None]
    sets += [(f.name,) for f in model._meta.concrete_fields if f.unique and not f.primary_key]
    for names in sets:
        fields = [cast(models.Field, model._meta.get_field(n)) for n in names]
        attnames = [f.attname for f in fields]
        # A key with an empty part clashes with nothing (NULLs are distinct, as in the
        # database): two complaints not yet made problems both have no problem.
        keyed = [(o, key) for o in objs if None not in (key := tuple(getattr(o, a) for a in attnames))]
        if not keyed:
            continue
        keys = [key for _o, key in keyed]
        # Look stored rows up by the most selective field of the key (a number, not a kind),
        # narrowed by the others where they take few values.
        values = [sorted({k[i] for k in keys}, key=str) for i in range(len(attnames))]
        lead = max(range(len(attnames)), key=lambda i: len(values[i]))
        narrow = {
            f"{a}__in": v for i, (a, v) in enumerate(zip(attnames, values, strict=True)) if i != lead and len(v) <= 900
        }
        stored: set = set()
        for chunk in in_pieces(values[lead], LINKS_PER_QUERY):
            rows = model._default_manager.filter(**narrow, **{f"{attnames[lead]}__in": chunk})
            stored.update(rows.values_list(*attnames))
        seen: set = set()
        for obj, key in keyed:
            if key in stored or key in seen:
                label = format_lazy("、".join("{}" for _f in fields), *(f.verbose_name for f in fields))
                duplicate = ValidationError(
                    _("A record with this %(fields)s exists already."), params={"fields": label}
                )
                failures.append((obj, ValidationError({names[-1]: duplicate})))
            seen.add(key)


def _relations(model: type[models.Model]) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if f.is_relation]


def do_create_object(model: type[M], *, actor: Actor, data: dict[str, Any], reason: str = "") -> M:
    with transaction.atomic():
        obj = model(**data)
        _check_workflow_defaults(obj)
        ensure_allowed(actor, obj, Action.ADD)
        _check_links(actor, [obj])
        obj.full_clean()
        obj.save()
        record_changes([Change("create", obj, after=serialize(obj), reason=reason)], actor=actor)
        return obj


class BulkValidationError(ValidationError):
    """Records of a bulk action refused by their rules: every refused record with its own
    errors (`failures`: (record, error), the errors not yet naming the record), so that a
    caller can put each back where it came from (an import: its row and column). As a
    ValidationError its messages name their records; with one record refused it has the
    shape of that record's error (a single create's), with several their fields' merged."""

    def __init__(self, failures: list[tuple[models.Model, ValidationError]]):
        self.failures = failures
        if len(failures) == 1:
            obj, error = failures[0]
            named = naming(_record(obj), error)
            super().__init__(named.error_dict if hasattr(named, "error_dict") else named.error_list)
            return
        merged: dict[str, list[ValidationError]] = {}
        for obj, error in failures:
            named = naming(_record(obj), error)
            for field, errors in named.update_error_dict({}).items():
                merged.setdefault(field, []).extend(errors)
        super().__init__(merged)


def do_bulk_create_objects(objs: Sequence[M], *, actor: Actor, reason: str = "", batch: str | None = None) -> str:
    """Insert many objects of one model as one change-log batch; returns the batch id.

    Every rule of do_create_object holds, checked for the whole batch before anything
    is written: workflow defaults, scope, linked records in scope, the model's field and
    clean() rules, uniqueness. Foreign keys are checked in bulk (links, and the
    database's constraints), not with a query per row. Refused records raise one
    BulkValidationError naming every one of them (nothing is written); an object outside
    the actor's scope raises AccessDenied."""
    if not objs:
        return batch or ""
    with transaction.atomic():
        check_new_objects(objs, actor=actor)
        refresh_after_commit(len(objs))
        return record_changes(
            # (logged as their ids come back, while the next rows are being written)
            (Change("create", obj, after=serialize(obj), reason=reason) for obj in inserted(objs)),
            actor=actor,
            batch=batch,
        )


def check_new_objects(objs: Sequence[models.Model], *, actor: Actor) -> None:
    """Every rule do_bulk_create_objects checks before it writes (its docstring), for
    actions that write new records their own way (ledger: new problems with their steps)."""
    if not objs:
        return
    relations = _relations(type(objs[0]))
    failures: list[tuple[models.Model, ValidationError]] = []
    for obj in objs:
        try:
            _check_workflow_defaults(obj)
        except ValidationError as error:
            failures.append((obj, error))
            continue
        ensure_allowed(actor, obj, Action.ADD)
        try:
            obj.clean_fields(exclude=relations)
            obj.clean()
        except ValidationError as error:
            failures.append((obj, error))
    _check_links(actor, objs, failures)
    _check_unique(objs, failures)
    if failures:
        raise BulkValidationError(failures)


# Kept by Django on every save: not a change anybody made.
_AUTOMATIC = frozenset({"created_at", "updated_at"})


class StaleRecord(Exception):
    """The record changed since the caller read it (its version is no longer the one given)."""


def record_version(obj: models.Model) -> str:
    """A fingerprint of the record's stored values (what the change log copies): it changes
    whenever the record does. The API's ETag; `if_version` compares it under the row lock."""
    canonical = json.dumps(serialize(obj), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


def do_update_object(
    obj: M,
    *,
    actor: Actor,
    changes: dict[str, Any],
    reason: str = "",
    batch: str | None = None,
    if_version: str | None = None,
) -> M:
    with transaction.atomic():
        # Re-read under the actor's scope and a row lock: what we change is what is stored now.
        # (The lock is the record's own row: a scope reached through a nullable link, a
        # look-back check's project or problem, is an outer join PostgreSQL will not lock.)
        scoped = restrict(type(obj)._default_manager.all(), actor, Action.CHANGE)
        current = scoped.select_for_update(of=("self",)).get(pk=obj.pk)
        if if_version is not None and record_version(current) != if_version:
            raise StaleRecord  # another change came first: nothing of this one is written
        before = serialize(current)
        for field, value in changes.items():
            setattr(current, field, value)
        old, new = diff(before, serialize(current))
        changed = {current._meta.get_field(k).name for k in new} - _AUTOMATIC
        if not changed:
            return current  # a save that changes nothing writes nothing
        # Fields a workflow owns (a problem's status) change only through that workflow's actions.
        owned = sorted(changed & set(getattr(type(obj), "workflow_fields", ())))
        if owned:
            raise ValidationError({field: _("This field changes only through its workflow.") for field in owned})
        if check_update := getattr(current, "check_update", None):
            check_update(role_kind(actor), changed)  # the model's own rule on who changes what
        ensure_allowed(actor, current, Action.CHANGE)  # a move out of the actor's scope is refused
        if changed & {f.name for f in current._meta.concrete_fields if f.many_to_one}:
            _check_links(actor, [current])  # when made or moved: a unit answers a letter it cannot open
        current.full_clean()
        current.save()
        old, new = diff(before, serialize(current))
        old, new = ({k: v for k, v in d.items() if k not in _AUTOMATIC} for d in (old, new))
        record_changes([Change("update", current, before=old, after=new, reason=reason)], actor=actor, batch=batch)
        return current


def _cascaded(obj: models.Model) -> list[models.Model]:
    """The other rows that deleting `obj` removes with it (on_delete=CASCADE).
    Raises ProtectedError if a protected row refers to `obj`, as the delete would."""
    collector = Collector(using=router.db_for_write(type(obj), instance=obj), origin=obj)
    collector.collect([obj])
    doomed = [o for instances in collector.data.values() for o in instances]
    doomed += [o for qs in collector.fast_deletes for o in qs]
    others = [o for o in doomed if not (o._meta.concrete_model is obj._meta.concrete_model and o.pk == obj.pk)]
    return sorted(others, key=lambda o: (o._meta.label_lower, o.pk))


def do_delete_object(obj: models.Model, *, actor: Actor, reason: str = "") -> None:
    with transaction.atomic():
        scoped = restrict(type(obj)._default_manager.all(), actor, Action.DELETE)
        current = scoped.select_for_update(of=("self",)).get(pk=obj.pk)
        if check_delete := getattr(current, "check_delete", None):
            check_delete()  # the model's own rule on whether it may go
        changes = [Change("delete", current, before=serialize(current), reason=reason)]
        # Rows removed by cascade leave the log too, with their values.
        changes += [Change("delete", o, before=serialize(o), reason=reason) for o in _cascaded(current)]
        # Log first so the rows still have their pks for object_id.
        record_changes(changes, actor=actor)
        current.delete()
