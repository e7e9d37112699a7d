from __future__ import annotations

from django.urls import path

from lti_tool.dev_lms import views

app_name = "dev_lms"

urlpatterns = [
    path("", views.home, name="home"),
    path("jwks/", views.jwks, name="jwks"),
    path("auth/", views.auth, name="auth"),
    path("token/", views.token, name="token"),
]
