"""The e2e tests' own sample: a 3-second video (the rest of the suite uses the 2-second one
from tests/fixtures/live_api.py; the player tests here check the longer duration)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.fixtures.browser import missing
from tests.media import encode_test_pattern


@pytest.fixture(scope="session")
def sample_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small real H.264 MP4: 3 s of ffmpeg's test pattern, 320x240, moov atom first."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        missing("ffmpeg is not installed (apt-get install ffmpeg)")
    path = tmp_path_factory.mktemp("media") / "sample.mp4"
    encode_test_pattern(ffmpeg, path, seconds=3)
    return path
