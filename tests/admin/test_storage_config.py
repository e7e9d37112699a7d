"""A tenant's storage is picked in the admin: credentials encrypted, the backend checked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from lti_tool.encryption import decrypt_json
from lti_tool.models import StorageConfig, Tenant
from lti_tool.services.storage import backend_for_tenant
from storage_backends.base import UploadContext
from storage_backends.local import LocalBackend
from storage_backends.s3 import S3Backend
from tests.fakes.s3 import MotoServer, backend_options, create_bucket

S3_PATH = "storage_backends.s3.S3Backend"


@pytest.fixture
def admin_client(db: None) -> Client:
    User.objects.create_superuser("admin", "admin@example.edu", "pw")
    client = Client()
    client.login(username="admin", password="pw")  # noqa: S106
    return client


@pytest.fixture
def tenant(db: None) -> Tenant:
    return Tenant.objects.create(name="Example University")


def _form(
    tenant: Tenant,
    options: dict[str, Any],
    secrets: dict[str, str],
    backend: str = S3_PATH,
    prefix: str = "s3",
) -> dict[str, Any]:
    """The admin form as a browser posts it: one typed field per option of the backend."""
    fields = {f"{prefix}__{name}": value for name, value in {**options, **secrets}.items()}
    return {
        "tenant": tenant.pk,
        "label": "Main bucket",
        "backend": backend,
        "make_active": "on",
        **fields,
    }


def _split(options: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    secret_names = S3Backend.Options.secret_options
    public = {k: v for k, v in options.items() if k not in secret_names}
    return public, {k: v for k, v in options.items() if k in secret_names}


def test_saving_s3_storage_encrypts_the_secret_and_switches_the_tenant(
    admin_client: Client, tenant: Tenant, s3_server: MotoServer
) -> None:
    options, secrets = _split(backend_options(s3_server.url, create_bucket(s3_server)))
    response = admin_client.post(
        "/admin/lti_tool/storageconfig/add/", _form(tenant, options, secrets)
    )
    assert response.status_code == 302, response.content.decode()[:2000]

    config = StorageConfig.objects.get()
    assert secrets["secret_access_key"] not in config.secrets_encrypted  # encrypted at rest
    assert "secret_access_key" not in config.options
    assert config.options["bucket"] == options["bucket"]
    tenant.refresh_from_db()
    assert tenant.storage == config
    assert isinstance(backend_for_tenant(tenant), S3Backend)

    page = admin_client.get(f"/admin/lti_tool/storageconfig/{config.pk}/change/")
    html = page.content.decode()
    assert secrets["secret_access_key"] not in html  # never shown back
    assert "••••" in html
    assert 'type="password" name="s3__secret_access_key"' in html
    assert f'value="{options["bucket"]}"' in html  # plain options are shown for editing


def test_a_bucket_without_cors_is_refused_with_the_reason(
    admin_client: Client, tenant: Tenant, s3_server: MotoServer
) -> None:
    bucket = create_bucket(s3_server, cors=False)
    options, secrets = _split(backend_options(s3_server.url, bucket))
    response = admin_client.post(
        "/admin/lti_tool/storageconfig/add/", _form(tenant, options, secrets)
    )
    assert response.status_code == 200  # the form again, with the problem
    assert "CORS" in response.content.decode()
    assert not StorageConfig.objects.exists()


def test_a_half_set_pair_fails_loudly(admin_client: Client, tenant: Tenant) -> None:
    response = admin_client.post(
        "/admin/lti_tool/storageconfig/add/",
        _form(tenant, {"bucket": "b", "region": "us-east-1", "access_key_id": "AKIA"}, {}),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "access_key_id, secret_access_key go together" in html
    assert not StorageConfig.objects.exists()


def test_a_missing_required_option_is_named(admin_client: Client, tenant: Tenant) -> None:
    response = admin_client.post(
        "/admin/lti_tool/storageconfig/add/", _form(tenant, {"region": "us-east-1"}, {})
    )
    assert response.status_code == 200
    assert "needs bucket" in response.content.decode()


def test_the_form_offers_every_registered_backend(admin_client: Client) -> None:
    html = admin_client.get("/admin/lti_tool/storageconfig/add/").content.decode()
    for path in (
        S3_PATH,
        "storage_backends.cloudflare.CloudflareStreamBackend",
        "storage_backends.local.LocalBackend",
    ):
        assert f'value="{path}"' in html
    assert 'name="cloudflare__api_token"' in html and 'name="local__root"' in html


def test_a_tenant_can_use_local_storage_in_its_own_folder(
    admin_client: Client, tenant: Tenant, tmp_path: Path
) -> None:
    root = tmp_path / "site-videos"
    response = admin_client.post(
        "/admin/lti_tool/storageconfig/add/",
        _form(
            tenant,
            {"root": str(root)},
            {},
            backend="storage_backends.local.LocalBackend",
            prefix="local",
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    tenant.refresh_from_db()
    backend = backend_for_tenant(tenant)
    assert isinstance(backend, LocalBackend)
    ticket = backend.create_upload(
        UploadContext(
            tenant_id=tenant.pk, assignment_id=1, user_id=1, submission_id=1, max_size_bytes=1000
        ),
        "talk.mp4",
        10,
        "video/mp4",
    )
    assert backend.files.upload_dir(ticket.upload_ref).is_relative_to(
        root / "tenants" / str(tenant.pk)
    )


def test_leaving_secrets_blank_keeps_the_saved_ones(
    admin_client: Client, tenant: Tenant, s3_server: MotoServer
) -> None:
    options, secrets = _split(backend_options(s3_server.url, create_bucket(s3_server)))
    admin_client.post("/admin/lti_tool/storageconfig/add/", _form(tenant, options, secrets))
    config = StorageConfig.objects.get()
    form = _form(tenant, options, {"secret_access_key": ""})
    response = admin_client.post(f"/admin/lti_tool/storageconfig/{config.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    tenant.refresh_from_db()
    assert isinstance(backend_for_tenant(tenant), S3Backend)


def test_switching_a_tenants_backend_is_a_form_change(
    admin_client: Client, tenant: Tenant, s3_server: MotoServer
) -> None:
    options, secrets = _split(backend_options(s3_server.url, create_bucket(s3_server)))
    admin_client.post("/admin/lti_tool/storageconfig/add/", _form(tenant, options, secrets))
    config = StorageConfig.objects.get()
    other = Tenant.objects.create(name="Other College")
    StorageConfig.objects.create(tenant=other, label="Theirs", backend=S3_PATH)

    page = admin_client.get(f"/admin/lti_tool/tenant/{tenant.pk}/change/").content.decode()
    assert "Main bucket" in page and "Theirs" not in page  # only its own configurations

    response = admin_client.post(
        f"/admin/lti_tool/tenant/{tenant.pk}/change/",
        {
            "name": tenant.name,
            "storage": "",
            "limits": "{}",
            "platforms-TOTAL_FORMS": "0",
            "platforms-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    tenant.refresh_from_db()
    assert tenant.storage is None  # back to the site's default (local) storage
    assert backend_for_tenant(tenant).name == "local"

    admin_client.post(
        f"/admin/lti_tool/tenant/{tenant.pk}/change/",
        {
            "name": tenant.name,
            "storage": str(config.pk),
            "limits": "{}",
            "platforms-TOTAL_FORMS": "0",
            "platforms-INITIAL_FORMS": "0",
        },
    )
    tenant.refresh_from_db()
    assert backend_for_tenant(tenant).name == "s3"


def test_changing_a_configurations_backend_forgets_the_old_secrets(
    admin_client: Client, tenant: Tenant, s3_server: MotoServer, tmp_path: Path
) -> None:
    options, secrets = _split(backend_options(s3_server.url, create_bucket(s3_server)))
    admin_client.post("/admin/lti_tool/storageconfig/add/", _form(tenant, options, secrets))
    config = StorageConfig.objects.get()

    response = admin_client.post(
        f"/admin/lti_tool/storageconfig/{config.pk}/change/",
        _form(
            tenant,
            {"root": str(tmp_path / "disk")},
            {},
            backend="storage_backends.local.LocalBackend",
            prefix="local",
        ),
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    config.refresh_from_db()
    assert config.options == {"root": str(tmp_path / "disk")}
    assert decrypt_json(config.secrets_encrypted) == {}
    tenant.refresh_from_db()
    assert isinstance(backend_for_tenant(tenant), LocalBackend)
