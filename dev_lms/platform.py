"""The platform side of LTI 1.3: its signing key, the OIDC auth request check, id_tokens.

Deliberately independent of the tool's LTI code (see the package docstring).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.urls import reverse

from dev_lms import course, gradebook
from dev_lms.errors import ServiceError
from dev_lms.roster import COURSE, Person, ResourceLink, member_by_key, person_by_key

PLATFORM_NAME = "Development LMS"
PRODUCT_FAMILY_CODE = "dev-lms"
CLIENT_ID = "dev-lms-client"
DEPLOYMENT_ID = "dev-deployment-1"
ID_TOKEN_TTL = timedelta(minutes=5)

LTI_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"


# --- Endpoints -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoints:
    """The platform's URLs and the tool's, as the browser reaches them."""

    issuer: str
    auth_url: str
    token_url: str
    jwks_url: str
    tool_login_url: str
    tool_launch_url: str
    tool_jwks_url: str
    deep_link_return_url: str
    lineitems_url: str  # of the course; a line item's URL is this plus "/<id>"
    memberships_url: str

    def lineitem_url(self, lineitem_id: str) -> str:
        return f"{self.lineitems_url}/{lineitem_id}"


def endpoints_for(request: HttpRequest) -> Endpoints:
    # The issuer follows the host the browser used, so 127.0.0.1 and localhost each get
    # their own registration and every URL in a launch stays on one origin.
    def absolute(name: str, *args: str) -> str:
        return request.build_absolute_uri(reverse(name, args=args))

    return Endpoints(
        issuer=absolute("dev_lms:home").rstrip("/"),
        auth_url=absolute("dev_lms:auth"),
        token_url=absolute("dev_lms:token"),
        jwks_url=absolute("dev_lms:jwks"),
        tool_login_url=absolute("lti:login"),
        tool_launch_url=absolute("lti:launch"),
        tool_jwks_url=absolute("lti:jwks"),
        deep_link_return_url=absolute("dev_lms:deep_link_return"),
        lineitems_url=absolute("dev_lms:lineitems", COURSE.id),
        memberships_url=absolute("dev_lms:memberships", COURSE.id),
    )


# --- Signing key ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PlatformKey:
    private_key: rsa.RSAPrivateKey
    kid: str
    public_jwk: dict[str, str]


_keys: dict[Path, PlatformKey] = {}
_keys_lock = threading.Lock()


def key_path() -> Path:
    return Path(settings.DATA_DIR) / "dev-lms" / "platform-key.pem"


def platform_key() -> PlatformKey:
    """The platform's signing key: created on first use, loaded once per process."""
    path = key_path()
    with _keys_lock:
        key = _keys.get(path)
        if key is None:
            key = _keys[path] = _public_parts(_load_or_create(path))
    return key


def _load_or_create(path: Path) -> rsa.RSAPrivateKey:
    try:
        pem = path.read_bytes()
    except FileNotFoundError:
        return _create(path)
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ImproperlyConfigured(f"{path} does not hold an RSA private key.")
    return key


def _create(path: Path) -> rsa.RSAPrivateKey:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    # Write a private temp file, then hard-link it into place: the key is never readable
    # half-written, and when two processes race the first link wins and both use its key.
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(pem)
        os.link(tmp, path)
    except FileExistsError:
        return _load_or_create(path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    return key


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64uint(value: int) -> str:
    return _b64url(value.to_bytes((value.bit_length() + 7) // 8, "big"))


def _public_parts(private_key: rsa.RSAPrivateKey) -> PlatformKey:
    numbers = private_key.public_key().public_numbers()
    required = {"e": _b64uint(numbers.e), "kty": "RSA", "n": _b64uint(numbers.n)}
    # RFC 7638 thumbprint: stable for a given key, changes when the key file is replaced.
    canonical = json.dumps(required, separators=(",", ":"), sort_keys=True).encode()
    kid = _b64url(hashlib.sha256(canonical).digest())
    jwk = {**required, "kid": kid, "alg": "RS256", "use": "sig"}
    return PlatformKey(private_key=private_key, kid=kid, public_jwk=jwk)


def jwks() -> dict[str, list[dict[str, str]]]:
    return {"keys": [platform_key().public_jwk]}


# --- OIDC authentication request -----------------------------------------------------------


class AuthRequestError(Exception):
    """The tool's authentication request breaks the LTI 1.3 / OIDC rules."""


DEEP_LINKING_HINT = "deep-linking"
_REVIEW_PREFIX = "review:"


@dataclass(frozen=True)
class ResourceLinkMessage:
    resource_link: ResourceLink


@dataclass(frozen=True)
class DeepLinkingMessage:
    pass


@dataclass(frozen=True)
class SubmissionReviewMessage:
    resource_link: ResourceLink
    lineitem: dict[str, Any]
    for_user: Person


Message = ResourceLinkMessage | DeepLinkingMessage | SubmissionReviewMessage


def review_hint(*, lineitem_id: str, person_key: str) -> str:
    """The lti_message_hint of a submission review launch."""
    return f"{_REVIEW_PREFIX}{lineitem_id}:{person_key}"


@dataclass(frozen=True)
class AuthRequest:
    person: Person
    message: Message
    redirect_uri: str
    nonce: str
    state: str


def validate_auth_request(params: Mapping[str, str], *, tool_launch_url: str) -> AuthRequest:
    """Check the authentication request the tool sends after login initiation."""
    _expect(params, "scope", "openid")
    _expect(params, "response_type", "id_token")
    _expect(params, "response_mode", "form_post")
    _expect(params, "prompt", "none")
    _expect(params, "client_id", CLIENT_ID)
    if params.get("redirect_uri") != tool_launch_url:
        raise AuthRequestError(f"redirect_uri must be the tool's launch URL {tool_launch_url}")
    person = person_by_key(params.get("login_hint", ""))
    if person is None:
        raise AuthRequestError("login_hint is not a person of this LMS.")
    # The spec says the tool passes lti_message_hint back unchanged; we rely on it.
    message = _message(params.get("lti_message_hint", ""), person)
    nonce, state = params.get("nonce", ""), params.get("state", "")
    if not nonce:
        raise AuthRequestError("nonce is missing.")
    if not state:
        raise AuthRequestError("state is missing.")
    return AuthRequest(
        person=person, message=message, redirect_uri=tool_launch_url, nonce=nonce, state=state
    )


def _message(hint: str, person: Person) -> Message:
    """What the launch is for, from lti_message_hint: a resource link id, deep linking or
    "review:<line item id>:<student key>"."""
    if hint == DEEP_LINKING_HINT or hint.startswith(_REVIEW_PREFIX):
        if not person.is_instructor:
            raise AuthRequestError("lti_message_hint asks for a teacher-only launch.")
        return DeepLinkingMessage() if hint == DEEP_LINKING_HINT else _review_message(hint)
    resource_link = course.resource_link_by_id(hint)
    if resource_link is None:
        raise AuthRequestError("lti_message_hint is not a resource link of this LMS.")
    return ResourceLinkMessage(resource_link=resource_link)


def _review_message(hint: str) -> SubmissionReviewMessage:
    lineitem_id, _, person_key = hint.removeprefix(_REVIEW_PREFIX).partition(":")
    student = member_by_key(person_key)
    try:
        lineitem = gradebook.lineitem_get(lineitem_id)
    except ServiceError as exc:
        raise AuthRequestError(f"lti_message_hint: {exc.message}") from exc
    link = course.resource_link_by_id(lineitem.get("resourceLinkId", ""))
    if student is None or link is None:
        raise AuthRequestError("lti_message_hint is not a reviewable submission of this LMS.")
    return SubmissionReviewMessage(resource_link=link, lineitem=lineitem, for_user=student)


def _expect(params: Mapping[str, str], name: str, value: str) -> None:
    if params.get(name) != value:
        raise AuthRequestError(f"{name} must be {value!r}.")


# --- id_token ---------------------------------------------------------------------------


def sign_id_token(claims: Mapping[str, Any]) -> str:
    key = platform_key()
    return jwt.encode(dict(claims), key.private_key, algorithm="RS256", headers={"kid": key.kid})
