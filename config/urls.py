from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from lti_tool.api import api
from lti_tool.views.admin_dashboard import site_dashboard
from storage_backends.registry import storage_urlpatterns


def health(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("admin/dashboard/", site_dashboard, name="video_dashboard"),
    path("admin/", admin.site.urls),
    path("lti/", include("lti_tool.urls")),
    path("api/", api.urls),
    path("storage/", include(storage_urlpatterns())),  # each backend's own endpoints
    path("storage/", include("lti_tool.provider_urls")),
    path("healthz", health),
]
if settings.DEV_LMS_ENABLED:
    urlpatterns.append(path("dev-lms/", include("dev_lms.urls")))
