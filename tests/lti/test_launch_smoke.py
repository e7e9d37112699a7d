from __future__ import annotations

from tests.conftest import LaunchDriver, launch_token_from
from tests.platform import INSTRUCTOR


def test_student_launch_opens_the_submit_page(launcher: LaunchDriver) -> None:
    response = launcher.launch()
    assert response.status_code == 200
    assert "lti_tool/student.html" in [t.name for t in response.templates]
    assert launch_token_from(response)


def test_teacher_launch_opens_the_grading_page(launcher: LaunchDriver) -> None:
    response = launcher.launch(sub="teacher-1", roles=(INSTRUCTOR,))
    assert response.status_code == 200
    assert "lti_tool/teacher.html" in [t.name for t in response.templates]
