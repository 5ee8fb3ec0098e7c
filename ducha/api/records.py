"""A ledger's records as the API shows and takes them, built from the registry's `Ledger`
(model and form), so every ledger has the same shape of routes and a new ledger gets
them by registering.

Out: every stored field; a unit (and county) by its code (`"unit": "150100"`), a project
or problem by its number within the unit (as the form and the workbooks name them),
other links by id. In: the ledger form's fields, named and typed the same way; the
form checks them, so the API refuses what the page refuses, with the same messages."""

import datetime as dt
import functools
from decimal import Decimal
from typing import Any, Literal, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import create_model

from ducha.core.registry import Ledger
from ducha.ledger.models import Problem, Project
from ducha.org.models import Unit


def _by_code(model) -> bool:
    return model is Unit


def _by_number(model) -> bool:
    """Projects and problems, as the ledger forms name them: by the unit's own number.
    (Other records with a `number`, a round's or a letter's, are not unique: by id.)"""
    return model in (Project, Problem)


def _output_type(f: models.Field) -> Any:
    if f.many_to_one or f.one_to_one:
        kind: Any = str if (_by_code(f.related_model) or _by_number(f.related_model)) else int
    elif f.choices:
        kind = str if isinstance(f, models.CharField) else int
    elif isinstance(f, models.BooleanField):
        kind = bool
    elif isinstance(f, models.IntegerField | models.AutoField):
        kind = int
    elif isinstance(f, models.DecimalField):
        kind = Decimal
    elif isinstance(f, models.DateTimeField):
        kind = dt.datetime
    elif isinstance(f, models.DateField):
        kind = dt.date
    elif isinstance(f, models.JSONField):
        kind = Any
    else:
        kind = str
    return kind | None if f.null else kind


def output_fields(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def item_schema(ledger: Ledger) -> type[Schema]:
    return model_item_schema(ledger.model)


@functools.cache  # one schema per model, however many routes show it
def model_item_schema(model: type[models.Model]) -> type[Schema]:
    """What `item` gives for a record of `model` (a ledger's, or one a route shows beside
    its ledger: a problem's deadline extensions and evidence, a project's inspections)."""
    fields: dict[str, Any] = {"id": (int, ...)}
    fields.update({f.name: (_output_type(f), ...) for f in output_fields(model)})
    return create_model(f"{model.__name__}Item", __base__=Schema, **fields)


def item(obj: models.Model) -> dict[str, Any]:
    data: dict[str, Any] = {"id": obj.pk}
    for f in output_fields(type(obj)):
        if f.many_to_one or f.one_to_one:
            if getattr(obj, f.attname) is None:
                data[f.name] = None
            elif _by_code(f.related_model):
                data[f.name] = getattr(obj, f.name).code
            elif _by_number(f.related_model):
                data[f.name] = getattr(obj, f.name).number
            else:  # by id: the id the row holds, without a query for the linked row (one per item)
                data[f.name] = getattr(obj, f.attname)
        else:
            value = getattr(obj, f.attname)
            # A time of day as "HH:MM:SS": JSON Schema's "time" format would ask for a UTC offset.
            data[f.name] = value.isoformat() if isinstance(value, dt.time) else value
    return data


def linked_fields(model: type[models.Model]) -> list[str]:
    """The links `item` reads an object of (select_related: one query for a page of records)."""
    return [
        f.name
        for f in output_fields(model)
        if (f.many_to_one or f.one_to_one) and (_by_code(f.related_model) or _by_number(f.related_model))
    ]


# --- input ------------------------------------------------------------------------------


def _input_type(field: Any) -> Any:
    if isinstance(field, forms.ModelMultipleChoiceField):
        return list[int]
    if isinstance(field, forms.ModelChoiceField):
        model = cast(Any, field).queryset.model
        return str if (_by_code(model) or _by_number(model)) else int
    if isinstance(field, forms.ChoiceField):
        values = tuple(str(value) for value, _label in cast(Any, field).choices if value not in ("", None))
        kind: Any = Literal[values] if values else str  # type: ignore[valid-type]
        return list[kind] if isinstance(field, forms.MultipleChoiceField) else kind
    if isinstance(field, forms.BooleanField):
        return bool
    if isinstance(field, forms.IntegerField):
        return int
    if isinstance(field, forms.DecimalField):
        return Decimal
    if isinstance(field, forms.DateTimeField):
        return dt.datetime
    if isinstance(field, forms.DateField):
        return dt.date
    return str  # a time of day too, "HH:MM" as on the page (the form reads it)


def form_fields(ledger: Ledger) -> dict[str, Any]:
    """The fields of the ledger's form class (names, kinds, required): the shape of the
    API's input. (The form made for the user cuts the choices to the user's scope.)"""
    return dict(cast(Any, ledger.form).base_fields)


def create_schema(ledger: Ledger) -> type[Schema]:
    fields: dict[str, Any] = {}
    for name, field in form_fields(ledger).items():
        kind = _input_type(field)
        fields[name] = (kind, ...) if field.required else (kind | None, None)
    return create_model(f"{ledger.model.__name__}Create", __base__=Schema, **fields)


def update_schema(ledger: Ledger) -> type[Schema]:
    fields = {name: (_input_type(field) | None, None) for name, field in form_fields(ledger).items()}
    return create_model(f"{ledger.model.__name__}Update", __base__=Schema, **fields)  # type: ignore[call-overload]


def form_data(ledger: Ledger, given: dict[str, Any], obj: models.Model | None) -> dict[str, Any]:
    """What the form is given: the record's current values (for an update), then the
    fields sent, a unit named by its code turned into its id."""
    form = ledger.form(instance=obj, user=None)
    data: dict[str, Any] = {}
    if obj is not None:
        for name, field in form.fields.items():
            value = form.initial.get(name, field.initial)
            if isinstance(value, list):  # a many-to-many field's records
                value = [v.pk if isinstance(v, models.Model) else v for v in value]
            data[name] = value
    errors: dict[str, list[str]] = {}
    for name, value in given.items():
        given_field = form.fields.get(name)
        by_code = isinstance(given_field, forms.ModelChoiceField) and _by_code(cast(Any, given_field).queryset.model)
        if by_code and value not in (None, ""):
            unit = Unit.objects.filter(code=value).values_list("pk", flat=True).first()
            if unit is None:
                errors[name] = [_("No unit has the code %(code)s.") % {"code": value}]
                continue
            value = unit
        data[name] = "" if value is None else value
    if errors:
        raise ValidationError(errors)
    return data
