"""The id_token claims of the three launches: resource link, deep linking, submission review.

Every launch carries the LTI Advantage service claims (AGS endpoint, NRPS), so a tool can
grade and read the roster from any launch, as in a real LMS with the services switched on.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from dev_lms import gradebook, oauth
from dev_lms.platform import (
    CLIENT_ID,
    DEPLOYMENT_ID,
    ID_TOKEN_TTL,
    LTI_CLAIM,
    PLATFORM_NAME,
    PRODUCT_FAMILY_CODE,
    AuthRequest,
    DeepLinkingMessage,
    Endpoints,
    ResourceLinkMessage,
    SubmissionReviewMessage,
)
from dev_lms.roster import COURSE, COURSE_OFFERING, Person, ResourceLink

AGS_ENDPOINT_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
DEEP_LINKING_SETTINGS_CLAIM = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"


def id_token_claims(
    *,
    endpoints: Endpoints,
    auth: AuthRequest,
    deep_linking_data: str = "",
    now: datetime | None = None,
) -> dict[str, Any]:
    """The claims of a launch by one person of the sample course.

    `deep_linking_data` is the opaque `data` of a deep linking request; the caller issues it
    (see `deep_linking.data_issue`) so the response can be matched to this request.
    """
    claims = _common_claims(endpoints=endpoints, auth=auth, now=now or datetime.now(tz=UTC))
    message = auth.message
    if isinstance(message, DeepLinkingMessage):
        claims.update(_deep_linking_claims(endpoints, deep_linking_data))
    elif isinstance(message, ResourceLinkMessage):
        claims.update(_resource_link_claims(endpoints, message.resource_link, auth.person))
    elif isinstance(message, SubmissionReviewMessage):
        claims.update(_submission_review_claims(endpoints, message, auth.person))
    return claims


def _common_claims(*, endpoints: Endpoints, auth: AuthRequest, now: datetime) -> dict[str, Any]:
    person, issuer = auth.person, endpoints.issuer
    return {
        "iss": issuer,
        "aud": CLIENT_ID,
        "sub": person.sub,
        "iat": int(now.timestamp()),
        "exp": int((now + ID_TOKEN_TTL).timestamp()),
        "nonce": auth.nonce,
        **_person_claims(person),
        LTI_CLAIM + "version": "1.3.0",
        LTI_CLAIM + "deployment_id": DEPLOYMENT_ID,
        LTI_CLAIM + "context": {
            "id": COURSE.id,
            "label": COURSE.label,
            "title": COURSE.title,
            "type": [COURSE_OFFERING],
        },
        LTI_CLAIM + "roles": [person.role_uri],
        LTI_CLAIM + "tool_platform": {
            # A stable guid per issuer, so each host's registration is its own platform.
            "guid": str(uuid.uuid5(uuid.NAMESPACE_URL, issuer)),
            "name": PLATFORM_NAME,
            "product_family_code": PRODUCT_FAMILY_CODE,
        },
        LTI_CLAIM + "launch_presentation": {
            "document_target": "iframe",
            "return_url": issuer + "/",
        },
        AGS_ENDPOINT_CLAIM: {"scope": list(oauth.AGS_SCOPES), "lineitems": endpoints.lineitems_url},
        NRPS_CLAIM: {
            "context_memberships_url": endpoints.memberships_url,
            "service_versions": ["2.0"],
        },
    }


def _person_claims(person: Person) -> dict[str, str]:
    return {
        "name": person.name,
        "given_name": person.given_name,
        "family_name": person.family_name,
        "email": person.email,
    }


def _resource_link_claims(
    endpoints: Endpoints, link: ResourceLink, person: Person
) -> dict[str, Any]:
    ags = {"scope": list(oauth.AGS_SCOPES), "lineitems": endpoints.lineitems_url}
    # AGS: `lineitem` is there when exactly one column belongs to the link.
    columns = gradebook.lineitems_list(resource_link_id=link.id)
    if len(columns) == 1:
        ags["lineitem"] = endpoints.lineitem_url(columns[0]["id"])
    return {
        LTI_CLAIM + "message_type": "LtiResourceLinkRequest",
        LTI_CLAIM + "target_link_uri": link.url or endpoints.tool_launch_url,
        LTI_CLAIM + "resource_link": _resource_link_claim(link),
        LTI_CLAIM + "custom": substitute(link.custom, person=person, link=link),
        AGS_ENDPOINT_CLAIM: ags,
    }


def _resource_link_claim(link: ResourceLink) -> dict[str, str]:
    claim = {"id": link.id, "title": link.title}
    if link.text:
        claim["description"] = link.text
    return claim


def _deep_linking_claims(endpoints: Endpoints, data: str) -> dict[str, Any]:
    return {
        LTI_CLAIM + "message_type": "LtiDeepLinkingRequest",
        LTI_CLAIM + "target_link_uri": endpoints.tool_launch_url,
        DEEP_LINKING_SETTINGS_CLAIM: {
            "deep_link_return_url": endpoints.deep_link_return_url,
            "accept_types": ["ltiResourceLink"],
            "accept_presentation_document_targets": ["iframe", "window"],
            "accept_multiple": False,
            "accept_lineitem": True,
            "auto_create": True,
            "title": "Add a video assignment",
            "data": data,
        },
    }


def _submission_review_claims(
    endpoints: Endpoints, message: SubmissionReviewMessage, person: Person
) -> dict[str, Any]:
    link, lineitem, student = message.resource_link, message.lineitem, message.for_user
    review = lineitem.get("submissionReview", {})
    custom = {**link.custom, **review.get("custom", {})}
    return {
        LTI_CLAIM + "message_type": "LtiSubmissionReviewRequest",
        LTI_CLAIM + "target_link_uri": review.get("url") or link.url or endpoints.tool_launch_url,
        LTI_CLAIM + "resource_link": _resource_link_claim(link),
        LTI_CLAIM + "custom": substitute(custom, person=person, link=link),
        LTI_CLAIM + "for_user": {
            "user_id": student.sub,
            **_person_claims(student),
            "roles": [student.role_uri],
        },
        AGS_ENDPOINT_CLAIM: {
            "scope": list(oauth.AGS_SCOPES),
            "lineitems": endpoints.lineitems_url,
            "lineitem": endpoints.lineitem_url(lineitem["id"]),
        },
    }


def substitute(custom: Mapping[str, str], *, person: Person, link: ResourceLink) -> dict[str, str]:
    """Replace the LTI substitution variables this LMS knows; others pass unchanged (spec)."""
    known = {
        "$User.id": person.sub,
        "$Person.name.full": person.name,
        "$Person.name.given": person.given_name,
        "$Person.name.family": person.family_name,
        "$Person.email.primary": person.email,
        "$Context.id": COURSE.id,
        "$Context.title": COURSE.title,
        "$CourseSection.label": COURSE.label,
        "$ResourceLink.id": link.id,
        "$ResourceLink.title": link.title,
    }
    return {name: known.get(value, value) for name, value in custom.items()}
