from __future__ import annotations

from django.apps import AppConfig


class LtiToolConfig(AppConfig):
    name = "lti_tool"
    verbose_name = "Video assignments"
    default_auto_field = "django.db.models.BigAutoField"
