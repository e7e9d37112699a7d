"""Mounted by the registry under storage/folder/ when the backend is registered."""

from __future__ import annotations

from django.urls import path

from tests.storage.folder_backend import views

app_name = "folder_storage"
urlpatterns = [
    path("uploads/", views.create, name="create"),
    path("uploads/<str:ref>", views.upload, name="upload"),
    path("videos/<str:video_id>", views.play, name="play"),
]
