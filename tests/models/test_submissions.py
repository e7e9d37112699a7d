from __future__ import annotations

import pytest
from django.utils import timezone, translation

from lti_tool.models import Submission
from lti_tool.selectors.queue import grading_queue
from tests.factories import SubmissionFactory, teacher_claims


def test_a_submissions_state_label_is_in_the_active_language() -> None:
    ready = Submission(state=Submission.State.READY)
    with translation.override("fr"):
        assert ready.state_label == "Prête"
    assert ready.state_label == "Ready"


def test_an_upload_waiting_for_storage_says_so_until_storage_answers() -> None:
    since = timezone.now()
    waiting = Submission(state=Submission.State.UPLOADED, storage_waiting_since=since)

    assert waiting.waiting_for_storage is True
    assert waiting.state_label.startswith("Uploaded, waiting for storage")
    with translation.override("fr"):
        assert waiting.state_label.startswith("Envoyée, en attente du stockage")
    # Once it is ready or failed, the date left behind no longer counts.
    for state in (Submission.State.READY, Submission.State.FAILED):
        done = Submission(state=state, storage_waiting_since=since)
        assert (done.waiting_for_storage, done.state_label) == (False, done.get_state_display())


@pytest.mark.django_db
def test_the_teachers_queue_shows_the_same_waiting_label() -> None:
    waiting = SubmissionFactory(
        state=Submission.State.UPLOADED, is_current=True, storage_waiting_since=timezone.now()
    )

    (item,) = grading_queue(teacher_claims(waiting.assignment)).items

    assert item.state_label == waiting.state_label
    assert item.state_label.startswith("Uploaded, waiting for storage")
