from __future__ import annotations

from django.urls import path

from lti_tool.views import local_storage

app_name = "local_storage"
urlpatterns = [
    path("tus/", local_storage.tus_collection, name="tus"),
    path("tus/<str:ref>", local_storage.tus_upload, name="tus_upload"),
    path("play/<str:video_id>", local_storage.play, name="play"),
]
