"""Score sends (lti_tool/services/grades) that need no LMS: which rows the sweep picks up
and where a gradebook exists. The AGS round trips are in tests/advantage/test_grades.py."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from lti_tool.models import ScoreSend
from lti_tool.services.grades import scores_due
from tests.factories import ScoreSendFactory

pytestmark = pytest.mark.django_db


def test_the_sweep_takes_pending_rows_whose_retry_is_overdue_oldest_first() -> None:
    now = timezone.now()
    later = ScoreSendFactory(next_attempt_at=now - timedelta(minutes=10))
    oldest = ScoreSendFactory(next_attempt_at=now - timedelta(hours=1))
    ScoreSendFactory(next_attempt_at=now)  # its own task is still due to run
    ScoreSendFactory(next_attempt_at=now - timedelta(hours=2), state=ScoreSend.State.SENT)
    ScoreSendFactory(next_attempt_at=None)

    assert scores_due(stale_after=timedelta(minutes=5)) == [oldest.pk, later.pk]
    assert scores_due(stale_after=timedelta(minutes=5), limit=1) == [oldest.pk]
