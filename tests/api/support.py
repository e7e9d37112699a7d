"""Helpers for the API tests."""

from __future__ import annotations

import time
from types import SimpleNamespace
from typing import Any

import pytest
from django.core import signing

from lti_tool.launch_tokens import launch_token_issue, launch_token_read
from tests.fixtures.platform import launch_token_from


def expired_token(launch_response: Any, ttl: int) -> str:
    """The same launch's token, as issued one second longer ago than its lifetime."""
    claims = launch_token_read(launch_token_from(launch_response))
    issued_at = time.time() - ttl - 1
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(signing, "time", SimpleNamespace(time=lambda: issued_at))
        return launch_token_issue(claims)
