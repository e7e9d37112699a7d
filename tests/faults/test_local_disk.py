"""The local backend's data folder cannot be written, or its disk is full: tickets are
refused, tus requests answer 507 with a sentence (not an HTML 500), nothing is left torn,
and the upload resumes once the disk takes bytes again."""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
import requests
from django.conf import settings

from lti_tool.models import Submission
from storage_backends.errors import ProviderError
from storage_backends.local.files import LocalFiles, StoredInfo
from tests.fixtures.live_api import LiveApi

TUS = {"Tus-Resumable": "1.0.0"}


def _root() -> Path:
    return Path(settings.VIDEO_STORAGE["OPTIONS"]["root"])


def _ticket_request(api: LiveApi, video: Path) -> requests.Response:
    return api.post(
        "/api/uploads",
        {"filename": video.name, "size": video.stat().st_size, "mime_type": "video/mp4"},
    )


def test_no_ticket_while_the_data_folder_cannot_be_written(
    student_api: LiveApi, sample_video: Path
) -> None:
    root = _root()
    shutil.rmtree(root, ignore_errors=True)
    root.parent.mkdir(parents=True, exist_ok=True)
    root.write_text("not a folder")  # unwritable even for root, unlike chmod

    refused = _ticket_request(student_api, sample_video)

    assert refused.status_code == 507, refused.text
    assert refused.json() == {
        "code": "storage_unwritable",
        "message": "The video storage cannot be written to right now. Please try again later.",
    }
    root.unlink()
    assert _ticket_request(student_api, sample_video).status_code == 201


def test_a_full_disk_answers_507_and_the_upload_resumes_once_it_has_room(
    student_api: LiveApi, live_server: Any, sample_video: Path
) -> None:
    started = student_api.start_upload(sample_video)
    ticket = started["ticket"]
    headers = {**TUS, **ticket["headers"]}
    size = sample_video.stat().st_size
    created = requests.post(
        student_api.url(ticket["url"]), headers={**headers, "Upload-Length": str(size)}, timeout=10
    )
    assert created.status_code == 201, created.text
    location = created.headers["Location"]
    data = next(_root().rglob("uploads/*/data"))
    data.unlink()
    data.symlink_to("/dev/full")  # every write: ENOSPC, from the kernel
    patch = {**headers, "Content-Type": "application/offset+octet-stream", "Upload-Offset": "0"}

    full = requests.patch(location, data=sample_video.read_bytes(), headers=patch, timeout=10)

    assert full.status_code == 507
    assert full.text == "The video storage is full. Please try again later."
    assert full.headers["Content-Type"].startswith("text/plain")
    data.unlink()  # room again
    data.write_bytes(b"")
    head = requests.head(location, headers=headers, timeout=10)
    assert head.headers["Upload-Offset"] == "0"
    resumed = requests.patch(location, data=sample_video.read_bytes(), headers=patch, timeout=10)
    assert resumed.status_code == 204, resumed.text
    confirmed = student_api.confirm(started["submission"]["id"])
    assert confirmed.status_code == 200, confirmed.text
    assert Submission.objects.get(pk=started["submission"]["id"]).state == "ready"


def test_metadata_is_written_whole_or_not_at_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = LocalFiles(tmp_path)
    folder = tmp_path / "uploads" / "a"

    def disk_full(_: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(ProviderError) as refused:
        files.write_info(folder, StoredInfo(10, "a.mp4", "video/mp4"))

    assert (refused.value.status, refused.value.permanent) == (507, False)
    assert list(folder.iterdir()) == []  # no torn info.json, no temporary file left
    monkeypatch.undo()
    files.write_info(folder, StoredInfo(10, "a.mp4", "video/mp4"))
    assert files.read_info(folder) == StoredInfo(10, "a.mp4", "video/mp4")
    (folder / "info.json").write_text("")  # torn by an older version: as if never created
    assert files.read_info(folder) is None
