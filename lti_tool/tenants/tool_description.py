"""What the tool tells an LMS about itself: its URLs, scopes, claims and placements.

One description feeds both LTI Dynamic Registration (`dynamic_registration.py`) and the
Canvas developer key JSON (`/lti/canvas.json`), so the two cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from lti_tool.lti.advantage import (
    SCOPE_LINEITEM,
    SCOPE_LINEITEM_READONLY,
    SCOPE_NRPS,
    SCOPE_RESULT_READONLY,
    SCOPE_SCORE,
)

TOOL_NAME = "Video assignments"
TOOL_DESCRIPTION = (
    "Students record or upload a video for an assignment; teachers watch it and grade it."
)
DEEP_LINKING_LABEL = "Video assignment"
# AGS (gradebook columns, scores, results) and NRPS (the course roster), in that order.
SCOPES: tuple[str, ...] = (
    SCOPE_LINEITEM,
    SCOPE_LINEITEM_READONLY,
    SCOPE_RESULT_READONLY,
    SCOPE_SCORE,
    SCOPE_NRPS,
)
# The OpenID claims the tool shows (names for teachers, email for support).
CLAIMS: tuple[str, ...] = ("iss", "sub", "name", "given_name", "family_name", "email")
# Canvas places a deep linking tool where a teacher adds an assignment or a module link.
# Other platforms ignore placements.
DEEP_LINKING_PLACEMENTS: tuple[str, ...] = ("assignment_selection", "link_selection")
CANVAS_PRIVACY_LEVEL = "public"  # Canvas's default, "anonymous", would drop names and email


@dataclass(frozen=True)
class ToolUrls:
    """The tool's absolute LTI URLs, as this deployment is reached from outside."""

    login: str
    launch: str
    jwks: str

    @property
    def domain(self) -> str:
        """Host and, if not the default, port: what LMSs match links against."""
        return urlsplit(self.launch).netloc


def canvas_developer_key(*, urls: ToolUrls) -> dict[str, Any]:
    """Canvas's developer key JSON ("LTI Key" > "Enter URL" or "Paste JSON").

    Format: Canvas's doc/api/lti_dev_key_config.md, "Anatomy of a JSON configuration".
    Only what the tool supports: resource link launches (the default message) and deep
    linking from the assignment and link selection placements.
    """
    placements = [
        {
            "placement": placement,
            "message_type": "LtiDeepLinkingRequest",
            "target_link_uri": urls.launch,
            "text": DEEP_LINKING_LABEL,
        }
        for placement in DEEP_LINKING_PLACEMENTS
    ]
    return {
        "title": TOOL_NAME,
        "description": TOOL_DESCRIPTION,
        "oidc_initiation_url": urls.login,
        "target_link_uri": urls.launch,
        "public_jwk_url": urls.jwks,
        "scopes": list(SCOPES),
        "extensions": [
            {
                "platform": "canvas.instructure.com",
                "domain": urls.domain,
                "privacy_level": CANVAS_PRIVACY_LEVEL,
                "settings": {"text": TOOL_NAME, "placements": placements},
            }
        ],
        "custom_fields": {},
    }
