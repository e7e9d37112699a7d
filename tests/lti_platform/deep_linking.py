"""The deep linking return URL: verify the tool's LtiDeepLinkingResponse, place its items.

lti1p3platform's validate_deeplinking_resp checks the signature only (`verify_aud` off,
no iss, nonce, deployment_id, version or data checks), so this is plain PyJWT: the JWT
must be RS256 with a kid from the tool's JWKS, iss = the client_id, aud = the platform's
issuer, unexpired, with a fresh nonce, the deployment_id and the `data` of the deep
linking request it answers, message_type LtiDeepLinkingResponse and version 1.3.0.
Each accepted ltiResourceLink becomes a link of the course (`lms.links`, ids in
`lms.created_links`), with its line item when it asks for one, as Moodle and Canvas do.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import jwt

from tests.lti_platform import claims as c
from tests.lti_platform.keys import ToolJwtError, verify_tool_jwt
from tests.lti_platform.server import Request, Response, html_response

if TYPE_CHECKING:
    from tests.lti_platform.lms import LmsPlatform, PendingLaunch

CONTENT_ITEMS = c.DL + "content_items"
DATA = c.DL + "data"


def handle_return(lms: LmsPlatform, request: Request) -> Response:
    if request.method != "POST":
        return lms.reject(request, 405, "the deep linking return takes POST")
    if request.content_type != "application/x-www-form-urlencoded":
        return lms.reject(request, 415, "the deep linking response must be a form POST")
    token = request.form().get("JWT")
    if not token:
        return lms.reject(request, 400, "the form has no JWT field")
    try:
        claims = _verified(lms, token)
        _request_answered(lms, claims)
        items = _items(lms, claims)
    except ToolJwtError as exc:
        return lms.reject(request, 400, f"deep linking response refused: {exc}")
    lms.deep_link_returns.append(claims)
    created = [_place(lms, item) for item in items if item["type"] == "ltiResourceLink"]
    listing = "".join(f"<li>{html.escape(lms.links[i].get('title') or i)}</li>" for i in created)
    return html_response(
        200,
        f"<!doctype html><title>Added</title><h1>{len(items)} item(s) "
        f"added to {html.escape(lms.course['title'])}</h1><ul>{listing}</ul>",
    )


def _verified(lms: LmsPlatform, token: str) -> dict[str, Any]:
    try:
        client_id = str(jwt.decode(token, options={"verify_signature": False}).get("iss"))
    except jwt.InvalidTokenError as exc:
        raise ToolJwtError(f"not a JWT: {exc}") from exc
    client = lms.known_client(client_id)
    if client is None:
        raise ToolJwtError(f"iss {client_id!r} is not the client_id of a tool here")
    claims = verify_tool_jwt(
        token, client.key_set(lms), audience=lms.issuer, issuer=client_id, require=("nonce",)
    )
    if not isinstance(claims["nonce"], str) or not lms.remember_once("dl-nonce", claims["nonce"]):
        raise ToolJwtError("nonce must be a string not used before")
    expected = {c.LTI + "message_type": c.DEEP_LINKING_RESPONSE, c.LTI + "version": "1.3.0"}
    for name, value in expected.items():
        if claims.get(name) != value:
            raise ToolJwtError(f"{name} must be {value!r}, got {claims.get(name)!r}")
    return claims


def _request_answered(lms: LmsPlatform, claims: dict[str, Any]) -> PendingLaunch:
    data = claims.get(DATA)
    for pending in lms.pending_launches.values():
        if pending.dl_data and pending.dl_data == data:
            break
    else:
        raise ToolJwtError(f"{DATA} {data!r} does not echo the data of a deep linking request")
    if claims["iss"] != pending.client_id:
        raise ToolJwtError("iss is not the client_id the deep linking request went to")
    deployment = claims.get(c.LTI + "deployment_id")
    if deployment != pending.deployment_id:
        raise ToolJwtError(f"deployment_id must be {pending.deployment_id!r}, got {deployment!r}")
    return pending


def _items(lms: LmsPlatform, claims: dict[str, Any]) -> list[dict[str, Any]]:
    items = claims.get(CONTENT_ITEMS, [])
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise ToolJwtError(f"{CONTENT_ITEMS} must be a list of objects")
    if len(items) > 1 and not lms.flavor.dl_accept_multiple:  # e.g. Canvas
        raise ToolJwtError("several content items, but accept_multiple was false")
    for item in items:
        if item.get("type") != "ltiResourceLink":
            raise ToolJwtError(f"content item type {item.get('type')!r} was not accepted")
        _check_link(item)
    return items


def _check_link(item: dict[str, Any]) -> None:
    if "url" in item and urlsplit(str(item["url"])).scheme not in ("http", "https"):
        raise ToolJwtError("a content item url must be an absolute http(s) URL")
    if "title" in item and not isinstance(item["title"], str):
        raise ToolJwtError("a content item title must be a string")
    custom = item.get("custom", {})
    if not isinstance(custom, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in custom.items()
    ):
        raise ToolJwtError("custom must map strings to strings")
    line_item = item.get("lineItem")
    if line_item is None:
        return
    maximum = line_item.get("scoreMaximum") if isinstance(line_item, dict) else None
    if not isinstance(maximum, int | float) or isinstance(maximum, bool) or maximum <= 0:
        raise ToolJwtError("lineItem.scoreMaximum must be a number > 0")
    for name in ("label", "resourceId", "tag"):
        if name in line_item and not isinstance(line_item[name], str):
            raise ToolJwtError(f"lineItem.{name} must be a string")


def _place(lms: LmsPlatform, item: dict[str, Any]) -> str:
    link_id = f"dl-link-{len(lms.created_links) + 1}"
    lms.links[link_id] = {
        "id": link_id,
        "title": item.get("title"),
        "text": item.get("text"),
        "url": item.get("url"),
        "custom": dict(item.get("custom", {})),
        "content_item": item,
    }
    lms.created_links.append(link_id)
    line_item = item.get("lineItem")
    if line_item is not None:
        lms.ags.create(
            {
                "label": line_item.get("label") or item.get("title") or "Video",
                **{k: v for k, v in line_item.items() if k != "label"},
                "resourceLinkId": link_id,
            }
        )
    return link_id
