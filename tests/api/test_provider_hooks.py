"""Provider-facing endpoints: Stream webhooks and tus creation forwarding refuse bad input;
provider failures land in the event log."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from lti_tool.models import StorageConfig, Submission, VideoEvent
from lti_tool.tenants.storage_configs import storage_config_save
from storage_backends.cloudflare.webhooks import signature
from tests.factories import TenantFactory
from tests.fixtures.live_api import LiveApi, local_backend

SECRET = "whsec-test-secret"  # noqa: S105 - a test value


@pytest.fixture
def stream_config(db: None) -> StorageConfig:
    config = StorageConfig(
        tenant=TenantFactory(name="Stream University"),
        label="Stream",
        backend="storage_backends.cloudflare.CloudflareStreamBackend",
        options={"account_id": "acc", "api_base": "http://127.0.0.1:9/client/v4"},
    )
    return storage_config_save(
        config=config, secrets={"api_token": "tok", "webhook_secret": SECRET}
    )


def _post_webhook(client: Client, config: StorageConfig, body: bytes, sig: str) -> Any:
    return client.post(
        f"/storage/webhooks/{config.pk}/",
        data=body,
        content_type="application/json",
        HTTP_WEBHOOK_SIGNATURE=sig,
    )


def test_a_signed_webhook_is_accepted(client: Client, stream_config: StorageConfig) -> None:
    body = json.dumps(
        {"uid": "abc123", "readyToStream": True, "status": {"state": "ready"}}
    ).encode()
    now = int(time.time())
    response = _post_webhook(
        client, stream_config, body, f"time={now},sig1={signature(SECRET, now, body)}"
    )
    assert response.status_code == 200
    assert response.json() == {"ok": True, "submission": None}  # not one of ours


@pytest.mark.parametrize("case", ["tampered", "wrong_secret", "stale", "missing"])
def test_a_bad_webhook_is_refused(client: Client, stream_config: StorageConfig, case: str) -> None:
    body = json.dumps({"uid": "abc123"}).encode()
    now = int(time.time())
    sig = {
        "tampered": f"time={now},sig1={signature(SECRET, now, b'{}')}",
        "wrong_secret": f"time={now},sig1={signature('other', now, body)}",
        "stale": f"time={now - 3600},sig1={signature(SECRET, now - 3600, body)}",
        "missing": "",
    }[case]
    response = _post_webhook(client, stream_config, body, sig)
    assert response.status_code == 400
    assert response.json()["code"] == "bad_webhook"


def test_a_webhook_for_an_unknown_configuration_is_404(client: Client, db: None) -> None:
    response = client.post("/storage/webhooks/999999/", data=b"{}", content_type="application/json")
    assert response.status_code == 404


def test_tus_forwarding_needs_a_valid_ticket(client: Client, db: None) -> None:
    response = client.post(
        "/storage/cloudflare/tus/?ticket=forged",
        HTTP_UPLOAD_LENGTH="10",
        HTTP_TUS_RESUMABLE="1.0.0",
    )
    assert response.status_code == 403
    assert response["Tus-Resumable"] == "1.0.0"
    missing = client.post("/storage/cloudflare/tus/", HTTP_TUS_RESUMABLE="1.0.0")
    assert missing.status_code == 400


def test_a_provider_failure_is_logged_as_an_event(student_api: LiveApi, sample_video: Path) -> None:
    submitted = student_api.submit(sample_video)
    submission = Submission.objects.get(pk=submitted["id"])
    local_backend().delete_video(submission.video_id)  # storage lost the video
    Submission.objects.filter(pk=submission.pk).update(state=Submission.State.UPLOADED)

    from lti_tool.tasks import verify_submission

    assert verify_submission.delay(submission.pk).get() == "failed"
    event = VideoEvent.objects.get(kind=VideoEvent.Kind.PROVIDER_ERROR)
    assert event.submission_id == submission.pk
    assert event.details["operation"] == "verify"
    assert event.details["will_retry"] is False
    assert student_api.submission(submission.pk)["state"] == "failed"
