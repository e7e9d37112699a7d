"""A tenant's storage backend: built once per version of its configuration, its secrets
decrypted then and not on every request the instance serves."""

from __future__ import annotations

from pathlib import Path

import pytest

from lti_tool.services import storage
from lti_tool.services.storage import backend_for_config
from lti_tool.tenants.storage_configs import storage_config_save
from storage_backends.local.backend import LocalBackend
from tests.factories import StorageConfigFactory

pytestmark = pytest.mark.django_db


def test_secrets_are_decrypted_once_per_version_of_the_configuration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = StorageConfigFactory(options={"root": str(tmp_path)})
    storage_config_save(config=config, secrets={"secret": "first"})
    decrypted: list[str] = []
    decrypt = storage.decrypt_json
    monkeypatch.setattr(storage, "decrypt_json", lambda t: decrypted.append(t) or decrypt(t))

    first = backend_for_config(config)
    assert backend_for_config(config) is first
    assert len(decrypted) == 1

    storage_config_save(config=config, secrets={"secret": "second"})  # a new version
    second = backend_for_config(config)

    assert second is not first
    assert isinstance(second, LocalBackend)
    assert second.options.secret == "second"
    assert len(decrypted) == 2
