"""The admin form for a tenant's storage, built from the registered backends.

Each backend declares its options once (storage_backends/options.py); the form shows one
group of typed fields per backend (`<backend name>__<option>`) and reads only the chosen
backend's group. Secrets are write-only: never rendered, a blank one keeps the stored
value. The backend is loaded and checked (`check()`) before anything is saved.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ImproperlyConfigured

from lti_tool.encryption import decrypt_json, mask
from lti_tool.models import StorageConfig
from lti_tool.tenants.storage_configs import storage_config_build
from storage_backends.base import HealthCheck, StorageBackend
from storage_backends.registry import backend_choices, registered_backends

if TYPE_CHECKING:  # generic in django-stubs only: Django's ModelForm is not subscriptable
    StorageConfigModelForm = forms.ModelForm[StorageConfig]
else:
    StorageConfigModelForm = forms.ModelForm

SEPARATOR = "__"


def field_name(backend: type[StorageBackend], option: str) -> str:
    return f"{backend.name}{SEPARATOR}{option}"


def option_groups() -> list[tuple[str, str, list[str]]]:
    """(dotted path, backend label, its form field names) for the admin's fieldsets."""
    return [
        (dotted, cls.label or cls.name, [field_name(cls, option) for option in cls.Options.names()])
        for dotted, cls in sorted(registered_backends().items(), key=lambda kv: kv[1].name)
    ]


class StorageConfigForm(StorageConfigModelForm):
    backend = forms.ChoiceField(choices=())
    make_active = forms.BooleanField(
        required=False, initial=True, label="Use for the tenant's new videos"
    )

    class Meta:
        model = StorageConfig
        fields = ["tenant", "label", "backend"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["backend"].choices = backend_choices()  # type: ignore[attr-defined]
        self.stored_secrets: dict[str, Any] = (
            decrypt_json(self.instance.secrets_encrypted) if self.instance.pk else {}
        )
        for dotted, cls in registered_backends().items():
            current = self.instance.pk and self.instance.backend == dotted
            for option, field in cls.Options.form_fields().items():
                name = field_name(cls, option)
                if option in cls.Options.secret_options:
                    if current and self.stored_secrets.get(option):
                        saved = mask(str(self.stored_secrets[option]))
                        field.help_text += f" Saved: {saved}."
                elif current and option in self.instance.options:
                    field.initial = self.instance.options[option]
                self.fields[name] = field

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        backend = data.get("backend")
        if not backend or self.errors:
            return data
        cls = registered_backends()[backend]
        typed = {option: data.get(field_name(cls, option)) for option in cls.Options.names()}
        given = cls.Options.from_form(typed)
        secret_names = cls.Options.secret_options
        options = {k: v for k, v in given.items() if k not in secret_names}
        new_secrets = {k: str(v) for k, v in given.items() if k in secret_names}
        # Stored secrets of this backend stay unless replaced (another backend's are dropped).
        kept = {k: v for k, v in self.stored_secrets.items() if k in secret_names}
        self._check_backend(backend, options, {**kept, **new_secrets})
        data["options"], data["secrets"] = options, new_secrets
        data["dropped_secrets"] = sorted(set(self.stored_secrets) - set(secret_names))
        return data

    def _check_backend(
        self, backend: str, options: dict[str, Any], secrets: dict[str, str]
    ) -> None:
        try:
            instance = storage_config_build(backend=backend, options=options, secrets=secrets)
        except ImproperlyConfigured as exc:
            raise forms.ValidationError(f"The backend refused these settings: {exc}") from exc
        problems = instance.check() if isinstance(instance, HealthCheck) else []
        if problems:
            raise forms.ValidationError([f"Check failed: {problem}" for problem in problems])

    def save(self, commit: bool = True) -> StorageConfig:
        self.instance.options = self.cleaned_data.get("options", {})
        return super().save(commit=commit)
