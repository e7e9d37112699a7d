"""An unfinished Stream upload that is cancelled, replaced or abandoned: deleting it (what
the purge task does with `deletable_id`) removes the pending video, and the one-time upload
URL then refuses the rest of the bytes."""

from __future__ import annotations

import requests

from storage_backends.cloudflare import CloudflareStreamBackend
from tests.fakes.cloudflare_stream import MIN_CHUNK, FakeCloudflareStream
from tests.storage.cloudflare.conftest import VIDEO, start_upload

OCTETS = {"Tus-Resumable": "1.0.0", "Content-Type": "application/offset+octet-stream"}


def test_deleting_a_pending_upload_removes_the_video_and_refuses_more_bytes(
    backend: CloudflareStreamBackend, stream: FakeCloudflareStream
) -> None:
    ref, location, uid = start_upload(backend)
    first = requests.patch(
        location, data=VIDEO[:MIN_CHUNK], timeout=10, headers={**OCTETS, "Upload-Offset": "0"}
    )
    assert first.status_code == 204

    target = backend.deletable_id(video_id="", upload_ref=ref, upload_details={"video_id": uid})
    backend.delete_video(target)

    assert target == uid
    assert stream.video(uid) is None
    rest = requests.patch(
        location,
        data=VIDEO[MIN_CHUNK:],
        timeout=10,
        headers={**OCTETS, "Upload-Offset": str(MIN_CHUNK)},
    )
    assert 400 <= rest.status_code < 500
    backend.delete_video(target)  # again: nothing left, no error
