"""The one options base every backend declares its OPTIONS with (django-storages style)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import pytest
from django import forms
from django.core.exceptions import ImproperlyConfigured

from storage_backends.cloudflare import CloudflareStreamBackend
from storage_backends.local import LocalBackend
from storage_backends.options import BackendOptions, SecretTextarea, option
from storage_backends.s3 import S3Backend


@dataclass(frozen=True, kw_only=True)
class Example(BackendOptions):
    provider: ClassVar[str] = "Example"
    secret_options: ClassVar[frozenset[str]] = frozenset({"key", "pem"})
    together: ClassVar[tuple[tuple[str, ...], ...]] = (("key_id", "key"),)

    name: str = option(label="Name")
    key_id: str = option("")
    key: str = option("")
    pem: str | None = option(None, multiline=True)
    size: int = option(10)
    verbose: bool = option(False)

    def check(self) -> None:
        if self.size < 1:
            raise ImproperlyConfigured("Example: size must be positive.")


def test_defaults_fill_what_is_not_given() -> None:
    options = Example.load({"name": "a"})
    assert (options.name, options.size, options.key) == ("a", 10, "")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"name": "a", "colour": "blue"}, r"unknown option\(s\) colour"),
        ({}, "needs name"),
        ({"name": ""}, "needs name"),
        ({"name": "a", "key_id": "k"}, "key_id, key go together"),
        ({"name": "a", "key": "secret"}, "key_id, key go together"),
        ({"name": "a", "size": 0}, "size must be positive"),
    ],
)
def test_bad_options_fail_at_load(raw: dict[str, object], message: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=message):
        Example.load(raw)


def test_form_fields_are_typed_and_secrets_never_echo() -> None:
    fields = Example.form_fields()
    assert isinstance(fields["size"], forms.IntegerField)
    assert isinstance(fields["verbose"], forms.BooleanField)
    assert isinstance(fields["name"], forms.CharField) and "(required)" in str(fields["name"].label)
    key_widget = fields["key"].widget
    assert isinstance(key_widget, forms.PasswordInput) and not key_widget.render_value
    assert "value=" not in key_widget.render("key", "stored-secret")
    pem_widget = fields["pem"].widget
    assert isinstance(pem_widget, SecretTextarea)
    assert "stored-pem" not in pem_widget.render("pem", "stored-pem")


def test_blank_form_values_take_the_defaults() -> None:
    assert Example.from_form({"name": "a", "key": "", "size": None, "other": "x"}) == {"name": "a"}


@pytest.mark.parametrize(
    ("backend", "secrets"),
    [
        (S3Backend, {"secret_access_key", "session_token", "cloudfront_private_key"}),
        (CloudflareStreamBackend, {"api_token", "signing_key_pem", "webhook_secret"}),
        (LocalBackend, {"secret"}),
    ],
)
def test_each_backend_declares_its_secrets_once(backend: type, secrets: set[str]) -> None:
    assert backend.Options.secret_options == secrets
    for name in secrets:
        assert not getattr(backend.Options.form_fields()[name].widget, "render_value", False)
