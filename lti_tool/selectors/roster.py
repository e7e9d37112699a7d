"""The class roster for the teacher page: the LMS's learners joined with their submissions.

A read (a selector): the learners come from the platform's Names and Role Provisioning
service, cached briefly so reloading the page does not call the LMS each time; the
submissions are always read fresh.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from django.core.cache import cache
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from lti_tool.errors import PermissionDenied
from lti_tool.launch_tokens import LaunchClaims
from lti_tool.lti.nrps import Member, memberships_url_for_link, nrps_members
from lti_tool.models import Course, LtiUser, PlatformRegistration, Submission, VideoAssignment
from lti_tool.selectors.submissions import assignment_for_launch
from lti_tool.tenants.platform_services import platform_services
from storage_backends.errors import ProviderError

logger = logging.getLogger("lti_tool.selectors.roster")

ROSTER_CACHE_SECONDS = 60
Status = Literal["submitted", "missing", "late"]
# A current submission in these states is no video to look at: the learner still owes one.
_NOT_SUBMITTED = {
    Submission.State.FAILED,
    Submission.State.DELETED,
    Submission.State.PENDING_UPLOAD,
}

_STILL = _lazy("The list of submissions still shows everyone who submitted.")
NO_SERVICE = format_lazy(
    "{} {}",
    _lazy(
        "Your LMS does not share this course's class list with this tool, so the class roster "
        "is not available."
    ),
    _STILL,
)
REFUSED = format_lazy(
    "{} {}",
    _lazy(
        "Your LMS refused to share the class list. An LMS administrator can allow this tool the "
        "Names and Role Provisioning service."
    ),
    _STILL,
)
UNREACHABLE = format_lazy(
    "{} {}",
    _lazy("Your LMS did not answer when asked for the class list. Please try again in a minute."),
    _STILL,
)
FAILED = format_lazy("{} {}", _lazy("The class list could not be read from your LMS."), _STILL)


@dataclass(frozen=True)
class RosterRow:
    user_id: str  # the LMS's id for the person (the LTI `sub`)
    name: str
    email: str
    status: Status
    status_label: str
    past_due: bool
    enrolled: bool  # False: submitted, but no longer a learner in the LMS's list
    submission_id: int | None
    submission_state: str | None
    submitted_at: datetime | None


@dataclass(frozen=True)
class RosterCounts:
    enrolled: int = 0
    submitted: int = 0
    missing: int = 0
    late: int = 0
    not_enrolled: int = 0


@dataclass(frozen=True)
class Roster:
    available: bool
    message: str | None = None
    fetched_at: datetime | None = None
    learners: list[RosterRow] = field(default_factory=list)
    counts: RosterCounts = field(default_factory=RosterCounts)


def roster_for_assignment(*, claims: LaunchClaims) -> Roster:
    if claims.role != "teacher":
        raise PermissionDenied(_("Only teachers can see the class roster."))
    assignment = assignment_for_launch(claims)
    course = assignment.course
    if course.platform is None or not course.memberships_url:
        return Roster(available=False, message=str(NO_SERVICE))
    try:
        members, fetched_at = _learners(course, course.platform, assignment)
    except ProviderError as exc:
        logger.warning("nrps roster failed course=%s status=%s: %s", course.pk, exc.status, exc)
        return Roster(available=False, message=_message_for(exc))
    rows = _rows(assignment, members, now=timezone.now())
    counts = RosterCounts(
        enrolled=len(members),
        submitted=sum(row.status == "submitted" for row in rows),
        missing=sum(row.status == "missing" for row in rows),
        late=sum(row.status == "late" for row in rows),
        not_enrolled=sum(not row.enrolled for row in rows),
    )
    return Roster(available=True, fetched_at=fetched_at, learners=rows, counts=counts)


def _learners(
    course: Course, platform: PlatformRegistration, assignment: VideoAssignment
) -> tuple[list[Member], datetime]:
    """The active learners of the link (or the course), from the cache or the LMS."""
    url = memberships_url_for_link(
        course.memberships_url,
        versions=course.nrps_versions,
        resource_link_id=assignment.resource_link_id,
    )
    digest = hashlib.sha256(f"{course.platform_id} {url}".encode()).hexdigest()[:24]
    key = f"nrps-roster:{course.pk}:{assignment.pk}:{digest}"
    cached: tuple[list[Member], datetime] | None = cache.get(key)
    if cached is not None:
        return cached
    members = nrps_members(services=platform_services(platform), url=url)
    result = ([m for m in members if m.is_active_learner], timezone.now())
    cache.set(key, result, timeout=ROSTER_CACHE_SECONDS)
    return result


def _message_for(exc: ProviderError) -> str:
    if exc.status in (401, 403):
        return str(REFUSED)
    if exc.status == 404:
        return str(NO_SERVICE)
    return str(FAILED if exc.permanent else UNREACHABLE)


def _rows(assignment: VideoAssignment, members: list[Member], *, now: datetime) -> list[RosterRow]:
    course = assignment.course
    current = {
        submission.student.sub: submission
        for submission in Submission.objects.select_related("student").filter(
            assignment=assignment,
            is_current=True,
            student__tenant_id=course.tenant_id,
            student__issuer=course.issuer,
        )
    }
    launched = _launch_names(course, [m.user_id for m in members if not m.name])
    enrolled = [
        _row(
            assignment,
            user_id=m.user_id,
            name=m.name or launched.get(m.user_id, ""),
            email=m.email,
            enrolled=True,
            submission=current.pop(m.user_id, None),
            now=now,
        )
        for m in members
    ]
    leavers = [
        _row(
            assignment,
            user_id=sub,
            name=s.student.name,
            email=s.student.email,
            enrolled=False,
            submission=s,
            now=now,
        )
        for sub, s in current.items()
    ]
    return sorted(enrolled, key=_sort_key) + sorted(leavers, key=_sort_key)


def _launch_names(course: Course, subs: list[str]) -> dict[str, str]:
    """Platforms may withhold names (privacy settings): a launch's name beats an opaque id."""
    if not subs:
        return {}
    users = LtiUser.objects.filter(tenant_id=course.tenant_id, issuer=course.issuer, sub__in=subs)
    return dict(users.values_list("sub", "name"))


def _row(
    assignment: VideoAssignment,
    *,
    user_id: str,
    name: str,
    email: str,
    enrolled: bool,
    submission: Submission | None,
    now: datetime,
) -> RosterRow:
    due = assignment.due_at
    handed_in = submission is not None and submission.state not in _NOT_SUBMITTED
    submitted_at = (submission.uploaded_at or submission.created_at) if submission else None
    status: Status
    if handed_in:
        status = "late" if due and submitted_at and submitted_at > due else "submitted"
    else:
        status = "missing"
    past_due = status == "missing" and due is not None and now > due
    labels = {"submitted": "Submitted", "late": "Submitted late", "missing": "Missing"}
    return RosterRow(
        user_id=user_id,
        name=name or email or user_id,
        email=email,
        status=status,
        status_label="Missing, past due" if past_due else labels[status],
        past_due=past_due,
        enrolled=enrolled,
        submission_id=submission.pk if submission else None,
        submission_state=submission.state if submission else None,
        submitted_at=submitted_at if handed_in else None,
    )


def _sort_key(row: RosterRow) -> tuple[str, str]:
    return (row.name.casefold(), row.user_id)
