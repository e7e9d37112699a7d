from __future__ import annotations

from django.apps import AppConfig


class LtiToolConfig(AppConfig):
    name = "lti_tool"
    verbose_name = "Video assignments"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the tasks with Celery in every process (web too): services enqueue
        # them by name through `lti_tool.jobs`, never by importing this module.
        from lti_tool import tasks  # noqa: F401
