"""The folder backend in the conformance suite (found by conformance_support's discovery
of `tests/storage/*/harness.py`): registered through settings alone, served by the live
server's own endpoints for it."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
from tusclient import client as tus_client

import tests.storage.folder_backend.backend as folder_module
from storage_backends.base import Playback, UploadTicket
from storage_backends.registry import get_backend
from tests.storage.conformance_support import Fetched, Harness, _get, _query
from tests.storage.folder_backend import DOTTED_PATH, FolderBackend


def register(settings: Any, root: Path, *, default: bool = True) -> dict[str, Any]:
    """Add the backend to VIDEO_STORAGE_BACKENDS (its endpoints mount); optionally make it
    the site default. Returns its configuration."""
    config = {
        "BACKEND": DOTTED_PATH,
        "OPTIONS": {"root": str(root), "signing_secret": "folder-test-secret"},
    }
    settings.VIDEO_STORAGE_BACKENDS = [*settings.VIDEO_STORAGE_BACKENDS, DOTTED_PATH]
    if default:
        settings.VIDEO_STORAGE = config
    return config


class FolderHarness(Harness):
    name = "folder"
    protocols = frozenset({"tus"})
    playback_kind = "mp4"
    probes_media = False
    clock_modules = (folder_module,)

    def __init__(self, backend: FolderBackend, base_url: str) -> None:
        self.backend = backend
        self.base_url = base_url

    def upload(
        self, ticket: UploadTicket, data: bytes, *, filename: str, mime: str
    ) -> dict[str, Any]:
        client = tus_client.TusClient(
            urljoin(self.base_url, ticket.url), headers=dict(ticket.headers)
        )
        uploader = client.uploader(
            file_stream=io.BytesIO(data),
            chunk_size=ticket.chunk_size or len(data),
            metadata={"filename": filename, "filetype": mime},
        )
        uploader.upload()
        return {"size": len(data), "mime": mime}

    def fetch(self, playback: Playback, *, byte_range: tuple[int, int] | None = None) -> Fetched:
        return _get(urljoin(self.base_url, playback.url), byte_range)

    def credential_expiry(self, playback: Playback) -> int:
        return int(_query(playback.url)["expires"])

    def stored_bytes(self, video_id: str) -> bytes | None:
        path = self.backend.files.video_dir(video_id) / "data"
        return path.read_bytes() if path.is_file() else None

    def stored_name(self, video_id: str) -> str:
        info = self.backend.video_info(video_id)
        assert info is not None
        return info.filename

    def unknown_video_id(self) -> str:
        return uuid.uuid4().hex


def build_folder(request: pytest.FixtureRequest) -> Iterator[Harness]:
    settings = request.getfixturevalue("settings")
    tmp_path = request.getfixturevalue("tmp_path")
    register(settings, tmp_path / "folder")
    server = request.getfixturevalue("live_server")
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    backend = get_backend()
    assert isinstance(backend, FolderBackend)
    yield FolderHarness(backend, server.url)


BUILDERS = {"folder": build_folder}
USES_DATABASE = {"folder"}
