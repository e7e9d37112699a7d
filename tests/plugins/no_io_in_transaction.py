"""Fails a test when the code calls a provider or an LMS while a transaction is open.

Waiting on the network inside `transaction.atomic` holds a connection and row locks for as
long as the other side takes (seconds under load). This plugin wraps the two HTTP layers
the tool uses for outside calls, requests' `HTTPAdapter.send` (LMS, Cloudflare) and
botocore's `Endpoint._send` (S3), for the whole run. A call made while any database
connection of the calling thread is inside an atomic block opened by the code (not by the
test case's own wrapping transaction) is recorded, and the test fails with where it was.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any

import pytest
from botocore.endpoint import Endpoint
from django.db import connections
from requests.adapters import HTTPAdapter

_PROJECT = str(Path(__file__).resolve().parents[2])
_violations: list[str] = []
_lock = threading.Lock()


def open_atomic_blocks() -> int:
    """Atomic blocks of this thread's connections that the code (not the test case) opened."""
    return sum(
        sum(1 for block in conn.atomic_blocks if not getattr(block, "_from_testcase", False))
        for conn in connections.all(initialized_only=True)
    )


def take_violations() -> list[str]:
    """What was recorded so far (and forget it): for tests of this plugin."""
    with _lock:
        found = list(_violations)
        _violations.clear()
    return found


def _our_frames() -> str:
    """The calling frames of the project's code (libraries' frames say little here)."""
    frames = [
        frame
        for frame in traceback.extract_stack()[:-2]
        if "site-packages" not in frame.filename and _PROJECT in frame.filename
    ]
    return "".join(traceback.format_list(frames[-12:]))


def _guarded(send: Callable[..., Any], describe: Callable[..., str]) -> Callable[..., Any]:
    def guarded_send(self: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
        if open_atomic_blocks():
            stack = _our_frames()
            with _lock:
                _violations.append(f"{describe(request)} inside transaction.atomic:\n{stack}")
        return send(self, request, *args, **kwargs)

    guarded_send.__wrapped__ = send  # type: ignore[attr-defined]
    return guarded_send


def pytest_configure(config: pytest.Config) -> None:
    HTTPAdapter.send = _guarded(  # type: ignore[method-assign]
        HTTPAdapter.send, lambda request: f"HTTP {request.method} {request.url}"
    )
    Endpoint._send = _guarded(  # type: ignore[method-assign]
        Endpoint._send, lambda request: f"AWS {request.method} {request.url}"
    )


def pytest_unconfigure(config: pytest.Config) -> None:
    for owner, name in ((HTTPAdapter, "send"), (Endpoint, "_send")):
        original = getattr(getattr(owner, name), "__wrapped__", None)
        if original is not None:
            setattr(owner, name, original)


def _check(phase: str) -> None:
    found = take_violations()
    if found:
        pytest.fail(
            f"network call during {phase} while a transaction was open:\n\n" + "\n\n".join(found),
            pytrace=False,
        )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, None, None]:
    take_violations()  # a previous test's late server thread is not this test's fault
    result = yield
    _check("setup")
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    result = yield
    _check("the test")
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(
    item: pytest.Item, nextitem: pytest.Item | None
) -> Generator[None, None, None]:
    result = yield
    _check("teardown")
    return result
