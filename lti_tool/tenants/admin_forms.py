"""The admin form for a tenant's storage: secrets are write-only, the backend is checked."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ImproperlyConfigured

from lti_tool.encryption import decrypt_json, mask
from lti_tool.models import StorageConfig
from lti_tool.services.storage import KNOWN_BACKENDS, secret_option_names, storage_config_build

if TYPE_CHECKING:  # generic in django-stubs only: Django's ModelForm is not subscriptable
    StorageConfigModelForm = forms.ModelForm[StorageConfig]
else:
    StorageConfigModelForm = forms.ModelForm

_BACKEND_CHOICES: list[tuple[str, str]] = sorted(KNOWN_BACKENDS.items(), key=lambda kv: kv[1])


class StorageConfigForm(StorageConfigModelForm):
    backend = forms.ChoiceField(choices=_BACKEND_CHOICES)
    secrets = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "off"}),
        help_text="JSON of secret options (API token, AWS secret, private keys, webhook "
        "secret). Stored encrypted, never shown again; keys left out keep their saved value.",
    )
    make_active = forms.BooleanField(
        required=False, initial=True, label="Use for the tenant's new videos"
    )

    class Meta:
        model = StorageConfig
        fields = ["tenant", "label", "backend", "options"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        stored = decrypt_json(self.instance.secrets_encrypted) if self.instance.pk else {}
        if stored:
            shown = ", ".join(f"{name}: {mask(str(value))}" for name, value in stored.items())
            self.fields["secrets"].help_text += f" Saved: {shown}."
        self.backend_instance: object | None = None

    def clean_secrets(self) -> dict[str, str]:
        raw = self.cleaned_data.get("secrets") or ""
        if not raw.strip():
            return {}
        try:
            value = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(f"Secrets must be a JSON object: {exc}") from exc
        if not isinstance(value, dict):
            raise forms.ValidationError("Secrets must be a JSON object.")
        return {str(k): str(v) for k, v in value.items()}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        backend, options = data.get("backend"), data.get("options") or {}
        if not backend or self.errors:
            return data
        secret_names = set(secret_option_names(backend))
        if misplaced := secret_names & set(options):
            raise forms.ValidationError(
                f"Put {', '.join(sorted(misplaced))} under secrets, not options."
            )
        stored = decrypt_json(self.instance.secrets_encrypted) if self.instance.pk else {}
        secrets = {**stored, **data.get("secrets", {})}
        self._check_backend(backend, options, secrets)
        return data

    def _check_backend(
        self, backend: str, options: dict[str, Any], secrets: dict[str, str]
    ) -> None:
        try:
            instance = storage_config_build(backend=backend, options=options, secrets=secrets)
        except ImproperlyConfigured as exc:
            raise forms.ValidationError(f"The backend refused these settings: {exc}") from exc
        check = getattr(instance, "check", None)
        problems = check() if callable(check) else []
        if problems:
            raise forms.ValidationError([f"Check failed: {problem}" for problem in problems])
        self.backend_instance = instance
