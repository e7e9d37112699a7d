"""What a verified launch opens, by message type and role.

- LtiResourceLinkRequest: the student's submit page or the teacher's grading page.
- LtiDeepLinkingRequest (instructors): the form that creates an assignment.
- LtiSubmissionReviewRequest: the grading page on the `for_user` student's submission
  (a student reviewing their own submission gets their own page).
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from lti_tool.grade_selectors import ReviewTarget, review_target
from lti_tool.launch_tokens import LaunchClaims, launch_token_issue
from lti_tool.lti.launch import ToolMessageLaunch
from lti_tool.models import Grade, LtiUser
from lti_tool.selectors import assignment_for_launch
from lti_tool.services.launches import CLAIM, LaunchResult, launch_record
from storage_backends.validation import VIDEO_TYPES, allowed_extensions

logger = logging.getLogger("lti_tool.views.lti")
DEEP_LINKING = "LtiDeepLinkingRequest"
SUBMISSION_REVIEW = "LtiSubmissionReviewRequest"


def dispatch_launch(request: HttpRequest, message_launch: ToolMessageLaunch) -> HttpResponse:
    from lti_tool.views.assignment_forms import deep_link_start

    body = dict(message_launch.get_launch_data())
    message_type = body.get(CLAIM + "message_type")
    if message_type == DEEP_LINKING:
        return deep_link_start(request, platform=message_launch.platform, body=body)
    result = launch_record(platform=message_launch.platform, body=body)
    logger.info(
        "lti launch ok type=%s tenant=%s user=%s assignment=%s role=%s", message_type,
        result.course.tenant_id, result.user.pk, result.assignment.pk, result.role,
    )
    review = review_target(result=result, body=body) if message_type == SUBMISSION_REVIEW else None
    return render_launch_page(request, result, review=review)


def render_launch_page(
    request: HttpRequest, result: LaunchResult, *, review: ReviewTarget | None = None
) -> HttpResponse:
    template = "lti_tool/teacher.html" if result.role == "teacher" else "lti_tool/student.html"
    return render(request, template, _page_context(result, review))


def launch_result_from_claims(claims: LaunchClaims) -> LaunchResult:
    """The page of a launch again, from its token (after the teacher edits the assignment)."""
    assignment = assignment_for_launch(claims)
    user = LtiUser.objects.get(pk=claims.user_id, tenant_id=claims.tenant_id)
    return LaunchResult(user=user, course=assignment.course, assignment=assignment,
                        role=claims.role)


def _page_context(result: LaunchResult, review: ReviewTarget | None = None) -> dict[str, Any]:
    assignment = result.assignment
    launch_data = {
        "token": launch_token_issue(result.claims),
        "apiBase": "/api",
        "role": result.role,
        "user": {"name": result.user.name},
        "assignment": {
            "id": assignment.pk,
            "title": assignment.title,
            "instructions": assignment.instructions,
            "maxSizeBytes": assignment.max_size_bytes or settings.VIDEO_MAX_UPLOAD_BYTES,
            "allowedMimeTypes": sorted(VIDEO_TYPES),
            "allowedExtensions": allowed_extensions(),
            "maxPoints": float(assignment.max_points),
            "dueAt": assignment.due_at.isoformat() if assignment.due_at else None,
        },
        "reviewSubmissionId": review.submission_id if review else None,
        "reviewStudentName": review.student_name if review else None,
    }
    # A student sees the grade and comment the teacher gave (server-rendered: a grade
    # arrives later, and the student opens the assignment again to read it).
    grade = (Grade.objects.filter(assignment=assignment, student=result.user).first()
             if result.role == "student" else None)
    return {"launch_data": launch_data, "assignment": assignment, "user": result.user,
            "review": review, "grade": grade}
