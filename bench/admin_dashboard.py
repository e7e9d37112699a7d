"""The administrator's dashboard and video management at institution scale: builds
100,000 submissions and 1,000,000 events with bulk SQL (generate_series), then prints
how long each answer takes, next to a bare request measured in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lti_video_bench python bench/admin_dashboard.py

The database named there is migrated and filled (once; `--rebuild` to start again). It
must be PostgreSQL and must not hold anything you want to keep.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import machine, setup_django, table  # noqa: E402

SUBMISSIONS = 100_000
EVENTS = 1_000_000
STUDENTS = 5_000
ASSIGNMENTS = 200

# Rows made in the database (generate_series), spread over the last 365 days: a fifth of
# the submissions failed or deleted, events 3:1:1 views, uploads, failures (3 reasons).
COURSES = """
INSERT INTO lti_tool_course (tenant_id, issuer, context_id, title, label, memberships_url,
    nrps_versions)
SELECT %s, 'https://lms', 'c' || g, 'Course ' || g, '', '', '[]' FROM generate_series(1, 20) g
"""
ASSIGNMENTS_SQL = """
INSERT INTO lti_tool_videoassignment (course_id, resource_link_id, title, instructions,
    allow_resubmission, lineitems_url, lineitem_url, ags_scopes, max_points, created_at)
SELECT (SELECT min(id) FROM lti_tool_course WHERE tenant_id = %s) + g %% 20, 'l' || g,
    'Assignment ' || g, '', true, '', '', '[]', 100, now()
FROM generate_series(1, %s) g
"""
STUDENTS_SQL = """
INSERT INTO lti_tool_ltiuser (tenant_id, issuer, sub, name, email)
SELECT %s, 'https://lms', 's' || g, 'Student ' || g, 's' || g || '@example.edu'
FROM generate_series(1, %s) g
"""
SUBMISSIONS_SQL = """
INSERT INTO lti_tool_submission (assignment_id, student_id, state, is_current, backend,
    upload_ref, upload_details, video_id, filename, mime_type, size_bytes, error_message,
    created_at, updated_at, uploaded_at, ready_at, deletion_reason)
SELECT a.min + g %% %s, u.min + g %% %s,
    (ARRAY['ready', 'ready', 'ready', 'failed', 'deleted'])[1 + g %% 5], false, 'local',
    'r' || g, '{}', 'v' || g, 'video-' || g || '.mp4', 'video/mp4', 1000000 + g * 37, '',
    now() - (g %% 365) * interval '1 day', now(), now() - (g %% 365) * interval '1 day',
    now() - (g %% 365) * interval '1 day', ''
FROM generate_series(1, %s) g,
    (SELECT min(id) FROM lti_tool_videoassignment) a, (SELECT min(id) FROM lti_tool_ltiuser) u
"""
EVENTS_SQL = """
INSERT INTO lti_tool_videoevent (tenant_id, user_id, submission_id, kind, details, created_at)
SELECT %s, NULL, s.min + g %% %s,
    (ARRAY['playback', 'playback', 'playback', 'upload_succeeded', 'upload_failed'])[1 + g %% 5],
    CASE WHEN g %% 5 = 4
        THEN jsonb_build_object('reason',
            (ARRAY['too_long', 'not_a_video', 'ERR_MALFORMED_VIDEO'])[1 + g %% 3])
        ELSE '{}'::jsonb END,
    now() - (g %% 365) * interval '1 day' - (g %% 86400) * interval '1 second'
FROM generate_series(1, %s) g, (SELECT min(id) FROM lti_tool_submission) s
"""


def build(rebuild: bool) -> int:
    from django.core.management import call_command
    from django.db import connection

    from lti_tool.models import Tenant

    call_command("migrate", verbosity=0)
    tenant = Tenant.objects.filter(name="Bench University").first()
    if tenant is not None and not rebuild:
        return tenant.pk
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE lti_tool_eventdaycount, lti_tool_eventrollup,"
            " lti_tool_videoevent, lti_tool_scoresend, lti_tool_grade, lti_tool_submission,"
            " lti_tool_videoassignment, lti_tool_course, lti_tool_ltiuser, lti_tool_tenant CASCADE"
        )
    tenant = Tenant.objects.create(name="Bench University")
    other = Tenant.objects.create(name="Other College")
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for t in (tenant.pk, other.pk):
            cursor.execute(COURSES, [t])
        cursor.execute(ASSIGNMENTS_SQL, [tenant.pk, ASSIGNMENTS])
        cursor.execute(STUDENTS_SQL, [tenant.pk, STUDENTS])
        cursor.execute(SUBMISSIONS_SQL, [ASSIGNMENTS, STUDENTS, SUBMISSIONS])
        cursor.execute(EVENTS_SQL, [tenant.pk, SUBMISSIONS, EVENTS])
        cursor.execute("ANALYZE")
    elapsed = time.perf_counter() - started
    print(f"built {SUBMISSIONS:,} submissions and {EVENTS:,} events in {elapsed:.1f} s")
    return tenant.pk


def timed(call: Callable[[], object], repeats: int) -> float:
    call()  # warm
    runs = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    setup_django()
    tenant_id = build(args.rebuild)

    from django.contrib.auth.models import User
    from django.test import Client

    from lti_tool.services.dashboard import dashboard_figures
    from lti_tool.services.event_rollup import event_rollup_update

    started = time.perf_counter()
    written = event_rollup_update()
    print(
        f"rollup of the closed days: {written:,} rows in {time.perf_counter() - started:.2f} s"
        " (once after the import; then beat counts each day as it closes)"
    )

    admin = User.objects.filter(username="bench").first() or User.objects.create_superuser(
        "bench", "bench@example.org", "pw"
    )
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(admin)

    def page(url: str) -> Callable[[], object]:
        def get() -> object:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            return response

        return get

    bare = timed(page("/healthz"), args.repeats)
    rows = []
    for days in (7, 30, 90, 365):
        figures = timed(lambda d=days: dashboard_figures(tenant_id=tenant_id, days=d), args.repeats)
        whole = timed(page(f"/admin/dashboard/?tenant={tenant_id}&days={days}"), args.repeats)
        rows.append(
            [f"dashboard, {days} days", f"{figures:.0f}", f"{whole:.0f}", f"{whole / bare:.0f}x"]
        )
    changelist = "/admin/lti_tool/submission/"
    for label, query in [
        ("video management, first page", ""),
        ("  search a student", "?q=Student+4242"),
        (
            "  filter state + size + tenant",
            f"?state=ready&size=small&assignment__course__tenant__id__exact={tenant_id}",
        ),
        ("  search a file name", "?q=video-99999.mp4"),
    ]:
        whole = timed(page(changelist + query), args.repeats)
        rows.append([label, "", f"{whole:.0f}", f"{whole / bare:.0f}x"])
    print(machine())
    print(f"bare request (/healthz): {bare:.2f} ms")
    print(table(["answer", "aggregation ms", "whole page ms", "vs bare"], rows))


if __name__ == "__main__":
    main()
