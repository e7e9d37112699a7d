from __future__ import annotations

from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "lti_tool.tenants"
    label = "tenants"
    verbose_name = "Tenants and LMS platforms"
