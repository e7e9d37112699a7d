"""The local backend can be a tenant's own storage: its files live in the tenant's folder
under the configuration's root, and the tus and playback endpoints are served by the
backend of the submission's storage configuration, not by the site default."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urljoin

import requests

from lti_tool.models import StorageConfig, Submission, Tenant
from lti_tool.tenants.storage_configs import storage_config_save
from tests.fixtures.live_api import LiveApi, stored_files

LOCAL = "storage_backends.local.LocalBackend"


def test_a_tenants_local_storage_serves_its_own_folder(
    student_api: LiveApi, sample_video: Path, tmp_path: Path
) -> None:
    tenant = Tenant.objects.get()  # the launch's
    root = tmp_path / "tenant-disk"
    config = StorageConfig(tenant=tenant, label="Disk", backend=LOCAL, options={"root": str(root)})
    storage_config_save(
        config=config,
        secrets={"secret": "a-tenant-secret"},
        make_active=True,
    )

    submission = student_api.submit(sample_video)

    assert submission["state"] == "ready"
    stored = Submission.objects.get(pk=submission["id"])
    assert stored.video_id.startswith(f"t{tenant.pk}-")
    token = stored.video_id.split("-", 1)[1]
    files = list(stored_files(root))
    assert files == [root / "tenants" / str(tenant.pk) / "videos" / token / "data"]
    assert files[0].read_bytes() == sample_video.read_bytes()
    assert not list(stored_files(tmp_path / "videos"))  # nothing in the site default's folder

    playback = student_api.get(f"/api/submissions/{submission['id']}/playback")
    assert playback.status_code == 200, playback.text
    video = requests.get(
        urljoin(student_api.base_url, playback.json()["url"]),
        headers={"Range": "bytes=0-99"},
        timeout=5,
    )
    assert video.status_code == 206
    assert video.content == sample_video.read_bytes()[:100]
