"""Counts a request's round trips to PostgreSQL and Redis, answered as response headers
(`X-Bench-SQL`, `X-Bench-Redis`) for the load generator to add up. Benchmark only.

SQL: every statement Django sends (`connection.execute_wrapper`). Redis: every write of a
command or a pipeline to a socket (`redis.connection.AbstractConnection.send_packed_command`),
whoever sends it (Django's cache, the rate limiter, kombu's enqueue).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.http import HttpRequest, HttpResponse
from redis.connection import AbstractConnection

_counts = threading.local()
_real_send = AbstractConnection.send_packed_command


def _counting_send(self: AbstractConnection, *args: Any, **kwargs: Any) -> None:
    _counts.redis = getattr(_counts, "redis", 0) + 1
    _real_send(self, *args, **kwargs)


AbstractConnection.send_packed_command = _counting_send  # type: ignore[method-assign]


class RoundTripHeaders:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        _counts.redis = 0
        sql = 0

        def count(execute: Callable[..., Any], *args: Any) -> Any:
            nonlocal sql
            sql += 1
            return execute(*args)

        with connection.execute_wrapper(count):
            response = self.get_response(request)
        response["X-Bench-SQL"] = str(sql)
        response["X-Bench-Redis"] = str(_counts.redis)
        return response
