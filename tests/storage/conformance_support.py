"""Harnesses for the cross-backend conformance suite (tests/storage/test_conformance.py).

The suite's test functions are the same for every backend; what a backend legitimately
does differently lives here, one harness per backend, and nowhere else:

- how a browser sends the bytes for a ticket (local tus with the ticket header; S3
  presigned POST or multipart; Cloudflare's forwarded tus creation, then tus PATCHes);
- what the web layer hands `confirm_upload` (Cloudflare needs the `video_id` that the
  forwarded creation returned; S3 checks `size` and `mime`);
- how a viewer's player gets the bytes behind a `Playback` (GET the URL; for Cloudflare
  the iframe, then its `<video>` source; for CloudFront an edge that checks the
  signature as CloudFront does, then reads the origin);
- how a refused, expired link shows (the server's 401/403 where the server checks; an
  inspection of the credential where the fake cannot refuse: moto does NOT check the
  expiry of presigned URLs, so for plain S3 the expiry is read from the URL);
- where the stored bytes and name can be seen independently of the backend.
"""

from __future__ import annotations

import abc
import base64
import io
import re
import secrets
import shutil
import time
import types
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urljoin, urlsplit

import botocore.auth
import jwt
import pytest
import requests
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from tusclient import client as tus_client

import storage_backends.cloudflare.backend as cloudflare_module
import storage_backends.local.backend as local_module
import storage_backends.s3.backend as s3_module
from storage_backends.base import (
    MultipartUploads,
    Playback,
    StorageBackend,
    TusCreationForwarding,
    UploadTicket,
)
from storage_backends.cloudflare import CloudflareStreamBackend
from storage_backends.local.backend import LocalBackend
from storage_backends.registry import get_backend
from storage_backends.s3 import S3Backend
from tests.ci import IN_CI
from tests.fakes.cloudflare_stream import (
    MIN_CHUNK,
    FakeCloudflareStream,
    encode_tus_metadata,
    upload_with_tus,
)
from tests.fakes.s3 import (
    MotoServer,
    backend_options,
    create_bucket,
    create_distribution,
    invalidations,
    upload_multipart,
    upload_with_ticket,
)
from tests.media import encode_test_pattern

# What a Range request asks for in every playback test.
RANGE = (100, 199)
CANNED_POLICY = (
    '{"Statement":[{"Resource":"%s","Condition":{"DateLessThan":{"AWS:EpochTime":%d}}}]}'
)
SIGV4_MAX_EXPIRES = 7 * 24 * 3600
CLOUDFRONT_DOMAIN = "https://d111111abcdef8.cloudfront.net"
CLOUDFRONT_KEY_PAIR_ID = "K2JCJMDEHXQW5F"


@dataclass(frozen=True)
class Fetched:
    """What a viewer's player got for a playback link."""

    status: int
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


_real_time = time.time


class _ShiftedTime(types.ModuleType):
    """The `time` module as a backend module sees it, with `time()` moved by `offset`."""

    def __init__(self, offset: float) -> None:
        super().__init__("time")
        self._offset = offset

    def time(self) -> float:
        return _real_time() + self._offset

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)


class Harness(abc.ABC):
    """One backend, and the browser, player and storage console around it."""

    name: str
    backend: StorageBackend
    protocols: frozenset[str]  # the upload protocols its tickets may name
    playback_kind: str
    probes_media: bool  # metadata carries duration, width and height once ready
    clock_modules: tuple[types.ModuleType, ...]  # modules whose `time.time()` signs

    @abc.abstractmethod
    def upload(
        self, ticket: UploadTicket, data: bytes, *, filename: str, mime: str
    ) -> dict[str, Any]:
        """Send the bytes as the browser does; return what the web layer then hands
        `confirm_upload` (the app always knows the declared size and type)."""

    def finish_processing(self) -> None:
        """Let the provider finish whatever it does after the last byte (nothing here)."""
        return None  # stores bytes as they are: nothing to wait for

    @abc.abstractmethod
    def fetch(self, playback: Playback, *, byte_range: tuple[int, int] | None = None) -> Fetched:
        """What a player gets for the link (optionally one HTTP Range)."""

    @abc.abstractmethod
    def credential_expiry(self, playback: Playback) -> int:
        """The Unix time the link's own credential (signature, token) stops working."""

    def assert_refused_as_expired(self, playback: Playback) -> str:
        """Assert the link no longer plays because it expired; returns how that showed."""
        fetched = self.fetch(playback)
        assert fetched.status in (401, 403), (fetched.status, fetched.text[:200])
        assert "expired" in fetched.text.lower(), fetched.text[:200]
        return f"server refused: {fetched.status} {fetched.text[:80]}"

    @abc.abstractmethod
    def stored_bytes(self, video_id: str) -> bytes | None:
        """The bytes the storage itself holds for the video (not asking the backend)."""

    @abc.abstractmethod
    def stored_name(self, video_id: str) -> str:
        """The file name the storage recorded for the video."""

    @abc.abstractmethod
    def unknown_video_id(self) -> str:
        """A well-formed id this backend could have made, of a video that never existed."""

    def assert_purged(self, video_id: str) -> None:
        assert self.stored_bytes(video_id) is None

    def pending_video_id(self, upload_ref: str, confirm_metadata: dict[str, Any]) -> str:
        """The id that deletes an upload nobody confirmed (an abandoned one): the ref."""
        return upload_ref

    @contextmanager
    def signing_clock(self, offset_seconds: float) -> Iterator[None]:
        """Sign as if it were `offset_seconds` from now (only the backend's clock moves:
        servers, fakes and the test keep real time)."""
        with pytest.MonkeyPatch.context() as patch:
            for module in self.clock_modules:
                patch.setattr(module, "time", _ShiftedTime(offset_seconds))
            yield


# -- local: files on disk, tus to our own endpoint, HMAC links served by live_server --


class LocalHarness(Harness):
    name = "local"
    protocols = frozenset({"local-tus"})
    playback_kind = "mp4"
    clock_modules = (local_module,)

    def __init__(self, backend: LocalBackend, base_url: str, *, probes_media: bool) -> None:
        self.backend = backend
        self.base_url = base_url
        self.probes_media = probes_media

    def upload(
        self, ticket: UploadTicket, data: bytes, *, filename: str, mime: str
    ) -> dict[str, Any]:
        client = tus_client.TusClient(
            urljoin(self.base_url, ticket.url), headers=dict(ticket.headers)
        )
        uploader = client.uploader(
            file_stream=io.BytesIO(data),
            chunk_size=4 * 1024,
            metadata={"filename": filename, "filetype": mime},
        )
        uploader.upload()  # POST creation, then 4 KiB PATCHes
        return {"size": len(data), "mime": mime}

    def fetch(self, playback: Playback, *, byte_range: tuple[int, int] | None = None) -> Fetched:
        return _get(urljoin(self.base_url, playback.url), byte_range)

    def credential_expiry(self, playback: Playback) -> int:
        return int(_query(playback.url)["expires"])

    def stored_bytes(self, video_id: str) -> bytes | None:
        path = self.backend.video_path(video_id)  # the tenant's own folder
        return path.read_bytes() if path.is_file() else None

    def stored_name(self, video_id: str) -> str:
        info = self.backend.video_info(video_id)
        assert info is not None
        return info.filename

    def unknown_video_id(self) -> str:
        return uuid.uuid4().hex

    def assert_purged(self, video_id: str) -> None:
        super().assert_purged(video_id)
        leftovers = [
            path for path in Path(self.backend.files.root).rglob("*") if video_id in str(path)
        ]
        assert leftovers == []


# -- S3 over moto: presigned POST or multipart; presigned GETs or CloudFront links --


class S3Harness(Harness):
    name = "s3"
    playback_kind = "mp4"
    probes_media = False  # S3 stores bytes: no duration or size of the picture
    clock_modules = (s3_module,)

    def __init__(self, backend: S3Backend, server: MotoServer, bucket: str) -> None:
        self.backend = backend
        self.server = server
        self.bucket = bucket
        self.protocols = frozenset({"s3-post"})

    def upload(
        self, ticket: UploadTicket, data: bytes, *, filename: str, mime: str
    ) -> dict[str, Any]:
        if ticket.protocol == "s3-multipart":
            assert isinstance(self.backend, MultipartUploads)
            upload_multipart(self.backend, ticket, data)
        else:
            answer = upload_with_ticket(ticket, data, filename=filename)
            assert answer.status_code == 201, answer.text
        return {"size": len(data), "mime": mime}  # confirm_upload checks both

    def fetch(self, playback: Playback, *, byte_range: tuple[int, int] | None = None) -> Fetched:
        return _get(playback.url, byte_range)

    def credential_expiry(self, playback: Playback) -> int:
        query = _query(playback.url)
        signed_at = datetime.strptime(query["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        lifetime = int(query["X-Amz-Expires"])
        assert 1 <= lifetime <= SIGV4_MAX_EXPIRES, lifetime  # else S3 calls it malformed
        return int(signed_at.timestamp()) + lifetime

    def assert_refused_as_expired(self, playback: Playback) -> str:
        # moto serves presigned GETs whatever their X-Amz-Date/X-Amz-Expires say (see
        # shared/reference/storage-contracts.md, "moto"): S3 answers 403 "Request has
        # expired" once date + expires is past, so that is what is checked here.
        expiry = self.credential_expiry(playback)
        assert expiry < time.time(), expiry
        return "inspected: X-Amz-Date + X-Amz-Expires is past (moto does not check expiry)"

    @contextmanager
    def signing_clock(self, offset_seconds: float) -> Iterator[None]:
        real = botocore.auth.get_current_datetime

        def shifted(remove_tzinfo: bool = True) -> datetime:
            return real(remove_tzinfo) + timedelta(seconds=offset_seconds)

        with super().signing_clock(offset_seconds), pytest.MonkeyPatch.context() as patch:
            patch.setattr(botocore.auth, "get_current_datetime", shifted)  # SigV4's clock
            yield

    def stored_bytes(self, video_id: str) -> bytes | None:
        s3 = self.server.client("s3")
        try:
            return bytes(s3.get_object(Bucket=self.bucket, Key=video_id)["Body"].read())
        except s3.exceptions.NoSuchKey:
            return None

    def stored_name(self, video_id: str) -> str:
        return video_id.rsplit("/", 1)[-1]

    def unknown_video_id(self) -> str:
        return f"tenants/1/assignments/2/users/3/{uuid.uuid4().hex}/talk.mp4"


class CloudFrontHarness(S3Harness):
    """S3 as in production: large-file multipart uploads (threshold 1 byte here, so every
    upload is multipart) and CloudFront signed links. moto has no CloudFront edge, so
    `fetch` plays one: it checks the canned-policy signature with the public key and the
    expiry as CloudFront does (403 otherwise), then reads the origin object."""

    name = "s3-cloudfront"

    def __init__(
        self,
        backend: S3Backend,
        server: MotoServer,
        bucket: str,
        *,
        public_key: rsa.RSAPublicKey,
        distribution_id: str,
    ) -> None:
        super().__init__(backend, server, bucket)
        self.public_key = public_key
        self.distribution_id = distribution_id
        self.protocols = frozenset({"s3-multipart"})

    def fetch(self, playback: Playback, *, byte_range: tuple[int, int] | None = None) -> Fetched:
        refusal = self._edge_refusal(playback.url)
        if refusal:
            return Fetched(403, refusal.encode())
        key = unquote(urlsplit(playback.url).path.lstrip("/"))
        s3 = self.server.client("s3")
        extra = {"Range": f"bytes={byte_range[0]}-{byte_range[1]}"} if byte_range else {}
        try:
            answer = s3.get_object(Bucket=self.bucket, Key=key, **extra)
        except s3.exceptions.NoSuchKey:
            return Fetched(404, b"NoSuchKey")
        return Fetched(206 if answer.get("ContentRange") else 200, answer["Body"].read())

    def _edge_refusal(self, url: str) -> str | None:
        parts, query = urlsplit(url), _query(url)
        if not {"Expires", "Signature", "Key-Pair-Id"} <= set(query):
            return "Missing Key: the link is not signed"
        resource = f"{parts.scheme}://{parts.netloc}{parts.path}"
        policy = (CANNED_POLICY % (resource, int(query["Expires"]))).encode()
        signature = base64.b64decode(query["Signature"].translate(str.maketrans("-_~", "+=/")))
        try:
            self.public_key.verify(signature, policy, padding.PKCS1v15(), hashes.SHA1())  # noqa: S303
        except InvalidSignature:
            return "Access denied: the signature does not match"
        if time.time() >= int(query["Expires"]):
            return "Access denied: the link has expired"
        return None

    def credential_expiry(self, playback: Playback) -> int:
        return int(_query(playback.url)["Expires"])

    def assert_refused_as_expired(self, playback: Playback) -> str:
        assert self._edge_refusal(playback.url) == "Access denied: the link has expired"
        return "signature verified with the public key; its Expires is past"

    def assert_purged(self, video_id: str) -> None:
        super().assert_purged(video_id)
        paths = [
            path
            for batch in invalidations(self.server, self.distribution_id)
            for path in batch["InvalidationBatch"]["Paths"]["Items"]
        ]
        assert f"/{video_id}" in paths  # CloudFront told to forget its cached copy


# -- Cloudflare Stream over the fake: forwarded tus creation, signed iframe tokens --


class CloudflareHarness(Harness):
    name = "cloudflare"
    protocols = frozenset({"tus"})
    playback_kind = "cloudflare-iframe"
    probes_media = True  # Stream probes the upload (the fake reports the sample's values)
    clock_modules = (cloudflare_module,)

    def __init__(self, backend: CloudflareStreamBackend, stream: FakeCloudflareStream) -> None:
        self.backend = backend
        self.stream = stream

    def upload(
        self, ticket: UploadTicket, data: bytes, *, filename: str, mime: str
    ) -> dict[str, Any]:
        # Our tus view forwards the browser's creation POST; the browser then PATCHes the
        # one-time Location at Cloudflare, and the web layer records the media id.
        assert isinstance(self.backend, TusCreationForwarding)
        location, video_id = self.backend.forward_tus_creation(
            ticket.upload_ref,
            upload_length=len(data),
            upload_metadata=encode_tus_metadata({"name": filename, "filetype": mime}),
        )
        assert upload_with_tus(location, data, MIN_CHUNK) == len(data)
        return {"size": len(data), "mime": mime, "video_id": video_id}

    def finish_processing(self) -> None:
        self.stream.finish_processing()

    def pending_video_id(self, upload_ref: str, confirm_metadata: dict[str, Any]) -> str:
        # The video exists at Stream from the forwarded creation on, under its media id;
        # the ticket's ref names no Stream video.
        return str(confirm_metadata["video_id"])

    def fetch(self, playback: Playback, *, byte_range: tuple[int, int] | None = None) -> Fetched:
        page = requests.get(playback.url, timeout=10)
        if page.status_code != 200:
            return Fetched(page.status_code, page.content)
        source = re.search(r"<video[^>]* src='([^']+)'", page.text)
        assert source is not None, page.text[:200]
        return _get(urljoin(playback.url, source[1]), byte_range)

    def credential_expiry(self, playback: Playback) -> int:
        token = urlsplit(playback.url).path.split("/")[-2]
        return int(jwt.decode(token, options={"verify_signature": False})["exp"])

    def stored_bytes(self, video_id: str) -> bytes | None:
        return None if self.stream.video(video_id) is None else self.stream.video_bytes(video_id)

    def stored_name(self, video_id: str) -> str:
        video = self.stream.video(video_id)
        assert video is not None
        return str(video["meta"]["name"])

    def unknown_video_id(self) -> str:
        return secrets.token_hex(16)


# -- helpers --


def _get(url: str, byte_range: tuple[int, int] | None) -> Fetched:
    headers = {"Range": f"bytes={byte_range[0]}-{byte_range[1]}"} if byte_range else {}
    response = requests.get(url, headers=headers, timeout=10)
    return Fetched(response.status_code, response.content)


def _query(url: str) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}


def no_retry_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retries keep their attempts but not their seconds of backoff."""
    import tenacity.nap

    from storage_backends.s3 import errors as s3_errors

    monkeypatch.setattr(s3_errors, "RETRY_INITIAL_WAIT", 0.0)
    monkeypatch.setattr(s3_errors, "RETRY_MAX_WAIT", 0.0)
    monkeypatch.setattr(tenacity.nap, "time", types.SimpleNamespace(sleep=lambda _s: None))


# -- building each harness (the suite's `harness` fixture picks one per parameter) --

SAMPLE_SECONDS = 2
SAMPLE_WIDTH, SAMPLE_HEIGHT = 320, 240


def make_sample_video(target: Path) -> bytes:
    """A real H.264 MP4 (ffmpeg's test pattern): metadata then means something."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        if IN_CI:
            pytest.fail("ffmpeg is required under CI (apt-get install ffmpeg)")
        pytest.skip("ffmpeg is not installed: the conformance suite needs a real video")
    size = f"{SAMPLE_WIDTH}x{SAMPLE_HEIGHT}"
    encode_test_pattern(ffmpeg, target, seconds=SAMPLE_SECONDS, size=size)
    return target.read_bytes()


def build_local(request: pytest.FixtureRequest) -> Iterator[Harness]:
    """The backend instance the live server's views use (settings.VIDEO_STORAGE, which
    the root conftest points at this test's folder)."""
    server = request.getfixturevalue("live_server")
    settings = request.getfixturevalue("settings")
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]  # as pytest-django does
    backend = get_backend()
    assert isinstance(backend, LocalBackend)
    yield LocalHarness(backend, server.url, probes_media=True)  # PyAV reads the video


def build_s3(request: pytest.FixtureRequest) -> Iterator[Harness]:
    server: MotoServer = request.getfixturevalue("s3_server")
    bucket = create_bucket(server)
    yield S3Harness(S3Backend(**backend_options(server.url, bucket)), server, bucket)


def build_s3_cloudfront(request: pytest.FixtureRequest) -> Iterator[Harness]:
    server: MotoServer = request.getfixturevalue("s3_server")
    pem, public_key = request.getfixturevalue("cloudfront_key_pair")
    bucket = create_bucket(server)
    distribution_id = create_distribution(server, bucket)
    backend = S3Backend(
        **backend_options(server.url, bucket, multipart_threshold=1),
        cloudfront_domain=CLOUDFRONT_DOMAIN,
        cloudfront_key_pair_id=CLOUDFRONT_KEY_PAIR_ID,
        cloudfront_private_key=pem.decode(),
        cloudfront_distribution_id=distribution_id,
    )
    yield CloudFrontHarness(
        backend, server, bucket, public_key=public_key, distribution_id=distribution_id
    )


def build_cloudflare(request: pytest.FixtureRequest) -> Iterator[Harness]:
    """Configured as an administrator ends up: a signing key made through the API.
    Processing takes a minute of the fake's clock, so "processing" is seen reliably
    until the harness finishes it; the fake reports the sample's duration and size."""
    with FakeCloudflareStream(
        queued_seconds=30,
        encoding_seconds=30,
        duration=float(SAMPLE_SECONDS),
        width=SAMPLE_WIDTH,
        height=SAMPLE_HEIGHT,
    ) as stream:
        account = {
            "account_id": stream.account_id,
            "api_token": stream.api_token,
            "api_base": stream.api_base,
            "delivery_base": stream.delivery_base,
        }
        key_id, pem = CloudflareStreamBackend(**account).create_signing_key()
        backend = CloudflareStreamBackend(
            **account, signing_key_id=key_id, signing_key_pem=pem, max_duration_seconds=600
        )
        yield CloudflareHarness(backend, stream)


# Backends served by our own endpoints ask the app (the database) which configuration
# issued an upload: their tests get the database (and only theirs: it costs a flush).
USES_DATABASE = {"local"}
BUILDERS = {
    "local": build_local,
    "s3": build_s3,
    "s3-cloudfront": build_s3_cloudfront,
    "cloudflare": build_cloudflare,
}


def discovered_builders() -> tuple[dict[str, Any], set[str]]:
    """Harnesses of backends that live in test packages (`tests/storage/<pkg>/harness.py`
    with BUILDERS and, for those served by our own endpoints, USES_DATABASE): such a
    backend joins the suite without an edit here."""
    import importlib
    import pkgutil

    import tests.storage

    builders: dict[str, Any] = {}
    database: set[str] = set()
    for module in pkgutil.iter_modules(tests.storage.__path__):
        if module.ispkg and (Path(tests.storage.__path__[0]) / module.name / "harness.py").exists():
            harness = importlib.import_module(f"tests.storage.{module.name}.harness")
            builders.update(harness.BUILDERS)
            database.update(getattr(harness, "USES_DATABASE", ()))
    return builders, database
