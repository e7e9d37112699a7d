"""The OAuth2 token endpoint, bearer checks, NRPS, and routing to AGS (ags.py).

Plain code rather than lti1p3platform's service classes: its token endpoint decodes the
client assertion with `verify_aud` off and never checks iss, sub, exp or jti reuse; its
services accept any Content-Type, put `next` in the body instead of a `Link` header, and
break paging (query values are strings, it adds 1 to them). Its enums and the NRPS
`Context`/`Status` shapes are used.
"""

from __future__ import annotations

import secrets
import time
from typing import TYPE_CHECKING, Any

import jwt
from lti1p3platform.membership import Context, Status
from lti1p3platform.utils import dataclass_to_dict

from tests.lti_platform import ags
from tests.lti_platform import claims as c
from tests.lti_platform.access import authorize, next_link, page_of
from tests.lti_platform.keys import ToolJwtError, verify_tool_jwt
from tests.lti_platform.server import Request, Response, json_response

if TYPE_CHECKING:
    from tests.lti_platform.lms import LmsPlatform

AgsState = ags.AgsState
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
TOKEN_TTL = 3600
NRPS_MEDIA_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"


def handle_token(lms: LmsPlatform, request: Request) -> Response:
    if request.method != "POST":
        return lms.reject(
            request, 405, "the token endpoint takes POST", oauth_error="invalid_request"
        )
    if request.content_type != "application/x-www-form-urlencoded":
        return lms.reject(
            request, 400, "the token request must be form-encoded", oauth_error="invalid_request"
        )
    form = request.form()
    record: dict[str, Any] = {
        "scope": form.get("scope", "").split(),
        "claims": None,
        "granted": False,
        "error": None,
    }
    lms.token_requests.append(record)
    return _grant(lms, request, form, record)


def _grant(
    lms: LmsPlatform, request: Request, form: dict[str, str], record: dict[str, Any]
) -> Response:
    def refuse(status: int, error: str, reason: str) -> Response:
        record["error"] = reason
        return lms.reject(request, status, reason, oauth_error=error)

    if form.get("grant_type") != "client_credentials":
        return refuse(400, "unsupported_grant_type", "grant_type must be client_credentials")
    if form.get("client_assertion_type") != JWT_BEARER:
        return refuse(400, "invalid_request", f"client_assertion_type must be {JWT_BEARER}")
    assertion = form.get("client_assertion", "")
    try:
        client_id = str(jwt.decode(assertion, options={"verify_signature": False}).get("iss"))
    except jwt.InvalidTokenError as exc:
        return refuse(401, "invalid_client", f"client_assertion is not a JWT: {exc}")
    client = lms.known_client(client_id)
    if client is None:
        return refuse(401, "invalid_client", f"iss {client_id!r} is no client of this platform")
    try:
        claims = verify_tool_jwt(
            assertion,
            client.key_set(lms),
            audience=lms.flavor.token_audience or lms.token_url,
            issuer=client_id,
            require=("sub", "jti"),
        )
    except ToolJwtError as exc:
        return refuse(401, "invalid_client", f"client_assertion refused: {exc}")
    record["claims"] = claims
    if claims["sub"] != client_id:
        return refuse(401, "invalid_client", "client_assertion sub must equal iss (client_id)")
    if not lms.remember_once("jti", str(claims["jti"])):
        return refuse(401, "invalid_client", "client_assertion jti was already used")
    scopes = form.get("scope", "").split()
    unknown = [s for s in scopes if s not in client.scopes]
    if not scopes or unknown:
        return refuse(400, "invalid_scope", f"scopes not offered: {unknown or 'none asked'}")
    token = secrets.token_urlsafe(32)
    lms.tokens[token] = {
        "client_id": client_id,
        "scopes": scopes,
        "expires_at": time.time() + TOKEN_TTL,
    }
    record["granted"] = True
    return json_response(
        200,
        {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": TOKEN_TTL,
            "scope": " ".join(scopes),
        },
        headers={"Cache-Control": "no-store"},
    )


class NrpsState:
    def __init__(self, lms: LmsPlatform) -> None:
        self.members: list[dict[str, Any]] = [self.member(p) for p in lms.people.values()]
        self.page_size = 2
        self.link_members: dict[str, list[str]] = {}
        self.outage_status: int | None = None
        self.requests: list[dict[str, str]] = []  # the query of every memberships request

    @staticmethod
    def member(person: c.Person) -> dict[str, Any]:
        return {
            "status": Status.ACTIVE.value,
            "user_id": person.sub,
            "roles": list(person.roles),
            **person.identity_claims(),
        }

    def outage(self, status: int = 503) -> None:
        self.outage_status = status

    def restore(self) -> None:
        self.outage_status = None


def handle_memberships(lms: LmsPlatform, request: Request) -> Response:
    lms.nrps.requests.append(request.query)
    if lms.nrps.outage_status:
        return lms.reject(request, lms.nrps.outage_status, "NRPS outage (lms.nrps.outage)")
    if request.method != "GET":
        return lms.reject(request, 405, "memberships take GET")
    if (refused := authorize(lms, request, [c.SCOPE_NRPS])) is not None:
        return refused
    if not request.accepts(NRPS_MEDIA_TYPE):
        return lms.reject(request, 406, f"Accept must name {NRPS_MEDIA_TYPE}")
    query = request.query
    members = list(lms.nrps.members)
    if rlid := query.get("rlid"):
        if rlid in lms.nrps.link_members:
            subs = set(lms.nrps.link_members[rlid])
            members = [m for m in members if m["user_id"] in subs]
        elif rlid not in lms.links:
            return lms.reject(request, 404, f"resource link {rlid!r} is not in this course")
    if role := query.get("role"):
        members = [
            m for m in members if any(r == role or r.endswith("#" + role) for r in m["roles"])
        ]
    try:
        chunk, more = page_of(members, query, lms.nrps.page_size)
    except ValueError as exc:
        return lms.reject(request, 400, str(exc))
    context = Context(
        id=lms.course["id"], label=lms.course.get("label", ""), title=lms.course.get("title", "")
    )
    body = {"id": lms.memberships_url, "context": dataclass_to_dict(context), "members": chunk}
    headers = next_link(lms.memberships_url, query) if more else {}
    return json_response(200, body, NRPS_MEDIA_TYPE, headers)


def handle_service(lms: LmsPlatform, request: Request) -> Response | None:
    """AGS or NRPS, when the path is one of theirs."""
    if request.path == lms.memberships_url.removeprefix(lms.url):
        return handle_memberships(lms, request)
    return ags.handle(lms, request)
