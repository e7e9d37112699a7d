"""A faithful fake of Cloudflare Stream over real HTTP, for tests (no machine here reaches
the real API). Built from shared/reference/storage-contracts.md, sections A and C.

One `ThreadingHTTPServer` on 127.0.0.1 (random port, its own thread) serves what three
Cloudflare hosts do:
- the API, `/client/v4/accounts/{account}/stream...` (Bearer token, JSON envelopes);
- one-time tus upload URLs `/tus/<token>` with Stream's chunk rules and CORS for
  browsers, and basic POST upload URLs `/upload/<token>` (upload.videodelivery.net);
- playback `/<uid or token>/iframe` and `/<...>/video.mp4` with HTTP Range
  (customer-<code>.cloudflarestream.com), so a real browser can play an upload.

Processing runs on a clock the test controls (`advance`, `finish_processing`) and a
ticker thread moves videos along in real time too, sending signed webhooks when they
end. Everything is pytest-free: `with FakeCloudflareStream() as fake: ...`.
"""

from tests.fakes.cloudflare_stream.client import (
    TusUploadError,
    encode_tus_metadata,
    parse_tus_metadata,
    upload_with_tus,
)
from tests.fakes.cloudflare_stream.service import (
    ACCOUNT_ID,
    API_TOKEN,
    CHUNK_MULTIPLE,
    MAX_CHUNK,
    MIN_CHUNK,
    Delivery,
    FakeCloudflareStream,
    RecordedRequest,
)

__all__ = [
    "ACCOUNT_ID",
    "API_TOKEN",
    "CHUNK_MULTIPLE",
    "MAX_CHUNK",
    "MIN_CHUNK",
    "Delivery",
    "FakeCloudflareStream",
    "RecordedRequest",
    "TusUploadError",
    "encode_tus_metadata",
    "parse_tus_metadata",
    "upload_with_tus",
]
