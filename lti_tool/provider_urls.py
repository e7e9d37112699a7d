"""Provider webhooks (per storage configuration). Each backend's own endpoints are
mounted from the registry (storage_backends.registry.storage_urlpatterns)."""

from __future__ import annotations

from django.urls import path

from lti_tool.views import provider_hooks

app_name = "providers"
urlpatterns = [
    path("webhooks/<int:config_id>/", provider_hooks.webhook, name="webhook"),
]
