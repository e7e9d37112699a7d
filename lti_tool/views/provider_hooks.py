"""Endpoints providers and provider-bound browsers call: tus creation forwarding and
webhooks. Bytes never pass through here; only the creation request and notifications."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from lti_tool.errors import AppError
from lti_tool.services.uploads import FORWARD_TICKET_PARAM, tus_forward_creation, webhook_receive

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
        location = tus_forward_creation(
            token=request.GET.get(FORWARD_TICKET_PARAM, ""), upload_length=length,
            upload_metadata=request.headers.get("Upload-Metadata", ""),
        )
    except AppError as exc:
        return _tus(HttpResponse(exc.message, status=exc.status, content_type="text/plain"))
    response = _tus(HttpResponse(status=201))
    response["Location"] = location
    return response


@csrf_exempt
@require_POST
def webhook(request: HttpRequest, config_id: int) -> HttpResponse:
    headers = {name.lower(): value for name, value in request.headers.items()}
    try:
        submission_id = webhook_receive(config_id=config_id, headers=headers, body=request.body)
    except AppError as exc:
        return JsonResponse(exc.as_dict(), status=exc.status)
    return JsonResponse({"ok": True, "submission": submission_id})


def _tus(response: HttpResponse) -> HttpResponse:
    response["Tus-Resumable"] = TUS_VERSION
    response["Access-Control-Expose-Headers"] = "Location, Tus-Resumable, stream-media-id"
    return response
