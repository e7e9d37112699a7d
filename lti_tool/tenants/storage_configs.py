"""A tenant's storage configurations: validating unsaved values and saving them, with the
secrets encrypted at rest."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.db import transaction

from lti_tool.encryption import decrypt_json, encrypt_json
from lti_tool.models import StorageConfig, Tenant
from storage_backends.base import StorageBackend
from storage_backends.registry import load_backend


def storage_config_build(
    *, backend: str, options: dict[str, Any], secrets: dict[str, str]
) -> StorageBackend:
    """Load (and so validate) a backend from unsaved values; raises ImproperlyConfigured."""
    return load_backend({"BACKEND": backend, "OPTIONS": {**options, **secrets}})


@transaction.atomic
def storage_config_save(
    *,
    config: StorageConfig,
    secrets: dict[str, str],
    make_active: bool = False,
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
