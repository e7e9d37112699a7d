"""Transient S3 failures are retried by our retry handler; permanent ones are not."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from storage_backends.base import UploadContext
from storage_backends.errors import ProviderError
from storage_backends.retry import TransientHTTPError
from storage_backends.s3 import S3Backend
from storage_backends.s3 import errors as s3_errors
from storage_backends.s3.errors import translate
from tests.fakes.s3 import backend_options


@pytest.fixture
def video_id(s3_backend: S3Backend, upload_ctx: UploadContext) -> str:
    return s3_backend.create_upload(upload_ctx, "talk.mp4", 100, "video/mp4").upload_ref


def test_503_twice_then_success_is_retried(s3_backend: S3Backend, video_id: str) -> None:
    head = {"Bucket": s3_backend.options.bucket, "Key": video_id}
    with Stubber(s3_backend.bucket.client) as stub:
        for _ in range(2):
            stub.add_client_error("head_object", "503", http_status_code=503, expected_params=head)
        stub.add_response(
            "head_object", {"ContentLength": 100, "ContentType": "video/mp4"}, expected_params=head
        )

        assert s3_backend.video_exists(video_id)
        stub.assert_no_pending_responses()


def test_a_permanent_error_is_not_retried(s3_backend: S3Backend, video_id: str) -> None:
    with Stubber(s3_backend.bucket.client) as stub:
        stub.add_client_error("head_object", "403", http_status_code=403)
        stub.add_response("head_object", {"ContentLength": 100})

        with pytest.raises(ProviderError) as denied:
            s3_backend.video_exists(video_id)

        assert denied.value.permanent and denied.value.code == "access_denied"
        with pytest.raises(AssertionError):
            stub.assert_no_pending_responses()  # the success was never asked for


class _Unavailable(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_HEAD(self) -> None:  # noqa: N802 - http.server's naming
        self.hits.append(self.path)
        self.send_response(503)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def unavailable_s3() -> Iterator[str]:
    _Unavailable.hits = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Unavailable)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_each_attempt_is_one_request(unavailable_s3: str, video_id: str) -> None:
    """botocore's own retries are off: three attempts are three requests, not six."""
    backend = S3Backend(**backend_options(unavailable_s3, "videos"))

    with pytest.raises(TransientHTTPError):
        backend.video_exists(video_id)

    assert len(_Unavailable.hits) == s3_errors.RETRY_ATTEMPTS


def test_an_unreachable_endpoint_is_transient(video_id: str) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    backend = S3Backend(**backend_options(f"http://127.0.0.1:{port}", "videos"))

    with pytest.raises(ProviderError) as unreachable:
        backend.video_exists(video_id)

    assert not unreachable.value.permanent


def test_throttling_carries_retry_after() -> None:
    error = ClientError(
        {
            "Error": {"Code": "SlowDown", "Message": "Reduce your request rate."},
            "ResponseMetadata": {"HTTPStatusCode": 503, "HTTPHeaders": {"retry-after": "2"}},
        },
        "PutObject",
    )

    translated = translate(error, "PutObject")

    assert isinstance(translated, TransientHTTPError) and translated.retry_after == 2.0


def test_invalidation_is_retried(cdn_backend: S3Backend, video_id: str) -> None:
    with Stubber(cdn_backend.cloudfront) as stub:
        stub.add_client_error("create_invalidation", "ServiceUnavailable", http_status_code=503)
        stub.add_response(
            "create_invalidation",
            {
                "Location": "x",
                "Invalidation": {
                    "Id": "I1",
                    "Status": "InProgress",
                    "CreateTime": "2026-01-01T00:00:00Z",
                    "InvalidationBatch": {
                        "Paths": {"Quantity": 1, "Items": [f"/{video_id}"]},
                        "CallerReference": "r",
                    },
                },
            },
        )

        cdn_backend.delete_video(video_id)

        stub.assert_no_pending_responses()
