"""Which storage backend serves a tenant or a video (saving a configuration:
`lti_tool.tenants.storage_configs`), and deleting a video's bytes there."""

from __future__ import annotations

import logging
from typing import Any

from lti_tool.encryption import decrypt_json
from lti_tool.models import StorageConfig, Submission, Tenant
from storage_backends.base import StorageBackend
from storage_backends.errors import CDN_COPY_LEFT, ProviderError
from storage_backends.registry import get_backend

logger = logging.getLogger(__name__)


def backend_for_config(config: StorageConfig | None) -> StorageBackend:
    if config is None:
        return get_backend()
    alias = f"storage-config-{config.pk}@{config.updated_at.isoformat()}"
    # Its secrets decrypted only to build the instance, not on every request it serves.
    return get_backend(alias, lambda: _backend_settings(config))


def backend_for_tenant(tenant: Tenant) -> StorageBackend:
    return backend_for_config(tenant.storage)


def backend_for_submission(submission: Submission) -> StorageBackend:
    return backend_for_config(submission.storage)


def video_delete(backend: StorageBackend, video_id: str) -> str | None:
    """`backend.delete_video(video_id)`; returns why a CDN kept its cached copy, or None.
    The bytes are gone either way, and the copy expires with the cache (it plays only
    through a signed URL, which expires sooner). A CDN that refused would refuse again: the
    caller records the reason once instead of retrying, or failing what it was doing."""
    try:
        backend.delete_video(video_id)
    except ProviderError as exc:
        if exc.code != CDN_COPY_LEFT:
            raise
        logger.warning("deleted %s, CDN copy left: %s", video_id, exc.message)
        return exc.message
    return None


def _backend_settings(config: StorageConfig) -> dict[str, Any]:
    options = {**config.options, **decrypt_json(config.secrets_encrypted)}
    return {"BACKEND": config.backend, "OPTIONS": options}
