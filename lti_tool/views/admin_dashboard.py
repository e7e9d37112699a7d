"""The administrator's dashboard page: site administrators (Django admin, every tenant
or one) and a platform's Administrator launch (its own tenant only)."""

from __future__ import annotations

from typing import Any

from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from lti_tool.models import Tenant
from lti_tool.services.dashboard import PERIODS, dashboard_figures


def period_days(request: HttpRequest) -> int:
    try:
        days = int(request.GET.get("days", "30"))
    except ValueError:
        days = 30
    return days if days in PERIODS else 30


def dashboard_context(*, tenant: Tenant | None, days: int) -> dict[str, Any]:
    figures = dashboard_figures(tenant_id=tenant.pk if tenant else None, days=days)
    chart_data = {
        "daily": figures["daily"],
        "labels": {
            "uploads": _("Uploads"),
            "views": _("Views"),
            "failures": _("Failures"),
            "bytes": _("Storage added (MB)"),
        },
    }
    return {**figures, "tenant": tenant, "periods": PERIODS, "chart_data": chart_data}


@staff_member_required
def site_dashboard(request: HttpRequest) -> HttpResponse:
    tenant_id = request.GET.get("tenant", "")
    tenant = Tenant.objects.filter(pk=int(tenant_id)).first() if tenant_id.isdigit() else None
    context = dashboard_context(tenant=tenant, days=period_days(request))
    context.update(
        tenants=Tenant.objects.order_by("name"),
        title=_("Video dashboard"),
        video_admin_url=reverse("admin:lti_tool_submission_changelist"),
    )
    return render(request, "lti_tool/admin/dashboard.html", context)
