"""Video management's search and filters, shared by the Django admin (site
administrators) and the LTI dashboard (one tenant's administrators)."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from lti_tool.models import Course, LtiUser, Submission, VideoAssignment

MB = 1_000_000
SIZES = {"small": (0, 50 * MB), "medium": (50 * MB, 500 * MB), "large": (500 * MB, None)}


def videos_search(rows: QuerySet[Submission], term: str) -> QuerySet[Submission]:
    """The whole phrase in a student's name or email, a course or assignment title, a file
    name or a video id: the small tables are searched first, then the submissions by
    those ids, so no OR spans joined tables (one pass over the submissions)."""
    term = term.strip()
    if not term:
        return rows
    people = LtiUser.objects.filter(Q(name__icontains=term) | Q(email__icontains=term))
    courses = Course.objects.filter(title__icontains=term)
    assignments = VideoAssignment.objects.filter(Q(title__icontains=term) | Q(course__in=courses))
    return rows.filter(
        Q(student__in=people.values("pk"))
        | Q(assignment__in=assignments.values("pk"))
        | Q(filename__icontains=term)
        | Q(video_id=term)
    )


def videos_sized(rows: QuerySet[Submission], size: str) -> QuerySet[Submission]:
    bounds = SIZES.get(size)
    if bounds is None:
        return rows
    low, high = bounds
    rows = rows.filter(size_bytes__gte=low)
    return rows if high is None else rows.filter(size_bytes__lt=high)


def videos_filtered(
    rows: QuerySet[Submission], *, state: str = "", backend: str = "", size: str = "", days: int = 0
) -> QuerySet[Submission]:
    if state in Submission.State.values:
        rows = rows.filter(state=state)
    if backend:
        rows = rows.filter(backend=backend)
    if days > 0:
        rows = rows.filter(created_at__gte=timezone.now() - timedelta(days=days))
    return videos_sized(rows, size)


def tenant_videos(tenant_id: int) -> QuerySet[Submission]:
    return (
        Submission.objects.filter(assignment__course__tenant_id=tenant_id)
        .select_related("student", "assignment__course")
        .order_by("-pk")
    )
