"""The local backend's tus 1.0.0 endpoint over real HTTP, driven by tuspy and by hand."""

from __future__ import annotations

import dataclasses
import socket
import time
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
import requests
from django.core import signing

from storage_backends.local.tickets import _TICKET_SALT
from tests.ci import IN_CI
from tests.fixtures.live_api import LiveApi, live_api, local_backend, tus_uploader
from tests.fixtures.platform import LaunchDriver
from tests.storage.conftest import OCTETS, TUS, TusUpload, tus_create

CHUNK = 4096


def test_tuspy_uploads_in_several_patches_and_the_confirmed_video_is_ready(
    student_api: LiveApi, sample_video: Path, has_ffmpeg: bool
) -> None:
    started = student_api.start_upload(sample_video)
    assert started["submission"]["state"] == "pending_upload"
    uploader = tus_uploader(student_api.base_url, started["ticket"], sample_video, chunk_size=CHUNK)
    uploader.set_url(uploader.create_url())
    patches = 0
    while uploader.offset < uploader.get_file_size():
        uploader.upload_chunk()
        patches += 1
    assert patches >= 3

    confirmed = student_api.confirm(started["submission"]["id"])

    assert confirmed.status_code == 200, confirmed.text
    submission = student_api.submission(started["submission"]["id"])
    assert submission["state"] == "ready"
    assert submission["state_label"] == "Ready"
    assert submission["filename"] == "talk.mp4"
    assert submission["size_bytes"] == sample_video.stat().st_size
    stored = local_backend().video_path(started["ticket"]["upload_ref"])
    assert stored.read_bytes() == sample_video.read_bytes()
    if has_ffmpeg or IN_CI:
        assert submission["duration_seconds"] == pytest.approx(2.0, abs=0.1)


def test_an_interrupted_patch_keeps_its_bytes_and_tuspy_resumes_from_there(
    tus_upload: TusUpload, sample_video: Path, student_api: LiveApi
) -> None:
    video = sample_video.read_bytes()
    first = tus_uploader(
        tus_upload.base_url, tus_upload.ticket, sample_video, chunk_size=CHUNK, url=tus_upload.url
    )
    first.upload_chunk()
    assert first.offset == CHUNK

    # The connection drops 1000 bytes into a 4096-byte chunk.
    _send_and_hang_up(tus_upload, offset=CHUNK, declared=CHUNK, data=video[CHUNK : CHUNK + 1000])
    kept = _wait_for_offset(tus_upload, CHUNK + 1000)

    resumed = tus_uploader(
        tus_upload.base_url, tus_upload.ticket, sample_video, chunk_size=CHUNK, url=tus_upload.url
    )
    assert resumed.url == tus_upload.url
    assert resumed.offset == kept == CHUNK + 1000
    resumed.upload()

    assert tus_upload.offset() == len(video)
    assert student_api.confirm(tus_upload.submission_id).status_code == 200
    assert local_backend().video_path(tus_upload.ref).read_bytes() == video
    assert student_api.submission(tus_upload.submission_id)["state"] == "ready"


def test_options_announces_version_extensions_and_max_size(live_server: Any, settings: Any) -> None:
    response = requests.options(urljoin(live_server.url, "/storage/local/tus/"), timeout=5)

    assert response.status_code in (200, 204)
    assert "1.0.0" in response.headers["Tus-Version"].split(",")
    extensions = response.headers["Tus-Extension"].split(",")
    assert {"creation", "termination"} <= set(extensions)
    assert int(response.headers["Tus-Max-Size"]) == settings.VIDEO_MAX_UPLOAD_BYTES


def test_head_reports_offset_and_length_and_is_not_cached(
    tus_upload: TusUpload, sample_video: Path
) -> None:
    assert tus_upload.patch(b"x" * 10, 0).status_code == 204

    response = tus_upload.head()

    assert response.status_code == 200
    assert response.headers["Upload-Offset"] == "10"
    assert response.headers["Upload-Length"] == str(sample_video.stat().st_size)
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Tus-Resumable"] == "1.0.0"
    assert response.headers["Upload-Expires"].endswith("GMT")


def test_patch_at_the_wrong_offset_is_409_and_changes_nothing(
    tus_upload: TusUpload, sample_video: Path
) -> None:
    video = sample_video.read_bytes()
    first = tus_upload.patch(video[:CHUNK], 0)
    assert first.status_code == 204
    assert first.headers["Upload-Offset"] == str(CHUNK)

    for wrong_offset in (0, CHUNK - 1, CHUNK + 1):
        response = tus_upload.patch(video[wrong_offset : wrong_offset + 100], wrong_offset)
        assert response.status_code == 409
        assert "Upload-Offset" in response.text

    assert tus_upload.offset() == CHUNK
    assert _received(tus_upload) == video[:CHUNK]


def test_creating_an_upload_longer_than_the_limit_is_413(
    student_api: LiveApi, sample_video: Path, settings: Any
) -> None:
    settings.VIDEO_MAX_UPLOAD_BYTES = 50_000
    ticket = student_api.start_upload(sample_video)["ticket"]

    response = tus_create(student_api, ticket, 50_001)

    assert response.status_code == 413
    assert "larger" in response.text
    assert "Location" not in response.headers
    assert (
        local_backend().files.read_info(local_backend().files.upload_dir(ticket["upload_ref"]))
        is None
    )


def test_creating_an_upload_of_another_size_than_the_ticket_is_400(
    student_api: LiveApi, sample_video: Path
) -> None:
    ticket = student_api.start_upload(sample_video)["ticket"]

    response = tus_create(student_api, ticket, sample_video.stat().st_size - 1)

    assert response.status_code == 400
    assert "Upload-Length" in response.text


def test_a_chunk_past_the_end_of_the_file_is_413(tus_upload: TusUpload) -> None:
    response = tus_upload.patch(b"x" * (_length(tus_upload) + 1), 0)

    assert response.status_code == 413
    assert tus_upload.offset() == 0


@pytest.mark.parametrize("version", ["0.2.2", "2.0.0", None])
def test_another_tus_version_is_412(tus_upload: TusUpload, version: str | None) -> None:
    headers = {**tus_upload.headers, "Content-Type": OCTETS, "Upload-Offset": "0"}
    if version is None:
        del headers["Tus-Resumable"]
    else:
        headers["Tus-Resumable"] = version

    response = requests.patch(tus_upload.url, data=b"abc", headers=headers, timeout=5)

    assert response.status_code == 412
    assert response.headers["Tus-Version"] == "1.0.0"
    assert tus_upload.offset() == 0


@pytest.mark.parametrize("content_type", ["application/octet-stream", "video/mp4", None])
def test_patch_with_another_content_type_is_415(
    tus_upload: TusUpload, content_type: str | None
) -> None:
    headers = {**tus_upload.headers, "Upload-Offset": "0"}
    if content_type is not None:
        headers["Content-Type"] = content_type

    response = requests.patch(tus_upload.url, data=b"abc", headers=headers, timeout=5)

    assert response.status_code == 415
    assert tus_upload.offset() == 0


def _expired(ticket: str) -> str:
    signer = local_backend().signer
    grant = signer.read_ticket(ticket)
    return signer.sign_ticket(dataclasses.replace(grant, expires=int(time.time()) - 1))


def _tampered(ticket: str) -> str:
    """The grant edited (a 5 GB file allowed) but still carrying the original signature."""
    signer = local_backend().signer
    grant = dataclasses.replace(signer.read_ticket(ticket), max_size=5 * 10**9)
    payload = signing.dumps(
        dataclasses.asdict(grant), key="not-our-secret", salt=_TICKET_SALT, compress=True
    ).split(":")[0]
    return ":".join([payload, *ticket.split(":")[1:]])


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("missing", "needs an upload ticket"),
        ("tampered", "not valid"),
        ("garbage", "not valid"),
        ("expired", "expired"),
        ("another upload's", "another upload"),
    ],
)
def test_requests_without_this_uploads_ticket_are_403(
    tus_upload: TusUpload,
    launcher: LaunchDriver,
    live_server: Any,
    sample_video: Path,
    kind: str,
    message: str,
) -> None:
    own = tus_upload.ticket["headers"]["X-Upload-Ticket"]
    if kind == "another upload's":
        other = live_api(live_server.url, launcher.launch(sub="student-2", name="Student Two"))
        ticket: str | None = other.start_upload(sample_video)["ticket"]["headers"][
            "X-Upload-Ticket"
        ]
    else:
        ticket = {
            "missing": None,
            "tampered": _tampered(own),
            "garbage": "abc:def",
            "expired": _expired(own),
        }[kind]
    headers = {**TUS, **({"X-Upload-Ticket": ticket} if ticket else {})}

    responses = {
        "HEAD": requests.head(tus_upload.url, headers=headers, timeout=5),
        "PATCH": requests.patch(
            tus_upload.url,
            data=b"abc",
            timeout=5,
            headers={**headers, "Content-Type": OCTETS, "Upload-Offset": "0"},
        ),
        "DELETE": requests.delete(tus_upload.url, headers=headers, timeout=5),
    }

    assert {method: r.status_code for method, r in responses.items()} == dict.fromkeys(
        responses, 403
    )
    assert message in responses["PATCH"].text
    assert tus_upload.offset() == 0


def test_creating_an_upload_without_a_valid_ticket_is_403(live_server: Any) -> None:
    url = urljoin(live_server.url, "/storage/local/tus/")
    for headers in ({}, {"X-Upload-Ticket": "forged"}):
        response = requests.post(url, headers={**TUS, "Upload-Length": "100", **headers}, timeout=5)
        assert response.status_code == 403
        assert "Location" not in response.headers


def test_delete_terminates_the_upload(tus_upload: TusUpload, student_api: LiveApi) -> None:
    assert tus_upload.patch(b"x" * 100, 0).status_code == 204

    deleted = requests.delete(tus_upload.url, headers=tus_upload.headers, timeout=5)

    assert deleted.status_code == 204
    assert tus_upload.head().status_code == 404
    assert tus_upload.patch(b"x", 100).status_code == 404
    assert not (local_backend().files.upload_dir(tus_upload.ref) / "data").exists()
    confirm = student_api.confirm(tus_upload.submission_id)
    assert confirm.status_code == 409
    assert confirm.json()["code"] == "upload_missing"


def test_confirming_before_the_upload_is_complete_is_409_and_stays_pending(
    tus_upload: TusUpload, student_api: LiveApi, sample_video: Path
) -> None:
    assert tus_upload.patch(sample_video.read_bytes()[:CHUNK], 0).status_code == 204

    response = student_api.confirm(tus_upload.submission_id)

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "upload_incomplete"
    assert body["message"] == (
        f"The upload is not complete yet ({CHUNK} of {_length(tus_upload)} bytes)."
    )
    assert student_api.submission(tus_upload.submission_id)["state"] == "pending_upload"
    # The upload can still be finished and confirmed afterwards.
    assert tus_upload.offset() == CHUNK


def test_an_upload_that_is_complete_cannot_be_created_again(
    tus_upload: TusUpload, sample_video: Path, student_api: LiveApi
) -> None:
    assert tus_upload.patch(sample_video.read_bytes(), 0).status_code == 204
    assert student_api.confirm(tus_upload.submission_id).status_code == 200

    again = tus_create(student_api, tus_upload.ticket, sample_video.stat().st_size)

    assert again.status_code == 409
    assert local_backend().video_path(tus_upload.ref).read_bytes() == sample_video.read_bytes()


def test_method_override_lets_a_post_act_as_patch(tus_upload: TusUpload) -> None:
    response = requests.post(
        tus_upload.url,
        data=b"x" * 10,
        timeout=5,
        headers={
            **tus_upload.headers,
            "X-HTTP-Method-Override": "PATCH",
            "Content-Type": OCTETS,
            "Upload-Offset": "0",
        },
    )

    assert response.status_code == 204
    assert tus_upload.offset() == 10


def _length(upload: TusUpload) -> int:
    return int(upload.head().headers["Upload-Length"])


def _received(upload: TusUpload) -> bytes:
    return (local_backend().files.upload_dir(upload.ref) / "data").read_bytes()


def _send_and_hang_up(upload: TusUpload, *, offset: int, declared: int, data: bytes) -> None:
    """A PATCH announcing `declared` bytes whose connection closes after `data`."""
    parts = urlsplit(upload.url)
    lines = [
        f"PATCH {parts.path} HTTP/1.1",
        f"Host: {parts.netloc}",
        f"Content-Length: {declared}",
        f"Content-Type: {OCTETS}",
        f"Upload-Offset: {offset}",
        *(f"{name}: {value}" for name, value in upload.headers.items()),
        "",
        "",
    ]
    with socket.create_connection((parts.hostname, parts.port), timeout=5) as sock:
        sock.sendall("\r\n".join(lines).encode() + data)


def _wait_for_offset(upload: TusUpload, expected: int, timeout: float = 5.0) -> int:
    """The server writes what arrived once it notices the hang-up: poll HEAD until then."""
    deadline = time.monotonic() + timeout
    offset = upload.offset()
    while offset != expected and time.monotonic() < deadline:
        time.sleep(0.02)
        offset = upload.offset()
    return offset
