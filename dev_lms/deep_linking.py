"""Deep Linking 2.0, platform side: the request's opaque `data`, and the tool's response.

The response is a JWT the tool signs and the browser posts to ``/dev-lms/deep-link-return/``.
Each ltiResourceLink it returns becomes a resource link of the course, and its `lineItem`
a gradebook column bound to that link.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache

from dev_lms import course, gradebook, store
from dev_lms.errors import ServiceError
from dev_lms.platform import DEPLOYMENT_ID, LTI_CLAIM, Endpoints
from dev_lms.roster import Person, ResourceLink
from dev_lms.tool_jwt import ToolJwtError, verify_tool_jwt

DL_CLAIM = "https://purl.imsglobal.org/spec/lti-dl/claim/"
REQUEST_TTL_SECONDS = 3600  # a teacher may take a while to fill in the tool's form
_DATA_KEY = "dev-lms:deep-linking-data:"
_NONCE_KEY = "dev-lms:deep-linking-nonce:"


class DeepLinkError(Exception):
    """The deep linking response is refused; the message says why."""


@dataclass(frozen=True)
class DeepLinkResult:
    added: tuple[ResourceLink, ...]
    message: str  # the tool's `msg` or `errormsg`, for the teacher


def data_issue(*, person: Person) -> str:
    """A random `data` for one deep linking request; the response must echo it."""
    data = secrets.token_urlsafe(24)
    cache.set(_DATA_KEY + data, person.key, REQUEST_TTL_SECONDS)
    return data


def deep_linking_response_accept(*, token: str, endpoints: Endpoints) -> DeepLinkResult:
    """Verify the response JWT and add its resource links (and their columns) to the course."""
    try:
        claims = verify_tool_jwt(token, jwks_url=endpoints.tool_jwks_url, audience=endpoints.issuer)
    except ToolJwtError as exc:
        raise DeepLinkError(str(exc)) from exc
    _check_message(claims)
    items = [_item_fields(item) for item in _content_items(claims)]
    _use_once(claims)
    added = _store_items(items)
    message = claims.get(DL_CLAIM + "errormsg") or claims.get(DL_CLAIM + "msg") or ""
    return DeepLinkResult(added=added, message=str(message))


def _check_message(claims: Mapping[str, Any]) -> None:
    expected = {
        LTI_CLAIM + "deployment_id": DEPLOYMENT_ID,
        LTI_CLAIM + "message_type": "LtiDeepLinkingResponse",
        LTI_CLAIM + "version": "1.3.0",
    }
    for name, value in expected.items():
        if claims.get(name) != value:
            raise DeepLinkError(f"The claim {name} must be {value!r}.")
    nonce = claims.get("nonce")
    if not isinstance(nonce, str) or not nonce:
        raise DeepLinkError("The nonce claim is missing.")
    data = claims.get(DL_CLAIM + "data")
    if not isinstance(data, str) or cache.get(_DATA_KEY + data) is None:
        raise DeepLinkError(
            f"The claim {DL_CLAIM}data must echo the data of a deep linking request "
            "this LMS sent in the last hour (it is single use)."
        )


def _use_once(claims: Mapping[str, Any]) -> None:
    # After every other check, so a refused response does not burn its nonce and data.
    if not cache.add(_NONCE_KEY + claims["nonce"], True, REQUEST_TTL_SECONDS):
        raise DeepLinkError("This nonce was already used: the response is a replay.")
    cache.delete(_DATA_KEY + claims[DL_CLAIM + "data"])


def _content_items(claims: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    items = claims.get(DL_CLAIM + "content_items", [])
    if not isinstance(items, list) or not all(isinstance(item, Mapping) for item in items):
        raise DeepLinkError("content_items must be a list of objects.")
    if len(items) > 1:
        raise DeepLinkError("accept_multiple is false: return at most one content item.")
    for item in items:
        if item.get("type") != "ltiResourceLink":
            raise DeepLinkError(f"accept_types is ltiResourceLink only, not {item.get('type')!r}.")
    return items


@dataclass(frozen=True)
class _Item:
    title: str
    text: str
    url: str
    custom: dict[str, str]
    lineitem: dict[str, Any] | None  # checked column fields, without the resource link


def _item_fields(item: Mapping[str, Any]) -> _Item:
    title, text, url = (item.get(name, "") for name in ("title", "text", "url"))
    if not all(isinstance(value, str) for value in (title, text, url)):
        raise DeepLinkError("title, text and url of a content item must be strings.")
    if url and not url.startswith(("https://", "http://")):
        raise DeepLinkError("url must be an http(s) URL.")
    custom = item.get("custom", {})
    if not isinstance(custom, Mapping) or not all(
        isinstance(key, str) and isinstance(value, str) for key, value in custom.items()
    ):
        raise DeepLinkError("custom must be an object whose values are strings.")
    title = title or "Untitled video assignment"
    return _Item(title, text, url, dict(custom), _lineitem_fields(item.get("lineItem"), title))


def _lineitem_fields(data: Any, title: str) -> dict[str, Any] | None:
    if data is None:
        return None
    if not isinstance(data, Mapping):
        raise DeepLinkError("lineItem must be an object.")
    try:
        return gradebook.lineitem_fields({"label": title, **data, "resourceLinkId": None})
    except ServiceError as exc:
        raise DeepLinkError(f"lineItem: {exc.message}") from exc


def _store_items(items: list[_Item]) -> tuple[ResourceLink, ...]:
    added = []
    with store.changing_state() as state:
        for item in items:
            link = course.resource_link_add(
                state=state, title=item.title, text=item.text, url=item.url, custom=item.custom
            )
            if item.lineitem is not None:
                fields = {**item.lineitem, "resourceLinkId": link.id}
                gradebook.lineitem_add(state=state, fields=fields)
            added.append(link)
    return tuple(added)
