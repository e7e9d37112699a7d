"""Real sample videos for the tests: ffmpeg's test pattern as H.264 MP4, moov atom first.

Callers find ffmpeg themselves: whether its absence fails, skips or falls back to stand-in
bytes is theirs to decide.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path


def encode_test_pattern(
    ffmpeg: str,
    path: Path,
    *,
    seconds: int,
    size: str = "320x240",
    encoder_options: Sequence[str] = (),
) -> Path:
    source = f"testsrc=duration={seconds}:size={size}:rate=25"
    command = [ffmpeg, "-v", "error", "-y", "-f", "lavfi", "-i", source]
    command += ["-pix_fmt", "yuv420p", "-c:v", "libx264", *encoder_options]
    subprocess.run([*command, "-movflags", "+faststart", str(path)], check=True, timeout=60)
    return path
