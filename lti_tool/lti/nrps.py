"""LTI Names and Role Provisioning Services 2.0: who is in a course, as the platform says.

The launch carries the service's URL in the namesroleservice claim; the tool reads the
membership container page by page (`Link: rel="next"`). A platform offering version 2.0
also answers for one resource link (`?rlid=`): the people who can see that link.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from lti_tool.lti.advantage import SCOPE_NRPS, PlatformServices, with_query
from storage_backends.errors import ProviderError

CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
MEDIA_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
# A runaway `next` chain (a platform bug) must not keep a web worker busy forever.
MAX_PAGES = 200
_URL_MAX_LENGTH = 500  # Course.memberships_url
_LIS = "http://purl.imsglobal.org/vocab/lis/v2/"
_LEARNER_ROLES = {"Learner", _LIS + "membership#Learner"}


@dataclass(frozen=True)
class Member:
    user_id: str  # the `sub` the same platform sends in launches
    name: str
    email: str
    status: str
    roles: tuple[str, ...]

    @property
    def is_active_learner(self) -> bool:
        """Active, with the course's Learner role (full, short or a Learner sub-role)."""
        learner = any(
            role in _LEARNER_ROLES or role.startswith(_LIS + "membership/Learner#")
            for role in self.roles
        )
        return learner and self.status.lower() == "active"


def nrps_course_fields(body: dict[str, Any]) -> dict[str, Any]:
    """What a launch tells the course about its membership service.

    A launch without the claim changes nothing: some message types (deep linking, submission
    review) may leave it out although the platform offers the service. If the platform has
    really withdrawn it, the next roster request is refused and says so.
    """
    claim = body.get(CLAIM)
    if not isinstance(claim, dict):
        return {}
    url = claim.get("context_memberships_url")
    versions = claim.get("service_versions")
    usable = (
        isinstance(url, str)
        and url.startswith(("https://", "http://"))
        and len(url) <= _URL_MAX_LENGTH
    )
    return {
        "memberships_url": url if usable else "",
        "nrps_versions": [str(v) for v in versions] if isinstance(versions, list) else [],
    }


def memberships_url_for_link(url: str, *, versions: Iterable[str], resource_link_id: str) -> str:
    """The membership URL, narrowed to one resource link when the platform offers that."""
    if "2.0" not in versions or not resource_link_id:
        return url
    return with_query(url, rlid=resource_link_id)


def nrps_members(*, services: PlatformServices, url: str) -> list[Member]:
    """Every member on every page, each once. Raises ProviderError."""
    members: dict[str, Member] = {}
    pages = services.pages(url, scopes=[SCOPE_NRPS], accept=MEDIA_TYPE)
    for number, page in enumerate(pages, start=1):
        if number > MAX_PAGES:
            raise ProviderError(f"more than {MAX_PAGES} membership pages", permanent=True)
        for member in _page_members(page):
            members.setdefault(member.user_id, member)
    return list(members.values())


def _page_members(page: Any) -> list[Member]:
    entries = page.get("members") if isinstance(page, dict) else None
    if not isinstance(entries, list):
        raise ProviderError("membership page has no members list", permanent=True)
    return [_member(entry) for entry in entries if isinstance(entry, dict) and entry.get("user_id")]


def _member(entry: dict[str, Any]) -> Member:
    name = entry.get("name") or " ".join(
        str(part) for part in (entry.get("given_name"), entry.get("family_name")) if part
    )
    roles = entry.get("roles")
    return Member(
        user_id=str(entry["user_id"]),
        name=str(name or ""),
        email=str(entry.get("email") or ""),
        status=str(entry.get("status") or "Active"),  # absent means Active (NRPS 2.0)
        roles=tuple(str(role) for role in roles) if isinstance(roles, list) else (),
    )
