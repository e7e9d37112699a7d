"""The gradebook column (AGS line item) of an assignment: remembered, found, or created.

A launch tells us where the column lives. Links placed by deep linking come with their
`lineitem`; links placed by hand often only with `lineitems`, so the first worker that
needs the column finds it by resource link id, or creates it, and remembers its URL.
"""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.utils.translation import gettext as _

from lti_tool.lti import ags
from lti_tool.lti.advantage import SCOPE_LINEITEM, SCOPE_LINEITEM_READONLY, PlatformServices
from lti_tool.models import VideoAssignment
from lti_tool.tenants.platform_services import platform_services
from storage_backends.errors import ProviderError

logger = logging.getLogger(__name__)
_LOCK_SECONDS = 120


def line_item_spec(assignment: VideoAssignment) -> ags.LineItemSpec:
    return ags.LineItemSpec(
        label=assignment.title,
        score_maximum=float(assignment.max_points),
        resource_link_id=assignment.resource_link_id,
        resource_id=assignment.lms_resource_id,
        end_date_time=assignment.due_at.isoformat() if assignment.due_at else None,
    )


def line_item_ensure(*, assignment_id: int) -> str:
    """The line item URL of the assignment. Raises ProviderError (transient: try again)."""
    assignment = VideoAssignment.objects.select_related("course__platform").get(pk=assignment_id)
    if assignment.lineitem_url:
        return assignment.lineitem_url
    platform = assignment.course.platform
    if platform is None or not assignment.lineitems_url:
        raise ProviderError(_("The LMS gave this link no gradebook column."), permanent=True)
    scopes = sorted(assignment.ags_scopes)
    lock = f"lti-lineitem-ensure:{assignment.pk}"
    if not cache.add(lock, 1, timeout=_LOCK_SECONDS):
        # Another worker is looking for (or creating) the column: never make two.
        raise ProviderError(_("The gradebook column is being set up."))
    try:
        url = _find_or_create(platform_services(platform), assignment, scopes)
        VideoAssignment.objects.filter(pk=assignment.pk, lineitem_url="").update(lineitem_url=url)
    finally:
        cache.delete(lock)
    logger.info("line item for assignment=%s: %s", assignment.pk, url)
    return VideoAssignment.objects.values_list("lineitem_url", flat=True).get(pk=assignment.pk)


def _find_or_create(
    services: PlatformServices, assignment: VideoAssignment, scopes: list[str]
) -> str:
    spec = line_item_spec(assignment)
    if {SCOPE_LINEITEM, SCOPE_LINEITEM_READONLY} & set(scopes):
        found = ags.find_line_item(services, assignment.lineitems_url, spec, scopes=scopes)
        if found:
            return found
    if SCOPE_LINEITEM not in scopes:
        raise ProviderError(
            _("The LMS does not let the tool create a gradebook column for this link."),
            permanent=True,
        )
    return ags.create_line_item(services, assignment.lineitems_url, spec, scopes=scopes)


def line_item_sync(*, assignment_id: int) -> bool:
    """After the teacher edits the assignment: the column's label, maximum and due date."""
    assignment = VideoAssignment.objects.select_related("course__platform").get(pk=assignment_id)
    platform = assignment.course.platform
    if platform is None or not assignment.lineitem_url:
        return False
    if SCOPE_LINEITEM not in assignment.ags_scopes:
        return False
    spec = line_item_spec(assignment)
    changes = {"label": spec.label, "scoreMaximum": spec.score_maximum}
    if spec.end_date_time:
        changes["endDateTime"] = spec.end_date_time
    ags.update_line_item(
        platform_services(platform),
        assignment.lineitem_url,
        changes,
        scopes=sorted(assignment.ags_scopes),
    )
    return True
