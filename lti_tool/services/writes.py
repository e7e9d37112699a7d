"""`Model.save`'s INSERT and UPDATE, written out for the hot paths (an upload ticket writes
a row, ends the student's unfinished ones and saves its ticket): the same statements, values
prepared by the fields as the ORM prepares them (`pre_save`: `auto_now`; `get_db_prep_save`:
JSON, dates on SQLite), without building them through the ORM each time (~0.5 ms of CPU per
statement, a sixth of a ticket). No signals: nothing in the project listens to these models'.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Field, Model
from django.utils import timezone

Statement = tuple[str, list[Any]]  # SQL and its parameters


def writes_in_one_statement() -> bool:
    """Whether several writes can go in one atomic statement (INSERT and UPDATE inside
    WITH: PostgreSQL; SQLite has no data-modifying WITH, so its callers use a transaction)."""
    return connection.vendor == "postgresql"


def now_as_stored() -> Any:
    """Now, as the ORM sends a DateTimeField's value (SQLite: text), for SQL written out."""
    return connection.ops.adapt_datetimefield_value(timezone.now())


def row_insert(row: Model) -> None:
    """`row.save(force_insert=True)`: the primary key comes back with the INSERT (RETURNING,
    PostgreSQL and SQLite >= 3.35); where the database cannot, the ORM saves it."""
    if not connection.features.can_return_columns_from_insert:
        row.save(force_insert=True)
        return
    with connection.cursor() as cursor:
        cursor.execute(*insert_statement(row))
        (pk,) = cursor.fetchone()
    row_inserted(row, pk)


def insert_statement(row: Model) -> Statement:
    """The INSERT of `row`, RETURNING its primary key (`row_inserted` records it). A key
    set beforehand (one reserved from the sequence) is inserted; else the database's."""
    sql, fields = _insert_statement(type(row), with_pk=row.pk is not None)
    db = connections[DEFAULT_DB_ALIAS]  # not the `connection` proxy: a lookup per use
    # None is NULL whatever the field (Django's rule, JSONField's included): a new row's
    # many empty columns need no preparing.
    values = [field.pre_save(row, True) for field in fields]
    return sql, [
        None if value is None else field.get_db_prep_save(value, db)
        for field, value in zip(fields, values, strict=True)
    ]


def row_inserted(row: Model, pk: Any) -> None:
    row.pk = pk
    row._state.adding = False
    row._state.db = connection.alias


def row_update(row: Model, fields: Sequence[str]) -> None:
    """`row.save(update_fields=fields)`: an `auto_now` field among them is set to now."""
    found = [row._meta.get_field(name) for name in fields]
    values = {f.attname: f.pre_save(row, False) for f in found}  # type: ignore[union-attr]
    rows_update(type(row), [row.pk], values)


def rows_update(model: type[Model], pks: Sequence[Any], values: dict[str, Any]) -> None:
    """`model.objects.filter(pk__in=pks).update(**values)`, `values` by attribute name."""
    with connection.cursor() as cursor:
        cursor.execute(*update_statement(model, pks, values))


def update_statement(model: type[Model], pks: Sequence[Any], values: dict[str, Any]) -> Statement:
    sql, fields = _update_statement(model, tuple(values), len(pks))
    db = connections[DEFAULT_DB_ALIAS]  # as in `insert_statement`: looked up once
    params = [field.get_db_prep_save(values[field.attname], db) for field in fields]
    return sql, [*params, *pks]


@cache
def _insert_statement(model: type[Model], *, with_pk: bool) -> tuple[str, list[Field[Any, Any]]]:
    """The statement, and the fields whose values it takes in order."""
    q, meta = connection.ops.quote_name, model._meta
    fields = [field for field in meta.concrete_fields if with_pk or not field.primary_key]
    sql = (
        f"INSERT INTO {q(meta.db_table)} ({', '.join(q(str(f.column)) for f in fields)})"  # noqa: S608 - names from the model
        f" VALUES ({', '.join(['%s'] * len(fields))}) RETURNING {q(str(meta.pk.column))}"
    )
    return sql, fields


@cache
def _update_statement(
    model: type[Model], names: tuple[str, ...], rows: int
) -> tuple[str, list[Field[Any, Any]]]:
    q, meta = connection.ops.quote_name, model._meta
    fields = [meta.get_field(name) for name in names]
    changes = ", ".join(f"{q(str(f.column))} = %s" for f in fields)  # type: ignore[union-attr]
    sql = (
        f"UPDATE {q(meta.db_table)} SET {changes}"  # noqa: S608 - names from the model
        f" WHERE {q(str(meta.pk.column))} IN ({', '.join(['%s'] * rows)})"
    )
    return sql, fields  # type: ignore[return-value]
