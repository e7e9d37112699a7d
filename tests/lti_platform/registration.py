"""LTI Dynamic Registration, platform side: the OpenID configuration and the registration
endpoint, plus `start()`, which opens the tool's registration page as an admin's browser.

Plain code: lti1p3platform has no dynamic registration. The registration request is
checked field by field (the LTI DR 1.0 client registration); the registration token is
single use. After a registration the platform launches with the new client: lms.client_id
and lms.deployment_ids switch to it.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import requests

from tests.lti_platform import claims as c
from tests.lti_platform.driver import browser_request
from tests.lti_platform.server import Request, Response, json_response

if TYPE_CHECKING:
    from tests.lti_platform.lms import LmsPlatform

MESSAGES_SUPPORTED = [c.RESOURCE_LINK_REQUEST, c.DEEP_LINKING_REQUEST]


def start(lms: LmsPlatform, session: requests.Session, tool_register_url: str) -> requests.Response:
    """GET the tool's registration URL with openid_configuration and registration_token."""
    params = {
        "openid_configuration": lms.openid_configuration_url,
        "registration_token": lms.registration_token,
    }
    return browser_request(session, "GET", tool_register_url, params=params)


def configuration(lms: LmsPlatform) -> dict[str, Any]:
    canvas = lms.flavor.name == "canvas"
    messages: list[dict[str, Any]] = [{"type": t} for t in MESSAGES_SUPPORTED]
    if canvas:
        messages[1]["placements"] = ["assignment_selection", "link_selection"]
    platform: dict[str, Any] = {
        "product_family_code": lms.flavor.product_family_code,
        "version": lms.flavor.version,
        "messages_supported": messages,
    }
    if canvas:
        platform["https://canvas.instructure.com/lti/account_name"] = "Test University"
    else:
        platform["variables"] = ["ResourceLink.id", "Context.id", "User.id", "Person.name.full"]
    return {
        "issuer": lms.issuer,
        "authorization_endpoint": lms.auth_login_url,
        "token_endpoint": lms.token_url,
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported": ["RS256"],
        "jwks_uri": lms.keyset_url,
        "registration_endpoint": lms.registration_endpoint,
        "scopes_supported": ["openid", *c.ALL_SCOPES],
        "response_types_supported": ["id_token"],
        "subject_types_supported": ["public", "pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "claims_supported": [
            "iss",
            "sub",
            "aud",
            "name",
            "given_name",
            "family_name",
            "email",
            "picture",
            "locale",
        ],
        c.PLATFORM_CONFIGURATION: platform,
    }


def handle_configuration(lms: LmsPlatform, request: Request) -> Response:
    if request.method != "GET":
        return lms.reject(request, 405, "the OpenID configuration takes GET")
    bearer = request.bearer()
    lms.openid_configuration_requests.append({"bearer": bearer})
    if bearer is not None and not _token_valid(lms, bearer):
        return lms.reject(
            request,
            401,
            "the bearer is not a registration token still valid",
            oauth_error="invalid_token",
        )
    return json_response(200, configuration(lms))


def handle_registration(lms: LmsPlatform, request: Request) -> Response:
    if request.method != "POST":
        return lms.reject(request, 405, "the registration endpoint takes POST")
    if not _token_valid(lms, request.bearer()):
        return lms.reject(
            request,
            401,
            "Authorization must be Bearer <registration_token>, unused",
            oauth_error="invalid_token",
        )
    if request.content_type != "application/json":
        return lms.reject(
            request,
            415,
            "the registration must be application/json",
            oauth_error="invalid_client_metadata",
        )
    try:
        body = request.json()
    except ValueError:
        return lms.reject(
            request, 400, "the registration is not JSON", oauth_error="invalid_client_metadata"
        )
    problem = registration_problem(body) if isinstance(body, dict) else "not a JSON object"
    if problem:
        return lms.reject(
            request,
            400,
            f"invalid client registration: {problem}",
            oauth_error="invalid_client_metadata",
        )
    if not lms.remember_once("registration-token", lms.registration_token):
        return lms.reject(
            request, 401, "the registration token was already used", oauth_error="invalid_token"
        )
    return json_response(200, _register(lms, body))


def _token_valid(lms: LmsPlatform, token: str | None) -> bool:
    return token == lms.registration_token and not lms.seen("registration-token", token)


def _register(lms: LmsPlatform, body: dict[str, Any]) -> dict[str, Any]:
    from tests.lti_platform.lms import ToolClient

    number = len(lms.registrations) + 1
    if lms.flavor.name == "canvas":
        client_id = str(10000000000042 + number)
        deployment_id = f"{42 + number}:" + hashlib.sha1(uuid.uuid4().bytes).hexdigest()  # noqa: S324
    else:
        client_id, deployment_id = uuid.uuid4().hex[:15], str(2 + number)
    tool = body[c.TOOL_CONFIGURATION]
    scopes = [s for s in body.get("scope", "").split() if s in c.ALL_SCOPES]
    lms.clients[client_id] = ToolClient(
        client_id,
        [deployment_id],
        jwks_uri=body["jwks_uri"],
        redirect_uri_list=list(body["redirect_uris"]),
        scopes=scopes,
        initiate_login_uri=body["initiate_login_uri"],
        target_link_uri=tool["target_link_uri"],
    )
    lms.client_id, lms.deployment_ids = client_id, lms.clients[client_id].deployment_ids
    # Canvas assigns the deployment id only when an administrator adds the app to an account
    # or course, after the registration: its answer has none (the first launch brings it).
    answer_tool = tool if lms.flavor.name == "canvas" else {**tool, "deployment_id": deployment_id}
    answer = {
        **body,
        "client_id": client_id,
        "scope": " ".join(scopes),
        c.TOOL_CONFIGURATION: answer_tool,
    }
    lms.registrations.append(answer)
    return answer


def _absolute(url: Any) -> bool:
    parts = urlsplit(url) if isinstance(url, str) else None
    return parts is not None and parts.scheme in ("http", "https") and bool(parts.netloc)


def registration_problem(body: dict[str, Any]) -> str:
    """What is wrong with a tool's client registration request ("" when nothing)."""
    fixed = {"application_type": "web", "token_endpoint_auth_method": "private_key_jwt"}
    for name, value in fixed.items():
        if body.get(name) != value:
            return f"{name} must be {value!r}"
    if "id_token" not in (body.get("response_types") or []):
        return "response_types must contain id_token"
    if not {"implicit", "client_credentials"} <= set(body.get("grant_types") or []):
        return "grant_types must contain implicit and client_credentials"
    if not isinstance(body.get("client_name"), str) or not body["client_name"].strip():
        return "client_name is required"
    for name in ("initiate_login_uri", "jwks_uri"):
        if not _absolute(body.get(name)):
            return f"{name} must be an absolute URL"
    uris = body.get("redirect_uris")
    if not isinstance(uris, list) or not uris or not all(_absolute(u) for u in uris):
        return "redirect_uris must be a non-empty list of absolute URLs"
    scope = body.get("scope", "")
    unknown = (
        [s for s in scope.split() if s not in c.ALL_SCOPES]
        if isinstance(scope, str)
        else ["(scope must be a space-separated string)"]
    )
    if unknown:
        return f"scope asks for what the platform does not offer: {unknown}"
    return _tool_configuration_problem(body)


def _tool_configuration_problem(body: dict[str, Any]) -> str:
    tool = body.get(c.TOOL_CONFIGURATION)
    if not isinstance(tool, dict):
        return f"{c.TOOL_CONFIGURATION} is required"
    domain = tool.get("domain")
    if not isinstance(domain, str) or not domain:
        return "lti-tool-configuration.domain is required"
    if not _absolute(tool.get("target_link_uri")):
        return "lti-tool-configuration.target_link_uri must be an absolute URL"
    for url in (tool["target_link_uri"], body["initiate_login_uri"], *body["redirect_uris"]):
        parts = urlsplit(url)
        if domain not in (parts.netloc, parts.hostname):
            return f"{url} is not on the tool's domain {domain!r}"
    if not isinstance(tool.get("claims", []), list):
        return "lti-tool-configuration.claims must be a list"
    messages = tool.get("messages", [])
    if not isinstance(messages, list) or not all(isinstance(m, dict) for m in messages):
        return "lti-tool-configuration.messages must be a list of objects"
    for message in messages:
        if message.get("type") not in MESSAGES_SUPPORTED:
            return f"message type {message.get('type')!r} is not supported here"
        if "target_link_uri" in message and not _absolute(message["target_link_uri"]):
            return "a message's target_link_uri must be an absolute URL"
    return ""
