"""Direct creator uploads: our ticket, the forwarded tus creation, the browser's PATCHes
straight to Cloudflare's one-time URL (never through Django), and confirmation."""

from __future__ import annotations

import io
import time

import pytest
import requests
from tusclient.uploader import Uploader

from storage_backends.base import (
    UploadContext,
    UploadRejected,
)
from storage_backends.cloudflare import CloudflareStreamBackend
from storage_backends.errors import ProviderError
from tests.fakes.cloudflare_stream import (
    CHUNK_MULTIPLE,
    MAX_CHUNK,
    MIN_CHUNK,
    FakeCloudflareStream,
    TusUploadError,
    encode_tus_metadata,
    parse_tus_metadata,
    upload_with_tus,
)
from tests.fakes.cloudflare_stream.uploads import chunk_problem
from tests.storage.cloudflare.conftest import VIDEO, start_upload

OCTETS = {"Tus-Resumable": "1.0.0", "Content-Type": "application/offset+octet-stream"}


def test_the_ticket_points_at_our_tus_endpoint_and_costs_no_api_call(
    backend: CloudflareStreamBackend, stream: FakeCloudflareStream, upload_ctx: UploadContext
) -> None:
    before = len(stream.requests)
    ticket = backend.create_upload(upload_ctx, "talk.mp4", 1234, "video/mp4")
    assert ticket.protocol == "tus"
    assert ticket.url == "/storage/cloudflare/tus/"
    assert len(ticket.upload_ref) == 32 and ticket.headers == {}
    assert ticket.expires_at.timestamp() > time.time()
    assert len(stream.requests) == before


def test_a_file_that_is_not_a_video_is_rejected_before_cloudflare_is_asked(
    backend: CloudflareStreamBackend, stream: FakeCloudflareStream, upload_ctx: UploadContext
) -> None:
    before = len(stream.requests)
    with pytest.raises(UploadRejected) as caught:
        backend.create_upload(upload_ctx, "notes.txt", 1234, "text/plain")
    assert caught.value.code == "unsupported_type"
    assert len(stream.requests) == before


def test_forwarding_sends_our_token_and_our_settings_over_the_browsers(
    backend: CloudflareStreamBackend, stream: FakeCloudflareStream
) -> None:
    browser = encode_tus_metadata(
        {
            "name": "../../etc/evil.mp4",
            "filetype": "video/mp4",
            "maxDurationSeconds": "21600",
            "expiry": "2099-01-01T00:00:00Z",
            "allowedorigins": "evil.example",
        }
    )
    location, uid = backend.forward_tus_creation(
        "ref123", upload_length=len(VIDEO), upload_metadata=browser
    )
    (creation,) = stream.requests_to("POST", "/stream")
    assert creation.query == {"direct_user": ["true"]}
    assert creation.headers["authorization"] == f"Bearer {stream.api_token}"
    assert creation.headers["tus-resumable"] == "1.0.0"
    assert creation.headers["upload-length"] == str(len(VIDEO))
    sent = parse_tus_metadata(creation.headers["upload-metadata"])
    assert sent == {
        "filetype": "video/mp4",
        "name": "evil.mp4",
        "requiresignedurls": None,
        "maxDurationSeconds": "600",
        "uploadref": "ref123",
    }
    assert location.startswith(f"{stream.url}/tus/") and uid not in location
    video = stream.video(uid)
    assert video is not None
    assert video["requireSignedURLs"] is True and video["maxDurationSeconds"] == 600
    assert video["meta"]["name"] == "evil.mp4"
    assert video["status"]["state"] == "pendingupload"


def test_the_browser_uploads_straight_to_cloudflare_with_tuspy_and_we_confirm(
    backend: CloudflareStreamBackend, stream: FakeCloudflareStream
) -> None:
    ref, location, uid = start_upload(backend)
    Uploader(file_stream=io.BytesIO(VIDEO), url=location, chunk_size=MIN_CHUNK).upload()
    patches = stream.requests_to("PATCH")
    assert [p.body_size for p in patches] == [MIN_CHUNK, len(VIDEO) - MIN_CHUNK]
    assert all("authorization" not in p.headers for p in patches)  # no token in the browser
    assert stream.video_bytes(uid) == VIDEO
    assert backend.confirm_upload(ref, {"video_id": uid}) == uid
    assert backend.confirm_upload(ref, {"video_id": uid}) == uid  # idempotent


def test_the_helper_resumes_an_interrupted_upload_from_the_servers_offset(
    backend: CloudflareStreamBackend, stream: FakeCloudflareStream
) -> None:
    _, location, uid = start_upload(backend)
    first = requests.patch(
        location, data=VIDEO[:MIN_CHUNK], timeout=10, headers={**OCTETS, "Upload-Offset": "0"}
    )
    assert first.status_code == 204 and first.headers["Upload-Offset"] == str(MIN_CHUNK)
    assert upload_with_tus(location, VIDEO, MIN_CHUNK) == len(VIDEO)
    assert len(stream.requests_to("PATCH")) == 2
    assert stream.video(uid)["status"]["state"] == "queued"  # type: ignore[index]


@pytest.mark.parametrize(
    ("size", "offset", "length", "problem"),
    [
        (1024 * 1024, 0, 20 * 1024 * 1024, "smaller than"),
        (MIN_CHUNK + 1, 0, 20 * 1024 * 1024, "multiple of"),
        (MAX_CHUNK + CHUNK_MULTIPLE, 0, 2 * MAX_CHUNK, "larger than"),
        (MIN_CHUNK, MIN_CHUNK, MIN_CHUNK + 10, "past Upload-Length"),
        (10, 0, 10, None),  # a small file in one chunk
        (MIN_CHUNK + 7, MIN_CHUNK, 2 * MIN_CHUNK + 7, None),  # the last chunk may be any size
        (2 * MIN_CHUNK, 0, 3 * MIN_CHUNK, None),
    ],
)
def test_streams_chunk_rules(size: int, offset: int, length: int, problem: str | None) -> None:
    found = chunk_problem(size, offset, length)
    assert (found is None) if problem is None else (problem in str(found))


@pytest.mark.parametrize(
    ("chunk", "headers", "status"),
    [
        (VIDEO[: 1024 * 1024], {}, 400),  # too small and not the last chunk
        (VIDEO[: MIN_CHUNK + 1], {}, 400),  # not a multiple of 256 KiB
        (VIDEO[:MIN_CHUNK], {"Upload-Offset": "5"}, 409),
        (VIDEO[:MIN_CHUNK], {"Content-Type": "application/octet-stream"}, 415),
        (VIDEO[:MIN_CHUNK], {"Tus-Resumable": "0.2.2"}, 412),
    ],
)
def test_the_fake_refuses_patches_that_cloudflare_refuses(
    backend: CloudflareStreamBackend,
    stream: FakeCloudflareStream,
    chunk: bytes,
    headers: dict[str, str],
    status: int,
) -> None:
    _, location, uid = start_upload(backend)
    response = requests.patch(
        location, data=chunk, timeout=10, headers={**OCTETS, "Upload-Offset": "0", **headers}
    )
    assert response.status_code == status
    assert stream.video_bytes(uid) == b""


def test_the_helper_reports_a_refused_chunk(backend: CloudflareStreamBackend) -> None:
    _, location, _ = start_upload(backend)
    with pytest.raises(TusUploadError) as caught:
        upload_with_tus(location, VIDEO, 1024 * 1024)
    assert caught.value.status == 400


def test_browsers_may_call_the_upload_url_across_origins(
    backend: CloudflareStreamBackend,
) -> None:
    _, location, uid = start_upload(backend)
    preflight = requests.options(
        location,
        timeout=10,
        headers={
            "Origin": "https://tool.example",
            "Access-Control-Request-Method": "PATCH",
            "Access-Control-Request-Headers": "tus-resumable,upload-offset,content-type",
        },
    )
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    allowed = preflight.headers["Access-Control-Allow-Headers"]
    assert {"Tus-Resumable", "Upload-Offset", "Content-Type"} <= {
        name.strip() for name in allowed.split(",")
    }
    head = requests.head(location, headers={"Tus-Resumable": "1.0.0"}, timeout=10)
    assert head.headers["Upload-Offset"] == "0"
    assert head.headers["stream-media-id"] == uid
    assert "stream-media-id" in head.headers["Access-Control-Expose-Headers"]
    assert "Upload-Offset" in head.headers["Access-Control-Expose-Headers"]


def test_confirming_needs_the_video_that_this_upload_created(
    backend: CloudflareStreamBackend, stream: FakeCloudflareStream
) -> None:
    ref, location, uid = start_upload(backend)
    other_ref, _, other_uid = start_upload(backend)
    upload_with_tus(location, VIDEO, MIN_CHUNK)
    for metadata in ({}, {"video_id": "0" * 32}, {"video_id": "../keys"}):
        with pytest.raises(ProviderError) as caught:
            backend.confirm_upload(ref, metadata)
        assert (caught.value.code, caught.value.permanent) == ("upload_missing", True)
    with pytest.raises(ProviderError) as caught:  # someone else's upload
        backend.confirm_upload(other_ref, {"video_id": uid})
    assert caught.value.code == "upload_missing"
    with pytest.raises(ProviderError) as caught:  # created, but no bytes yet: ask again later
        backend.confirm_upload(other_ref, {"video_id": other_uid})
    assert (caught.value.code, caught.value.permanent) == ("upload_incomplete", False)


def test_bad_creation_requests_are_refused_without_asking_cloudflare(
    backend: CloudflareStreamBackend, stream: FakeCloudflareStream
) -> None:
    before = len(stream.requests)
    with pytest.raises(ProviderError) as caught:
        backend.forward_tus_creation("ref", upload_length=0, upload_metadata="")
    assert caught.value.permanent
    with pytest.raises(UploadRejected):
        backend.forward_tus_creation("ref", upload_length=10, upload_metadata="name %%%")
    assert len(stream.requests) == before


def test_the_fake_takes_basic_post_uploads_too(stream: FakeCloudflareStream) -> None:
    """POST /stream/direct_upload, then one multipart POST of the file to uploadURL."""
    api = f"{stream.api_base}/accounts/{stream.account_id}/stream"
    auth = {"Authorization": f"Bearer {stream.api_token}"}
    refused = requests.post(f"{api}/direct_upload", json={}, headers=auth, timeout=10)
    assert refused.status_code == 400 and refused.json()["success"] is False
    created = requests.post(
        f"{api}/direct_upload", json={"maxDurationSeconds": 60}, headers=auth, timeout=10
    ).json()["result"]
    sent = requests.post(
        created["uploadURL"], files={"file": ("a.mp4", b"video bytes")}, timeout=10
    )
    assert sent.status_code == 200
    assert stream.video_bytes(created["uid"]) == b"video bytes"
