"""Administrators register LMS platforms (tenants), choose each tenant's storage, and
rotate the tool's signing keys here."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from lti_tool.admin_types import ModelAdmin, StackedInline, TabularInline
from lti_tool.models import Deployment, PlatformRegistration, StorageConfig, Tenant, ToolKey
from lti_tool.services.storage import storage_config_save
from lti_tool.tenants.admin_forms import StorageConfigForm


class DeploymentInline(TabularInline):
    model = Deployment
    extra = 1


class PlatformInline(StackedInline):
    model = PlatformRegistration
    extra = 0
    show_change_link = True


@admin.register(Tenant)
class TenantAdmin(ModelAdmin):
    list_display = ["name", "storage", "created_at"]
    search_fields = ["name"]
    inlines = [PlatformInline]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False,
                 **kwargs: Any) -> Any:
        """A tenant switches between its own storage configurations only."""
        form = super().get_form(request, obj, change=change, **kwargs)
        field = cast(
            "forms.ModelChoiceField[StorageConfig] | None", form.base_fields.get("storage")
        )
        if field is not None:
            field.queryset = StorageConfig.objects.filter(tenant=obj) if obj else (
                StorageConfig.objects.none())
        return form


@admin.register(StorageConfig)
class StorageConfigAdmin(ModelAdmin):
    form = StorageConfigForm
    list_display = ["label", "tenant", "backend", "updated_at"]
    list_filter = ["backend"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        storage_config_save(
            config=obj, secrets=form.cleaned_data.get("secrets", {}),
            make_active=form.cleaned_data.get("make_active", False),
        )


@admin.register(PlatformRegistration)
class PlatformRegistrationAdmin(ModelAdmin):
    list_display = ["issuer", "client_id", "tenant", "updated_at"]
    list_filter = ["tenant"]
    search_fields = ["issuer", "client_id"]
    inlines = [DeploymentInline]


@admin.register(ToolKey)
class ToolKeyAdmin(ModelAdmin):
    list_display = ["kid", "is_current", "created_at", "retired_at"]
    readonly_fields = ["kid", "public_jwk", "is_current", "created_at"]
    exclude = ["private_key_pem"]  # never shown back
