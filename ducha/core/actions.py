"""Generic create / update / delete actions for ledger records.

Each runs in one transaction: access check, validation, the write and its
change-log row. App `actions.py` modules build on these; views and importers
never call `.save()` themselves.
"""

from collections.abc import Sequence
from typing import Any, TypeVar

from django.db import models, transaction

from ducha.core.access import Action, ensure_allowed, restrict
from ducha.core.changelog import Change, diff, record_changes, serialize

M = TypeVar("M", bound=models.Model)


def do_create_object(model: type[M], *, actor, data: dict[str, Any], reason: str = "") -> M:
    with transaction.atomic():
        obj = model(**data)
        ensure_allowed(actor, obj, Action.ADD)
        obj.full_clean()
        obj.save()
        record_changes([Change("create", obj, after=serialize(obj), reason=reason)], actor=actor)
        return obj


def do_bulk_create_objects(
    objs: Sequence[M], *, actor, reason: str = "", batch: str | None = None, validate: bool = True
) -> str:
    """Insert many objects of one model as one change-log batch; returns the batch id.

    `validate=False` is for generated data already known to be valid (demo, benchmark);
    importers validate row by row before they call this."""
    if not objs:
        return batch or ""
    model = type(objs[0])
    with transaction.atomic():
        for obj in objs:
            ensure_allowed(actor, obj, Action.ADD)
            if validate:
                obj.full_clean(validate_unique=False)
        created = model.objects.bulk_create(objs, batch_size=2000)
        return record_changes(
            (Change("create", obj, after=serialize(obj), reason=reason) for obj in created),
            actor=actor,
            batch=batch,
        )


def do_update_object(obj: M, *, actor, changes: dict[str, Any], reason: str = "") -> M:
    with transaction.atomic():
        # Re-read under the actor's scope and a row lock: what we change is what is stored now.
        current = restrict(type(obj).objects.all(), actor, Action.CHANGE).select_for_update().get(pk=obj.pk)
        before = serialize(current)
        for field, value in changes.items():
            setattr(current, field, value)
        ensure_allowed(actor, current, Action.CHANGE)  # a move out of the actor's scope is refused
        current.full_clean()
        current.save()
        old, new = diff(before, serialize(current))
        if old or new:
            record_changes([Change("update", current, before=old, after=new, reason=reason)], actor=actor)
        return current


def do_delete_object(obj: models.Model, *, actor, reason: str = "") -> None:
    with transaction.atomic():
        current = restrict(type(obj).objects.all(), actor, Action.DELETE).select_for_update().get(pk=obj.pk)
        before = serialize(current)
        change = Change("delete", current, before=before, reason=reason)
        # Log first so the row still has its pk for object_id.
        record_changes([change], actor=actor)
        current.delete()
