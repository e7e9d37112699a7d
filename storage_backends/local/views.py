"""HTTP for the local backend: the tus upload endpoint and signed Range playback.

Only the local backend sends bytes through our web workers; the cloud backends upload
and play straight from the provider. Each request is served by the backend of the
upload's storage configuration (the host finds it), so any tenant can use local storage.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from storage_backends.errors import ProviderError
from storage_backends.host import get_host
from storage_backends.local.backend import UPLOAD_REF_PARAM, LocalBackend
from storage_backends.local.tickets import TICKET_HEADER, InvalidTicket, LocalSigner
from storage_backends.local.tus import TUS_VERSION, TusResponse
from storage_backends.ranged import ranged_file
from storage_backends.registry import get_backend


def _local(ref: str | None) -> LocalBackend:
    """The backend that issued `ref`; the site default for refs no submission has (yet)."""
    backend = (get_host().backend_for_upload(ref) if ref else None) or get_backend()
    if not isinstance(backend, LocalBackend):
        raise Http404("Local storage is not in use.")
    return backend


REVOKED_MESSAGE = _(
    "This upload was cancelled or replaced by a newer one. Choose your video again to send it."
)


@csrf_exempt
@require_http_methods(["OPTIONS", "POST"])
def tus_collection(request: HttpRequest) -> HttpResponse:
    ref = request.GET.get(UPLOAD_REF_PARAM) or None
    tus = _local(ref).tus
    if request.method == "OPTIONS":
        return _respond(tus.options())
    return _handle(
        request,
        lambda: _created(request, *tus.create(request.headers, _ticket(request), ref)),
        open_ref=ref or _granted_ref(tus.signer, _ticket(request)),
    )


def _granted_ref(signer: LocalSigner, ticket: str | None) -> str | None:
    """The upload a creation request's ticket names (None: a bad ticket, refused later)."""
    try:
        return signer.read_ticket(ticket).ref
    except InvalidTicket:
        return None


@csrf_exempt
@require_http_methods(["HEAD", "PATCH", "DELETE", "OPTIONS", "POST"])
def tus_upload(request: HttpRequest, ref: str) -> HttpResponse:
    tus = _local(ref).tus
    # Some proxies only pass GET/POST: tus clients then send X-HTTP-Method-Override.
    method = request.headers.get("X-HTTP-Method-Override", request.method or "").upper()
    ticket = _ticket(request)
    handlers = {
        "HEAD": lambda: tus.head(ref, ticket),
        "PATCH": lambda: tus.patch(ref, ticket, request.headers, request),
        "DELETE": lambda: tus.terminate(ref, ticket),
        "OPTIONS": tus.options,
    }
    if method not in handlers:
        return HttpResponse(status=405)
    # Ending an upload (DELETE) is always allowed; sending or resuming needs it open.
    return _handle(request, handlers[method], open_ref=ref if method in ("HEAD", "PATCH") else None)


def play(request: HttpRequest, video_id: str) -> HttpResponseBase:
    backend = _local(video_id)
    try:
        expires = int(request.GET.get("expires", "0"))
    except ValueError:
        expires = 0
    if not backend.signer.playback_is_valid(video_id, expires, request.GET.get("signature", "")):
        return HttpResponse(
            "This playback link has expired or is not valid.", status=403, content_type="text/plain"
        )
    info = backend.video_info(video_id)
    if info is None:
        raise Http404("No such video.")
    return ranged_file(request, backend.video_path(video_id), info.mime)


def _ticket(request: HttpRequest) -> str | None:
    return request.headers.get(TICKET_HEADER)


def _created(request: HttpRequest, ref: str, response: TusResponse) -> TusResponse:
    location = request.build_absolute_uri(reverse("local_storage:tus_upload", args=[ref]))
    response.headers["Location"] = location
    return response


def _handle(
    request: HttpRequest, action: Callable[[], TusResponse], *, open_ref: str | None = None
) -> HttpResponse:
    """`open_ref`: the upload must still be open (not cancelled, replaced or abandoned)."""
    if request.method != "OPTIONS" and request.headers.get("Tus-Resumable") != TUS_VERSION:
        response = HttpResponse("Unsupported tus version.", status=412)
        response["Tus-Version"] = TUS_VERSION
        return response
    if open_ref is not None and not get_host().upload_is_open(open_ref):
        if _local(open_ref).video_exists(open_ref):
            return _respond(TusResponse(409, body="This upload is already complete."))
        return _respond(TusResponse(410, body=str(REVOKED_MESSAGE)))
    try:
        return _respond(action())
    except ProviderError as exc:  # a refused request (permanent, with its status)
        return _respond(TusResponse(exc.status or 400, body=exc.message))
    except FileNotFoundError:
        return _respond(TusResponse(404, body="No such upload."))


def _respond(result: TusResponse) -> HttpResponse:
    response = HttpResponse(result.body, status=result.status, content_type="text/plain")
    for name, value in result.headers.items():
        response[name] = value
    response["Tus-Resumable"] = TUS_VERSION
    response["Access-Control-Expose-Headers"] = (
        "Location, Upload-Offset, Upload-Length, Upload-Expires, Tus-Resumable"
    )
    return response
