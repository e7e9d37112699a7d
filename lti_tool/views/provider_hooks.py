"""Provider notifications (webhooks), one URL per storage configuration, for any
backend that receives them (`WebhookReceiver`). Backends' own endpoints (tus, media,
creation forwarding) are in their packages, mounted through the registry."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from lti_tool.errors import AppError
from lti_tool.services.uploads import webhook_receive


@csrf_exempt
@require_POST
def webhook(request: HttpRequest, config_id: int) -> HttpResponse:
    headers = {name.lower(): value for name, value in request.headers.items()}
    try:
        submission_id = webhook_receive(config_id=config_id, headers=headers, body=request.body)
    except AppError as exc:
        return JsonResponse(exc.as_dict(), status=exc.status)
    return JsonResponse({"ok": True, "submission": submission_id})
