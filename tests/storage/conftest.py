"""Shared pieces of the storage tests: a tus upload on the live server, eager tasks."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
import requests

from tests.fixtures.live_api import LiveApi

TUS = {"Tus-Resumable": "1.0.0"}
OCTETS = "application/offset+octet-stream"


@pytest.fixture(autouse=True)
def _tasks_run_eagerly(eager_tasks: None) -> None:
    """The tests here check what the API shows once the worker has run."""


@dataclass
class TusUpload:
    """An upload created on the tus endpoint: its URL, its ticket, its submission."""

    base_url: str
    url: str
    ref: str
    ticket: dict[str, Any]
    submission_id: int

    @property
    def headers(self) -> dict[str, str]:
        return {**TUS, **self.ticket["headers"]}

    def head(self, **headers: str) -> requests.Response:
        return requests.head(self.url, headers={**self.headers, **headers}, timeout=5)

    def patch(self, data: bytes, offset: int, **headers: str) -> requests.Response:
        sent = {**self.headers, "Content-Type": OCTETS, "Upload-Offset": str(offset), **headers}
        return requests.patch(self.url, data=data, headers=sent, timeout=5)

    def offset(self) -> int:
        response = self.head()
        assert response.status_code == 200, response.text
        return int(response.headers["Upload-Offset"])


def tus_create(api: LiveApi, ticket: dict[str, Any], length: int) -> requests.Response:
    headers = {**TUS, **ticket["headers"], "Upload-Length": str(length)}
    return requests.post(urljoin(api.base_url, ticket["url"]), headers=headers, timeout=5)


@pytest.fixture
def tus_upload(student_api: LiveApi, sample_video: Path) -> TusUpload:
    """Student One's upload of the sample video, created on the tus endpoint, no bytes yet."""
    started = student_api.start_upload(sample_video)
    ticket = started["ticket"]
    created = tus_create(student_api, ticket, sample_video.stat().st_size)
    assert created.status_code == 201, created.text
    return TusUpload(
        base_url=student_api.base_url,
        url=urljoin(student_api.base_url, created.headers["Location"]),
        ref=ticket["upload_ref"],
        ticket=ticket,
        submission_id=started["submission"]["id"],
    )
