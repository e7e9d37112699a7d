from __future__ import annotations

from django.apps import AppConfig


class DevLmsConfig(AppConfig):
    name = "lti_tool.dev_lms"
    label = "dev_lms"
    verbose_name = "Development LMS"
