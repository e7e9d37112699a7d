"""LTI Deep Linking 2.0: the request's settings, our signed form token, the response JWT.

After the launch there are no cookies (the tool runs in the LMS's iframe), so the form
carries what the response needs in a signed, short-lived token. The response is signed
with the tool's current key (loaded once per process) and posted back by the browser.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import asdict, dataclass
from typing import Any

from django.conf import settings
from django.core import signing

from lti_tool.lti.advantage import Signer
from lti_tool.models import PlatformRegistration, VideoAssignment

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
REQUEST = "LtiDeepLinkingRequest"
_SALT = "lti_tool.deep_link"
_RESPONSE_TTL = 300


class InvalidDeepLinkToken(Exception):
    pass


@dataclass(frozen=True)
class DeepLinkContext:
    """Everything the form's POST needs from the launch, signed into a hidden field."""

    registration_id: int
    deployment_id: str
    return_url: str
    data: str | None
    course_id: int
    user_id: int
    key: str  # the new assignment's deep_link_key: saving twice makes one assignment
    accept_lineitem: bool

    @property
    def assignment_key(self) -> uuid.UUID:
        return uuid.UUID(self.key)


def deep_link_context(
    *, platform: PlatformRegistration, body: dict[str, Any], course_id: int, user_id: int
) -> DeepLinkContext:
    dl_settings = body.get(DL + "deep_linking_settings") or {}
    return_url = dl_settings.get("deep_link_return_url")
    if not isinstance(return_url, str) or not return_url.startswith(("https://", "http://")):
        raise ValueError("deep_linking_settings has no usable deep_link_return_url")
    data = dl_settings.get("data")
    return DeepLinkContext(
        registration_id=platform.pk,
        deployment_id=str(body[LTI + "deployment_id"]),
        return_url=return_url,
        data=data if isinstance(data, str) else None,
        course_id=course_id,
        user_id=user_id,
        key=str(uuid.uuid4()),
        accept_lineitem=dl_settings.get("accept_lineitem") is not False,
    )


def deep_link_token_issue(context: DeepLinkContext) -> str:
    return signing.dumps(asdict(context), salt=_SALT, compress=True)


def deep_link_token_read(token: str) -> DeepLinkContext:
    try:
        data = signing.loads(token, salt=_SALT, max_age=settings.LTI_LAUNCH_TOKEN_TTL)
        return DeepLinkContext(**data)
    except (signing.BadSignature, TypeError) as exc:  # SignatureExpired is a BadSignature
        raise InvalidDeepLinkToken(str(exc)) from exc


def resource_link_item(
    assignment: VideoAssignment, *, launch_url: str, with_line_item: bool
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "type": "ltiResourceLink",
        "title": assignment.title,
        "url": launch_url,
        "custom": {"assignment": str(assignment.deep_link_key)},
    }
    if assignment.instructions:
        item["text"] = assignment.instructions
    if with_line_item:
        item["lineItem"] = {
            "scoreMaximum": float(assignment.max_points),
            "label": assignment.title,
            "resourceId": assignment.lms_resource_id,
            "tag": "video-assignment",
        }
    if assignment.due_at:
        end = {"endDateTime": assignment.due_at.isoformat()}
        item["available"] = dict(end)
        item["submission"] = dict(end)
    return item


def deep_link_response_jwt(
    *,
    platform: PlatformRegistration,
    context: DeepLinkContext,
    content_items: list[dict[str, Any]],
    sign: Signer,
    msg: str | None = None,
) -> str:
    """The signed response; `sign` signs as the tool (tenants.tool_keys.sign_as_tool)."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": platform.client_id,
        "aud": platform.issuer,
        "iat": now,
        "exp": now + _RESPONSE_TTL,
        "nonce": uuid.uuid4().hex,
        LTI + "deployment_id": context.deployment_id,
        LTI + "message_type": "LtiDeepLinkingResponse",
        LTI + "version": "1.3.0",
        DL + "content_items": content_items,
    }
    if context.data is not None:
        claims[DL + "data"] = context.data
    if msg:
        claims[DL + "msg"] = msg
    return sign(claims)
