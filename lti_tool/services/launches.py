"""What a verified launch may open (checked first) and then writes: the user, the course, the
assignment for the link."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any, TypeVar

from django.db import connection
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from lti_tool.errors import AppError, PermissionDenied
from lti_tool.launch_tokens import LaunchClaims, Role
from lti_tool.lti.nrps import nrps_course_fields
from lti_tool.models import Course, Grade, LtiUser, PlatformRegistration, VideoAssignment
from lti_tool.selectors.launches import LaunchRows, launch_rows, released_grade
from lti_tool.services.assignments import assignment_for_link

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
DEEP_LINKING = "LtiDeepLinkingRequest"
SUBMISSION_REVIEW = "LtiSubmissionReviewRequest"
_LIS = "http://purl.imsglobal.org/vocab/lis/v2/"
TEACHER_ROLES = {"Instructor", "TeachingAssistant", "ContentDeveloper", "Administrator"}
STUDENT_ROLES = {"Learner"}
# Platform administrators may open any course in the LMS anyway.
ADMIN_ROLES = {_LIS + "system/person#Administrator", _LIS + "institution/person#Administrator"}
# A person's `last_launch_at` is written again only when it is older than this: a returning
# student's launch within the hour, with the same name and email, writes nothing.
LAST_LAUNCH_PRECISION = timedelta(hours=1)


@dataclass(frozen=True)
class LaunchResult:
    user: LtiUser
    course: Course
    assignment: VideoAssignment
    role: Role
    grade: Grade | None = None  # a student's released grade, which their page shows

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


@dataclass(frozen=True)
class CheckedLaunch:
    """What the claims alone decide about a launch, before anything is written."""

    message_type: str
    role: Role
    context_id: str


def launch_check(*, body: dict[str, Any]) -> CheckedLaunch:
    """Every refusal the claims alone decide, for every message type and role: run before any
    write, so a refused launch leaves the database as it was (check, then record)."""
    role = role_from_claims(body.get(CLAIM + "roles", []))
    context = body.get(CLAIM + "context")
    context_id = context.get("id") if isinstance(context, dict) else None
    if not context_id:
        raise AppError("no_context", _("This link must be placed inside a course."), status=400)
    message_type = str(body.get(CLAIM + "message_type") or "")
    if message_type == DEEP_LINKING and role != "teacher":
        raise PermissionDenied(_("Only instructors can add a video assignment to the course."))
    if message_type == SUBMISSION_REVIEW:
        for_user = body.get(CLAIM + "for_user")
        user_id = for_user.get("user_id") if isinstance(for_user, dict) else None
        if not isinstance(user_id, str) or not user_id:
            raise AppError("no_for_user", _("This review launch does not say whose work to open."))
        if role != "teacher" and user_id != body.get("sub"):
            raise PermissionDenied(_("You can only review your own submission."))
    return CheckedLaunch(message_type=message_type, role=role, context_id=str(context_id))


def launch_lookup(
    *, platform: PlatformRegistration, body: dict[str, Any], checked: CheckedLaunch
) -> LaunchRows:
    """What the launch finds recorded, in one round trip: read it before the launch's
    transaction, so that a launch with nothing to write sends no BEGIN and no COMMIT."""
    link = body.get(CLAIM + "resource_link")
    link_id = link.get("id") if isinstance(link, dict) else None
    return launch_rows(
        tenant_id=platform.tenant_id,
        issuer=platform.issuer,
        sub=body["sub"],
        context_id=checked.context_id,
        resource_link_id=str(link_id or ""),
    )


def launch_record(
    *,
    platform: PlatformRegistration,
    body: dict[str, Any],
    checked: CheckedLaunch,
    recorded: LaunchRows,
) -> LaunchResult:
    """The user, the course and the link's assignment (call inside the launch's transaction):
    what `recorded` holds, written only where the claims change it. A returning student whose
    claims say nothing new is served without a statement."""
    user, course = launch_record_context(
        platform=platform, body=body, checked=checked, recorded=recorded
    )
    found = recorded.assignment  # the link's, in this very course (same primary key)
    if found is not None:
        found.course = course
    assignment = assignment_for_link(course=course, body=body, recorded=found)
    grade = (
        _shown_grade(recorded=recorded, assignment=assignment, user=user)
        if checked.role == "student"
        else None
    )
    return LaunchResult(
        user=user, course=course, assignment=assignment, role=checked.role, grade=grade
    )


def _shown_grade(
    *, recorded: LaunchRows, assignment: VideoAssignment, user: LtiUser
) -> Grade | None:
    """The student's released grade: read with the assignment the launch opens (none for a
    person recorded just now), or else looked up (a review launch found by its line item)."""
    if recorded.assignment is not None and recorded.assignment.pk == assignment.pk:
        return recorded.grade
    return released_grade(assignment=assignment, student=user) if recorded.user else None


def launch_record_context(
    *,
    platform: PlatformRegistration,
    body: dict[str, Any],
    checked: CheckedLaunch,
    recorded: LaunchRows | None = None,
) -> tuple[LtiUser, Course]:
    """The person and the course of any launch (a deep linking request has no link), each
    written only if it is not in `recorded` as the claims say (then one INSERT ... ON
    CONFLICT DO UPDATE each, instead of a savepoint, a locking SELECT and a write per row)."""
    now = timezone.now()
    person = {"name": _display_name(body), "email": body.get("email", "")}
    user = recorded.user if recorded else None
    if not _unchanged(user, person) or not _launched_since(user, now - LAST_LAUNCH_PRECISION):
        user = _upsert(
            LtiUser(
                tenant_id=platform.tenant_id,
                issuer=platform.issuer,
                sub=body["sub"],
                last_launch_at=now,
                **person,
            ),
            unique=["tenant", "issuer", "sub"],
            update=["name", "email", "last_launch_at"],
        )
    context = body[CLAIM + "context"]
    nrps = nrps_course_fields(body)  # empty when the claim is absent: keep what is stored
    details = {"title": context.get("title", ""), "label": context.get("label", ""), **nrps}
    course = recorded.course if recorded else None
    if not _unchanged(course, {**details, "platform_id": platform.pk}):
        course = _upsert(
            Course(
                tenant_id=platform.tenant_id,
                issuer=platform.issuer,
                context_id=checked.context_id,
                platform=platform,
                **details,
            ),
            unique=["tenant", "issuer", "context_id"],
            update=["title", "label", "platform", *nrps],
        )
    assert user is not None and course is not None
    return user, course


def _unchanged(row: LtiUser | Course | None, fields: dict[str, Any]) -> bool:
    return row is not None and all(getattr(row, name) == value for name, value in fields.items())


def _launched_since(user: LtiUser | None, moment: datetime) -> bool:
    return user is not None and user.last_launch_at is not None and user.last_launch_at > moment


_Row = TypeVar("_Row", LtiUser, Course)


def _upsert(row: _Row, *, unique: list[str], update: list[str]) -> _Row:
    """Insert `row` or update the `update` fields of the one it collides with; its primary
    key comes back in the same round trip (RETURNING). The statement bulk_create(
    update_conflicts=True) sends, without building it through the ORM each time (~0.6 ms of
    CPU, a sixth of a newcomer's launch)."""
    sql, fields = _upsert_statement(type(row), tuple(unique), tuple(update))
    params = [field.get_db_prep_save(field.pre_save(row, True), connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        (row.pk,) = cursor.fetchone()
    row._state.adding = False
    row._state.db = connection.alias
    return row


@cache
def _upsert_statement(
    model: type[Model], unique: tuple[str, ...], update: tuple[str, ...]
) -> tuple[str, list[Any]]:
    """The statement, and the fields whose values it takes in order."""
    q = connection.ops.quote_name
    meta = model._meta
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    column = {field.name: q(str(field.column)) for field in meta.concrete_fields}
    changes = ", ".join(f"{column[name]} = EXCLUDED.{column[name]}" for name in update)
    sql = (
        f"INSERT INTO {q(meta.db_table)} ({', '.join(column[f.name] for f in fields)})"  # noqa: S608 - names from the model
        f" VALUES ({', '.join(['%s'] * len(fields))})"
        f" ON CONFLICT ({', '.join(column[name] for name in unique)})"
        f" DO UPDATE SET {changes} RETURNING {column[meta.pk.name]}"
    )
    return sql, fields


def _display_name(body: dict[str, Any]) -> str:
    name = body.get("name") or " ".join(
        part for part in (body.get("given_name"), body.get("family_name")) if part
    )
    return str(name or body.get("email") or "Anonymous")
