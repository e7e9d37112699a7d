from __future__ import annotations

from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "lti_tool.ops"
    label = "lti_ops"
    verbose_name = "Operations"

    def ready(self) -> None:
        from lti_tool.ops import checks  # noqa: F401 - registers the deployment checks
        from lti_tool.ops.metrics import count_provider_error
        from storage_backends.errors import observe_provider_errors

        observe_provider_errors(count_provider_error)
