"""Signed playback URLs of the local backend over real HTTP, with HTTP Range."""

from __future__ import annotations

import os
import time
import uuid
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import pytest
import requests

from storage_backends.base import Viewer
from storage_backends.local import tickets
from storage_backends.local.backend import LocalBackend
from storage_backends.local.files import StoredInfo
from tests.fixtures.live_api import local_backend

SIZE = 1000
VIEWER = Viewer(user_id=1)


def store_video(backend: LocalBackend, data: bytes) -> str:
    """A video as a finished, confirmed upload leaves it; returns its id."""
    ref = uuid.uuid4().hex
    folder = backend.files.upload_dir(ref)
    backend.files.write_info(folder, StoredInfo(len(data), "clip.mp4", "video/mp4"))
    (folder / "data").write_bytes(data)
    return backend.confirm_upload(ref, {})


@pytest.fixture
def video_bytes() -> bytes:
    return os.urandom(SIZE)


@pytest.fixture
def video_id(video_bytes: bytes) -> str:
    return store_video(local_backend(), video_bytes)


@pytest.fixture
def play_url(live_server: Any, video_id: str) -> str:
    return urljoin(live_server.url, local_backend().playback(video_id, VIEWER, 60).url)


def get(url: str, range_header: str | None = None) -> requests.Response:
    headers = {"Range": range_header} if range_header else {}
    return requests.get(url, headers=headers, timeout=5)


def test_the_signed_url_plays_the_whole_file(play_url: str, video_bytes: bytes) -> None:
    response = get(play_url)

    assert response.status_code == 200
    assert response.headers["Accept-Ranges"] == "bytes"
    assert response.headers["Content-Type"] == "video/mp4"
    assert int(response.headers["Content-Length"]) == SIZE
    assert response.content == video_bytes


@pytest.mark.parametrize(
    ("range_header", "start", "end"),
    [
        ("bytes=0-99", 0, 99),
        ("bytes=100-199", 100, 199),
        ("bytes=900-", 900, SIZE - 1),  # open-ended
        ("bytes=-100", SIZE - 100, SIZE - 1),  # suffix: the last 100 bytes
        ("bytes=990-5000", 990, SIZE - 1),  # an end past the file is cut to it
        ("bytes=-5000", 0, SIZE - 1),  # a suffix longer than the file is the whole file
        ("bytes=999-999", SIZE - 1, SIZE - 1),
    ],
)
def test_a_range_gets_206_and_exactly_those_bytes(
    play_url: str, video_bytes: bytes, range_header: str, start: int, end: int
) -> None:
    response = get(play_url, range_header)

    assert response.status_code == 206
    assert response.headers["Content-Range"] == f"bytes {start}-{end}/{SIZE}"
    assert int(response.headers["Content-Length"]) == end - start + 1
    assert response.headers["Accept-Ranges"] == "bytes"
    assert response.content == video_bytes[start : end + 1]


@pytest.mark.parametrize("range_header", ["bytes=1000-", "bytes=5000-6000", "bytes=-0"])
def test_an_unsatisfiable_range_is_416(play_url: str, range_header: str) -> None:
    response = get(play_url, range_header)

    assert response.status_code == 416
    assert response.headers["Content-Range"] == f"bytes */{SIZE}"


def test_an_expired_url_is_403(live_server: Any, video_id: str) -> None:
    expired = local_backend().playback(video_id, VIEWER, expires_in=-1).url

    response = get(urljoin(live_server.url, expired))

    assert response.status_code == 403
    assert "expired" in response.text
    assert len(response.content) < 100


def test_a_url_expires_with_the_clock(
    live_server: Any, video_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = urljoin(live_server.url, local_backend().playback(video_id, VIEWER, 60).url)
    assert get(url).status_code == 200

    later = time.time() + 61
    monkeypatch.setattr(tickets, "time", SimpleNamespace(time=lambda: later))

    assert get(url).status_code == 403


def test_a_tampered_signature_is_403(play_url: str) -> None:
    parts = urlsplit(play_url)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    signature = query["signature"]
    forged = [
        {**query, "signature": signature[:-1] + ("0" if signature[-1] != "0" else "1")},
        {**query, "expires": str(int(query["expires"]) + 3600)},  # a longer life, same signature
        {"expires": query["expires"]},
        {},
    ]
    for params in forged:
        response = get(parts._replace(query=urlencode(params)).geturl())
        assert response.status_code == 403, params


def test_a_signature_for_another_video_is_403(
    live_server: Any, video_id: str, video_bytes: bytes
) -> None:
    other_id = store_video(local_backend(), b"other student's video" * 10)
    other_url = local_backend().playback(other_id, VIEWER, 60).url

    swapped = urljoin(live_server.url, other_url.replace(other_id, video_id))
    response = get(swapped)

    assert response.status_code == 403
    assert video_bytes not in response.content


def test_a_signed_url_for_a_deleted_video_is_404(play_url: str, video_id: str) -> None:
    local_backend().delete_video(video_id)

    assert get(play_url).status_code == 404


def test_a_reversed_range_is_ignored_and_the_whole_file_sent(
    play_url: str, video_bytes: bytes
) -> None:
    response = get(play_url, "bytes=5-2")

    assert response.status_code == 200
    assert response.content == video_bytes
