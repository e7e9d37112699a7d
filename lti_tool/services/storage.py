"""Which storage backend serves a tenant or a video (saving a configuration:
`lti_tool.tenants.storage_configs`)."""

from __future__ import annotations

from typing import Any

from lti_tool.encryption import decrypt_json
from lti_tool.models import StorageConfig, Submission, Tenant
from storage_backends.base import StorageBackend
from storage_backends.registry import get_backend


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


def _backend_settings(config: StorageConfig) -> dict[str, Any]:
    options = {**config.options, **decrypt_json(config.secrets_encrypted)}
    return {"BACKEND": config.backend, "OPTIONS": options}
