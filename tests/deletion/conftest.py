"""Fixtures of the deletion, retention and reconciliation tests: a tenant's storage on
each backend (local folder, S3 on moto with CloudFront, Cloudflare Stream's fake), and
submissions whose bytes really are in that storage."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from lti_tool.models import StorageConfig, Submission, Tenant
from lti_tool.services.storage import backend_for_config
from lti_tool.tenants.storage_configs import storage_config_save
from storage_backends.base import StorageBackend
from tests.factories import SubmissionFactory, TenantFactory, VideoAssignmentFactory
from tests.fakes.cloudflare_stream import FakeCloudflareStream
from tests.fakes.s3 import MotoServer, backend_options, invalidations
from tests.storage.conformance_support import CLOUDFRONT_DOMAIN, CLOUDFRONT_KEY_PAIR_ID

VIDEO = b"\x00\x00\x00\x18ftypmp42" + b"x" * 2000


@dataclass
class Stored:
    """One tenant's storage and a way to put bytes in it and look at them directly."""

    name: str
    tenant: Tenant
    config: StorageConfig
    s3: MotoServer | None = None
    bucket: str = ""
    distribution_id: str = ""
    stream: FakeCloudflareStream | None = None

    @property
    def backend(self) -> StorageBackend:
        self.config.refresh_from_db()
        return backend_for_config(self.config)

    def put(self, *, tenant_id: int | None = None, assignment_id: int = 1, user_id: int = 1) -> str:
        """Store a video as an upload would; returns its id."""
        tenant_id = tenant_id or self.tenant.pk
        if self.s3 is not None:
            folder = f"tenants/{tenant_id}/assignments/{assignment_id}/users/{user_id}"
            key = f"{folder}/{uuid.uuid4().hex}/v.mp4"
            self.s3.client("s3").put_object(Bucket=self.bucket, Key=key, Body=VIDEO)
            return key
        if self.stream is not None:
            return self.stream.add_video(VIDEO, meta={"name": "v.mp4"})
        backend: Any = self.backend
        ref = f"t{tenant_id}-{uuid.uuid4().hex}"
        folder = backend.files.video_dir(ref)
        folder.mkdir(parents=True)
        (folder / "data").write_bytes(VIDEO)
        return ref

    def exists(self, video_id: str) -> bool:
        if self.s3 is not None:
            listed = self.s3.client("s3").list_objects_v2(Bucket=self.bucket, Prefix=video_id)
            return listed.get("KeyCount", 0) > 0
        if self.stream is not None:
            return self.stream.video(video_id) is not None
        backend: Any = self.backend
        return bool(backend.files.video_dir(video_id).exists())

    def invalidated_paths(self) -> list[str]:
        assert self.s3 is not None
        return [
            path
            for batch in invalidations(self.s3, self.distribution_id)
            for path in batch["InvalidationBatch"]["Paths"]["Items"]
        ]

    def submission(self, **fields: Any) -> Submission:
        """A ready, current submission whose video is in this storage."""
        of_assignment = {
            name.removeprefix("assignment__"): fields.pop(name)
            for name in list(fields)
            if name.startswith("assignment__")
        }
        assignment = VideoAssignmentFactory(course__tenant=self.tenant, **of_assignment)
        video_id = fields.pop("video_id", None) or self.put(assignment_id=assignment.pk)
        defaults: dict[str, Any] = {
            "assignment": assignment,
            "state": Submission.State.READY,
            "is_current": True,
            "storage": self.config,
            "backend": self.name,
            "video_id": video_id,
            "upload_ref": video_id,
            "size_bytes": len(VIDEO),
        }
        return SubmissionFactory(**{**defaults, **fields})


def _config(
    tenant: Tenant, backend: str, options: dict[str, Any], secrets: dict[str, str]
) -> StorageConfig:
    config = StorageConfig(
        tenant=tenant, label=backend.rsplit(".", 1)[-1], backend=backend, options=options
    )
    return storage_config_save(config=config, secrets=secrets, make_active=True)


@pytest.fixture
def local_storage(db: None, tmp_path: Any) -> Stored:
    tenant = TenantFactory()
    config = _config(
        tenant, "storage_backends.local.LocalBackend", {"root": str(tmp_path / "videos")}, {}
    )
    return Stored("local", tenant, config)


@pytest.fixture
def s3_storage(
    db: None,
    s3_server: MotoServer,
    s3_bucket: str,
    cloudfront_distribution: str,
    cloudfront_key_pair: tuple[bytes, rsa.RSAPublicKey],
) -> Stored:
    tenant = TenantFactory()
    options = backend_options(s3_server.url, s3_bucket)
    secrets = {"secret_access_key": options.pop("secret_access_key")}
    options.update(
        cloudfront_domain=CLOUDFRONT_DOMAIN,
        cloudfront_key_pair_id=CLOUDFRONT_KEY_PAIR_ID,
        cloudfront_distribution_id=cloudfront_distribution,
    )
    secrets["cloudfront_private_key"] = cloudfront_key_pair[0].decode()
    config = _config(tenant, "storage_backends.s3.S3Backend", options, secrets)
    return Stored(
        "s3",
        tenant,
        config,
        s3=s3_server,
        bucket=s3_bucket,
        distribution_id=cloudfront_distribution,
    )


@pytest.fixture
def cloudflare_storage(db: None) -> Iterator[Stored]:
    with FakeCloudflareStream() as stream:
        tenant = TenantFactory()
        config = _config(
            tenant,
            "storage_backends.cloudflare.CloudflareStreamBackend",
            {
                "account_id": stream.account_id,
                "api_base": stream.api_base,
                "delivery_base": stream.delivery_base,
            },
            {"api_token": stream.api_token},
        )
        yield Stored("cloudflare", tenant, config, stream=stream)


@pytest.fixture(params=["local", "s3", "cloudflare"])
def storage(request: pytest.FixtureRequest) -> Stored:
    """Each backend in turn."""
    return request.getfixturevalue(f"{request.param}_storage")  # type: ignore[no-any-return]
