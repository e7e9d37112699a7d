from __future__ import annotations

from django.urls import path

from lti_tool.tenants import views as registration
from lti_tool.views import assignment_forms, lti, tenant_dashboard, tenant_videos

app_name = "lti"
urlpatterns = [
    path("login/", lti.login, name="login"),
    path("launch/", lti.launch, name="launch"),
    path("jwks/", lti.jwks, name="jwks"),
    path("deep-link/", assignment_forms.deep_link_submit, name="deep_link"),
    path("assignment/", assignment_forms.assignment_edit, name="assignment_edit"),
    path("register/", registration.register, name="register"),
    path("canvas.json", registration.canvas_config, name="canvas_config"),
    path("dashboard/", tenant_dashboard.tenant_dashboard, name="tenant_dashboard"),
    path("dashboard/videos/", tenant_videos.tenant_videos_list, name="tenant_videos"),
    path(
        "dashboard/videos/delete/", tenant_videos.tenant_videos_delete, name="tenant_videos_delete"
    ),
    path(
        "dashboard/videos/<int:submission_id>/play/",
        tenant_videos.tenant_video_play,
        name="tenant_video_play",
    ),
]
