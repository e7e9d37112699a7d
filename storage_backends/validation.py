"""Checks an upload before any storage is touched: size, type, name.

Every failure is an `UploadRejected` with a code and a sentence a student understands.
"""

from __future__ import annotations

import os
import unicodedata

from storage_backends.base import UploadRejected

# MIME type -> extensions that may carry it. The extension must agree with the type.
VIDEO_TYPES: dict[str, tuple[str, ...]] = {
    "video/mp4": (".mp4", ".m4v"),
    "video/x-m4v": (".m4v",),
    "video/quicktime": (".mov",),
    "video/webm": (".webm",),
    "video/x-matroska": (".mkv",),
    "video/x-msvideo": (".avi",),
    "video/mpeg": (".mpeg", ".mpg"),
    "video/3gpp": (".3gp",),
    "video/ogg": (".ogv",),
}
MAX_FILENAME_BYTES = 255


def allowed_extensions() -> list[str]:
    return sorted({ext for exts in VIDEO_TYPES.values() for ext in exts})


def sanitize_filename(filename: str) -> str:
    """The bare name: no folders, no control characters, at most 255 bytes of UTF-8."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFC", name)
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().strip(".")
    if not name:
        raise UploadRejected("The file needs a name.", code="invalid_filename")
    stem, ext = os.path.splitext(name)
    if len(ext.encode()) >= MAX_FILENAME_BYTES:  # no real extension: cut the name as a whole
        stem, ext = name, ""
    # Cut in bytes, in one step: names arrive from the API unbounded, and trimming one
    # character at a time is quadratic. "ignore" drops a character the cut split in half.
    budget = MAX_FILENAME_BYTES - len(ext.encode())
    stem = stem.encode()[:budget].decode("utf-8", "ignore")
    return stem + ext


def normalized_mime(mime: str) -> str:
    """The bare type, lower case: parameters (`;codecs=...`) are not stored or echoed."""
    return mime.split(";", 1)[0].strip().lower()


def validate_upload(*, filename: str, size: int, mime: str, max_size_bytes: int) -> str:
    """Validate and return the sanitized file name."""
    safe_name = sanitize_filename(filename)
    mime = normalized_mime(mime)
    extension = os.path.splitext(safe_name)[1].lower()
    if mime not in VIDEO_TYPES:
        raise UploadRejected(
            f"“{safe_name}” is not a video file we accept. Please upload one of: "
            f"{', '.join(allowed_extensions())}.",
            code="unsupported_type",
        )
    if extension not in VIDEO_TYPES[mime]:
        raise UploadRejected(
            f"The file name “{safe_name}” does not match its type ({mime}). "
            "Please check the file and try again.",
            code="extension_mismatch",
        )
    if size <= 0:
        raise UploadRejected(f"“{safe_name}” is empty.", code="empty_file")
    if size > max_size_bytes:
        raise UploadRejected(
            f"“{safe_name}” is {_human(size)}; the limit is {_human(max_size_bytes)}.",
            code="file_too_large",
        )
    return safe_name


def _human(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} GB"
