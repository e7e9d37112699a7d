"""The folder backend's tus and playback endpoints. Which backend (so which folder) serves
an upload, the host says: the same question the local backend asks."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from storage_backends.errors import ProviderError
from storage_backends.host import get_host
from storage_backends.local.tickets import TICKET_HEADER
from storage_backends.local.tus import TUS_VERSION, TusResponse
from storage_backends.ranged import ranged_file
from storage_backends.registry import get_backend
from tests.storage.folder_backend.backend import FolderBackend


def _backend(ref: str | None) -> FolderBackend:
    backend = (get_host().backend_for_upload(ref) if ref else None) or get_backend()
    if not isinstance(backend, FolderBackend):
        raise Http404("Folder storage is not in use.")
    return backend


@csrf_exempt
def create(request: HttpRequest) -> HttpResponse:
    ref = request.GET.get("upload") or None
    backend = _backend(ref)
    if request.method == "OPTIONS":
        return _respond(backend.tus.options())
    try:
        made, result = backend.tus.create(request.headers, request.headers.get(TICKET_HEADER), ref)
    except ProviderError as exc:
        return _respond(TusResponse(exc.status or 400, body=exc.message))
    result.headers["Location"] = request.build_absolute_uri(
        reverse("folder_storage:upload", args=[made])
    )
    return _respond(result)


@csrf_exempt
def upload(request: HttpRequest, ref: str) -> HttpResponse:
    tus = _backend(ref).tus
    ticket = request.headers.get(TICKET_HEADER)
    method = request.headers.get("X-HTTP-Method-Override", request.method or "").upper()
    try:
        if method == "HEAD":
            return _respond(tus.head(ref, ticket))
        if method == "PATCH":
            return _respond(tus.patch(ref, ticket, request.headers, request))
        if method == "DELETE":
            return _respond(tus.terminate(ref, ticket))
        if method == "OPTIONS":
            return _respond(tus.options())
    except ProviderError as exc:
        return _respond(TusResponse(exc.status or 400, body=exc.message))
    except FileNotFoundError:
        return _respond(TusResponse(404, body="No such upload."))
    return HttpResponse(status=405)


def play(request: HttpRequest, video_id: str) -> HttpResponseBase:
    backend = _backend(video_id)
    try:
        expires = int(request.GET.get("expires", "0"))
    except ValueError:
        expires = 0
    if not backend.signer.playback_is_valid(video_id, expires, request.GET.get("signature", "")):
        return HttpResponse("This playback link has expired or is not valid.", status=403)
    info = backend.video_info(video_id)
    if info is None:
        raise Http404("No such video.")
    return ranged_file(request, backend.files.video_dir(video_id) / "data", info.mime)


def _respond(result: TusResponse) -> HttpResponse:
    response = HttpResponse(result.body, status=result.status, content_type="text/plain")
    for name, value in result.headers.items():
        response[name] = value
    response["Tus-Resumable"] = TUS_VERSION
    response["Access-Control-Expose-Headers"] = "Location, Upload-Offset, Upload-Length"
    return response
