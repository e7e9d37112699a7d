"""Score sends (lti_tool/services/score_sends) that need no LMS: which rows the sweep picks up
and where a gradebook exists. The AGS round trips are in tests/advantage/test_grades.py."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from lti_tool.models import ScoreSend
from lti_tool.services.score_sends import scores_due
from tests.factories import ScoreSendFactory

pytestmark = pytest.mark.django_db


def test_the_sweep_takes_pending_rows_whose_retry_is_overdue_oldest_first() -> None:
    now = timezone.now()
    later = ScoreSendFactory(next_attempt_at=now - timedelta(minutes=10))
    oldest = ScoreSendFactory(next_attempt_at=now - timedelta(hours=1))
    queued = ScoreSendFactory(next_attempt_at=now + timedelta(seconds=30))  # its task is queued
    ScoreSendFactory(next_attempt_at=now - timedelta(hours=2), state=ScoreSend.State.SENT)
    ScoreSendFactory(next_attempt_at=None)

    assert scores_due(limit=1) == [oldest.pk]
    assert scores_due() == [later.pk]  # the one enqueued just now is leased
    assert queued.pk not in scores_due()


def test_a_crashed_workers_claims_are_released_when_it_starts_again() -> None:
    from lti_tool.services.score_sends import scores_release_claims

    now = timezone.now()
    dead = ScoreSendFactory(
        state=ScoreSend.State.SENDING, claimed_at=now, claimed_by="celery@a/run1"
    )
    live = ScoreSendFactory(
        state=ScoreSend.State.SENDING, claimed_at=now, claimed_by="celery@a/run2"
    )
    other = ScoreSendFactory(
        state=ScoreSend.State.SENDING, claimed_at=now, claimed_by="celery@b/run1"
    )

    assert scores_release_claims(worker="celery@a/", keep="celery@a/run2") == [dead.pk]

    dead.refresh_from_db(), live.refresh_from_db(), other.refresh_from_db()
    assert (dead.state, dead.claimed_by) == (ScoreSend.State.PENDING, "")
    assert live.state == other.state == ScoreSend.State.SENDING
