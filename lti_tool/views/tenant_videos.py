"""Video management through the LTI dashboard: one tenant's administrators search,
filter, play and delete (one or many) their tenant's videos, through the deletion path.

Authorised by the dashboard's signed token (`t`, in the query or the form), which names
the tenant and the administrator: no cookie is needed inside the platform's iframe.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from lti_tool.errors import AppError
from lti_tool.models import Submission
from lti_tool.selectors.videos import SIZES, tenant_videos, videos_filtered, videos_search
from lti_tool.services.admin_videos import submission_playback_for_admin
from lti_tool.services.deletion import Deleter, submission_delete
from lti_tool.views.tenant_dashboard import DashboardGrant, dashboard_grant

PAGE_SIZE = 50
FILTERS = ("q", "state", "backend", "size", "days")


@require_GET
@xframe_options_exempt
def tenant_videos_list(request: HttpRequest) -> HttpResponse:
    grant = dashboard_grant(request.GET.get("t", ""))
    query = {name: request.GET.get(name, "") for name in FILTERS}
    days = int(query["days"]) if query["days"].isdigit() else 0
    rows = videos_filtered(
        videos_search(tenant_videos(grant.tenant_id), query["q"]),
        state=query["state"],
        backend=query["backend"],
        size=query["size"],
        days=days,
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "lti_tool/tenant_videos.html",
        {
            "page": page,
            "query": query,
            "token": request.GET.get("t", ""),
            "states": Submission.State.choices,
            "sizes": list(SIZES),
            "dashboard_url": reverse("lti:tenant_dashboard"),
            "filters": urlencode({k: v for k, v in query.items() if v}),
            "admin_name": grant.admin_name,
        },
    )


@require_POST
@csrf_exempt  # authorised by the signed token in the form, not by a cookie
@xframe_options_exempt
def tenant_videos_delete(request: HttpRequest) -> HttpResponse:
    token = request.POST.get("t", "")
    grant = dashboard_grant(token)
    reason = request.POST.get("reason", "").strip()
    ids = [int(pk) for pk in request.POST.getlist("ids") if pk.isdigit()]
    if not ids:
        raise AppError("nothing_selected", _("Select the videos to delete."))
    if not reason:
        raise AppError("reason_required", _("Please say why these videos are deleted."))
    by = Deleter("admin", name=grant.admin_name)
    mine = tenant_videos(grant.tenant_id).filter(pk__in=ids).values_list("pk", flat=True)
    for pk in mine:
        submission_delete(submission_id=pk, by=by, reason=reason)
    # Back to the same filtered list (only our own filter names are carried over).
    back = QueryDict(request.POST.get("back", ""))
    kept = {name: back[name] for name in FILTERS if back.get(name)}
    url = reverse("lti:tenant_videos") + "?" + urlencode({"t": token, **kept})
    return HttpResponseRedirect(url, status=303)


@require_GET
@xframe_options_exempt
def tenant_video_play(request: HttpRequest, submission_id: int) -> HttpResponse:
    grant: DashboardGrant = dashboard_grant(request.GET.get("t", ""))
    playback = submission_playback_for_admin(
        submission_id=submission_id, admin_name=grant.admin_name, tenant_id=grant.tenant_id
    )
    return HttpResponseRedirect(playback.url)
