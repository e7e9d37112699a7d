"""Talking to the tool over real HTTP (pytest-django's `live_server`): the JSON API and tus.

Launch tokens come from real LTI launches through the Django test client (same database);
everything after the launch goes over a socket with `requests` and `tuspy`, as a browser's
JavaScript would.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
import requests
from tusclient import client as tus_client
from tusclient.uploader import Uploader

from storage_backends.local.backend import LocalBackend
from storage_backends.registry import get_backend
from tests.conftest import IN_CI, LaunchDriver, launch_token_from
from tests.platform import INSTRUCTOR, TestPlatform, serve_platform

READY_TIMEOUT = 10.0


class LiveApi:
    """One launch's view of the API: every request carries its launch token."""

    def __init__(self, base_url: str, token: str | None) -> None:
        self.base_url = base_url
        self.session = requests.Session()
        if token is not None:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def url(self, path: str) -> str:
        return urljoin(self.base_url, path)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.session.get(self.url(path), timeout=10, **kwargs)

    def post(self, path: str, json: Any = None, **kwargs: Any) -> requests.Response:
        return self.session.post(self.url(path), json=json, timeout=10, **kwargs)

    def start_upload(self, video: Path, *, mime: str = "video/mp4") -> dict[str, Any]:
        response = self.post(
            "/api/uploads",
            {
                "filename": video.name,
                "size": video.stat().st_size,
                "mime_type": mime,
            },
        )
        assert response.status_code == 201, response.text
        return response.json()

    def confirm(self, submission_id: int) -> requests.Response:
        return self.post(f"/api/submissions/{submission_id}/confirm")

    def submission(self, submission_id: int) -> dict[str, Any]:
        response = self.get(f"/api/submissions/{submission_id}")
        assert response.status_code == 200, response.text
        return response.json()

    def submit(self, video: Path) -> dict[str, Any]:
        """The whole student flow: ticket, tus upload, confirm; returns the submission."""
        started = self.start_upload(video)
        tus_uploader(self.base_url, started["ticket"], video).upload()
        confirmed = self.confirm(started["submission"]["id"])
        assert confirmed.status_code == 200, confirmed.text
        return self.submission(started["submission"]["id"])


def tus_uploader(
    base_url: str,
    ticket: dict[str, Any],
    video: Path,
    *,
    chunk_size: int = 1024 * 1024,
    url: str | None = None,
) -> Uploader:
    """A tuspy uploader for an upload ticket (its URL is relative to the tool)."""
    assert ticket["protocol"] == "local-tus"
    client = tus_client.TusClient(urljoin(base_url, ticket["url"]), headers=ticket["headers"])
    return client.uploader(
        file_path=str(video), chunk_size=chunk_size, url=url, metadata={"filename": video.name}
    )


def live_api(base_url: str, launch_response: Any) -> LiveApi:
    assert launch_response.status_code == 200, launch_response.content
    return LiveApi(base_url, launch_token_from(launch_response))


def local_backend() -> LocalBackend:
    backend = get_backend()
    assert isinstance(backend, LocalBackend)
    return backend


def make_sample_video(target: Path) -> bool:
    """A real 2-second H.264 MP4 when ffmpeg is here (True); else stand-in bytes (False)."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        if IN_CI:
            pytest.fail("ffmpeg is required under CI (apt-get install ffmpeg)")
        target.write_bytes(b"\x00\x00\x00\x18ftypmp42" + os.urandom(20_000))
        return False
    subprocess.run(
        [
            ffmpeg,
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "testsrc=duration=2:size=320x240:rate=25",
            "-pix_fmt",
            "yuv420p",
            "-c:v",
            "libx264",
            "-movflags",
            "+faststart",
            str(target),
        ],
        check=True,
        timeout=60,
    )
    return True


@pytest.fixture(scope="session")
def session_platform() -> Iterator[TestPlatform]:
    """One test platform (key and JWKS server) for the whole run."""
    test_platform, server = serve_platform()
    yield test_platform
    server.shutdown()


@pytest.fixture
def platform(session_platform: TestPlatform) -> TestPlatform:
    """Overrides the root fixture: stopping a platform's server per test costs 0.5 s
    (serve_forever's poll interval), and these tests only need it to sign launches.
    It is shared: a test that changes its keys must use tests/lti's fresh platform."""
    return session_platform


@pytest.fixture(scope="session")
def sample_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2-second 320x240 MP4 made once per run (read it, never write to it)."""
    video = tmp_path_factory.mktemp("sample") / "talk.mp4"
    make_sample_video(video)
    return video


@pytest.fixture(scope="session")
def has_ffmpeg() -> bool:
    return shutil.which("ffmpeg") is not None and shutil.which("ffprobe") is not None


@pytest.fixture
def student_api(live_server: Any, launcher: LaunchDriver) -> LiveApi:
    """Student One, launched from course-1 / link-1 of the registered platform."""
    return live_api(live_server.url, launcher.launch())


@pytest.fixture
def teacher_api(live_server: Any, launcher: LaunchDriver) -> LiveApi:
    """The teacher of course-1 / link-1, same platform."""
    return live_api(
        live_server.url, launcher.launch(sub="teacher-1", roles=(INSTRUCTOR,), name="Teacher One")
    )


def stored_files(root: Path) -> Iterator[Path]:
    """Every data file the local backend holds under `root` (uploads and videos)."""
    return (path for path in root.rglob("data") if path.is_file())


@pytest.fixture(autouse=True)
def eager_tasks() -> Iterator[None]:
    """Run Celery tasks in the request that enqueues them, even where Redis is configured
    (CI): these tests check what the API shows once the worker has run, not the broker.
    Autouse wherever a conftest imports it."""
    from config.celery import app

    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved
