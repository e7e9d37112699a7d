"""Turning Stream's video object (GET /stream/{uid}, webhook bodies) into VideoMetadata."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from storage_backends.base import VideoMetadata

# What a student reads when Stream refuses a video, by Stream's errorReasonCode.
REASONS = {
    "ERR_NON_VIDEO": _("This file is not a video. Please upload a video file."),
    "ERR_DURATION_EXCEED_CONSTRAINT": _("This video is longer than the assignment allows."),
    "ERR_DURATION_TOO_SHORT": _("This video is too short to be processed."),
    "ERR_MALFORMED_VIDEO": _("This video file is damaged and could not be processed."),
}
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
        user_message=_reason(status.get("errorReasonCode")),
    )


def _reason(code: Any) -> str | None:
    reason = REASONS.get(str(code or ""))
    return None if reason is None else str(reason)


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
