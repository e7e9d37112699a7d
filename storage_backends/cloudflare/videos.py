"""Turning Stream's video object (GET /stream/{uid}, webhook bodies) into VideoMetadata."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from storage_backends.base import VideoMetadata

# Stream's states, folded into the three the rest of the tool acts on.
_STATES = {"ready": "ready", "error": "error"}  # every other state is still processing


def metadata_from_video(video: Mapping[str, Any]) -> VideoMetadata:
    status = video.get("status") or {}
    provider_input = video.get("input") or {}
    state = _STATES.get(str(status.get("state")), "processing")
    return VideoMetadata(
        state=state,
        # Playable as soon as Stream says so (possibly before full quality is ready).
        ready=bool(video.get("readyToStream")) and state != "error",
        size_bytes=_known(video.get("size")),
        duration_seconds=_known_float(video.get("duration")),
        width=_known(provider_input.get("width")),
        height=_known(provider_input.get("height")),
        thumbnail_url=video.get("thumbnail") or None,
        progress_pct=_known_float(status.get("pctComplete")),
        error_code=status.get("errorReasonCode") or None,
        error_text=status.get("errorReasonText") or None,
    )


def _known_float(value: Any) -> float | None:
    """Stream writes -1 for "not known yet", and pctComplete as a string ("39.000000")."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if number < 0 else number


def _known(value: Any) -> int | None:
    number = _known_float(value)
    return None if number is None else int(number)
