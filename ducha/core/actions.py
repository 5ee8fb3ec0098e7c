"""Generic create / update / delete actions for ledger records.

Each runs in one transaction: access check, validation, the write and its
change-log row. App `actions.py` modules build on these; views and importers
never call `.save()` themselves.
"""

from collections.abc import Sequence
from typing import Any, TypeVar, cast

from django.core.exceptions import ValidationError
from django.db import models, router, transaction
from django.db.models.deletion import Collector
from django.utils.translation import gettext_lazy as _

from ducha.core.access import Action, ensure_allowed, restrict
from ducha.core.changelog import Change, diff, record_changes, serialize
from ducha.core.planner import refresh_after_commit

M = TypeVar("M", bound=models.Model)


def _check_workflow_defaults(obj: models.Model) -> None:
    """A new object starts where its workflow starts (a problem as found); only
    the workflow's actions move it on."""
    fields = getattr(type(obj), "workflow_fields", ())
    wrong = [f for f in fields if getattr(obj, f) != cast(models.Field, obj._meta.get_field(f)).get_default()]
    if wrong:
        raise ValidationError({f: _("This field changes only through its workflow.") for f in wrong})


def do_create_object(model: type[M], *, actor, data: dict[str, Any], reason: str = "") -> M:
    with transaction.atomic():
        obj = model(**data)
        _check_workflow_defaults(obj)
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
            _check_workflow_defaults(obj)
            ensure_allowed(actor, obj, Action.ADD)
            if validate:
                obj.full_clean(validate_unique=False)
        refresh_after_commit(len(objs))
        created = model._default_manager.bulk_create(objs, batch_size=2000)
        return record_changes(
            (Change("create", obj, after=serialize(obj), reason=reason) for obj in created),
            actor=actor,
            batch=batch,
        )


def do_update_object(obj: M, *, actor, changes: dict[str, Any], reason: str = "") -> M:
    with transaction.atomic():
        # Re-read under the actor's scope and a row lock: what we change is what is stored now.
        current = restrict(type(obj)._default_manager.all(), actor, Action.CHANGE).select_for_update().get(pk=obj.pk)
        # Fields a workflow owns (a problem's status) change only through that workflow's actions.
        owned = sorted(set(changes) & set(getattr(type(obj), "workflow_fields", ())))
        if owned:
            raise ValidationError({field: _("This field changes only through its workflow.") for field in owned})
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


def _cascaded(obj: models.Model) -> list[models.Model]:
    """The other rows that deleting `obj` removes with it (on_delete=CASCADE).
    Raises ProtectedError if a protected row refers to `obj`, as the delete would."""
    collector = Collector(using=router.db_for_write(type(obj), instance=obj), origin=obj)
    collector.collect([obj])
    doomed = [o for instances in collector.data.values() for o in instances]
    doomed += [o for qs in collector.fast_deletes for o in qs]
    others = [o for o in doomed if not (o._meta.concrete_model is obj._meta.concrete_model and o.pk == obj.pk)]
    return sorted(others, key=lambda o: (o._meta.label_lower, o.pk))


def do_delete_object(obj: models.Model, *, actor, reason: str = "") -> None:
    with transaction.atomic():
        current = restrict(type(obj)._default_manager.all(), actor, Action.DELETE).select_for_update().get(pk=obj.pk)
        changes = [Change("delete", current, before=serialize(current), reason=reason)]
        # Rows removed by cascade leave the log too, with their values.
        changes += [Change("delete", o, before=serialize(o), reason=reason) for o in _cascaded(current)]
        # Log first so the rows still have their pks for object_id.
        record_changes(changes, actor=actor)
        current.delete()
