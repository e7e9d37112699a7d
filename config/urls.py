from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from lti_tool.api import api
from lti_tool.views.admin_dashboard import site_dashboard
from storage_backends.registry import storage_urlpatterns

urlpatterns = [
    path("admin/dashboard/", site_dashboard, name="video_dashboard"),
    path("admin/", admin.site.urls),
    path("lti/", include("lti_tool.urls")),
    path("api/", api.urls),
    path("storage/", include(storage_urlpatterns())),  # each backend's own endpoints
    path("storage/", include("lti_tool.provider_urls")),
]
if settings.DEV_LMS_ENABLED:
    urlpatterns.append(path("dev-lms/", include("dev_lms.urls")))

# /healthz, /readyz and /metrics are answered by lti_tool.ops.middleware.OpsEndpointsMiddleware,
# before the https redirect and host checks.
handler400 = "lti_tool.ops.error_pages.bad_request"
handler403 = "lti_tool.ops.error_pages.permission_denied"
handler404 = "lti_tool.ops.error_pages.page_not_found"
handler500 = "lti_tool.ops.error_pages.server_error"
