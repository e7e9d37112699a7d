"""The course's resource links: the built-in assignment and those added by deep linking."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dev_lms import store
from dev_lms.roster import ASSIGNMENT, ResourceLink


def _link(data: Mapping[str, Any]) -> ResourceLink:
    return ResourceLink(
        id=data["id"],
        title=data["title"],
        text=data.get("text", ""),
        url=data.get("url", ""),
        custom=dict(data.get("custom", {})),
    )


def resource_links() -> list[ResourceLink]:
    """Every resource link of the course, the built-in assignment first."""
    return [ASSIGNMENT, *(_link(data) for data in store.read_state()["links"])]


def resource_link_by_id(link_id: str) -> ResourceLink | None:
    return next((link for link in resource_links() if link.id == link_id), None)


def resource_link_add(
    *, state: store.State, title: str, text: str, url: str, custom: Mapping[str, str]
) -> ResourceLink:
    """Add a deep-linked resource link to `state` (inside `store.changing_state()`)."""
    data = {
        "id": f"dev-link-{store.new_id(state)}",
        "title": title,
        "text": text,
        "url": url,
        "custom": dict(custom),
    }
    state["links"].append(data)
    return _link(data)
