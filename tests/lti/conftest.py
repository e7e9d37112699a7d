"""Helpers for the launch tests: what the page says, what the database holds, forged tokens.

Forged tokens are built here by hand (base64url + JSON + HMAC), never with the tool's code.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import json
import re
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

import lti_tool.lti.launch
from lti_tool.models import Course, LtiUser, Submission, VideoAssignment
from tests.conftest import LaunchDriver
from tests.platform import TestPlatform, serve_platform


@pytest.fixture(scope="session")
def platform_server() -> Iterator[ThreadingHTTPServer]:
    _, server = serve_platform()
    yield server
    server.shutdown()


@pytest.fixture
def platform(platform_server: ThreadingHTTPServer) -> TestPlatform:
    """The root fixture's platform, on one JWKS server for the whole run.

    Stopping a server waits for serve_forever's 0.5 s poll; once per test that doubled the
    run time. Each test still gets a new platform (new key and kid) behind the same address.
    """
    fresh = TestPlatform(issuer=f"http://127.0.0.1:{platform_server.server_port}")
    platform_server.platform = fresh  # type: ignore[attr-defined]
    return fresh


_ERROR_MESSAGE = re.compile(r'<p id="error-message">(.*?)</p>', re.S)


def error_message(response: Any) -> str:
    """The sentence `lti_tool/error.html` shows the person (`#error-message`)."""
    match = _ERROR_MESSAGE.search(response.content.decode())
    assert match, f"no #error-message on the page: {response.content[:300]!r}"
    return html.unescape(match.group(1)).strip()


def page_template(response: Any) -> str:
    """The page the launch opened: the first template rendered."""
    return response.templates[0].name


def db_snapshot() -> dict[str, Any]:
    """Everything a launch may write: row counts, and who launched when (updates show)."""
    return {
        "users": LtiUser.objects.count(),
        "courses": Course.objects.count(),
        "assignments": VideoAssignment.objects.count(),
        "submissions": Submission.objects.count(),
        "sessions": Session.objects.count(),
        "launch_times": sorted(
            LtiUser.objects.values_list("pk", "name", "last_launch_at").order_by("pk")
        ),
    }


def b64url(data: bytes | dict[str, Any] | list[Any]) -> str:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def hand_made_token(header: dict[str, Any], body: Any, signature: bytes = b"") -> str:
    """A compact JWS assembled by hand, for what PyJWT refuses to produce."""
    return f"{b64url(header)}.{b64url(body)}.{b64url(signature)}"


def hs256_token(header: dict[str, Any], body: dict[str, Any], secret: bytes) -> str:
    signing_input = f"{b64url(header)}.{b64url(body)}".encode()
    signature = hmac.new(secret, signing_input, hashlib.sha256).digest()
    return f"{signing_input.decode()}.{b64url(signature)}"


@pytest.fixture
def earlier_launch(launcher: LaunchDriver) -> Submission:
    """A course that is already in use: one student launched before and submitted a video.

    With rows in every table, "nothing written" also catches an attack that would update them.
    """
    response = LaunchDriver(Client(), launcher.platform).launch()
    assert response.status_code == 200
    return Submission.objects.create(
        assignment=VideoAssignment.objects.get(),
        student=LtiUser.objects.get(),
        backend="local",
        filename="essay.mp4",
        mime_type="video/mp4",
    )


@pytest.fixture
def jwks_fetches(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The URLs the tool fetched platform keys from, in order (the fetches still happen)."""
    fetched: list[str] = []
    real_send = lti_tool.lti.launch.lms_send

    def counting_send(method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        fetched.append(url)
        return real_send(method, url, *args, **kwargs)

    monkeypatch.setattr(lti_tool.lti.launch, "lms_send", counting_send)
    return fetched
