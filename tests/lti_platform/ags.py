"""Assignment and Grade Services: line items, scores, results; strict about what comes in.

Status codes: 401 bad/missing token or scope, 406 wrong Accept on a GET, 415 wrong
Content-Type on a write, 400 a malformed body, 404 unknown line item, 409 a score older
than the last one for that user, 422 a score for someone not in the course. While
`outage()` is on, every AGS request answers that status instead.
"""

from __future__ import annotations

import re
import threading
import time
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from lti1p3platform.score import ActivityProgress, GradeProgress

from tests.lti_platform import claims as c
from tests.lti_platform.access import authorize, next_link, page_of
from tests.lti_platform.server import Request, Response, json_response

if TYPE_CHECKING:
    from tests.lti_platform.lms import LmsPlatform

CONTAINER = "application/vnd.ims.lis.v2.lineitemcontainer+json"
LINEITEM = "application/vnd.ims.lis.v2.lineitem+json"
SCORE = "application/vnd.ims.lis.v1.score+json"
RESULTS = "application/vnd.ims.lis.v2.resultcontainer+json"
ACTIVITY = {p.value for p in ActivityProgress}
GRADING = {p.value for p in GradeProgress}
READ = [c.SCOPE_LINEITEM, c.SCOPE_LINEITEM_READONLY]


class AgsState:
    """The gradebook. Line items are keyed by their id (their URL)."""

    def __init__(self, lms: LmsPlatform) -> None:
        self._lms = lms
        self.lineitems: dict[str, dict[str, Any]] = {}
        self.scores: list[dict[str, Any]] = []
        self.refused_scores: list[dict[str, Any]] = []
        self.page_size = 10
        self.outage_status: int | None = None
        self.retry_after: int | None = None
        # Seconds a score POST waits after the score is kept, before answering: a sender
        # killed meanwhile never learns that it arrived (the fault tests).
        self.score_answer_delay = 0.0
        self.requests: list[dict[str, Any]] = []  # method, path and query of each AGS call
        self._numbers: dict[int, str] = {}
        self._lock = threading.Lock()

    def add_lineitem(
        self, resource_link_id: str | None, label: str, score_maximum: float, **extra: Any
    ) -> dict[str, Any]:
        """Pre-seed a line item, as a teacher making a gradebook column would."""
        body = {"label": label, "scoreMaximum": score_maximum, **extra}
        if resource_link_id is not None:
            body["resourceLinkId"] = resource_link_id
            self._lms.links.setdefault(resource_link_id, {"id": resource_link_id})
        return self.create(body)

    def create(self, body: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            number = len(self._numbers) + 1
            url = self._lms.lineitem_url(number)
            self._numbers[number] = url
            item = {**body, "id": url}
            self.lineitems[url] = item
            return item

    def by_number(self, number: int) -> dict[str, Any] | None:
        url = self._numbers.get(number)
        return self.lineitems.get(url) if url else None

    def lineitem_for_link(self, resource_link_id: str) -> str | None:
        """The link's line item when it has exactly one (else the claim names none)."""
        found = [
            url
            for url, item in self.lineitems.items()
            if item.get("resourceLinkId") == resource_link_id
        ]
        return found[0] if len(found) == 1 else None

    def results(self, lineitem_url: str) -> list[dict[str, Any]]:
        """Each user's latest score on that line item, as AGS results."""
        latest: dict[str, dict[str, Any]] = {}
        for score in self.scores:
            if score["lineitem"] == lineitem_url:
                latest[score["userId"]] = score
        return [_result(lineitem_url, s) for s in latest.values()]

    def outage(self, status: int = 503, retry_after: int | None = None) -> None:
        self.outage_status, self.retry_after = status, retry_after

    def restore(self) -> None:
        self.outage_status = self.retry_after = None


def _result(lineitem_url: str, score: dict[str, Any]) -> dict[str, Any]:
    base, _, query = lineitem_url.partition("?")
    result = {
        "id": f"{base}/results/{score['userId']}" + (f"?{query}" if query else ""),
        "scoreOf": lineitem_url,
        "userId": score["userId"],
    }
    if "scoreGiven" in score:
        result["resultScore"] = score["scoreGiven"]
        result["resultMaximum"] = score["scoreMaximum"]
    if score.get("comment") is not None:
        result["comment"] = score["comment"]
    return result


def handle(lms: LmsPlatform, request: Request) -> Response | None:
    """Answer if the path is an AGS one; None otherwise."""
    lineitems_path = lms.lineitems_url.removeprefix(lms.url).partition("?")[0]
    item_pattern = re.escape(lms.lineitem_url(999999).removeprefix(lms.url).partition("?")[0])
    match = re.fullmatch(
        item_pattern.replace("999999", r"(\d+)") + r"(/scores|/results)?", request.path
    )
    if request.path != lineitems_path and match is None:
        return None
    lms.ags.requests.append(
        {"method": request.method, "path": request.path, "query": request.query}
    )
    if lms.ags.outage_status:
        retry = {"Retry-After": str(lms.ags.retry_after)} if lms.ags.retry_after else None
        return lms.reject(
            request, lms.ags.outage_status, "AGS outage (lms.ags.outage)", headers=retry
        )
    required = dict(parse_qsl(lms.flavor.lineitems_query))
    if any(request.query.get(k) != v for k, v in required.items()):
        return lms.reject(
            request,
            400,
            f"the AGS URL lost its query {required}: keep the "
            "line item URL's query string and append /scores to its path",
        )
    if match is None:
        return _lineitems(lms, request)
    item = lms.ags.by_number(int(match.group(1)))
    if item is None:
        return lms.reject(request, 404, "no such line item")
    sub = match.group(2)
    if sub == "/scores":
        return _scores(lms, request, item)
    if sub == "/results":
        return _results(lms, request, item)
    return _lineitem(lms, request, item)


def _guard(
    lms: LmsPlatform,
    request: Request,
    scopes: list[str],
    *,
    accept: str | None = None,
    content_type: str | None = None,
) -> Response | None:
    if (refused := authorize(lms, request, scopes)) is not None:
        return refused
    if accept and not request.accepts(accept):
        return lms.reject(request, 406, f"Accept must name {accept}")
    if content_type and request.content_type != content_type:
        return lms.reject(
            request, 415, f"Content-Type must be {content_type}, got {request.content_type!r}"
        )
    return None


def _lineitems(lms: LmsPlatform, request: Request) -> Response:
    if request.method == "POST":
        if refused := _guard(lms, request, [c.SCOPE_LINEITEM], content_type=LINEITEM):
            return refused
        body, problem = _json_object(request)
        problem = problem or _lineitem_problem(lms, body)
        if problem:
            return lms.reject(request, 400, problem)
        return json_response(201, lms.ags.create(body), LINEITEM)
    if request.method != "GET":
        return lms.reject(request, 405, "line items take GET or POST")
    if refused := _guard(lms, request, READ, accept=CONTAINER):
        return refused
    query = request.query
    filters = {"resource_link_id": "resourceLinkId", "resource_id": "resourceId", "tag": "tag"}
    items = [
        i
        for i in lms.ags.lineitems.values()
        if all(i.get(field) == query[name] for name, field in filters.items() if name in query)
    ]
    try:
        chunk, more = page_of(items, query, lms.ags.page_size)
    except ValueError as exc:
        return lms.reject(request, 400, str(exc))
    base = lms.lineitems_url.partition("?")[0]
    return json_response(200, chunk, CONTAINER, next_link(base, query) if more else None)


def _lineitem(lms: LmsPlatform, request: Request, item: dict[str, Any]) -> Response:
    if request.method == "GET":
        if refused := _guard(lms, request, READ, accept=LINEITEM):
            return refused
        return json_response(200, item, LINEITEM)
    if request.method == "DELETE":
        if refused := _guard(lms, request, [c.SCOPE_LINEITEM]):
            return refused
        del lms.ags.lineitems[item["id"]]
        return Response(204)
    if request.method != "PUT":
        return lms.reject(request, 405, "a line item takes GET, PUT or DELETE")
    if refused := _guard(lms, request, [c.SCOPE_LINEITEM], content_type=LINEITEM):
        return refused
    body, problem = _json_object(request)
    problem = problem or _lineitem_problem(lms, body)
    if not problem and body.get("id", item["id"]) != item["id"]:
        problem = "the body's id differs from the line item URL"
    if problem:
        return lms.reject(request, 400, problem)
    url = item["id"]
    item.clear()
    item.update({**body, "id": url})
    return json_response(200, item, LINEITEM)


def _scores(lms: LmsPlatform, request: Request, item: dict[str, Any]) -> Response:
    if request.method != "POST":
        return lms.reject(request, 405, "scores take POST")
    if refused := _guard(lms, request, [c.SCOPE_SCORE], content_type=SCORE):
        return refused
    body, problem = _json_object(request)
    problem = problem or _score_problem(body)
    if problem:
        lms.ags.refused_scores.append({**(body or {}), "lineitem": item["id"], "why": problem})
        return lms.reject(request, 400, problem)
    if body["userId"] not in {p.sub for p in lms.people.values()}:
        return lms.reject(request, 422, f"userId {body['userId']!r} is not in the course")
    earlier = [
        s for s in lms.ags.scores if s["lineitem"] == item["id"] and s["userId"] == body["userId"]
    ]
    if earlier and _when(body["timestamp"]) < _when(earlier[-1]["timestamp"]):
        return lms.reject(request, 409, "timestamp is older than the last score for this user")
    lms.ags.scores.append({**body, "lineitem": item["id"]})
    if lms.ags.score_answer_delay:
        time.sleep(lms.ags.score_answer_delay)
    if lms.flavor.score_answer == "result":
        return json_response(200, {"resultUrl": _result(item["id"], body)["id"]})
    return Response(200)


def _results(lms: LmsPlatform, request: Request, item: dict[str, Any]) -> Response:
    if request.method != "GET":
        return lms.reject(request, 405, "results take GET")
    if refused := _guard(lms, request, [c.SCOPE_RESULT_READONLY], accept=RESULTS):
        return refused
    query = request.query
    results = lms.ags.results(item["id"])
    if "user_id" in query:
        results = [r for r in results if r["userId"] == query["user_id"]]
    try:
        chunk, more = page_of(results, query, lms.ags.page_size)
    except ValueError as exc:
        return lms.reject(request, 400, str(exc))
    base = lms.url + request.path
    return json_response(200, chunk, RESULTS, next_link(base, query) if more else None)


def _json_object(request: Request) -> tuple[dict[str, Any], str]:
    try:
        body = request.json()
    except ValueError as exc:
        return {}, f"the body is not JSON: {exc}"
    if not isinstance(body, dict):
        return {}, "the body must be a JSON object"
    return body, ""


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _when(value: Any) -> datetime:
    """An ISO 8601 date-time with a time zone; ValueError otherwise."""
    if not isinstance(value, str):
        raise ValueError("not a string")
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError("no time zone")
    return parsed


def _lineitem_problem(lms: LmsPlatform, body: dict[str, Any]) -> str:
    if not isinstance(body.get("label"), str) or not body["label"].strip():
        return "label is required (a non-empty string)"
    if not _number(body.get("scoreMaximum")) or body["scoreMaximum"] <= 0:
        return "scoreMaximum is required (a number > 0)"
    for name in ("resourceId", "tag", "resourceLinkId"):
        if name in body and not isinstance(body[name], str):
            return f"{name} must be a string"
    if "resourceLinkId" in body and body["resourceLinkId"] not in lms.links:
        return f"resourceLinkId {body['resourceLinkId']!r} is not a link in this course"
    for name in ("startDateTime", "endDateTime"):
        if name in body:
            try:
                _when(body[name])
            except ValueError:
                return f"{name} must be ISO 8601 with a time zone"
    if "gradesReleased" in body and not isinstance(body["gradesReleased"], bool):
        return "gradesReleased must be a boolean"
    return ""


def _score_problem(body: dict[str, Any]) -> str:
    if not isinstance(body.get("userId"), str) or not body["userId"]:
        return "userId is required (the user's sub, a string)"
    if body.get("activityProgress") not in ACTIVITY:
        return f"activityProgress must be one of {sorted(ACTIVITY)}"
    if body.get("gradingProgress") not in GRADING:
        return f"gradingProgress must be one of {sorted(GRADING)}"
    try:
        _when(body.get("timestamp"))
    except ValueError:
        return "timestamp is required: ISO 8601 with a time zone"
    given, maximum = body.get("scoreGiven"), body.get("scoreMaximum")
    if given is not None and (not _number(given) or given < 0):
        return "scoreGiven must be a number >= 0"
    if maximum is not None and (not _number(maximum) or maximum <= 0):
        return "scoreMaximum must be a number > 0"
    if given is not None and maximum is None:
        return "scoreMaximum is required with scoreGiven"
    if given is not None and given > maximum:
        return "scoreGiven must not exceed scoreMaximum"
    if "comment" in body and body["comment"] is not None and not isinstance(body["comment"], str):
        return "comment must be a string"
    return ""
