"""The course roster as a Names and Role Provisioning Services 2.0 membership container."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dev_lms import course
from dev_lms.errors import ServiceError
from dev_lms.paging import Page, paginate
from dev_lms.roster import COURSE, LIS_MEMBERSHIP, MEMBERS, Person

MEMBERSHIP_CONTAINER = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"


def _member(person: Person) -> dict[str, Any]:
    return {
        "status": "Active",
        "user_id": person.sub,
        "name": person.name,
        "given_name": person.given_name,
        "family_name": person.family_name,
        "email": person.email,
        "roles": [person.role_uri],
    }


def _members(params: Mapping[str, str]) -> list[Person]:
    members = list(MEMBERS)
    rlid = params.get("rlid")
    # Every member of this course may open every link, so the filter only checks the link;
    # a link of another course (or none) has no members here.
    if rlid is not None and course.resource_link_by_id(rlid) is None:
        raise ServiceError(f"rlid {rlid!r} is not a resource link of this course.", status=404)
    role = params.get("role")
    if role is not None:
        # The spec's role filter is a full URI; the short LIS name is accepted as well.
        role_uri = role if ":" in role else LIS_MEMBERSHIP + role
        members = [person for person in members if person.role_uri == role_uri]
    return members


def membership_container(
    *, context_id: str, params: Mapping[str, str], url: str
) -> tuple[dict[str, Any], Page[Person]]:
    """The container for one page of members, and the page (for its Link header)."""
    if context_id != COURSE.id:
        raise ServiceError(f"There is no course {context_id!r} here.", status=404)
    page = paginate(_members(params), params=params, url=url)
    body = {
        "id": url,
        "context": {"id": COURSE.id, "label": COURSE.label, "title": COURSE.title},
        "members": [_member(person) for person in page.items],
    }
    return body, page
