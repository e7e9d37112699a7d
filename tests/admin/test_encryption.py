"""Per-tenant credentials are encrypted at rest, and the key can be rotated."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.management import call_command

from lti_tool import encryption
from lti_tool.models import StorageConfig, Tenant
from lti_tool.tenants.storage_configs import storage_config_save


@pytest.fixture
def keys(settings: Any) -> Iterator[list[str]]:
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    encryption._fernet.cache_clear()
    yield settings.FIELD_ENCRYPTION_KEYS
    encryption._fernet.cache_clear()


def test_rotation_re_encrypts_with_the_new_key(db: None, keys: list[str], settings: Any) -> None:
    tenant = Tenant.objects.create(name="Example University")
    config = storage_config_save(
        config=StorageConfig(tenant=tenant, label="s3", backend="x.Y"),
        secrets={"secret_access_key": "very-secret-value"},
    )
    old_key = keys[0]
    assert "very-secret-value" not in config.secrets_encrypted

    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    encryption._fernet.cache_clear()
    out = io.StringIO()
    call_command("rotate_encryption_keys", stdout=out)
    assert "1 storage configurations" in out.getvalue()

    stored = StorageConfig.objects.get().secrets_encrypted
    Fernet(new_key).decrypt(stored.encode())  # readable with the new key alone
    with pytest.raises(InvalidToken):
        Fernet(old_key).decrypt(stored.encode())
    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    encryption._fernet.cache_clear()
    assert encryption.decrypt_json(stored) == {"secret_access_key": "very-secret-value"}
