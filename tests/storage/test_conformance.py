"""The storage conformance suite: the same tests against every backend, over real HTTP.

`local` runs against pytest-django's live server (our tus endpoint and signed Range
playback), `s3` against moto (presigned POST uploads, presigned GETs), `s3-cloudfront`
against moto with multipart uploads and CloudFront signed links, `cloudflare` against
the fake Stream service (forwarded tus creation, signed iframe tokens), and `folder`, a
backend that lives only in tests/storage/folder_backend/ (registered through settings,
tus to its own endpoints). What a backend legitimately does differently is in
tests/storage/conformance_support.py (or its own package's harness.py), never here.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from storage_backends.base import UploadContext, UploadRejected, Viewer
from storage_backends.errors import ProviderError
from tests.storage.conformance_support import (
    BUILDERS,
    RANGE,
    SAMPLE_HEIGHT,
    SAMPLE_SECONDS,
    SAMPLE_WIDTH,
    USES_DATABASE,
    Harness,
    discovered_builders,
    make_sample_video,
    no_retry_waits,
)

# The project's backends, then any that live in test packages (the folder backend).
_found, _found_database = discovered_builders()
ALL_BUILDERS = {**BUILDERS, **_found}
# pytest-django sets the test database up for marked tests only (a fixture that asks for
# it at run time is too late): the mark goes on the parameters that need it.
HARNESS_PARAMS = [
    pytest.param(name, marks=pytest.mark.django_db(transaction=True))
    if name in USES_DATABASE | _found_database
    else name
    for name in ALL_BUILDERS
]

MiB = 1024**2
MAX_SIZE = 50 * MiB
VIEWER = Viewer(user_id=3, ip_address="127.0.0.1")
A_WEEK = 7 * 24 * 3600


@pytest.fixture(scope="session")
def video(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A 2-second 320x240 H.264 MP4 (tens of KB), made once per run."""
    return make_sample_video(tmp_path_factory.mktemp("conformance") / "talk.mp4")


@pytest.fixture(params=HARNESS_PARAMS)
def harness(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Harness]:
    no_retry_waits(monkeypatch)
    yield from ALL_BUILDERS[request.param](request)


@pytest.fixture
def ctx() -> UploadContext:
    return UploadContext(
        tenant_id=1, assignment_id=2, user_id=3, submission_id=4, max_size_bytes=MAX_SIZE
    )


def send(
    harness: Harness,
    ctx: UploadContext,
    data: bytes,
    filename: str = "talk.mp4",
    mime: str = "video/mp4",
) -> tuple[str, dict[str, Any]]:
    """Ticket, then the browser's upload: (upload_ref, what the app hands confirm)."""
    ticket = harness.backend.create_upload(ctx, filename, len(data), mime)
    return ticket.upload_ref, harness.upload(ticket, data, filename=filename, mime=mime)


@pytest.fixture
def video_id(harness: Harness, ctx: UploadContext, video: bytes) -> str:
    """The sample, uploaded, confirmed and processed."""
    video_id = harness.backend.confirm_upload(*send(harness, ctx, video))
    harness.finish_processing()
    return video_id


# Uploads


def test_a_ticket_names_a_direct_upload_that_expires(
    harness: Harness, ctx: UploadContext, video: bytes
) -> None:
    now = time.time()
    ticket = harness.backend.create_upload(ctx, "talk.mp4", len(video), "video/mp4")
    other = harness.backend.create_upload(ctx, "talk.mp4", len(video), "video/mp4")

    assert ticket.protocol in harness.protocols
    assert ticket.url and ticket.upload_ref
    assert other.upload_ref != ticket.upload_ref  # every ticket is a new upload
    assert ticket.expires_at.tzinfo is not None
    assert now < ticket.expires_at.timestamp() <= now + A_WEEK


def test_an_uploaded_video_is_confirmed_and_stored_whole(
    harness: Harness, ctx: UploadContext, video: bytes
) -> None:
    ref, metadata = send(harness, ctx, video)

    video_id = harness.backend.confirm_upload(ref, metadata)

    assert video_id
    assert harness.backend.video_exists(video_id)
    assert harness.stored_bytes(video_id) == video
    # A retried confirm (double click, lost answer) gives the same video, not an error.
    assert harness.backend.confirm_upload(ref, metadata) == video_id


def test_metadata_has_the_size_and_is_ready_after_processing(
    harness: Harness, ctx: UploadContext, video: bytes
) -> None:
    video_id = harness.backend.confirm_upload(*send(harness, ctx, video))

    before = harness.backend.get_metadata(video_id)
    harness.finish_processing()
    after = harness.backend.get_metadata(video_id)

    assert before.state in ("processing", "ready")
    assert before.ready == (before.state == "ready")
    assert (after.state, after.ready) == ("ready", True)
    assert after.size_bytes == len(video)
    assert after.mime_type in (None, "video/mp4")
    if harness.probes_media:
        assert after.duration_seconds == pytest.approx(SAMPLE_SECONDS, abs=0.2)
        assert (after.width, after.height) == (SAMPLE_WIDTH, SAMPLE_HEIGHT)
    else:  # nothing invented where the storage cannot know
        assert (after.duration_seconds, after.width, after.height) == (None, None, None)


def test_confirming_a_ticket_nothing_was_uploaded_for_is_refused(
    harness: Harness, ctx: UploadContext, video: bytes
) -> None:
    ticket = harness.backend.create_upload(ctx, "talk.mp4", len(video), "video/mp4")

    with pytest.raises(ProviderError) as refused:
        harness.backend.confirm_upload(ticket.upload_ref, {"size": len(video), "mime": "video/mp4"})

    assert (refused.value.code, refused.value.permanent) == ("upload_missing", True)


def test_one_uploads_proof_does_not_confirm_another_ticket(
    harness: Harness, ctx: UploadContext, video: bytes
) -> None:
    ref, metadata = send(harness, ctx, video)
    other = harness.backend.create_upload(ctx, "talk.mp4", len(video), "video/mp4")

    with pytest.raises(ProviderError) as refused:
        harness.backend.confirm_upload(other.upload_ref, metadata)

    assert refused.value.code == "upload_missing"
    assert harness.backend.confirm_upload(ref, metadata)  # its own ticket still confirms


@pytest.mark.parametrize(
    ("filename", "size", "mime", "code"),
    [
        ("talk.pdf", 1000, "application/pdf", "unsupported_type"),
        ("talk.mp4", 1000, "text/html", "unsupported_type"),
        ("talk.mov", 1000, "video/mp4", "extension_mismatch"),
        ("talk", 1000, "video/mp4", "extension_mismatch"),
        ("talk.mp4", MAX_SIZE + 1, "video/mp4", "file_too_large"),
        ("talk.mp4", 0, "video/mp4", "empty_file"),
        ("talk.mp4", -1, "video/mp4", "empty_file"),
        ("../", 1000, "video/mp4", "invalid_filename"),
        ("\x00\x1f", 1000, "video/mp4", "invalid_filename"),
    ],
    ids=[
        "wrong-type",
        "html",
        "extension-mismatch",
        "no-extension",
        "oversize",
        "empty",
        "negative-size",
        "only-a-path",
        "control-characters",
    ],
)
def test_invalid_uploads_are_refused_before_any_storage(
    harness: Harness, ctx: UploadContext, filename: str, size: int, mime: str, code: str
) -> None:
    with pytest.raises(UploadRejected) as refused:
        harness.backend.create_upload(ctx, filename, size, mime)

    assert (refused.value.code, refused.value.permanent) == (code, True)
    assert refused.value.message  # a sentence for the student


@pytest.mark.parametrize(
    ("filename", "mime"),
    [
        ("talk.MP4", "video/mp4"),
        ("talk.mp4", "VIDEO/MP4"),
        ("talk.m4v", "video/mp4"),
        ("talk.webm", "video/webm;codecs=vp9,opus"),
        ("talk.mov", "video/quicktime"),
    ],
)
def test_the_spellings_browsers_send_are_accepted(
    harness: Harness, ctx: UploadContext, filename: str, mime: str
) -> None:
    ticket = harness.backend.create_upload(ctx, filename, 1000, mime)

    assert ticket.protocol in harness.protocols


@pytest.mark.parametrize(
    "filename", ["../../../etc/talk.mp4", "C:\\fakepath\\talk.mp4", "/var/videos/talk.mp4"]
)
def test_a_path_in_the_file_name_is_stripped(
    harness: Harness, ctx: UploadContext, video: bytes, filename: str
) -> None:
    video_id = harness.backend.confirm_upload(*send(harness, ctx, video, filename=filename))

    assert harness.stored_name(video_id) == "talk.mp4"
    assert harness.stored_bytes(video_id) == video


# Playback


def test_the_playback_link_plays_the_bytes_with_range(
    harness: Harness, video_id: str, video: bytes
) -> None:
    playback = harness.backend.playback(video_id, VIEWER, 300)
    whole = harness.fetch(playback)
    part = harness.fetch(playback, byte_range=RANGE)

    assert playback.kind == harness.playback_kind
    assert (whole.status, whole.body) == (200, video)
    assert (part.status, part.body) == (206, video[RANGE[0] : RANGE[1] + 1])


def test_the_link_expires_when_its_playback_says(harness: Harness, video_id: str) -> None:
    now = time.time()
    short = harness.backend.playback(video_id, VIEWER, 300)
    long = harness.backend.playback(video_id, VIEWER, 30 * 24 * 3600)

    assert short.expires_at.tzinfo is not None
    assert short.expires_at.timestamp() == pytest.approx(now + 300, abs=2)
    # A backend may cap a lifetime (SigV4: 7 days; Stream tokens: 24 h), but what it
    # reports is what the credential says. Never later: the page would offer a dead link
    # (a second's grace: a presigned URL is stamped a moment after expires_at is taken).
    for playback in (short, long):
        late_by = harness.credential_expiry(playback) - int(playback.expires_at.timestamp())
        assert 0 <= late_by <= 1, late_by


def test_an_expired_link_is_refused(harness: Harness, video_id: str) -> None:
    with harness.signing_clock(-3600):  # signed an hour ago, for one minute
        expired = harness.backend.playback(video_id, VIEWER, 60)
    fresh = harness.backend.playback(video_id, VIEWER, 60)

    assert expired.expires_at.timestamp() < time.time() - 3000
    harness.assert_refused_as_expired(expired)
    assert harness.fetch(fresh).status == 200  # the same video plays: it was the expiry


# Deletion


def test_delete_removes_the_video_and_deleting_again_is_fine(
    harness: Harness, video_id: str
) -> None:
    link = harness.backend.playback(video_id, VIEWER, 300)

    harness.backend.delete_video(video_id)

    assert not harness.backend.video_exists(video_id)
    with pytest.raises(ProviderError) as missing:
        harness.backend.get_metadata(video_id)
    assert (missing.value.code, missing.value.permanent) == ("not_found", True)
    harness.assert_purged(video_id)
    assert harness.fetch(link).status in (403, 404)  # a link handed out before stops working
    harness.backend.delete_video(video_id)  # idempotent: a retried purge
    assert not harness.backend.video_exists(video_id)


def test_a_deleted_upload_cannot_be_confirmed_again(
    harness: Harness, ctx: UploadContext, video: bytes
) -> None:
    ref, metadata = send(harness, ctx, video)
    harness.backend.delete_video(harness.backend.confirm_upload(ref, metadata))

    with pytest.raises(ProviderError) as refused:
        harness.backend.confirm_upload(ref, metadata)  # a stale confirm after the purge

    assert (refused.value.code, refused.value.permanent) == ("upload_missing", True)


def test_an_abandoned_upload_is_removed_by_delete(
    harness: Harness, ctx: UploadContext, video: bytes
) -> None:
    """A student starts again before confirming: the purge must find the first upload's
    bytes. Its id is the ticket's ref, except where the provider names the video at
    creation (Stream's media id, which the web layer records in upload_details)."""
    ref, metadata = send(harness, ctx, video)
    pending_id = harness.pending_video_id(ref, metadata)

    harness.backend.delete_video(pending_id)

    harness.assert_purged(pending_id)
    with pytest.raises(ProviderError):
        harness.backend.confirm_upload(ref, metadata)


def test_a_video_that_never_existed_is_not_found(harness: Harness) -> None:
    video_id = harness.unknown_video_id()

    assert not harness.backend.video_exists(video_id)
    with pytest.raises(ProviderError) as missing:
        harness.backend.get_metadata(video_id)
    assert (missing.value.code, missing.value.permanent) == ("not_found", True)
    harness.backend.delete_video(video_id)  # nothing to delete is fine


@pytest.mark.parametrize(
    "video_id", ["../../etc/passwd", "", "keys", "a" * 300, "..%2f..%2fsecret", "x/../../y"]
)
def test_ids_the_backend_never_made_reach_nothing(harness: Harness, video_id: str) -> None:
    """Forged ids name no video: `video_exists` is False, metadata is a permanent
    ProviderError, and deleting them is a no-op, never another exception or an object
    outside the backend's own videos."""
    assert harness.backend.video_exists(video_id) is False
    with pytest.raises(ProviderError) as refused:
        harness.backend.get_metadata(video_id)
    assert refused.value.permanent
    harness.backend.delete_video(video_id)
