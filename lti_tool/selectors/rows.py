"""Rows of SQL written out by hand (the hot paths' reads: `hot_paths.py`, `launches.py`) made
into models as the ORM makes them.

Each value is converted as Django's compiler converts its column (the JSON of a JSONField,
which the PostgreSQL backend reads as text; SQLite's dates and booleans), then given to
`Model.from_db`, which takes the values in the model's field order: the model is the one
`.only(*values)` would load.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import cache
from typing import Any, TypeVar

from django.db import connection
from django.db.models import Model

M = TypeVar("M", bound=Model)
_Converter = Callable[[Any, Any, Any], Any]


def fetch_one(sql: str, params: Sequence[Any]) -> tuple[Any, ...] | None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row: tuple[Any, ...] | None = cursor.fetchone()
    return row


def fetch_all(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def model_from_row(model: type[M], values: Mapping[str, Any]) -> M:
    """`values` by field attribute name (`course_id`, not `course`)."""
    names, steps = _plan(model, tuple(values))
    converted = []
    for name, col, converters in steps:
        value = values[name]
        for convert in converters:
            value = convert(value, col, connection)
        converted.append(value)
    return model.from_db(connection.alias, names, converted)


@cache
def _plan(
    model: type[Model], given: tuple[str, ...]
) -> tuple[tuple[str, ...], list[tuple[str, Any, list[_Converter]]]]:
    """The given fields in the model's order, and each with its column and converters
    (each call site passes the same names: computed once)."""
    names = tuple(f.attname for f in model._meta.concrete_fields if f.attname in given)
    return names, [(name, *_converters(model, name)) for name in names]


@cache
def _converters(model: type[Model], attname: str) -> tuple[Any, list[_Converter]]:
    col = model._meta.get_field(attname).get_col(model._meta.db_table)  # type: ignore[union-attr]
    return col, connection.ops.get_db_converters(col) + col.get_db_converters(connection)
