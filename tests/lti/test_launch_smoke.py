from __future__ import annotations

from tests.fixtures.platform import LaunchDriver, launch_token_from
from tests.lti_platform.signer import INSTRUCTOR


def test_student_launch_opens_the_submit_page(launcher: LaunchDriver) -> None:
    response = launcher.launch()
    assert response.status_code == 200
    assert "lti_tool/student.html" in [t.name for t in response.templates]
    assert launch_token_from(response)


def test_teacher_launch_opens_the_grading_page(launcher: LaunchDriver) -> None:
    response = launcher.launch(sub="teacher-1", roles=(INSTRUCTOR,))
    assert response.status_code == 200
    assert "lti_tool/teacher.html" in [t.name for t in response.templates]


def test_student_page_shows_the_due_date_and_hides_empty_instructions(
    launcher: LaunchDriver,
) -> None:
    from datetime import UTC, datetime

    from lti_tool.models import VideoAssignment

    launcher.launch()  # creates the assignment for the link
    VideoAssignment.objects.update(due_at=datetime(2026, 12, 1, 17, 0, tzinfo=UTC), instructions="")
    page = launcher.launch().content.decode()
    # UTC without JavaScript; the page's script rewrites it in the student's own zone.
    assert (
        '<time datetime="2026-12-01T17:00:00+00:00">Tuesday 1 December 2026, 17:00 UTC</time>'
        in page
    )
    assert "instructions-heading" not in page
