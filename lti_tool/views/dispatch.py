"""What a verified launch opens, by message type and role.

- LtiResourceLinkRequest: the student's submit page or the teacher's grading page.
- LtiDeepLinkingRequest (instructors): the form that creates an assignment.
- LtiSubmissionReviewRequest: the grading page on the `for_user` student's submission
  (a student reviewing their own submission gets their own page).

Check, then record: every refusal the claims decide comes before the first write, and what
is written is one transaction, so a launch refused later (no assignment for a line item, a
deep linking request without a return address) rolls back too.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.http import HttpRequest, HttpResponse

from lti_tool.lti.launch import ToolMessageLaunch
from lti_tool.selectors.grades import review_target
from lti_tool.services.launches import (
    DEEP_LINKING,
    SUBMISSION_REVIEW,
    launch_check,
    launch_lookup,
    launch_record,
)
from lti_tool.views.assignment_forms import deep_link_start
from lti_tool.views.launch_pages import render_launch_page
from lti_tool.views.tenant_dashboard import tenant_dashboard_launch, wants_dashboard

logger = logging.getLogger("lti_tool.views.lti")


def dispatch_launch(request: HttpRequest, message_launch: ToolMessageLaunch) -> HttpResponse:
    body = dict(message_launch.get_launch_data())
    checked = launch_check(body=body)
    if checked.message_type == DEEP_LINKING:
        return deep_link_start(
            request, platform=message_launch.platform, body=body, checked=checked
        )
    if wants_dashboard(body):  # an administrators' link: the tenant's video dashboard
        return tenant_dashboard_launch(request, platform=message_launch.platform, body=body)
    platform = message_launch.platform
    recorded = launch_lookup(platform=platform, body=body, checked=checked)
    with transaction.atomic():  # nothing to write: no statement, so no BEGIN and no COMMIT
        result = launch_record(platform=platform, body=body, checked=checked, recorded=recorded)
        review = (
            review_target(
                role=result.role, user=result.user, assignment=result.assignment, body=body
            )
            if checked.message_type == SUBMISSION_REVIEW
            else None
        )
    logger.info(
        "lti launch ok type=%s tenant=%s user=%s assignment=%s role=%s",
        checked.message_type,
        result.course.tenant_id,
        result.user.pk,
        result.assignment.pk,
        result.role,
    )
    return render_launch_page(request, result, review=review)
