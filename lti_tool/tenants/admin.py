"""Administrators register LMS platforms (tenants), choose each tenant's storage, and
rotate the tool's signing keys here."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from lti_tool.admin_types import ModelAdmin, StackedInline, TabularInline
from lti_tool.models import Deployment, PlatformRegistration, StorageConfig, Tenant, ToolKey
from lti_tool.tenants.admin_forms import StorageConfigForm, option_groups
from lti_tool.tenants.storage_configs import storage_config_save


class DeploymentInline(TabularInline):
    model = Deployment
    extra = 1
    readonly_fields = ["accepted_from_launch_at"]


class PlatformInline(StackedInline):
    model = PlatformRegistration
    extra = 0
    show_change_link = True


@admin.register(Tenant)
class TenantAdmin(ModelAdmin):
    list_display = ["name", "storage", "created_at"]
    search_fields = ["name"]
    inlines = [PlatformInline]

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        """A tenant switches between its own storage configurations only."""
        form = super().get_form(request, obj, change=change, **kwargs)
        field = cast(
            "forms.ModelChoiceField[StorageConfig] | None", form.base_fields.get("storage")
        )
        if field is not None:
            field.queryset = (
                StorageConfig.objects.filter(tenant=obj) if obj else (StorageConfig.objects.none())
            )
        return form


@admin.register(StorageConfig)
class StorageConfigAdmin(ModelAdmin):
    """One fieldset per registered backend, from the options each one declares."""

    form = StorageConfigForm
    list_display = ["label", "tenant", "backend", "updated_at"]
    list_filter = ["backend"]

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        # The backends' option fields are the form's own, not the model's.
        kwargs["fields"] = StorageConfigForm.Meta.fields
        return super().get_form(request, obj, change=change, **kwargs)

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: Any = None,
    ) -> Any:
        # Django runs the whole change form in one transaction, but validating it asks the
        # provider (check()): run it without one; storage_config_save is atomic itself.
        return self._changeform_view(  # type: ignore[attr-defined]  # Django's, unstubbed
            request, object_id, form_url, extra_context
        )

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        main = (None, {"fields": ["tenant", "label", "backend", "make_active"]})
        groups = []
        for dotted, label, names in option_groups():
            # Folded, except the backend this configuration uses.
            classes = [] if obj is not None and obj.backend == dotted else ["collapse"]
            groups.append(
                (
                    f"{label}: options (read only when this backend is chosen)",
                    {"fields": names, "classes": classes},
                )
            )
        return [main, *groups]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        storage_config_save(
            config=obj,
            secrets=form.cleaned_data.get("secrets", {}),
            make_active=form.cleaned_data.get("make_active", False),
            drop=form.cleaned_data.get("dropped_secrets", ()),
        )


@admin.register(PlatformRegistration)
class PlatformRegistrationAdmin(ModelAdmin):
    list_display = ["issuer", "client_id", "tenant", "accept_first_deployment", "updated_at"]
    list_filter = ["tenant", "accept_first_deployment"]
    search_fields = ["issuer", "client_id"]
    inlines = [DeploymentInline]


@admin.register(ToolKey)
class ToolKeyAdmin(ModelAdmin):
    list_display = ["kid", "is_current", "created_at", "retired_at"]
    readonly_fields = ["kid", "public_jwk", "is_current", "created_at"]
    exclude = ["private_key_pem"]  # never shown back
