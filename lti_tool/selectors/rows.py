"""Rows of SQL written out by hand (the hot paths' reads: `hot_paths.py`, `launches.py`) made
into models as the ORM makes them.

Each value is converted as Django's compiler converts its column (the JSON of a JSONField,
which the PostgreSQL backend reads as text; SQLite's dates and booleans), then set as
`Model.from_db` sets them: the model is the one `.only(*values)` would load.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar

from django.db import connection
from django.db.models import Model
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init

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
    plan = _plan(model, tuple(values))
    converted = []
    for name, col, converters in plan.steps:
        value = values[name]
        for convert in converters:
            value = convert(value, col, connection)
        converted.append(value)
    if plan.signalled:
        return model.from_db(connection.alias, plan.names, converted)
    # What `from_db` makes, without `Model.__init__`'s walk over every field of the model
    # (twice the cost of the rest here): the fields not given are deferred (absent), as
    # there. Skipped with it: the pre_init and post_init signals, which nothing sends to
    # this model (`signalled`).
    row = model.__new__(model)
    row.__dict__.update(zip(plan.names, converted, strict=True))
    row._state = ModelState()
    row._state.adding, row._state.db = False, connection.alias
    return row


@dataclass(frozen=True)
class _Plan:
    names: tuple[str, ...]  # the given fields, in the model's order
    steps: list[tuple[str, Any, list[_Converter]]]  # each with its column and converters
    signalled: bool  # something listens to the model's pre_init or post_init


@cache
def _plan(model: type[Model], given: tuple[str, ...]) -> _Plan:
    """Each call site passes the same names: computed once (after the apps are ready, when
    every signal receiver is connected)."""
    names = tuple(f.attname for f in model._meta.concrete_fields if f.attname in given)
    return _Plan(
        names,
        [(name, *_converters(model, name)) for name in names],
        signalled=pre_init.has_listeners(model) or post_init.has_listeners(model),
    )


@cache
def _converters(model: type[Model], attname: str) -> tuple[Any, list[_Converter]]:
    col = model._meta.get_field(attname).get_col(model._meta.db_table)  # type: ignore[union-attr]
    return col, connection.ops.get_db_converters(col) + col.get_db_converters(connection)
