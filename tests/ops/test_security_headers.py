"""The Content-Security-Policy lets only the registered platforms frame the tool."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest
from django.test import Client

from lti_tool.ops import frame_ancestors

if TYPE_CHECKING:
    from tests.lti_platform.signer import TestPlatform


@pytest.fixture(autouse=True)
def _fresh_origins(settings: Any) -> Iterator[None]:
    """The production policy, from what this test registered (tests empty the database
    without signals)."""
    settings.CSP_ENFORCE = True
    frame_ancestors.forget()
    yield
    frame_ancestors.forget()


def _frame_ancestors(client: Client) -> list[str]:
    policy = client.get("/lti/jwks/")["Content-Security-Policy"]
    directive = next(d for d in policy.split(";") if d.strip().startswith("frame-ancestors"))
    return directive.split()[1:]


def test_frame_ancestors_are_the_registered_platforms(
    client: Client, registered_platform: TestPlatform
) -> None:
    assert _frame_ancestors(client) == ["'self'", registered_platform.issuer]


def test_a_new_registration_may_frame_at_once_and_canvas_schools_too(
    client: Client, registered_platform: TestPlatform
) -> None:
    from lti_tool.models import PlatformRegistration

    before = _frame_ancestors(client)
    PlatformRegistration.objects.create(
        tenant=PlatformRegistration.objects.get().tenant,
        issuer="https://canvas.instructure.com",
        client_id="10000000000001",
        auth_login_url="https://sso.canvaslms.com/api/lti/authorize_redirect",
        auth_token_url="https://sso.canvaslms.com/login/oauth2/token",
        keyset_url="https://sso.canvaslms.com/api/lti/security/jwks",
    )
    after = _frame_ancestors(client)
    assert "https://canvas.instructure.com" not in before
    assert {
        "https://canvas.instructure.com",
        "https://sso.canvaslms.com",
        "https://*.instructure.com",
    } <= set(after)


def test_nobody_else_may_frame_the_tool(client: Client, db: None) -> None:
    assert _frame_ancestors(client) == ["'self'"]


def test_no_policy_outside_production_unless_switched_on(
    client: Client, db: None, settings: Any
) -> None:
    settings.CSP_ENFORCE = False
    assert "Content-Security-Policy" not in client.get("/lti/jwks/")
