"""Writing and verifying the hash-chained change log.

Every action calls `record_changes` inside its own transaction, so a state change
and its log row commit together or not at all.
"""

import datetime as dt
import functools
import hashlib
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from ducha.core.inserts import insert_rows
from ducha.core.models import ChangeLogEntry, ChangeLogHead
from ducha.core.writing import writer

GENESIS_HASH = "0" * 64


@dataclass
class Change:
    action: str
    obj: models.Model
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    reason: str = ""


_PLAIN = (str, int, float, type(None))  # bool is an int
_EXACTLY_PLAIN = frozenset({str, int, float, bool, type(None)})
_DAYS_AND_TIMES = frozenset({dt.date, dt.datetime})


def to_jsonable(value: Any) -> Any:
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: to_jsonable(v) for k, v in value.items()}
    return value


# Never copied into the log: a password hash must not outlive a password change.
SECRET_FIELDS = frozenset({"password"})


@functools.cache
def _logged_fields(model: type[models.Model]) -> list[tuple[str, Decimal | None]]:
    """(attname, the quantum a decimal is stored with) of the fields serialize copies: not
    secrets, nor what a model derives from other logged rows (its `derived_fields`)."""
    skipped = SECRET_FIELDS | set(getattr(model, "derived_fields", ()))
    return [
        (f.attname, Decimal(1).scaleb(-f.decimal_places) if isinstance(f, models.DecimalField) else None)
        for f in model._meta.concrete_fields
        if f.attname not in skipped
    ]


def serialize(obj: models.Model) -> dict[str, Any]:
    """The object's concrete field values, foreign keys as ids, JSON-safe."""
    data = {}
    values = obj.__dict__
    for attname, quantum in _logged_fields(type(obj)):
        value = values[attname] if attname in values else getattr(obj, attname)
        if type(value) in _EXACTLY_PLAIN:
            data[attname] = value  # (what to_jsonable would return, without its checks)
            continue
        if type(value) in _DAYS_AND_TIMES:
            data[attname] = value.isoformat()  # (the same)
            continue
        if quantum is not None and isinstance(value, Decimal) and value.is_finite():
            value = value.quantize(quantum)  # as stored: 2000000 is saved (and read back) as 2000000.00
        data[attname] = to_jsonable(value)
    return data


def diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict, dict]:
    changed = [k for k in after if before.get(k) != after[k]]
    return {k: before.get(k) for k in changed}, {k: after[k] for k in changed}


@dataclass(slots=True)
class _Entry:
    """A row about to be written: what entry_hash reads and _insert writes (a
    ChangeLogEntry instance per row would cost more to build than the row's hash)."""

    seq: int
    time: dt.datetime
    batch: str
    actor_id: int | None
    actor_name: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    reason: str
    prev_hash: str
    hash: str = ""


# What json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":")) uses,
# made once rather than for every row.
_CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def entry_hash(entry: ChangeLogEntry | _Entry, time: str | None = None) -> str:
    """SHA-256 of the row's canonical JSON (`time`: its time as written there, when known)."""
    content = {
        "seq": entry.seq,
        "time": time or entry.time.astimezone(dt.UTC).isoformat(),
        "batch": entry.batch,
        "actor_id": entry.actor_id,
        "actor_name": entry.actor_name,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "before": entry.before,
        "after": entry.after,
        "reason": entry.reason,
        "prev_hash": entry.prev_hash,
    }
    canonical = _CANONICAL.encode(content)
    return hashlib.sha256(canonical.encode()).hexdigest()


def new_batch() -> str:
    return str(uuid.uuid4())


def record_changes(changes: Iterable[Change], *, actor, batch: str | None = None) -> str:
    """Append one chained row per change. Must run inside the action's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_changes must run inside the action's transaction")
    batch = batch or new_batch()
    beside = writer()
    if beside is not None and beside.head is not None:
        seq, prev = beside.head  # (the head's row is written beside, after the rows before it)
    else:
        head, _ = ChangeLogHead.objects.select_for_update().get_or_create(pk=1)
        seq, prev = head.last_seq, head.last_hash
    # Microsecond precision survives both SQLite and PostgreSQL round trips unchanged.
    now = timezone.now().astimezone(dt.UTC)
    time = now.isoformat()  # (every row's, as entry_hash writes it)
    rows = []
    for change in changes:
        seq += 1
        entry = _Entry(
            seq=seq,
            time=now,
            batch=batch,
            actor_id=getattr(actor, "pk", None),
            actor_name=getattr(actor, "username", "") or "system",
            action=change.action,
            object_type=change.obj._meta.label_lower,
            object_id=str(change.obj.pk),
            object_repr=str(change.obj)[:200],
            before=change.before,
            after=change.after,
            reason=change.reason,
            prev_hash=prev,
        )
        entry.hash = entry_hash(entry, time)
        prev = entry.hash
        rows.append(entry)
    if rows:
        _insert(rows)
        if beside is not None:
            table = ChangeLogHead._meta.db_table
            beside.submit(f'UPDATE "{table}" SET "last_seq" = ?, "last_hash" = ? WHERE "id" = 1', (seq, prev))
            beside.head = (seq, prev)
        else:
            ChangeLogHead.objects.filter(pk=1).update(last_seq=seq, last_hash=prev)
    return batch


_COLUMNS = (
    "seq", "time", "batch", "actor_id", "actor_name", "action", "object_type",
    "object_id", "object_repr", "before", "after", "reason", "prev_hash", "hash",
)  # fmt: skip


def _insert(rows: list[_Entry]) -> None:
    """Rows of values, not objects: imports log hundreds of thousands of rows, and Django's
    per-field preparation would cost more than the insert itself."""
    ops = transaction.get_connection().ops
    time = ops.adapt_datetimefield_value(rows[0].time)

    def json_param(value):
        return None if value is None else ops.adapt_json_value(value, None)

    params = [
        (e.seq, time, e.batch, e.actor_id, e.actor_name, e.action, e.object_type, e.object_id,
         e.object_repr, json_param(e.before), json_param(e.after), e.reason, e.prev_hash, e.hash)
        for e in rows
    ]  # fmt: skip
    insert_rows(ChangeLogEntry, _COLUMNS, params)


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    problem: str = ""
    bad_seq: int | None = None


def verify_chain() -> VerifyResult:
    """Walk the log in sequence order and check numbering, links and hashes."""
    expected_seq, prev, checked = 1, GENESIS_HASH, 0
    for entry in ChangeLogEntry.objects.order_by("seq").iterator(chunk_size=5000):
        if entry.seq != expected_seq:
            return VerifyResult(
                False,
                checked,
                f"row #{expected_seq} is missing (next row is #{entry.seq})",
                expected_seq,
            )
        if entry.prev_hash != prev:
            return VerifyResult(False, checked, f"row #{entry.seq} does not link to the row before it", entry.seq)
        if entry_hash(entry) != entry.hash:
            return VerifyResult(False, checked, f"row #{entry.seq} was altered (hash mismatch)", entry.seq)
        prev, expected_seq, checked = entry.hash, expected_seq + 1, checked + 1
    # The head records where the log ended at the last write: it catches removed newest rows.
    head = ChangeLogHead.objects.filter(pk=1).first()
    head_seq, head_hash = (head.last_seq, head.last_hash) if head else (0, GENESIS_HASH)
    if (head_seq, head_hash) == (checked, prev):
        return VerifyResult(True, checked)
    if head is None:
        return VerifyResult(False, checked, f"the log head is missing (the log ends at row #{checked})")
    if head_seq > checked:
        return VerifyResult(False, checked, f"rows after #{checked} are missing (log head is #{head_seq})", checked + 1)
    if head_seq < checked:
        bad = head_seq + 1
        return VerifyResult(False, head_seq, f"row #{bad} was added behind the log head (head is #{head_seq})", bad)
    return VerifyResult(False, checked - 1, f"row #{checked} does not match the log head", checked)
