"""The local backend's endpoints, mounted by the registry under storage/local/."""

from __future__ import annotations

from django.urls import path

from storage_backends.local import views

app_name = "local_storage"
urlpatterns = [
    path("tus/", views.tus_collection, name="tus"),
    path("tus/<str:ref>", views.tus_upload, name="tus_upload"),
    path("play/<str:video_id>", views.play, name="play"),
]
