"""What the local backend measures of an upload, in-process (PyAV, no ffprobe program): the
duration and frame size of a video; "not a video" for anything else, including containers
the upload types do not name; nothing measured when the time runs out."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from storage_backends.local import backend
from storage_backends.local.backend import _probe
from tests.ci import IN_CI
from tests.media import encode_test_pattern


@pytest.fixture(scope="module")
def ffmpeg() -> str:
    found = shutil.which("ffmpeg")
    if found is None:
        if IN_CI:
            pytest.fail("ffmpeg is required under CI (apt-get install ffmpeg)")
        pytest.skip("ffmpeg is not installed: these tests need real media")
    return found


def test_a_video_gives_its_duration_and_frame_size(ffmpeg: str, tmp_path: Path) -> None:
    video = encode_test_pattern(ffmpeg, tmp_path / "talk.mp4", seconds=2, size="320x240")
    video = video.rename(tmp_path / "data")  # stored without its name, as uploads are

    assert _probe(video) == {
        "duration_seconds": pytest.approx(2.0, abs=0.1),
        "width": 320,
        "height": 240,
    }


def test_words_and_random_bytes_are_not_a_video(tmp_path: Path) -> None:
    words = tmp_path / "words"
    words.write_text("This is my essay, not a video.\n" * 200)
    noise = tmp_path / "noise"
    noise.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 80)

    assert _probe(words) is False
    assert _probe(noise) is False
    assert _probe(tmp_path / "missing") is False


def test_sound_without_pictures_is_not_a_video(ffmpeg: str, tmp_path: Path) -> None:
    sound = tmp_path / "sound.m4a"
    command = [ffmpeg, "-v", "error", "-f", "lavfi", "-i", "sine=duration=1", str(sound)]
    subprocess.run(command, check=True, timeout=60)  # noqa: S603

    assert _probe(sound) is False


def test_a_container_uploads_do_not_accept_is_not_read(ffmpeg: str, tmp_path: Path) -> None:
    """Only the demuxers of the accepted types parse students' bytes in the worker: a
    Flash video named .mp4 is refused, as the browser could not play it either."""
    flash = tmp_path / "data"
    command = [ffmpeg, "-v", "error", "-f", "lavfi", "-i", "testsrc=duration=1", "-f", "flv"]
    subprocess.run([*command, str(flash)], check=True, timeout=60)  # noqa: S603

    assert _probe(flash) is False


def test_a_file_that_takes_too_long_is_given_up_unmeasured(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    noise = tmp_path / "data"
    noise.write_bytes(bytes(range(256)) * 4096)  # 1 MB that FFmpeg reads through to decide
    monkeypatch.setattr(backend, "PROBE_TIMEOUT_SECONDS", 1e-6)

    assert _probe(noise) is None


def test_an_mp4_measures_the_same_opened_by_its_type(ffmpeg: str, tmp_path: Path) -> None:
    """MP4 and QuickTime uploads are opened with their demuxer at once, without FFmpeg's
    format probe: what is measured does not change."""
    video = encode_test_pattern(ffmpeg, tmp_path / "talk.mp4", seconds=2, size="320x240")
    video = video.rename(tmp_path / "data")

    probed = _probe(video)
    assert probed is not False and probed is not None
    for mime in ("video/mp4", "video/quicktime", "video/x-m4v", "video/3gpp"):
        assert _probe(video, mime=mime) == probed


def test_a_file_that_is_not_what_its_type_says_is_probed(ffmpeg: str, tmp_path: Path) -> None:
    """A Matroska video declared as MP4 is still measured; a Flash video declared as MP4 is
    still refused."""
    matroska, flash = tmp_path / "matroska", tmp_path / "flash"
    source = [ffmpeg, "-v", "error", "-f", "lavfi", "-i", "testsrc=duration=1:size=160x120"]
    subprocess.run([*source, "-f", "matroska", str(matroska)], check=True, timeout=60)  # noqa: S603
    subprocess.run([*source, "-f", "flv", str(flash)], check=True, timeout=60)  # noqa: S603

    assert _probe(matroska, mime="video/mp4") == {
        "duration_seconds": pytest.approx(1.0, abs=0.1),
        "width": 160,
        "height": 120,
    }
    assert _probe(flash, mime="video/mp4") is False


def test_the_time_limit_covers_a_file_opened_by_its_type(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    noise = tmp_path / "data"
    noise.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 4096)
    monkeypatch.setattr(backend, "PROBE_TIMEOUT_SECONDS", 1e-6)

    assert _probe(noise, mime="video/mp4") is None
