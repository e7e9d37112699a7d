"""Asking for an upload ticket: the row is committed before the provider is asked, and a
provider that gives no ticket leaves the row failed with the reason."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from lti_tool.models import Submission, VideoEvent
from storage_backends.base import (
    UploadContext,
    UploadRejected,
)
from storage_backends.errors import ProviderError
from storage_backends.local import LocalBackend
from tests.fixtures.live_api import LiveApi


def _ask_for_ticket(api: LiveApi, video: Path):  # type: ignore[no-untyped-def]
    return api.post(
        "/api/uploads",
        {
            "filename": video.name,
            "size": video.stat().st_size,
            "mime_type": "video/mp4",
        },
    )


def _provider_failing_with(exc: ProviderError, seen: list[dict[str, Any]]) -> Any:
    def create_upload(self: LocalBackend, ctx: UploadContext, *args: Any) -> Any:
        seen.append(
            {
                "in_transaction": connection.in_atomic_block,
                "row_committed": Submission.objects.filter(pk=ctx.submission_id).exists(),
            }
        )
        raise exc

    return create_upload


UNAVAILABLE = ProviderError(
    "The video storage is unavailable. Try again in a minute.", code="provider_unavailable"
)


def _assert_failed_with_503(refused: Any) -> None:
    """The student is told at once; the row says why, and the event log too."""
    assert refused.status_code == 503
    assert refused.json() == {
        "code": "provider_unavailable",
        "message": "The video storage is unavailable. Try again in a minute.",
    }
    submission = Submission.objects.get()
    assert submission.state == Submission.State.FAILED
    assert submission.error_message == "The video storage is unavailable. Try again in a minute."
    assert not submission.is_current
    failed = VideoEvent.objects.get(kind=VideoEvent.Kind.UPLOAD_FAILED)
    assert failed.details["reason"] == "provider_unavailable"


def test_the_row_is_committed_before_the_provider_is_asked(
    student_api: LiveApi, sample_video: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[dict[str, Any]] = []
    monkeypatch.setattr(LocalBackend, "ticket_asks_provider", lambda self, size: True)
    monkeypatch.setattr(LocalBackend, "create_upload", _provider_failing_with(UNAVAILABLE, seen))

    refused = _ask_for_ticket(student_api, sample_video)

    assert seen == [{"in_transaction": False, "row_committed": True}]
    _assert_failed_with_503(refused)


def test_a_ticket_signed_here_that_fails_still_leaves_the_failed_row(
    student_api: LiveApi, sample_video: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The local backend signs its tickets: asked before the row is written (PostgreSQL
    then writes row and ticket at once), it fails as the provider-made ticket does."""
    seen: list[dict[str, Any]] = []
    monkeypatch.setattr(LocalBackend, "create_upload", _provider_failing_with(UNAVAILABLE, seen))

    refused = _ask_for_ticket(student_api, sample_video)

    assert seen == [{"in_transaction": False, "row_committed": connection.vendor == "sqlite"}]
    _assert_failed_with_503(refused)


def test_a_file_the_provider_rejects_fails_the_row_with_a_400(
    student_api: LiveApi, sample_video: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rejected = UploadRejected("This file type is not accepted.", code="type_not_allowed")
    monkeypatch.setattr(LocalBackend, "create_upload", _provider_failing_with(rejected, []))

    refused = _ask_for_ticket(student_api, sample_video)

    assert refused.status_code == 400
    assert refused.json()["code"] == "type_not_allowed"
    assert Submission.objects.get().state == Submission.State.FAILED


def test_after_a_failed_ticket_the_next_one_works(
    student_api: LiveApi, sample_video: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as patched:
        patched.setattr(
            LocalBackend,
            "create_upload",
            _provider_failing_with(ProviderError("The video storage is unavailable."), []),
        )
        assert _ask_for_ticket(student_api, sample_video).status_code == 503

    assert student_api.submit(sample_video)["state"] == "ready"
