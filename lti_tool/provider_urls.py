from __future__ import annotations

from django.urls import path

from lti_tool.views import provider_hooks

app_name = "providers"
urlpatterns = [
    path("cloudflare/tus/", provider_hooks.tus_forward, name="tus_forward"),
    path("webhooks/<int:config_id>/", provider_hooks.webhook, name="webhook"),
]
