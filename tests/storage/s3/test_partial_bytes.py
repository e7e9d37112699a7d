"""An unfinished S3 multipart upload that is cancelled, replaced or abandoned: deleting it
(what the purge task does) aborts the multipart upload, so S3 drops the parts already sent
(and stops billing them) and refuses the next part."""

from __future__ import annotations

import os

import requests

from storage_backends.base import UploadContext
from storage_backends.s3 import S3Backend
from tests.fakes.s3 import BROWSER_ORIGIN, MotoServer, upload_multipart

MiB = 1024**2
DATA = os.urandom(6 * MiB + 1000)  # above the fixture's threshold: two parts


def test_deleting_a_pending_multipart_upload_aborts_it_in_s3(
    s3_backend: S3Backend, upload_ctx: UploadContext, s3_server: MotoServer, s3_bucket: str
) -> None:
    ticket = s3_backend.create_upload(upload_ctx, "talk.mp4", len(DATA), "video/mp4")
    ref, upload_id = ticket.upload_ref, ticket.fields["uploadId"]
    part_size = int(ticket.fields["partSize"])
    upload_multipart(s3_backend, ticket, DATA[:part_size], part_size, complete=False)
    s3 = s3_server.client("s3")
    assert len(s3.list_multipart_uploads(Bucket=s3_bucket).get("Uploads", [])) == 1
    next_part = s3_backend.multipart_sign_part(ref, upload_id, 2, expected_size=len(DATA))

    s3_backend.delete_video(
        s3_backend.deletable_id(video_id="", upload_ref=ref, upload_details=ticket.fields)
    )

    assert s3.list_multipart_uploads(Bucket=s3_bucket).get("Uploads", []) == []
    refused = requests.put(
        next_part, data=DATA[part_size:], headers={"Origin": BROWSER_ORIGIN}, timeout=10
    )
    # S3 answers 404 NoSuchUpload; moto 5 fails with a 500 (KeyError): refused either way.
    assert refused.status_code in (404, 500)
