"""S3 and CloudFront for tests: moto's server over HTTP on 127.0.0.1, and the browser's
side of S3 uploads (a presigned POST form; Uppy's AwsS3 multipart flow), CORS included.

moto accepts what AWS would refuse in a few places (it does not enforce POST policies or
URL expiry, see shared/reference/storage-contracts.md B), so tests check those on the
ticket itself; what moto does enforce (CORS, part sizes, ETags) is exercised here as a
browser meets it.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import boto3
import requests
from botocore.config import Config
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from moto.moto_server import werkzeug_app
from moto.server import ThreadedMotoServer

from storage_backends.base import MultipartUploads, UploadedPart, UploadTicket

REGION = "eu-west-1"
ACCESS_KEY_ID = "AKIDTESTINGONLY"
SECRET_ACCESS_KEY = "testing-secret-never-aws"  # noqa: S105 - moto accepts any secret
BROWSER_ORIGIN = "http://tool.test"
CORS_RULES = [
    {
        "AllowedOrigins": ["*"],
        "AllowedMethods": ["GET", "PUT", "POST", "HEAD"],
        "AllowedHeaders": ["*"],
        "ExposeHeaders": ["ETag"],
    }
]


class BrowserBlocked(AssertionError):
    """What a browser would refuse: a failed preflight, or a response script may not read."""


@dataclass
class MotoServer:
    """One moto server for S3 and CloudFront (all services answer on the same port)."""

    url: str
    server: ThreadedMotoServer
    _clients: dict[str, Any] = field(default_factory=dict)

    def client(self, service: str, **credentials: str) -> Any:
        """A boto3 client for the test's own calls (cached: building one costs ~0.1 s)."""
        if not credentials and service in self._clients:
            return self._clients[service]
        client = self._new_client(service, **credentials)
        if not credentials:
            self._clients[service] = client
        return client

    def _new_client(self, service: str, **credentials: str) -> Any:
        credentials = {
            "aws_access_key_id": ACCESS_KEY_ID,
            "aws_secret_access_key": SECRET_ACCESS_KEY,
            **credentials,
        }
        region = "us-east-1" if service == "cloudfront" else REGION
        config = Config(signature_version="s3v4") if service == "s3" else None
        return boto3.client(
            service, region_name=region, endpoint_url=self.url, config=config, **credentials
        )

    @contextmanager
    def enforcing_credentials(self) -> Iterator[None]:
        """moto checks signatures against its IAM users only when asked; unknown keys then
        fail as on AWS (InvalidAccessKeyId, SignatureDoesNotMatch)."""
        requests.post(f"{self.url}/moto-api/reset-auth", data=b"0", timeout=5).raise_for_status()
        try:
            yield
        finally:
            requests.post(f"{self.url}/moto-api/reset-auth", data=b"inf", timeout=5)

    def stop(self) -> None:
        self.server.stop()


def start_moto_server() -> MotoServer:
    # moto's server adds `Access-Control-Allow-Origin: *` to every answer unless told
    # not to, which would hide a bucket without CORS; only the bucket's rules must count.
    werkzeug_app.DISABLE_GLOBAL_CORS = True  # type: ignore[attr-defined]
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one log line per request
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)  # free port
    server.start()
    host, port = server.get_host_and_port()
    return MotoServer(url=f"http://{host}:{port}", server=server)


def create_bucket(server: MotoServer, name: str | None = None, *, cors: bool = True) -> str:
    name = name or f"videos-{uuid.uuid4().hex[:12]}"
    s3 = server.client("s3")
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    if cors:
        s3.put_bucket_cors(Bucket=name, CORSConfiguration={"CORSRules": CORS_RULES})
    return name


def create_distribution(server: MotoServer, bucket: str) -> str:
    """A CloudFront distribution in front of the bucket; returns its id."""
    origin = {
        "Id": "s3",
        "DomainName": f"{bucket}.s3.{REGION}.amazonaws.com",
        "S3OriginConfig": {"OriginAccessIdentity": ""},
    }
    answer = server.client("cloudfront").create_distribution(
        DistributionConfig={
            "CallerReference": uuid.uuid4().hex,
            "Comment": "videos",
            "Enabled": True,
            "Origins": {"Quantity": 1, "Items": [origin]},
            "DefaultCacheBehavior": {"TargetOriginId": "s3", "ViewerProtocolPolicy": "https-only"},
        }
    )
    return str(answer["Distribution"]["Id"])


def invalidations(server: MotoServer, distribution_id: str) -> list[dict[str, Any]]:
    """Each invalidation with its batch (paths and caller reference)."""
    cloudfront = server.client("cloudfront")
    listed = cloudfront.list_invalidations(DistributionId=distribution_id)["InvalidationList"]
    return [
        cloudfront.get_invalidation(DistributionId=distribution_id, Id=item["Id"])["Invalidation"]
        for item in listed.get("Items", [])
    ]


def backend_options(endpoint_url: str, bucket: str, **extra: Any) -> dict[str, Any]:
    """S3Backend OPTIONS that point at the moto server (`s3_server.url`)."""
    return {
        "bucket": bucket,
        "region": REGION,
        "access_key_id": ACCESS_KEY_ID,
        "secret_access_key": SECRET_ACCESS_KEY,
        "endpoint_url": endpoint_url,
        **extra,
    }


def generate_rsa_pem(key: rsa.RSAPrivateKey | None = None) -> tuple[bytes, rsa.RSAPublicKey]:
    """A CloudFront key pair: the private PEM for the backend, the public key to verify."""
    key = key or rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return pem, key.public_key()


# The browser's side


def upload_with_ticket(
    ticket: UploadTicket, data: bytes, *, filename: str = "video.mp4", origin: str = BROWSER_ORIGIN
) -> requests.Response:
    """POST the file as a browser form does for an `s3-post` ticket: the ticket's fields,
    then `file` last (S3 ignores fields after it). Raises BrowserBlocked where the bucket's
    CORS would stop a page at `origin`; S3's own answer (201, or a refusal) is returned."""
    if ticket.protocol != "s3-post":
        raise ValueError(
            f"upload_with_ticket drives s3-post, not {ticket.protocol}: "
            "use upload_multipart for s3-multipart"
        )
    # A form POST needs no preflight, but its answer is readable only with the bucket's
    # CORS headers, which moto leaves off POST answers: ask its CORS rules the same question.
    _preflight(ticket.url, "POST", origin)
    content_type = ticket.fields.get("Content-Type", "application/octet-stream")
    return requests.post(
        ticket.url,
        data=ticket.fields,
        files={"file": (filename, data, content_type)},
        headers={"Origin": origin},
        timeout=30,
    )


def upload_multipart(
    backend: MultipartUploads,
    ticket: UploadTicket,
    data: bytes,
    part_size: int | None = None,
    *,
    origin: str = BROWSER_ORIGIN,
    complete: bool = True,
) -> list[UploadedPart]:
    """What Uppy's AwsS3 plugin does with an `s3-multipart` ticket: for each chunk ask the
    tool to sign the part, PUT it (after a CORS preflight), read its ETag; then complete
    (through the tool) with the parts in order. Returns the parts sent."""
    assert ticket.protocol == "s3-multipart", ticket.protocol
    upload_id, size = ticket.fields["uploadId"], len(data)
    part_size = part_size or int(ticket.fields["partSize"])
    parts = []
    for number, start in enumerate(range(0, size, part_size), start=1):
        url = backend.multipart_sign_part(ticket.upload_ref, upload_id, number, expected_size=size)
        etag = put_part(url, data[start : start + part_size], origin=origin)
        parts.append(
            UploadedPart(part_number=number, etag=etag, size=len(data[start : start + part_size]))
        )
    if complete:
        backend.multipart_complete(ticket.upload_ref, upload_id, parts, expected_size=size)
    return parts


def put_part(url: str, chunk: bytes, *, origin: str = BROWSER_ORIGIN) -> str:
    """PUT one part as a browser does; returns the ETag the page's script can read."""
    _preflight(url, "PUT", origin)
    response = requests.put(url, data=chunk, headers={"Origin": origin}, timeout=30)
    _readable_by(response, origin)
    response.raise_for_status()
    exposed = response.headers.get("Access-Control-Expose-Headers", "").lower()
    if "etag" not in [name.strip() for name in exposed.split(",")]:
        raise BrowserBlocked("The part's ETag is not exposed to scripts (ExposeHeaders ETag)")
    return response.headers["ETag"]


def _preflight(url: str, method: str, origin: str) -> None:
    answer = requests.options(
        url,
        timeout=10,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "content-type",
        },
    )
    allowed = answer.headers.get("Access-Control-Allow-Methods", "").upper()
    if answer.status_code >= 400 or method not in allowed:
        raise BrowserBlocked(f"CORS refuses {method} from {origin} ({answer.status_code})")
    _readable_by(answer, origin)


def _readable_by(response: requests.Response, origin: str) -> None:
    allowed = response.headers.get("Access-Control-Allow-Origin")
    if allowed not in ("*", origin):
        raise BrowserBlocked(
            f"{origin} may not read this answer ({response.status_code}, "
            f"Access-Control-Allow-Origin: {allowed})"
        )
