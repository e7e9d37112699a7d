"""What a verified launch writes: the user, the course, the assignment for the link."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lti_tool.errors import AppError
from lti_tool.launch_tokens import LaunchClaims, Role
from lti_tool.lti.nrps import nrps_course_fields
from lti_tool.models import Course, LtiUser, PlatformRegistration, VideoAssignment
from lti_tool.services.assignments import assignment_for_link

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
_LIS = "http://purl.imsglobal.org/vocab/lis/v2/"
TEACHER_ROLES = {"Instructor", "TeachingAssistant", "ContentDeveloper", "Administrator"}
STUDENT_ROLES = {"Learner"}
# Platform administrators may open any course in the LMS anyway.
ADMIN_ROLES = {_LIS + "system/person#Administrator", _LIS + "institution/person#Administrator"}


@dataclass(frozen=True)
class LaunchResult:
    user: LtiUser
    course: Course
    assignment: VideoAssignment
    role: Role

    @property
    def claims(self) -> LaunchClaims:
        return LaunchClaims(
            tenant_id=self.course.tenant_id,
            user_id=self.user.pk,
            course_id=self.course.pk,
            assignment_id=self.assignment.pk,
            role=self.role,
        )


def role_from_claims(roles: list[str]) -> Role:
    """Instructor, TA, content developer or administrator *of this course* teach; learners
    submit. Institution roles say nothing about this course (Canvas sends
    institution/person#Instructor for anyone who teaches anywhere), so only context
    (membership) roles and their short forms count, plus platform administrators."""
    names = {_context_role_name(role) for role in roles}
    if names & TEACHER_ROLES or ADMIN_ROLES.intersection(roles):
        return "teacher"
    if names & STUDENT_ROLES:
        return "student"
    raise AppError(
        "role_not_supported",
        _("Your role in this course does not give access to video assignments."),
        status=403,
    )


def _context_role_name(role: str) -> str | None:
    if "/" not in role:
        return role  # the short form, e.g. "Instructor"
    if role.startswith(_LIS + "membership"):
        return role.rsplit("#", 1)[-1]
    return None


@transaction.atomic
def launch_record(*, platform: PlatformRegistration, body: dict[str, Any]) -> LaunchResult:
    user, course, role = launch_record_context(platform=platform, body=body)
    assignment = assignment_for_link(course=course, body=body)
    return LaunchResult(user=user, course=course, assignment=assignment, role=role)


@transaction.atomic
def launch_record_context(
    *, platform: PlatformRegistration, body: dict[str, Any]
) -> tuple[LtiUser, Course, Role]:
    """The person and the course of any launch (a deep linking request has no link)."""
    role = role_from_claims(body.get(CLAIM + "roles", []))
    context = body.get(CLAIM + "context") or {}
    if not context.get("id"):
        raise AppError("no_context", _("This link must be placed inside a course."), status=400)
    user, _created = LtiUser.objects.update_or_create(
        tenant=platform.tenant,
        issuer=platform.issuer,
        sub=body["sub"],
        defaults={
            "name": _display_name(body),
            "email": body.get("email", ""),
            "last_launch_at": timezone.now(),
        },
    )
    course, _created = Course.objects.update_or_create(
        tenant=platform.tenant,
        issuer=platform.issuer,
        context_id=context["id"],
        defaults={
            "title": context.get("title", ""),
            "label": context.get("label", ""),
            "platform": platform,
            **nrps_course_fields(body),
        },
    )
    return user, course, role


def _display_name(body: dict[str, Any]) -> str:
    name = body.get("name") or " ".join(
        part for part in (body.get("given_name"), body.get("family_name")) if part
    )
    return str(name or body.get("email") or "Anonymous")
