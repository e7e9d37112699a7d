"""Stream's endpoint on our side: the tus creation the browser sends, forwarded to
Cloudflare (bytes never pass through here; the browser PATCHes them to Cloudflare).
Which submission the upload is for, and whether it is still open, the host decides."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from storage_backends.base import FORWARD_TICKET_PARAM
from storage_backends.errors import ProviderError
from storage_backends.host import get_host

TUS_VERSION = "1.0.0"


@csrf_exempt
@require_http_methods(["POST", "OPTIONS"])
def tus_forward(request: HttpRequest) -> HttpResponse:
    if request.method == "OPTIONS":
        return _tus(HttpResponse(status=204))
    try:
        length = int(request.headers.get("Upload-Length", ""))
    except ValueError:
        return _tus(HttpResponse("Upload-Length is missing.", status=400))
    try:
        location = get_host().forward_tus_creation(
            token=request.GET.get(FORWARD_TICKET_PARAM, ""),
            upload_length=length,
            upload_metadata=request.headers.get("Upload-Metadata", ""),
        )
    except ProviderError as exc:
        return _tus(HttpResponse(exc.message, status=exc.status or 502, content_type="text/plain"))
    response = _tus(HttpResponse(status=201))
    response["Location"] = location
    return response


def _tus(response: HttpResponse) -> HttpResponse:
    response["Tus-Resumable"] = TUS_VERSION
    response["Access-Control-Expose-Headers"] = "Location, Tus-Resumable, stream-media-id"
    return response
