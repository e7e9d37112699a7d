from __future__ import annotations

from django.urls import path

from lti_tool.views import lti

app_name = "lti"
urlpatterns = [
    path("login/", lti.login, name="login"),
    path("launch/", lti.launch, name="launch"),
    path("jwks/", lti.jwks, name="jwks"),
]
