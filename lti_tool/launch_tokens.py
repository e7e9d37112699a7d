"""The launch token: after the launch the page proves who it is with this, not a cookie.

Third-party cookies are blocked in iframes by Safari and increasingly by Chrome, so the
launch page carries a short-lived token signed by us, sent as `Authorization: Bearer`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

from django.conf import settings
from django.core import signing

Role = Literal["student", "teacher"]
_SALT = "lti_tool.launch_token"


class InvalidLaunchToken(Exception):
    pass


@dataclass(frozen=True)
class LaunchClaims:
    tenant_id: int
    user_id: int
    course_id: int
    assignment_id: int
    role: Role
    # Kept from the launch, so later requests with the token answer in the launch's language
    # and the pages keep their way back to the course (empty: none given).
    language: str = ""
    return_url: str = ""
    document_target: str = ""


def launch_token_issue(claims: LaunchClaims) -> str:
    return signing.dumps(asdict(claims), salt=_SALT, compress=True)


def launch_token_read(token: str) -> LaunchClaims:
    try:
        data = signing.loads(token, salt=_SALT, max_age=settings.LTI_LAUNCH_TOKEN_TTL)
        return LaunchClaims(**data)
    except signing.SignatureExpired as exc:
        raise InvalidLaunchToken("expired") from exc
    except (signing.BadSignature, TypeError) as exc:
        raise InvalidLaunchToken("invalid") from exc
