"""The storage provider answers 5xx (the fake Cloudflare Stream server made to fail): the
upload waits, shown to the student as "waiting for storage", however long the outage
(hours: capped backoff, never failed); once the provider answers, the sweep makes it ready.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.utils import timezone

from lti_tool.models import LtiUser, StorageConfig, Submission, VideoAssignment, VideoEvent
from lti_tool.services.submissions import VERIFY_BACKOFF_CAP
from lti_tool.tasks import reverify_waiting_uploads, verify_submission
from lti_tool.tenants.storage_configs import storage_config_save
from tests.factories import SubmissionFactory
from tests.fakes.cloudflare_stream import FakeCloudflareStream
from tests.fixtures.live_api import LiveApi

pytestmark = pytest.mark.integration


@pytest.fixture
def stream() -> Iterator[FakeCloudflareStream]:
    with FakeCloudflareStream(queued_seconds=0, encoding_seconds=0) as fake:
        yield fake


@pytest.fixture
def uploaded(student_api: LiveApi, stream: FakeCloudflareStream) -> Submission:
    """Student One's confirmed upload, kept by Stream (the launch made the assignment)."""
    assignment = VideoAssignment.objects.get()
    config = storage_config_save(
        config=StorageConfig(
            tenant=assignment.course.tenant,
            label="Stream",
            backend="storage_backends.cloudflare.CloudflareStreamBackend",
            options={"account_id": stream.account_id, "api_base": stream.api_base},
        ),
        secrets={"api_token": stream.api_token},
    )
    return SubmissionFactory(
        assignment=assignment,
        student=LtiUser.objects.get(),
        backend="cloudflare",
        storage=config,
        video_id=stream.add_video(b"\x00" * 2048),
        state=Submission.State.UPLOADED,
        is_current=True,
    )


def test_a_storage_outage_leaves_the_upload_waiting_never_failed(
    student_api: LiveApi, stream: FakeCloudflareStream, uploaded: Submission
) -> None:
    stream.fail_next(100_000, status=503, retry_after=None)

    assert verify_submission(uploaded.pk) == "waiting"

    shown = student_api.get("/api/my-submission").json()["current"]
    assert shown["state"] == "uploaded"
    assert shown["waiting_for_storage"] is True
    assert shown["state_label"].startswith("Uploaded, waiting for storage")
    assert shown["error_message"] == ""
    # Hours later, 40 checks on: still waiting, the next check at most the cap away.
    Submission.objects.filter(pk=uploaded.pk).update(
        verify_attempts=40,
        verify_next_at=timezone.now() - timedelta(seconds=1),
        storage_waiting_since=timezone.now() - timedelta(hours=8),
    )
    assert reverify_waiting_uploads() == 1  # the sweep ran the check (eager here)
    uploaded.refresh_from_db()
    assert uploaded.state == Submission.State.UPLOADED
    assert uploaded.verify_attempts == 41
    assert uploaded.verify_next_at is not None
    wait = (uploaded.verify_next_at - timezone.now()).total_seconds()
    assert 0 < wait <= VERIFY_BACKOFF_CAP + 5
    assert reverify_waiting_uploads() == 0  # not due yet: no storm of checks
    errors = VideoEvent.objects.filter(kind=VideoEvent.Kind.PROVIDER_ERROR)
    assert errors.count() == 2
    assert all(e.details["will_retry"] for e in errors)

    stream.stop_failing()
    Submission.objects.filter(pk=uploaded.pk).update(verify_next_at=timezone.now())
    assert reverify_waiting_uploads() == 1

    shown = student_api.get("/api/my-submission").json()["current"]
    assert (shown["state"], shown["waiting_for_storage"]) == ("ready", False)
    assert not Submission.objects.filter(state=Submission.State.FAILED).exists()
