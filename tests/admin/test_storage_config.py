"""A tenant's storage is picked in the admin: credentials encrypted, the backend checked."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from lti_tool.models import StorageConfig, Tenant
from lti_tool.services.storage import backend_for_tenant
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


def _form(tenant: Tenant, options: dict[str, Any], secrets: dict[str, str]) -> dict[str, Any]:
    return {
        "tenant": tenant.pk, "label": "Main bucket", "backend": S3_PATH,
        "options": json.dumps(options), "secrets": json.dumps(secrets), "make_active": "on",
    }


def _split(options: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    secret_names = S3Backend.secret_options
    public = {k: v for k, v in options.items() if k not in secret_names}
    return public, {k: v for k, v in options.items() if k in secret_names}


def test_saving_s3_storage_encrypts_the_secret_and_switches_the_tenant(
    admin_client: Client, tenant: Tenant, s3_server: MotoServer
) -> None:
    options, secrets = _split(backend_options(s3_server.url, create_bucket(s3_server)))
    response = admin_client.post("/admin/lti_tool/storageconfig/add/",
                                 _form(tenant, options, secrets))
    assert response.status_code == 302, response.content.decode()[:2000]

    config = StorageConfig.objects.get()
    assert secrets["secret_access_key"] not in config.secrets_encrypted  # encrypted at rest
    assert "secret_access_key" not in config.options
    tenant.refresh_from_db()
    assert tenant.storage == config
    assert isinstance(backend_for_tenant(tenant), S3Backend)

    page = admin_client.get(f"/admin/lti_tool/storageconfig/{config.pk}/change/")
    assert secrets["secret_access_key"] not in page.content.decode()  # never shown back
    assert "••••" in page.content.decode()


def test_a_bucket_without_cors_is_refused_with_the_reason(
    admin_client: Client, tenant: Tenant, s3_server: MotoServer
) -> None:
    bucket = create_bucket(s3_server, cors=False)
    options, secrets = _split(backend_options(s3_server.url, bucket))
    response = admin_client.post("/admin/lti_tool/storageconfig/add/",
                                 _form(tenant, options, secrets))
    assert response.status_code == 200  # the form again, with the problem
    assert "CORS" in response.content.decode()
    assert not StorageConfig.objects.exists()


def test_unknown_options_fail_loudly(admin_client: Client, tenant: Tenant) -> None:
    response = admin_client.post("/admin/lti_tool/storageconfig/add/", _form(
        tenant, {"bucket": "b", "region": "us-east-1", "colour": "blue"}, {}))
    assert response.status_code == 200
    assert "colour" in response.content.decode()
    assert not StorageConfig.objects.exists()


def test_secrets_typed_into_options_are_refused(admin_client: Client, tenant: Tenant) -> None:
    response = admin_client.post("/admin/lti_tool/storageconfig/add/", _form(
        tenant, {"bucket": "b", "region": "us-east-1", "secret_access_key": "x"}, {}))
    assert response.status_code == 200
    assert "under secrets" in response.content.decode()


def test_leaving_secrets_blank_keeps_the_saved_ones(
    admin_client: Client, tenant: Tenant, s3_server: MotoServer
) -> None:
    options, secrets = _split(backend_options(s3_server.url, create_bucket(s3_server)))
    admin_client.post("/admin/lti_tool/storageconfig/add/", _form(tenant, options, secrets))
    config = StorageConfig.objects.get()
    form = _form(tenant, options, {})
    form["secrets"] = ""
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

    response = admin_client.post(f"/admin/lti_tool/tenant/{tenant.pk}/change/", {
        "name": tenant.name, "storage": "", "limits": "{}",
        "platforms-TOTAL_FORMS": "0", "platforms-INITIAL_FORMS": "0",
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    tenant.refresh_from_db()
    assert tenant.storage is None  # back to the site's default (local) storage
    assert backend_for_tenant(tenant).name == "local"

    admin_client.post(f"/admin/lti_tool/tenant/{tenant.pk}/change/", {
        "name": tenant.name, "storage": str(config.pk), "limits": "{}",
        "platforms-TOTAL_FORMS": "0", "platforms-INITIAL_FORMS": "0",
    })
    tenant.refresh_from_db()
    assert backend_for_tenant(tenant).name == "s3"
