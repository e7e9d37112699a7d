from __future__ import annotations

from django.utils import translation

from lti_tool.models import Submission


def test_a_submissions_state_label_is_in_the_active_language() -> None:
    ready = Submission(state=Submission.State.READY)
    with translation.override("fr"):
        assert ready.state_label == "Prête"
    assert ready.state_label == "Ready"
