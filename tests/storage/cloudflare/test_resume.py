"""Resuming an upload to Cloudflare Stream after a reload, through the tool's API: the same
file again gets the same submission and ticket back, and the browser (which kept the upload's
URL, as tus clients do) sends Stream only the bytes it does not have yet."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import requests

from lti_tool.models import StorageConfig, Submission, Tenant
from lti_tool.tenants.storage_configs import storage_config_save
from tests.fakes.cloudflare_stream import MIN_CHUNK, FakeCloudflareStream, upload_with_tus
from tests.fixtures.live_api import LiveApi
from tests.storage.cloudflare.conftest import BROWSER_METADATA, VIDEO

TUS = {"Tus-Resumable": "1.0.0"}


def test_the_same_file_after_a_reload_resumes_its_stream_upload_from_streams_offset(
    student_api: LiveApi, stream: FakeCloudflareStream, tmp_path: Path
) -> None:
    _store_on(stream)
    video = tmp_path / "talk.mp4"
    video.write_bytes(VIDEO)
    first = student_api.start_upload(video)
    location = _create(student_api, first["ticket"])
    sent = requests.patch(
        location,
        data=VIDEO[:MIN_CHUNK],
        headers={**TUS, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"},
        timeout=10,
    )
    assert sent.status_code == 204

    again = student_api.start_upload(video)  # the page was reloaded: the same file again

    assert again["submission"]["id"] == first["submission"]["id"]
    assert again["ticket"]["upload_ref"] == first["ticket"]["upload_ref"]
    assert again["ticket"]["url"] == first["ticket"]["url"]
    assert upload_with_tus(location, VIDEO, MIN_CHUNK) == len(VIDEO)
    patches = stream.requests_to("PATCH")
    assert [p.body_size for p in patches] == [MIN_CHUNK, len(VIDEO) - MIN_CHUNK]  # the rest only
    assert len(stream.requests_to("POST", "/stream")) == 1  # one upload at Stream, not two
    assert student_api.confirm(first["submission"]["id"]).status_code == 200
    assert Submission.objects.count() == 1


def _store_on(stream: FakeCloudflareStream) -> None:
    """The launched student's tenant stores its videos on the fake Stream."""
    config = StorageConfig(
        tenant=Tenant.objects.get(),
        label="Stream",
        backend="storage_backends.cloudflare.CloudflareStreamBackend",
        options={
            "account_id": stream.account_id,
            "api_base": stream.api_base,
            "delivery_base": stream.delivery_base,
        },
    )
    storage_config_save(config=config, secrets={"api_token": stream.api_token}, make_active=True)


def _create(api: LiveApi, ticket: dict[str, Any]) -> str:
    """The browser's tus creation, sent to the ticket's URL (the tool forwards it to Stream);
    returns Stream's upload URL."""
    assert ticket["protocol"] == "tus"
    created = requests.post(
        api.url(ticket["url"]),
        headers={
            **TUS,
            **ticket["headers"],
            "Upload-Length": str(len(VIDEO)),
            "Upload-Metadata": BROWSER_METADATA,
        },
        timeout=10,
    )
    assert created.status_code == 201, created.text
    return str(created.headers["Location"])
