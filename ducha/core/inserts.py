"""Inserting many new rows of one model, for the bulk actions.

Django's bulk_create sends every value through its SQL compiler (expressions,
placeholders, per-field SQL fragments): on a 100,000-row import that cost more than
SQLite's own work. Here each value goes through its field's pre_save and
get_db_prep_save only, the same conversions bulk_create ends in, into multi-row
INSERTs that return the new ids (RETURNING: SQLite ≥ 3.35 and PostgreSQL, the
databases Ducha runs on). On PostgreSQL each column goes as one array through UNNEST,
as Django's own bulk_create does there: a statement of a thousand rows' placeholders cost
the driver more to parse than the server to run. Validation is the caller's: the actions
check every rule before they insert.
"""

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TypeVar, cast

from django.db import connections, models, router
from django.utils import timezone

from ducha.core.writing import writer

M = TypeVar("M", bound=models.Model)

ROWS_PER_STATEMENT = 1000

# Fields whose database value is the Python value itself when that value has one of these
# types exactly (their get_db_prep_save hands it back unchanged): no call per value.
# Any other field, or value, goes through get_db_prep_save.
_AS_IS: dict[type, tuple[type, ...]] = {
    models.CharField: (str, type(None)),
    models.TextField: (str, type(None)),
    models.IntegerField: (int, type(None)),
    models.BigIntegerField: (int, type(None)),
    models.SmallIntegerField: (int, type(None)),
    models.PositiveIntegerField: (int, type(None)),
    models.PositiveBigIntegerField: (int, type(None)),
    models.PositiveSmallIntegerField: (int, type(None)),
    models.BooleanField: (bool,),
}
_KEYS = (models.AutoField, models.BigAutoField)
# Text fields hand back any str as it is (a TextChoices member too: to_python keeps a str).
_TEXT = (models.CharField, models.TextField)


_DATE = (type(None),)  # a DateField: None as it is, a date adapted by the backend
_DATETIME = (type(None),)  # a DateTimeField: None as it is, an aware datetime adapted by the backend


def _as_is(field: models.Field) -> tuple[type, ...]:
    if type(field) is models.ForeignKey and type(field.target_field) in _KEYS:
        return (int, type(None))  # a foreign key by its id
    if type(field) is models.DateField:
        return _DATE
    if type(field) is models.DateTimeField:
        return _DATETIME
    return _AS_IS.get(type(field), ())


def _links_settled(model: type[models.Model]):
    """A test of whether Model._prepare_related_fields_for_save would change nothing on an
    object (every link it holds a saved record, its id the one in the link's column), or
    None when the model has links that test does not cover (then Django's runs always)."""
    opts = model._meta
    if opts.private_fields or any(f.is_relation and not f.many_to_one for f in opts.concrete_fields):
        return None
    keys = [cast(models.ForeignKey, f) for f in opts.concrete_fields if f.many_to_one]
    links = [(f.cache_name, f.attname, f.target_field.attname, f.empty_values) for f in keys]

    def settled(obj: models.Model) -> bool:
        cache, values = obj._state.fields_cache, obj.__dict__
        for cache_name, attname, target, empty in links:
            linked = cache.get(cache_name)
            if linked is None:
                continue  # (no record held, or None: nothing to check)
            value = values.get(attname)
            if value in empty or not linked._is_pk_set() or getattr(linked, target) != value:
                return False
        return True

    return settled


def _unnest_types(fields: list[models.Field], connection) -> str:
    """PostgreSQL: the UNNEST arguments, one array per column, or "" where Django's
    bulk_create would not use UNNEST either (a field with its own placeholder, a type
    of its own)."""
    if connection.vendor != "postgresql" or any(hasattr(f, "get_placeholder") for f in fields):
        return ""
    targets = [cast(models.ForeignKey, f).target_field if f.is_relation else f for f in fields]
    if any(t.get_internal_type() not in connection.data_types for t in targets):
        return ""
    # (varchar[] rather than varchar(50)[]: the values were checked, nothing to truncate)
    return ", ".join(f"(%b)::{str(f.db_type(connection)).split('(')[0]}[]" for f in fields)


@contextmanager
def _cursor(connection, unnest: bool) -> Iterator:
    """The cursor the rows go through. For UNNEST a psycopg cursor that sends the arrays
    apart from the statement, in binary (%b): Django's cursor writes them into the
    statement, quoting every element through a regular expression, which took longer than
    the server's whole insert (the demo's 200,000 log rows on PostgreSQL: 78 s → 51 s)."""
    if not unnest:
        with connection.cursor() as cursor:
            yield cursor
        return
    import psycopg  # (PostgreSQL only)

    connection.ensure_connection()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        yield cursor


def insert_objects(objs: Sequence[M]) -> Sequence[M]:
    """Insert new objects (no pk yet) of one concrete model; sets their pks. Returns objs."""
    for _chunk in _inserting(objs):
        pass
    return objs


def inserted(objs: Sequence[M]) -> Iterator[M]:
    """insert_objects, the objects given back a statement at a time as the database gives
    their ids: with writes beside (core/writing.py) the next statements run while the
    caller works on the first ones (a bulk create's change-log rows). Consume it whole."""
    for chunk in _inserting(objs):
        yield from chunk


def _inserting(objs: Sequence[M]) -> Iterator[Sequence[M]]:
    """The insert, a statement's objects at a time once their ids are set."""
    if not objs:
        return
    model = type(objs[0])
    opts = model._meta
    if opts.parents or any(type(o) is not model or o.pk is not None for o in objs):
        raise ValueError("insert_objects takes new objects of one model without parents")
    alias = router.db_for_write(model)
    connection = connections[alias]
    returning = opts.db_returning_fields
    fields = [f for f in opts.concrete_fields if f not in returning]
    ops = connection.ops
    columns = ", ".join(ops.quote_name(f.attname if f.column is None else f.column) for f in fields)
    returned = ", ".join(ops.quote_name(f.attname if f.column is None else f.column) for f in returning)
    unnest = _unnest_types(fields, connection)
    row_sql = f"({', '.join(['%s'] * len(fields))})"
    limit = connection.features.max_query_params or 32766  # (None: no limit, as on PostgreSQL)
    per_statement = ROWS_PER_STATEMENT if unnest else max(1, min(ROWS_PER_STATEMENT, limit // len(fields)))
    # (field, attname, whether its pre_save computes the value (auto_now …), the types taken as they are)
    plan = [(f, f.attname, type(f).pre_save is not models.Field.pre_save, _as_is(f), type(f) in _TEXT) for f in fields]
    # created_at / updated_at: what their pre_save sets on a new row (now), taken once a statement.
    stamps = {f.attname for f in fields if type(f) is models.DateTimeField and (f.auto_now or f.auto_now_add)}
    settled = _links_settled(model)
    beside = None if unnest else writer(alias)
    statements, done = [], []
    with _cursor(connection, bool(unnest)) as cursor:
        for start in range(0, len(objs), per_statement):
            chunk = objs[start : start + per_statement]
            params: list = []
            now = timezone.now()
            stamp = ops.adapt_datetimefield_value(now)  # (as an aware datetime below)
            for obj in chunk:
                if settled is None or not settled(obj):  # (what bulk_create checks first; mostly nothing to do)
                    obj._prepare_related_fields_for_save(operation_name="bulk_create")  # type: ignore[attr-defined]
                for f, attname, computed, as_is, text in plan:
                    if attname in stamps:
                        setattr(obj, attname, now)
                        params.append(stamp)
                        continue
                    value = f.pre_save(obj, True) if computed else getattr(obj, attname)
                    if type(value) in as_is or (text and isinstance(value, str)):  # (a choice: a str enum)
                        params.append(value)
                    elif as_is is _DATE and type(value) is dt.date:
                        params.append(ops.adapt_datefield_value(value))  # (what DateField's own would end in)
                    elif as_is is _DATETIME and type(value) is dt.datetime and value.utcoffset() is not None:
                        # (what DateTimeField's own ends in for an aware datetime: no conversion, no warning)
                        params.append(ops.adapt_datetimefield_value(value))
                    else:
                        params.append(f.get_db_prep_save(value, connection))
            if unnest:
                values = f"SELECT * FROM UNNEST({unnest})"
                params = [params[i :: len(fields)] for i in range(len(fields))]  # (the rows' values by column)
            else:
                values = f"VALUES {', '.join([row_sql] * len(chunk))}"
            sql = f"INSERT INTO {ops.quote_name(opts.db_table)} ({columns}) {values} RETURNING {returned}"
            if beside is not None:
                # Written beside (core/writing.py) while the next statement's values are made.
                statements.append((chunk, beside.submit(sql.replace("%s", "?"), params, fetch=True)))
                continue
            cursor.execute(sql, params)
            _returned(chunk, cursor.fetchall(), returning, alias)
            done.append(chunk)
    yield from done
    for chunk, future in statements:
        _returned(chunk, future.result(), returning, alias)
        yield chunk


def _returned(chunk: Sequence[models.Model], rows: list, returning: Sequence[models.Field], alias: str) -> None:
    """The values the database gave the new rows (their ids), set on their objects."""
    for obj, values in zip(chunk, rows, strict=True):
        for field, value in zip(returning, values, strict=True):
            setattr(obj, field.attname, value)
        obj._state.adding, obj._state.db = False, alias


def insert_rows(model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence]) -> None:
    """Insert rows given as tuples of database-ready values in the order of `columns`
    (attnames), when even model objects cost too much (the change log's hundreds of
    thousands of rows): UNNEST on PostgreSQL, executemany elsewhere."""
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    ops = connection.ops
    fields = [cast(models.Field, model._meta.get_field(name)) for name in columns]
    table, names = ops.quote_name(model._meta.db_table), ", ".join(ops.quote_name(c) for c in columns)
    unnest = _unnest_types(fields, connection)
    beside = None if unnest else writer(connection.alias)
    if beside is not None:
        # Written beside (core/writing.py): many rows a statement, for SQLite lets go of the
        # interpreter once a statement, not once a row as executemany does.
        per_statement = min(500, 32766 // len(columns))
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            row_sql = f"({', '.join(['?'] * len(columns))})"
            beside.submit(f"INSERT INTO {table} ({names}) VALUES {', '.join([row_sql] * len(chunk))}",
                          [value for row in chunk for value in row])  # fmt: skip
        return
    with _cursor(connection, bool(unnest)) as cursor:
        for start in range(0, len(rows), 5000):
            chunk = rows[start : start + 5000]
            if unnest:
                cursor.execute(
                    f"INSERT INTO {table} ({names}) SELECT * FROM UNNEST({unnest})",
                    [list(c) for c in zip(*chunk, strict=True)],
                )
            else:
                cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})", chunk)
