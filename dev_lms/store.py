"""Where the development LMS keeps what it learns: a JSON file, not database tables.

The dev LMS is switched off in production, so it must not add tables (or migrations) to
the tool's database. Its durable state (deep-linked resource links, gradebook columns and
scores) lives in ``DATA_DIR/dev-lms/state.json``, next to its signing key; one exclusive
``flock`` on a side file serialises the read-modify-write of every change, so the threads
of ``runserver`` (and a second process, if someone runs one) never lose an update. The
file is replaced atomically, so a crash leaves the old state, never half of a new one.

Short-lived secrets (access tokens, assertion ``jti``s, deep linking ``data`` and nonces)
live in the Django cache instead: they must expire on their own, and the cache does that.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from dev_lms.roster import ASSIGNMENT

State = dict[str, Any]
STATE_VERSION = 1


def state_path() -> Path:
    return Path(settings.DATA_DIR) / "dev-lms" / "state.json"


def _initial_state() -> State:
    # The built-in assignment has a gradebook column from the start, as an LMS creates one
    # for a graded assignment, so a launch can carry `lineitem` without any deep linking.
    return {
        "version": STATE_VERSION,
        "next_id": 2,
        "links": [],
        "lineitems": [
            {
                "id": "1",
                "label": ASSIGNMENT.title,
                "scoreMaximum": 100,
                "resourceLinkId": ASSIGNMENT.id,
            }
        ],
        "scores": {},
    }


@contextlib.contextmanager
def _locked() -> Iterator[Path]:
    path = state_path()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with open(path.with_name("state.lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield path
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _read(path: Path) -> State:
    try:
        state: State = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return _initial_state()
    except ValueError as exc:
        raise ImproperlyConfigured(f"{path} is not valid JSON; delete it to reset.") from exc
    return state


def read_state() -> State:
    """A snapshot of the whole state (a copy: changing it changes nothing)."""
    with _locked() as path:
        return _read(path)


@contextlib.contextmanager
def changing_state() -> Iterator[State]:
    """Yield the state for changing in place; written back only if the block succeeds."""
    with _locked() as path:
        state = _read(path)
        yield state
        tmp = path.with_name(f".state.{os.getpid()}.json")
        tmp.write_text(json.dumps(state, indent=1, sort_keys=True), encoding="utf-8")
        os.replace(tmp, path)


def new_id(state: State) -> str:
    """Short, lowercase, sequential ids: readable URLs, and safe in Link headers that some
    tool libraries lowercase before parsing."""
    value = int(state["next_id"])
    state["next_id"] = value + 1
    return str(value)
