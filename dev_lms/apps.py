from __future__ import annotations

from django.apps import AppConfig


class DevLmsConfig(AppConfig):
    name = "dev_lms"
    label = "dev_lms"
    verbose_name = "Development LMS"
