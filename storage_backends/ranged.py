"""Serving a stored file with HTTP Range, for backends whose bytes pass through this
server (local, or any folder-like backend). Django's FileResponse ignores Range."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
_STREAM_CHUNK = 256 * 1024


def ranged_file(request: HttpRequest, path: Path, mime: str) -> HttpResponseBase:
    """Serve a file honouring a single HTTP Range (Django's FileResponse ignores Range)."""
    size = path.stat().st_size
    match = _RANGE.match(request.headers.get("Range", "").strip())
    if not match or not (match.group(1) or match.group(2)):
        response: HttpResponseBase = FileResponse(path.open("rb"), content_type=mime)
        response["Accept-Ranges"] = "bytes"
        return response
    start_text, end_text = match.groups()
    if start_text and end_text and int(end_text) < int(start_text):
        # RFC 9110 §14.2: an invalid range (last < first) means the header is ignored.
        full: HttpResponseBase = FileResponse(path.open("rb"), content_type=mime)
        full["Accept-Ranges"] = "bytes"
        return full
    if start_text:
        start, end = int(start_text), min(int(end_text or size - 1), size - 1)
    else:  # "bytes=-N": the last N bytes
        start, end = max(size - int(end_text), 0), size - 1
    if start >= size or start > end:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    response = StreamingHttpResponse(
        _read_span(path, start, end - start + 1), status=206, content_type=mime
    )
    response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Content-Length"] = str(end - start + 1)
    response["Accept-Ranges"] = "bytes"
    return response


def _read_span(path: Path, start: int, length: int) -> Iterator[bytes]:
    with path.open("rb") as handle:
        handle.seek(start)
        while length > 0:
            chunk = handle.read(min(_STREAM_CHUNK, length))
            if not chunk:
                return
            length -= len(chunk)
            yield chunk
