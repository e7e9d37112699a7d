"""When a video expires under its tenant's retention policy, computed in the database.

The documented start moment: the **latest** of the video's arrival (ready, else uploaded,
else created), the grading of that student's work on the assignment, and the
assignment's due date. So a video is never deleted before it could be graded, and a late
regrade restarts the count. A tenant whose `retention_days` is empty keeps its videos.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import DateTimeField, F, Func, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest

from lti_tool.launch_tokens import LaunchClaims
from lti_tool.models import Grade, Submission
from lti_tool.selectors.submissions import visible_submissions

# Deleted rows have nothing left to expire; unfinished uploads are the abandoned-upload
# sweep's.
NOT_EXPIRING = [Submission.State.DELETED, Submission.State.PENDING_UPLOAD]


def with_expiry(submissions: QuerySet[Submission]) -> QuerySet[Any]:
    """Annotates `retention_start` and `expires_at` (NULL: kept without limit)."""
    arrived = Coalesce("ready_at", "uploaded_at", "created_at")
    graded = Subquery(
        Grade.objects.filter(
            assignment_id=OuterRef("assignment_id"), student_id=OuterRef("student_id")
        ).values("graded_at")[:1]
    )
    start = Greatest(arrived, Coalesce(graded, arrived), Coalesce("assignment__due_at", arrived))
    return submissions.annotate(
        retention_start=start,
        expires_at=AddDays(F("retention_start"), F("assignment__course__tenant__retention_days")),
    )


class AddDays(Func):
    """`moment + days` in the database (Django cannot multiply a duration by a column on
    SQLite, the embedded default); NULL days give NULL: kept without limit."""

    template = "(%(expressions)s)"
    arg_joiner = " + interval '1 day' * "
    output_field = DateTimeField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        # `%` is doubled twice: once for this template, once for the query's parameters.
        return self.as_sql(
            compiler,
            connection,
            template="strftime('%%%%Y-%%%%m-%%%%d %%%%H:%%%%M:%%%%f', %(expressions)s || ' days')",
            arg_joiner=", '+' || ",
            **extra_context,
        )


def expired_submissions(*, now: datetime, tenant_id: int | None = None) -> QuerySet[Any]:
    rows = Submission.objects.exclude(state__in=NOT_EXPIRING).filter(
        assignment__course__tenant__retention_days__isnull=False
    )
    if tenant_id is not None:
        rows = rows.filter(assignment__course__tenant_id=tenant_id)
    return with_expiry(rows).filter(expires_at__lte=now).order_by("expires_at", "pk")


def expiry_for_launch(claims: LaunchClaims) -> list[tuple[int, datetime | None]]:
    """(submission id, expiry) of the videos this launch sees on its assignment."""
    rows = visible_submissions(claims).filter(assignment_id=claims.assignment_id)
    rows = rows.exclude(state__in=NOT_EXPIRING).order_by("pk")
    return list(with_expiry(rows).values_list("pk", "expires_at"))
