"""Stream's endpoints, mounted by the registry under storage/cloudflare/."""

from __future__ import annotations

from django.urls import path

from storage_backends.cloudflare import views

urlpatterns = [
    path("tus/", views.tus_forward, name="cloudflare_tus_forward"),
]
