"""Assignments: made by deep linking, found by launches, edited by teachers.

A link placed by deep linking launches with our custom parameter `assignment` = the
assignment's `deep_link_key`; its first launch binds the platform's resource link id.
A link placed by hand (or copied with its course) gets an assignment on its first launch.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext as _

from lti_tool import jobs
from lti_tool.errors import AppError, NotFound, PermissionDenied
from lti_tool.launch_tokens import LaunchClaims
from lti_tool.lti import ags
from lti_tool.lti.advantage import SCOPE_LINEITEM, SCOPE_LINEITEM_READONLY
from lti_tool.models import Course, VideoAssignment
from lti_tool.models.courses import all_video_sources
from lti_tool.services.grades import grades_rescale

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
CUSTOM_KEY = "assignment"
_ENSURE_EVERY = 300  # seconds between line item lookups a launch may start
# What a copied link takes over from the assignment it was copied from.
_SETTINGS = (
    "title",
    "instructions",
    "max_size_bytes",
    "max_duration_seconds",
    "allow_resubmission",
    "allowed_sources",
    "due_at",
    "max_points",
    "hold_grades",
    "rubric",
)


@dataclass(frozen=True)
class AssignmentSettings:
    """What an instructor sets in the deep linking form (and may change later)."""

    title: str
    instructions: str
    max_points: Decimal
    due_at: datetime | None
    max_size_bytes: int | None
    max_duration_seconds: int | None
    allow_resubmission: bool
    hold_grades: bool = False
    rubric: list[dict[str, Any]] = field(default_factory=list)
    allowed_sources: list[str] = field(default_factory=all_video_sources)

    def as_fields(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


def assignment_for_link(
    *, course: Course, body: dict[str, Any], recorded: VideoAssignment | None = None
) -> VideoAssignment:
    """The assignment a resource link launch opens (call inside the launch's transaction);
    `recorded`: the link's assignment in `course`, already read."""
    link = body.get(CLAIM + "resource_link")
    if not isinstance(link, dict) or not link.get("id"):
        return _assignment_for_line_item(course, body)  # a submission review may omit it
    assignment = (
        recorded
        or VideoAssignment.objects.filter(course=course, resource_link_id=link["id"]).first()
    )
    if assignment is None:
        keyed = _keyed_assignment(course, body)
        if keyed is not None and keyed.course_id == course.pk and not keyed.resource_link_id:
            keyed.resource_link_id = link["id"]  # the first launch of a deep-linked link
            keyed.save(update_fields=["resource_link_id"])
            assignment = keyed
        else:
            # Placed by hand, or copied (with its course or within it) from a keyed one.
            defaults = (
                {name: getattr(keyed, name) for name in _SETTINGS}
                if keyed
                else {
                    "title": link.get("title") or "Video assignment",
                    "instructions": link.get("description", ""),
                }
            )
            assignment, _created = VideoAssignment.objects.get_or_create(
                course=course, resource_link_id=link["id"], defaults=defaults
            )
    _remember_ags(assignment, body)
    return assignment


def _assignment_for_line_item(course: Course, body: dict[str, Any]) -> VideoAssignment:
    endpoint = ags.ags_endpoint(body)
    assignment = (
        VideoAssignment.objects.filter(course=course, lineitem_url=endpoint.lineitem).first()
        if endpoint and endpoint.lineitem
        else None
    )
    if assignment is None:
        raise AppError("no_resource_link", _("This launch does not say which assignment to open."))
    return assignment


def _keyed_assignment(course: Course, body: dict[str, Any]) -> VideoAssignment | None:
    custom = body.get(CLAIM + "custom")
    value = custom.get(CUSTOM_KEY) if isinstance(custom, dict) else None
    try:
        key = uuid.UUID(str(value)) if value else None
    except ValueError:
        return None  # e.g. an unsubstituted "$Canvas..." variable
    if key is None:
        return None
    return (
        VideoAssignment.objects.select_for_update()
        .filter(deep_link_key=key, course__tenant_id=course.tenant_id)
        .first()
    )


def _remember_ags(assignment: VideoAssignment, body: dict[str, Any]) -> None:
    """Where the link's gradebook column lives; find or create it off the request path."""
    endpoint = ags.ags_endpoint(body)
    if endpoint is None:
        return
    fields = {
        "lineitems_url": endpoint.lineitems or assignment.lineitems_url,
        "lineitem_url": endpoint.lineitem or assignment.lineitem_url,
        "ags_scopes": list(endpoint.scopes),
    }
    changed = [name for name, value in fields.items() if getattr(assignment, name) != value]
    for name in changed:
        setattr(assignment, name, fields[name])
    if changed:
        assignment.save(update_fields=changed)
    may_look = {SCOPE_LINEITEM, SCOPE_LINEITEM_READONLY} & set(endpoint.scopes)
    missing = not assignment.lineitem_url and assignment.lineitems_url and may_look
    # Once per few minutes, not once per launch, while the column is still missing.
    if missing and cache.add(f"lti-lineitem-queued:{assignment.pk}", 1, timeout=_ENSURE_EVERY):
        jobs.enqueue_on_commit(jobs.ENSURE_LINE_ITEM, assignment.pk)


@transaction.atomic
def assignment_create_from_deep_link(
    *, course_id: int, key: uuid.UUID, settings: AssignmentSettings
) -> VideoAssignment:
    """Idempotent per deep linking request (`key`): saving the form twice makes one."""
    assignment, created = VideoAssignment.objects.select_for_update().get_or_create(
        deep_link_key=key, defaults={"course_id": course_id, **settings.as_fields()}
    )
    if assignment.course_id != course_id:
        raise NotFound(_("This assignment does not exist."))
    if not created:
        for name, value in settings.as_fields().items():
            setattr(assignment, name, value)
        assignment.save()
    return assignment


def assignment_update(
    *, claims: LaunchClaims, settings: AssignmentSettings, rescale_grades: bool = True
) -> VideoAssignment:
    """A teacher changes the assignment they launched; the LMS column follows. A new maximum
    rescales the grades (or keeps their points) and resends them, so the tool and the
    gradebook show the same values."""
    if claims.role != "teacher":
        raise PermissionDenied(_("Only teachers can change the assignment."))
    with transaction.atomic():
        assignment = VideoAssignment.objects.select_for_update().get(
            pk=claims.assignment_id,
            course_id=claims.course_id,
            course__tenant_id=claims.tenant_id,
        )
        gradebook_changed = (assignment.title, assignment.max_points, assignment.due_at) != (
            settings.title,
            settings.max_points,
            settings.due_at,
        )
        old_max = assignment.max_points
        for name, value in settings.as_fields().items():
            setattr(assignment, name, value)
        assignment.save()
        if gradebook_changed and assignment.lineitem_url:
            jobs.enqueue_on_commit(jobs.SYNC_LINE_ITEM, assignment.pk)
        if old_max != assignment.max_points:
            # After the column's new maximum: scores are queued behind the line item update.
            grades_rescale(assignment=assignment, old_max=old_max, rescale=rescale_grades)
    return assignment
