"""LTI Assignment and Grade Services 2.0: the launch claim, line items and scores.

Only the protocol is here (URLs, media types, bodies); when to call it and what to
remember is in `lti_tool.services.lineitems` and `lti_tool.services.score_sends`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from lti_tool.lti.advantage import PlatformServices, with_query
from storage_backends.errors import ProviderError

CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
LINEITEM_MEDIA = "application/vnd.ims.lis.v2.lineitem+json"
LINEITEMS_MEDIA = "application/vnd.ims.lis.v2.lineitemcontainer+json"
SCORE_MEDIA = "application/vnd.ims.lis.v1.score+json"
TAG = "video-assignment"
MAX_PAGES = 50  # a line item container longer than this is a platform bug
_URL_MAX_LENGTH = 500  # VideoAssignment.lineitems_url / lineitem_url


@dataclass(frozen=True)
class AgsEndpoint:
    lineitems: str
    lineitem: str
    scopes: tuple[str, ...]


def ags_endpoint(body: dict[str, Any]) -> AgsEndpoint | None:
    """The AGS claim of a launch, with unusable URLs dropped; None when there is none."""
    claim = body.get(CLAIM)
    if not isinstance(claim, dict):
        return None
    scopes = claim.get("scope")
    endpoint = AgsEndpoint(
        lineitems=_url(claim.get("lineitems")),
        lineitem=_url(claim.get("lineitem")),
        scopes=tuple(sorted({s for s in scopes if isinstance(s, str)}))
        if isinstance(scopes, list)
        else (),
    )
    return endpoint if endpoint.lineitems or endpoint.lineitem else None


def _url(value: Any) -> str:
    usable = isinstance(value, str) and value.startswith(("https://", "http://"))
    return value if usable and len(value) <= _URL_MAX_LENGTH else ""


@dataclass(frozen=True)
class LineItemSpec:
    label: str
    score_maximum: float
    resource_link_id: str
    resource_id: str
    end_date_time: str | None = None

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "scoreMaximum": self.score_maximum,
            "label": self.label,
            "resourceId": self.resource_id,
            "tag": TAG,
        }
        if self.resource_link_id:
            body["resourceLinkId"] = self.resource_link_id
        if self.end_date_time:
            body["endDateTime"] = self.end_date_time
        return body


def find_line_item(
    services: PlatformServices, lineitems_url: str, spec: LineItemSpec, *, scopes: Sequence[str]
) -> str | None:
    """The id (URL) of the line item of this resource link, or of our resource id."""
    url = with_query(lineitems_url, resource_link_id=spec.resource_link_id)
    for page_number, page in enumerate(services.pages(url, scopes=scopes, accept=LINEITEMS_MEDIA)):
        if page_number >= MAX_PAGES:
            break
        for item in page if isinstance(page, list) else []:
            if isinstance(item, dict) and _is_ours(item, spec) and _url(item.get("id")):
                return str(item["id"])
    return None


def _is_ours(item: dict[str, Any], spec: LineItemSpec) -> bool:
    if spec.resource_link_id and item.get("resourceLinkId") == spec.resource_link_id:
        return True
    return item.get("resourceId") == spec.resource_id and item.get("tag") == TAG


def create_line_item(
    services: PlatformServices, lineitems_url: str, spec: LineItemSpec, *, scopes: Sequence[str]
) -> str:
    response = services.request(
        "POST",
        lineitems_url,
        scopes=scopes,
        json_body=spec.body(),
        content_type=LINEITEM_MEDIA,
        accept=LINEITEM_MEDIA,
    )
    item_id = response.body.get("id") if isinstance(response.body, dict) else None
    if not _url(item_id):
        raise ProviderError("The LMS created a gradebook column without an id", permanent=True)
    return str(item_id)


def update_line_item(
    services: PlatformServices,
    lineitem_url: str,
    changes: dict[str, Any],
    *,
    scopes: Sequence[str],
) -> None:
    """Read, change, write back: a PUT replaces the whole line item."""
    current = services.request("GET", lineitem_url, scopes=scopes, accept=LINEITEM_MEDIA).body
    if not isinstance(current, dict):
        raise ProviderError("The LMS sent an unreadable gradebook column", permanent=True)
    services.request(
        "PUT",
        lineitem_url,
        scopes=scopes,
        json_body={**current, **changes},
        content_type=LINEITEM_MEDIA,
        accept=LINEITEM_MEDIA,
    )


def post_score(
    services: PlatformServices,
    lineitem_url: str,
    score: dict[str, Any],
    *,
    scopes: Sequence[str],
) -> None:
    services.request(
        "POST",
        scores_url(lineitem_url),
        scopes=scopes,
        json_body=score,
        content_type=SCORE_MEDIA,
    )


def scores_url(lineitem_url: str) -> str:
    """`<lineitem>/scores`, keeping the query (Moodle's line items carry `?type_id=`)."""
    parts = urlsplit(lineitem_url)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/scores"))
