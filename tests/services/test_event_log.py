"""Each event row written has its log line (lti_tool/services/events.py); a log set above
INFO leaves the lines out, never the rows."""

from __future__ import annotations

import json
import logging

import pytest

from lti_tool.models import VideoEvent
from lti_tool.services.events import event_insert
from tests.factories import SubmissionFactory

pytestmark = pytest.mark.django_db


def test_an_event_is_logged_with_its_details(caplog: pytest.LogCaptureFixture) -> None:
    submission = SubmissionFactory()
    tenant_id = submission.assignment.course.tenant_id

    with caplog.at_level(logging.INFO, logger="lti_tool.events"):
        event_insert(
            kind=VideoEvent.Kind.READY,
            tenant_id=tenant_id,
            submission_id=submission.pk,
            user_id=None,
            details={"duration": 2.0},
        )

    [line] = [r.getMessage() for r in caplog.records if r.name == "lti_tool.events"]
    assert json.loads(line.removeprefix("video_event ")) == {
        "kind": "ready",
        "tenant": tenant_id,
        "user": None,
        "submission": submission.pk,
        "duration": 2.0,
    }


def test_above_info_the_row_is_written_without_its_line(caplog: pytest.LogCaptureFixture) -> None:
    submission = SubmissionFactory()

    with caplog.at_level(logging.WARNING, logger="lti_tool.events"):
        event_insert(
            kind=VideoEvent.Kind.READY,
            tenant_id=submission.assignment.course.tenant_id,
            submission_id=submission.pk,
            user_id=None,
        )

    assert not [r for r in caplog.records if r.name == "lti_tool.events"]
    assert VideoEvent.objects.filter(submission=submission, kind="ready").count() == 1
