"""One way for every backend to declare and check its OPTIONS, django-storages style.

A backend declares its options once, as a frozen dataclass deriving from
`BackendOptions`: the fields give names, types and defaults; `secret_options` names the ones
the admin stores encrypted and never shows back; `together` names the groups that must
be set all or none (a CloudFront key id without its key). `load` rejects unknown keys,
missing required ones and half-set groups with `ImproperlyConfigured`, at load time
rather than at the first student's upload; `check` is the hook for ranges and formats.
The admin form fields are derived from the same declaration (`form_fields`).
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from typing import Any, ClassVar, Self

from django import forms
from django.core.exceptions import ImproperlyConfigured


def option(
    default: Any = dataclasses.MISSING,
    *,
    label: str = "",
    help_text: str = "",
    multiline: bool = False,
) -> Any:
    """A dataclass field with what the admin shows for it."""
    metadata = {"label": label, "help_text": help_text, "multiline": multiline}
    if default is dataclasses.MISSING:
        return dataclasses.field(metadata=metadata)
    return dataclasses.field(default=default, metadata=metadata)


class SecretTextarea(forms.Textarea):
    """A multi-line secret (a PEM key): like PasswordInput(render_value=False), the
    stored value is never written into the page. A password input would drop the
    key's line breaks, so it cannot be used for PEM text."""

    def format_value(self, value: Any) -> str | None:
        return None


@dataclasses.dataclass(frozen=True, kw_only=True)
class BackendOptions:
    provider: ClassVar[str] = "Storage"  # how messages name the backend
    secret_options: ClassVar[frozenset[str]] = frozenset()
    together: ClassVar[tuple[tuple[str, ...], ...]] = ()

    @classmethod
    def load(cls, raw: Mapping[str, Any]) -> Self:
        """The options from a configuration's OPTIONS; ImproperlyConfigured if they are bad."""
        names = cls.names()
        if unknown := sorted(set(raw) - set(names)):
            raise ImproperlyConfigured(
                f"{cls.provider}: unknown option(s) {', '.join(unknown)} "
                f"(known: {', '.join(names)})."
            )
        if missing := [name for name in cls.required() if _blank(raw.get(name))]:
            raise ImproperlyConfigured(f"{cls.provider} needs {', '.join(missing)}.")
        for group in cls.together:
            given = [name for name in group if not _blank(raw.get(name))]
            if given and len(given) != len(group):
                raise ImproperlyConfigured(
                    f"{cls.provider}: {', '.join(group)} go together; set all of them or none."
                )
        try:
            options = cls(**raw)
        except TypeError as exc:  # a wrong type the dataclass itself notices
            raise ImproperlyConfigured(f"{cls.provider}: {exc}") from exc
        options.check()
        return options

    def check(self) -> None:
        """Ranges and formats; raise ImproperlyConfigured. Nothing to check by default."""
        return None

    @classmethod
    def names(cls) -> list[str]:
        return [spec.name for spec in dataclasses.fields(cls)]

    @classmethod
    def required(cls) -> list[str]:
        return [
            spec.name
            for spec in dataclasses.fields(cls)
            if spec.default is dataclasses.MISSING and spec.default_factory is dataclasses.MISSING
        ]

    @classmethod
    def form_fields(cls) -> dict[str, forms.Field]:
        """One admin form field per option; secrets never echo their value."""
        hints = typing.get_type_hints(cls)
        required = set(cls.required())
        return {
            spec.name: _form_field(
                spec,
                hints[spec.name],
                secret=spec.name in cls.secret_options,
                required=spec.name in required,
            )
            for spec in dataclasses.fields(cls)
        }

    @classmethod
    def from_form(cls, values: Mapping[str, Any]) -> dict[str, Any]:
        """The options an admin typed, blanks left out (so defaults apply)."""
        return {
            name: value
            for name, value in values.items()
            if name in cls.names() and not _blank(value)
        }


def _form_field(
    spec: dataclasses.Field[Any], hint: Any, *, secret: bool, required: bool
) -> forms.Field:
    label = spec.metadata.get("label") or spec.name.replace("_", " ").capitalize()
    help_text = spec.metadata.get("help_text", "")
    # Required at load time, not in the form: the form holds every backend's fields.
    common: dict[str, Any] = {"required": False, "label": label}
    if required:
        common["label"] = f"{label} (required)"
    base = _base_type(hint)
    if secret:
        help_text = (help_text + " " if help_text else "") + (
            "Stored encrypted and never shown again; leave blank to keep the saved value."
        )
        widget: forms.Widget = (
            SecretTextarea(attrs={"rows": 4, "autocomplete": "off"})
            if spec.metadata.get("multiline")
            else forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"})
        )
        return forms.CharField(widget=widget, strip=False, help_text=help_text, **common)
    if base is bool:
        return forms.BooleanField(help_text=help_text, **common)
    if base is int:
        return forms.IntegerField(help_text=help_text, **common)
    if spec.metadata.get("multiline"):
        return forms.CharField(
            widget=forms.Textarea(attrs={"rows": 4}), help_text=help_text, **common
        )
    return forms.CharField(help_text=help_text, **common)


def _base_type(hint: Any) -> Any:
    """`int | None` -> int; `str | bytes | None` -> str."""
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        args = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        return args[0] if args else str
    return hint


def _blank(value: Any) -> bool:
    return value is None or value == ""
