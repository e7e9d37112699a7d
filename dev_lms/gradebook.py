"""The gradebook behind the Assignment and Grade Services (AGS 2.0): columns and scores.

Line items (columns) and the latest score per (line item, user) live in the JSON state
(see `store`). Incoming JSON is checked as the AGS spec describes it, and a refusal says
which field is wrong, because the reader is a tool developer looking at a failed call.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from dev_lms import course, store
from dev_lms.errors import ServiceError
from dev_lms.roster import LEARNERS, Person, member_by_sub

ACTIVITY_PROGRESS = ("Initialized", "Started", "InProgress", "Submitted", "Completed")
GRADING_PROGRESS = ("FullyGraded", "Pending", "PendingManual", "Failed", "NotReady")
_OPTIONAL_TEXT = ("resourceId", "tag")
_OPTIONAL_DATES = ("startDateTime", "endDateTime")


# --- Field checks --------------------------------------------------------------------------


def _object(data: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise ServiceError(f"The {what} must be a JSON object.")
    return data


def _text(data: Mapping[str, Any], name: str, *, required: bool = False) -> str | None:
    value = data.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value.strip()):
        raise ServiceError(
            f"{name} must be a non-empty string." if required else f"{name} must be a string."
        )
    return value


def _number(data: Mapping[str, Any], name: str, *, positive: bool) -> float | None:
    value: object = data.get(name)
    if value is None:
        return None
    # bool is an int in Python, but `true` is not a score.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ServiceError(f"{name} must be a number.")
    if value < 0 or (positive and value == 0):
        raise ServiceError(f"{name} must be {'greater than 0' if positive else 'at least 0'}.")
    return value


def _timestamp(data: Mapping[str, Any], name: str, *, required: bool = False) -> datetime | None:
    value = data.get(name)
    if value is None and not required:
        return None
    try:
        parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise ServiceError(f"{name} must be an ISO 8601 date-time with a time zone offset.")
    return parsed


def _choice(data: Mapping[str, Any], name: str, choices: tuple[str, ...]) -> str:
    value = data.get(name)
    if value not in choices:
        raise ServiceError(f"{name} must be one of {', '.join(choices)}.")
    return str(value)


# --- Line items ----------------------------------------------------------------------------


def _submission_review(data: Mapping[str, Any]) -> dict[str, Any] | None:
    review = data.get("submissionReview")
    if review is None:
        return None
    review = _object(review, "submissionReview")
    statuses = review.get("reviewableStatus", [])
    if not isinstance(statuses, list) or any(s not in ACTIVITY_PROGRESS for s in statuses):
        raise ServiceError("submissionReview.reviewableStatus must list activityProgress values.")
    custom = review.get("custom", {})
    if not isinstance(custom, Mapping) or not all(isinstance(v, str) for v in custom.values()):
        raise ServiceError("submissionReview.custom must be an object of strings.")
    checked = {"reviewableStatus": statuses, "custom": dict(custom)}
    for name in ("label", "url"):
        if _text(review, name) is not None:
            checked[name] = review[name]
    return checked


def lineitem_fields(data: Any) -> dict[str, Any]:
    """The checked fields of a line item the tool sends (POST or PUT), without its id."""
    data = _object(data, "line item")
    fields: dict[str, Any] = {
        "label": _text(data, "label", required=True),
        "scoreMaximum": _number(data, "scoreMaximum", positive=True),
    }
    if fields["scoreMaximum"] is None:
        raise ServiceError("scoreMaximum is required.")
    link_id = _text(data, "resourceLinkId")
    if link_id is not None:
        if course.resource_link_by_id(link_id) is None:
            raise ServiceError(f"resourceLinkId {link_id!r} is not a resource link of this course.")
        fields["resourceLinkId"] = link_id
    for name in _OPTIONAL_TEXT:
        if _text(data, name) is not None:
            fields[name] = data[name]
    for name in _OPTIONAL_DATES:
        if _timestamp(data, name) is not None:
            fields[name] = data[name]
    if "gradesReleased" in data:
        if not isinstance(data["gradesReleased"], bool):
            raise ServiceError("gradesReleased must be true or false.")
        fields["gradesReleased"] = data["gradesReleased"]
    review = _submission_review(data)
    if review is not None:
        fields["submissionReview"] = review
    return fields


def lineitems_list(
    *, resource_link_id: str | None = None, resource_id: str | None = None, tag: str | None = None
) -> list[dict[str, Any]]:
    wanted = {"resourceLinkId": resource_link_id, "resourceId": resource_id, "tag": tag}
    return [
        item
        for item in store.read_state()["lineitems"]
        if all(value is None or item.get(name) == value for name, value in wanted.items())
    ]


def lineitem_get(lineitem_id: str) -> dict[str, Any]:
    return _find(store.read_state(), lineitem_id)


def _find(state: store.State, lineitem_id: str) -> dict[str, Any]:
    lineitems: list[dict[str, Any]] = state["lineitems"]
    for item in lineitems:
        if item["id"] == lineitem_id:
            return item
    raise ServiceError(f"There is no line item {lineitem_id!r} in this course.", status=404)


def lineitem_add(*, state: store.State, fields: Mapping[str, Any]) -> dict[str, Any]:
    """Add a checked line item to `state` (inside `store.changing_state()`)."""
    item = {**fields, "id": store.new_id(state)}
    state["lineitems"].append(item)
    return item


def lineitem_create(*, data: Any) -> dict[str, Any]:
    fields = lineitem_fields(data)
    with store.changing_state() as state:
        return lineitem_add(state=state, fields=fields)


def lineitem_update(*, lineitem_id: str, data: Any) -> dict[str, Any]:
    """Replace a line item's fields (AGS PUT); the resource link it is bound to stays."""
    fields = lineitem_fields(data)
    with store.changing_state() as state:
        item = _find(state, lineitem_id)
        bound = item.get("resourceLinkId")
        if "resourceLinkId" in fields and fields["resourceLinkId"] != bound:
            raise ServiceError("A line item's resourceLinkId cannot be changed.")
        item.clear()
        item.update(fields, id=lineitem_id)
        if bound is not None:
            item["resourceLinkId"] = bound
        return dict(item)


def lineitem_delete(*, lineitem_id: str) -> None:
    with store.changing_state() as state:
        state["lineitems"].remove(_find(state, lineitem_id))
        state["scores"].pop(lineitem_id, None)


# --- Scores and results --------------------------------------------------------------------


def score_fields(data: Any) -> dict[str, Any]:
    """The checked fields of a score (AGS Score publish service)."""
    data = _object(data, "score")
    user_id = _text(data, "userId", required=True)
    if member_by_sub(str(user_id)) is None:
        raise ServiceError(f"userId {user_id!r} is not a member of this course.")
    _timestamp(data, "timestamp", required=True)
    score: dict[str, Any] = {
        "userId": user_id,
        "timestamp": data["timestamp"],
        "activityProgress": _choice(data, "activityProgress", ACTIVITY_PROGRESS),
        "gradingProgress": _choice(data, "gradingProgress", GRADING_PROGRESS),
    }
    given = _number(data, "scoreGiven", positive=False)
    if given is not None:
        maximum = _number(data, "scoreMaximum", positive=True)
        if maximum is None:
            raise ServiceError("scoreMaximum is required when scoreGiven is present.")
        score.update(scoreGiven=given, scoreMaximum=maximum)
    if _text(data, "comment") is not None:
        score["comment"] = data["comment"]
    return score


def score_record(*, lineitem_id: str, data: Any) -> None:
    """Keep the latest score per user; an older one than on record is refused (409)."""
    score = score_fields(data)
    with store.changing_state() as state:
        _find(state, lineitem_id)
        scores = state["scores"].setdefault(lineitem_id, {})
        previous = scores.get(score["userId"])
        if previous is not None and _recorded_at(previous) > _recorded_at(score):
            raise ServiceError(
                f"A score with a later timestamp ({previous['timestamp']}) is already recorded.",
                status=409,
            )
        scores[score["userId"]] = score


def _recorded_at(score: Mapping[str, Any]) -> datetime:
    # Only checked scores are stored, so their timestamp parses.
    return datetime.fromisoformat(score["timestamp"])


def results_list(*, lineitem_id: str, user_id: str | None = None) -> list[dict[str, Any]]:
    """The recorded scores of a line item, optionally only one user's."""
    state = store.read_state()
    _find(state, lineitem_id)
    scores = state["scores"].get(lineitem_id, {})
    return [score for uid, score in sorted(scores.items()) if user_id in (None, uid)]


# --- The gradebook page --------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    lineitem: Mapping[str, Any]
    link_title: str  # of the resource link it is bound to, or ""


@dataclass(frozen=True)
class Cell:
    column: Column
    score: Mapping[str, Any] | None  # the latest score as the tool sent it


@dataclass(frozen=True)
class Row:
    student: Person
    cells: tuple[Cell, ...]  # one per column


def gradebook_table() -> tuple[list[Column], list[Row]]:
    """Columns, and a row per learner (those who never launched too) with a cell per column."""
    state = store.read_state()
    titles = {link.id: link.title for link in course.resource_links()}
    columns = [
        Column(lineitem=item, link_title=titles.get(item.get("resourceLinkId", ""), ""))
        for item in state["lineitems"]
    ]
    rows = [
        Row(
            student=student,
            cells=tuple(
                Cell(column=c, score=state["scores"].get(c.lineitem["id"], {}).get(student.sub))
                for c in columns
            ),
        )
        for student in LEARNERS
    ]
    return columns, rows
