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
from typing import Any

from django.contrib.sessions.models import Session

from lti_tool.models import Course, LtiUser, Submission, VideoAssignment

_ERROR_MESSAGE = re.compile(r'<p id="error-message"[^>]*>(.*?)</p>', re.S)


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
        # What a launch's claims may rewrite: course details and the link's gradebook column.
        "course_rows": list(
            Course.objects.values_list("pk", "title", "label", "memberships_url").order_by("pk")
        ),
        "assignment_rows": list(
            VideoAssignment.objects.values_list(
                "pk", "resource_link_id", "lineitem_url", "lineitems_url", "ags_scopes"
            ).order_by("pk")
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
