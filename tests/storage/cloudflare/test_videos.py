"""Metadata through Stream's processing states, deletion, and the cost estimate."""

from __future__ import annotations

from decimal import Decimal

import pytest

from storage_backends.cloudflare import CloudflareStreamBackend
from storage_backends.cloudflare.costs import ASSUMED_UPLOAD_BITRATE_BITS_PER_SECOND
from storage_backends.errors import ProviderError
from tests.fakes.cloudflare_stream import MIN_CHUNK, FakeCloudflareStream, upload_with_tus
from tests.storage.cloudflare.conftest import VIDEO, start_upload


def test_metadata_follows_the_video_from_upload_to_ready(
    backend: CloudflareStreamBackend, stream: FakeCloudflareStream
) -> None:
    _, location, uid = start_upload(backend)
    pending = backend.get_metadata(uid)
    assert (pending.state, pending.ready, pending.duration_seconds) == ("processing", False, None)

    upload_with_tus(location, VIDEO, MIN_CHUNK)
    queued = backend.get_metadata(uid)
    assert stream.video(uid)["status"]["state"] == "queued"  # type: ignore[index]
    assert (queued.state, queued.size_bytes, queued.width) == ("processing", len(VIDEO), None)

    stream.advance(1 + 2)  # queued 1 s, then half of the 4 s of encoding
    raw = stream.video(uid)["status"]  # type: ignore[index]
    assert raw["state"] == "inprogress" and isinstance(raw["pctComplete"], str)
    encoding = backend.get_metadata(uid)
    assert encoding.state == "processing" and not encoding.ready
    assert encoding.progress_pct == pytest.approx(50, abs=5)  # type: ignore[attr-defined]
    assert (encoding.width, encoding.height, encoding.duration_seconds) == (1280, 720, 12.0)

    stream.finish_processing()
    ready = backend.get_metadata(uid)
    assert (ready.state, ready.ready, ready.progress_pct) == ("ready", True, 100.0)  # type: ignore[attr-defined]
    assert ready.thumbnail_url == f"{stream.delivery_base}/{uid}/thumbnails/thumbnail.jpg"


def test_a_file_that_is_not_a_video_ends_in_error(
    backend: CloudflareStreamBackend, stream: FakeCloudflareStream
) -> None:
    _, location, uid = start_upload(backend)
    stream.fail_processing(uid)
    upload_with_tus(location, VIDEO, MIN_CHUNK)
    stream.finish_processing()
    failed = backend.get_metadata(uid)
    assert (failed.state, failed.ready) == ("error", False)
    assert failed.error_code == "ERR_NON_VIDEO"  # type: ignore[attr-defined]
    assert failed.duration_seconds is None


def test_deleting_twice_is_fine_and_the_video_is_gone(
    backend: CloudflareStreamBackend, stream: FakeCloudflareStream
) -> None:
    uid = stream.add_video(VIDEO)
    assert backend.video_exists(uid)
    backend.delete_video(uid)
    backend.delete_video(uid)
    assert not backend.video_exists(uid)
    assert stream.video(uid) is None
    assert [r.method for r in stream.requests_to("DELETE")] == ["DELETE", "DELETE"]
    with pytest.raises(ProviderError) as caught:
        backend.get_metadata(uid)
    assert (caught.value.code, caught.value.permanent) == ("not_found", True)


def test_ids_that_would_reach_other_endpoints_are_not_videos(
    backend: CloudflareStreamBackend, stream: FakeCloudflareStream
) -> None:
    before = len(stream.requests)
    assert not backend.video_exists("keys")
    assert not backend.video_exists("../webhook")
    backend.delete_video("keys")
    assert len(stream.requests) == before


def test_the_cost_estimate_turns_bytes_and_views_into_billed_minutes(
    backend: CloudflareStreamBackend,
) -> None:
    one_hour = ASSUMED_UPLOAD_BITRATE_BITS_PER_SECOND * 3600 // 8  # bytes
    assert backend.estimate_cost(one_hour, 0) == Decimal("0.30")  # 60 min at $5 / 1000 min
    assert backend.estimate_cost(one_hour, 1000) == Decimal("5.30")  # + 5000 min watched at $1
    assert backend.estimate_cost(0, 0) == Decimal("0.00")
