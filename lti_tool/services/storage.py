"""Which storage backend serves a tenant or a video, and saving a tenant's configuration."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.db import transaction

from lti_tool.encryption import decrypt_json, encrypt_json
from lti_tool.models import StorageConfig, Submission, Tenant
from storage_backends.base import StorageBackend
from storage_backends.registry import get_backend, load_backend


def backend_for_config(config: StorageConfig | None) -> StorageBackend:
    if config is None:
        return get_backend()
    alias = f"storage-config-{config.pk}@{config.updated_at.isoformat()}"
    return get_backend(alias, _backend_settings(config))


def backend_for_tenant(tenant: Tenant) -> StorageBackend:
    return backend_for_config(tenant.storage)


def backend_for_submission(submission: Submission) -> StorageBackend:
    return backend_for_config(submission.storage)


def storage_config_build(
    *, backend: str, options: dict[str, Any], secrets: dict[str, str]
) -> StorageBackend:
    """Load (and so validate) a backend from unsaved values; raises ImproperlyConfigured."""
    return load_backend({"BACKEND": backend, "OPTIONS": {**options, **secrets}})


@transaction.atomic
def storage_config_save(
    *, config: StorageConfig, secrets: dict[str, str], make_active: bool = False,
    drop: Collection[str] = (),
) -> StorageConfig:
    """Save options and encrypted secrets; blank secret values keep the stored ones.
    `drop` names stored secrets to forget (those of a backend no longer used)."""
    current = {k: v for k, v in decrypt_json(config.secrets_encrypted).items() if k not in drop}
    current.update({name: value for name, value in secrets.items() if value})
    config.secrets_encrypted = encrypt_json(current)
    config.save()
    if make_active:
        Tenant.objects.filter(pk=config.tenant_id).update(storage=config)
    return config


def _backend_settings(config: StorageConfig) -> dict[str, Any]:
    options = {**config.options, **decrypt_json(config.secrets_encrypted)}
    return {"BACKEND": config.backend, "OPTIONS": options}
