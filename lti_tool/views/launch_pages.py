"""The pages a launch opens: the student's submit page or the teacher's grading page
(`views.dispatch` picks which)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

from lti_tool.languages import LaunchPresentation, frontend_catalog
from lti_tool.launch_tokens import LaunchClaims, launch_token_issue
from lti_tool.models import LtiUser
from lti_tool.models.courses import VIDEO_SOURCES
from lti_tool.selectors.grades import ReviewTarget
from lti_tool.selectors.submissions import assignment_for_launch
from lti_tool.services.launches import LaunchResult
from storage_backends.validation import VIDEO_TYPES, allowed_extensions


def render_launch_page(
    request: HttpRequest, result: LaunchResult, *, review: ReviewTarget | None = None
) -> HttpResponse:
    template = "lti_tool/teacher.html" if result.role == "teacher" else "lti_tool/student.html"
    presentation = getattr(request, "launch_presentation", None) or LaunchPresentation()
    claims = replace(
        result.claims,
        language=get_language(),
        return_url=presentation.return_url,
        document_target=presentation.document_target,
    )
    context = _page_context(result, review, token=launch_token_issue(claims))
    context["i18n_catalog"] = frontend_catalog(get_language())
    return render(request, template, context)


def launch_result_from_claims(claims: LaunchClaims) -> LaunchResult:
    """The page of a launch again, from its token (after the teacher edits the assignment)."""
    assignment = assignment_for_launch(claims)
    user = LtiUser.objects.get(pk=claims.user_id, tenant_id=claims.tenant_id)
    return LaunchResult(
        user=user, course=assignment.course, assignment=assignment, role=claims.role
    )


def _page_context(
    result: LaunchResult, review: ReviewTarget | None, *, token: str
) -> dict[str, Any]:
    assignment = result.assignment
    launch_data = {
        "token": token,
        "apiBase": "/api",
        "tokenTtl": settings.LTI_LAUNCH_TOKEN_TTL,  # seconds; the page renews well before
        "role": result.role,
        "user": {"name": result.user.name, "key": f"u{result.user.pk}"},
        "assignment": {
            "id": assignment.pk,
            "title": assignment.title,
            "instructions": assignment.instructions,
            "maxSizeBytes": assignment.max_size_bytes or settings.VIDEO_MAX_UPLOAD_BYTES,
            "allowedMimeTypes": sorted(VIDEO_TYPES),
            "allowedExtensions": allowed_extensions(),
            "maxPoints": float(assignment.max_points),
            "dueAt": assignment.due_at.isoformat() if assignment.due_at else None,
            "rubric": assignment.rubric,
            "maxDurationSeconds": assignment.max_duration_seconds,
            "allowedSources": assignment.allowed_sources or list(VIDEO_SOURCES),
        },
        "reviewSubmissionId": review.submission_id if review else None,
        "reviewStudentName": review.student_name if review else None,
    }
    # A student sees the grade and comment the teacher gave (server-rendered: a grade
    # arrives later, and the student opens the assignment again to read it); the launch
    # read it with the assignment.
    grade = result.grade if result.role == "student" else None
    return {
        "launch_data": launch_data,
        "assignment": assignment,
        "user": result.user,
        "review": review,
        "grade": grade,
    }
