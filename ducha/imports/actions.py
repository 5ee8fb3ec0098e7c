"""The import's own record, written through the change log in the import's batch."""

from django.db import transaction

from ducha.core.access import Actor, user_role
from ducha.core.changelog import Change, record_changes, serialize
from ducha.imports.models import ImportRecord


def importer_units(actor: Actor) -> dict:
    """The importer's own unit and county (a unit reporter's), or none (office, group)."""
    role = user_role(actor)
    unit = getattr(role, "unit", None)
    if unit is None:
        return {"unit": None, "county": None}
    if unit.parent_id is not None:
        return {"unit": unit.parent, "county": unit}
    return {"unit": unit, "county": None}


def do_record_import(*, actor: Actor, batch: str, **fields) -> ImportRecord:
    """Ducha's own note of an import (applied, refused or a dry run), whoever imported:
    not a ledger record the importer adds, so its scope says only who reads it."""
    with transaction.atomic():
        record = ImportRecord(user=actor, batch=batch, **importer_units(actor), **fields)
        record.full_clean()
        record.save()
        record_changes([Change("create", record, after=serialize(record))], actor=actor, batch=batch)
        return record
