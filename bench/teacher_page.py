"""Teacher page and its API with 500 and 5,000 submissions in one resource link: SQL queries
and median time per request, as ratios to a bare request measured in the same run.

A benchmark, not a test: it prints figures. It needs PostgreSQL (DATABASE_URL, as the tool
uses); it creates a throw-away database `bench_teacher_page_<name>`, fills it,
times the requests through Django's full stack (middleware, auth by launch token,
django-ninja, JSON) with the test client, and drops the database at the end.

    . .venv/bin/activate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lti_video python bench/teacher_page.py
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import types
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DATA_DIR", tempfile.mkdtemp(prefix="bench-teacher-"))

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.http import HttpRequest, HttpResponse  # noqa: E402
from django.test import Client, RequestFactory, override_settings  # noqa: E402
from django.urls import include, path  # noqa: E402
from django.utils import timezone  # noqa: E402

ISSUER = "https://lms.bench.example"
SIZES = (500, 5000)


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


# The bare request goes through the same middleware stack as the tool's URLs.
urls = types.ModuleType("bench_teacher_urls")
urls.urlpatterns = [path("bench/bare/", bare), path("", include("config.urls"))]  # type: ignore[attr-defined]
sys.modules[urls.__name__] = urls


def make_class(size: int) -> tuple[Any, Any]:
    """An assignment with `size` current submissions: 2/3 graded (a third of those held),
    every one with its Submitted score send, graded ones with a Graded send, a few failed;
    five time-stamped comments on the first submission. Returns (claims, first submission)."""
    from lti_tool.launch_tokens import LaunchClaims
    from lti_tool.models import (
        Course,
        Grade,
        LtiUser,
        ScoreSend,
        Submission,
        Tenant,
        TimedComment,
        VideoAssignment,
    )

    tenant = Tenant.objects.create(name=f"Bench {size}")
    course = Course.objects.create(tenant=tenant, issuer=ISSUER, context_id=f"c-{size}")
    assignment = VideoAssignment.objects.create(
        course=course,
        resource_link_id=f"link-{size}",
        title="Bench",
        max_points=20,
        due_at=timezone.now() - timedelta(days=1),
        lineitem_url=f"{ISSUER}/lineitems/{size}",
    )
    teacher = LtiUser.objects.create(tenant=tenant, issuer=ISSUER, sub=f"t-{size}", name="T")
    students = LtiUser.objects.bulk_create(
        LtiUser(tenant=tenant, issuer=ISSUER, sub=f"s-{size}-{n}", name=f"Student {n:05d}")
        for n in range(size)
    )
    now = timezone.now()
    subs = Submission.objects.bulk_create(
        Submission(
            assignment=assignment,
            student=s,
            state=Submission.State.READY,
            is_current=True,
            backend="local",
            filename="v.mp4",
            mime_type="video/mp4",
            duration_seconds=60,
            uploaded_at=now - timedelta(days=2 if n % 7 else 0),
        )
        for n, s in enumerate(students)
    )
    graded = [s for n, s in enumerate(subs) if n % 3]
    Grade.objects.bulk_create(
        Grade(
            assignment=assignment,
            student_id=s.student_id,
            submission=s,
            score=Decimal(15),
            graded_at=now,
            held=n % 3 == 0,
        )
        for n, s in enumerate(graded)
    )
    sends = [_send(assignment, s, ScoreSend.Kind.SUBMITTED, "sent") for s in subs]
    sends += [
        _send(assignment, s, ScoreSend.Kind.GRADED, "failed" if n % 50 == 0 else "sent")
        for n, s in enumerate(graded)
    ]
    ScoreSend.objects.bulk_create(sends)
    TimedComment.objects.bulk_create(
        TimedComment(submission=subs[0], author=teacher, at_seconds=t, text=f"At {t}")
        for t in (1, 5, 9, 20, 40)
    )
    claims = LaunchClaims(
        tenant_id=tenant.pk,
        user_id=teacher.pk,
        course_id=course.pk,
        assignment_id=assignment.pk,
        role="teacher",
    )
    return claims, subs[0]


def _send(assignment: Any, submission: Any, kind: str, state: str) -> Any:
    from lti_tool.models import ScoreSend

    now = timezone.now()
    return ScoreSend(
        assignment=assignment,
        student_id=submission.student_id,
        submission=submission,
        kind=kind,
        payload={},
        state=state,
        retry_until=now,
    )


def measure(call: Callable[[], Any], repeats: int) -> tuple[int, float]:
    """(SQL queries of one call, median wall milliseconds over `repeats` calls after warm-up)."""
    for _ in range(3):
        call()
    count = [0]

    def counted(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        count[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counted):
        call()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return count[0], statistics.median(times)


def requests_for(claims: Any, first: Any) -> list[tuple[str, Callable[[], Any]]]:
    from lti_tool.launch_tokens import launch_token_issue
    from lti_tool.views.launch_pages import launch_result_from_claims, render_launch_page

    client = Client(HTTP_AUTHORIZATION=f"Bearer {launch_token_issue(claims)}")
    factory = RequestFactory()

    def ok(url: str) -> Callable[[], Any]:
        def call() -> Any:
            response = client.get(url)
            assert response.status_code == 200, response.content[:300]
            return response

        return call

    def page() -> Any:
        request = factory.post("/lti/launch/")
        response = render_launch_page(request, launch_result_from_claims(claims))
        assert response.status_code == 200
        return response

    return [
        ("bare request (middleware, 200 text)", ok("/bench/bare/")),
        ("teacher page HTML (after the launch)", page),
        ("GET /api/queue (page 1, all)", ok("/api/queue")),
        ("GET /api/queue needs_grading page 20", ok("/api/queue?filter=needs_grading&page=20")),
        ("GET /api/queue failed", ok("/api/queue?filter=failed")),
        (
            "GET /api/queue/neighbour (next ungraded)",
            ok(f"/api/queue/neighbour?after={first.pk}&filter=needs_grading"),
        ),
        ("GET /api/submissions/{id}", ok(f"/api/submissions/{first.pk}")),
        ("GET /api/submissions/{id}/grade", ok(f"/api/submissions/{first.pk}/grade")),
        ("GET /api/submissions/{id}/comments", ok(f"/api/submissions/{first.pk}/comments")),
    ]


def persistent_connection() -> None:
    """One database connection for the run, as production keeps them (CONN_MAX_AGE, or a
    pool): otherwise every request would pay a new PostgreSQL connection (~10x)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=30, help="timed calls per request")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to PostgreSQL: the figures are for the production database.")
    persistent_connection()
    old_name = connection.settings_dict["NAME"]
    # Its own database, never the test suite's `test_<name>`.
    connection.settings_dict["TEST"]["NAME"] = f"bench_teacher_page_{old_name}"
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        with override_settings(ROOT_URLCONF=urls.__name__, ALLOWED_HOSTS=["*"], DEBUG=False):
            for size in SIZES:
                run(size, args.repeats)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def run(size: int, repeats: int) -> None:
    started = time.perf_counter()
    claims, first = make_class(size)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    made = time.perf_counter() - started
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\n{size} submissions in one resource link (data made in {made:.1f} s; load {load})")
    print(f"{'request':<46} {'queries':>7} {'median ms':>10} {'x bare':>8}")
    base = None
    for name, call in requests_for(claims, first):
        queries, median = measure(call, repeats)
        base = base or median
        print(f"{name:<46} {queries:>7} {median:>10.2f} {median / base:>8.1f}")


if __name__ == "__main__":
    main()
