"""A backend that lives only under tests/ joins through settings alone: the admin offers
it, its form fields come from its options, a saved configuration loads, and its
endpoints are mounted (the conformance suite runs on it too, through harness.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import requests
from django.contrib.auth.models import User
from django.test import Client
from django.urls import NoReverseMatch, reverse

from lti_tool.models import StorageConfig, Tenant
from lti_tool.services.storage import backend_for_tenant
from storage_backends.registry import backend_choices
from tests.storage.folder_backend import DOTTED_PATH, FolderBackend
from tests.storage.folder_backend.harness import register


@pytest.fixture
def admin_client(db: None) -> Client:
    User.objects.create_superuser("admin", "admin@example.edu", "pw")
    client = Client()
    client.login(username="admin", password="pw")  # noqa: S106
    return client


def test_unregistered_it_is_nowhere(db: None) -> None:
    assert DOTTED_PATH not in dict(backend_choices())
    with pytest.raises(NoReverseMatch):
        reverse("folder_storage:create")


def test_registered_through_settings_the_admin_saves_and_loads_it(
    admin_client: Client, settings: Any, tmp_path: Path
) -> None:
    register(settings, tmp_path / "site", default=False)
    tenant = Tenant.objects.create(name="Folder University")
    page = admin_client.get("/admin/lti_tool/storageconfig/add/").content.decode()
    assert f'value="{DOTTED_PATH}"' in page
    assert 'type="password" name="folder__signing_secret"' in page

    response = admin_client.post(
        "/admin/lti_tool/storageconfig/add/",
        {
            "tenant": tenant.pk,
            "label": "A folder",
            "backend": DOTTED_PATH,
            "make_active": "on",
            "folder__root": str(tmp_path / "tenant"),
            "folder__signing_secret": "s3cret-value",
            "folder__chunk_size": "65536",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    config = StorageConfig.objects.get()
    assert config.options == {"root": str(tmp_path / "tenant"), "chunk_size": 65536}
    assert "s3cret-value" not in config.secrets_encrypted
    tenant.refresh_from_db()
    backend = backend_for_tenant(tenant)
    assert isinstance(backend, FolderBackend) and backend.options.chunk_size == 65536
    edit = admin_client.get(f"/admin/lti_tool/storageconfig/{config.pk}/change/")
    assert "s3cret-value" not in edit.content.decode()


def test_the_admin_refuses_it_without_its_required_secret(
    admin_client: Client, settings: Any, tmp_path: Path
) -> None:
    register(settings, tmp_path / "site", default=False)
    tenant = Tenant.objects.create(name="Folder University")
    response = admin_client.post(
        "/admin/lti_tool/storageconfig/add/",
        {
            "tenant": tenant.pk,
            "label": "A folder",
            "backend": DOTTED_PATH,
            "folder__root": str(tmp_path / "tenant"),
        },
    )
    assert response.status_code == 200
    assert "needs signing_secret" in response.content.decode()
    assert not StorageConfig.objects.exists()


def test_its_endpoints_are_mounted_when_registered(
    live_server: Any, settings: Any, tmp_path: Path
) -> None:
    register(settings, tmp_path / "site")
    assert reverse("folder_storage:create") == "/storage/folder/uploads/"
    answer = requests.options(f"{live_server.url}/storage/folder/uploads/", timeout=5)
    assert answer.status_code == 204
    assert answer.headers["Tus-Resumable"] == "1.0.0"
