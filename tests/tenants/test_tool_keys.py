"""The tool's signing keys (lti_tool/tenants/tool_keys): made on first need, rotated with
the old key still published, retired only once replaced."""

from __future__ import annotations

import pytest

from lti_tool.models import ToolKey
from lti_tool.tenants.tool_keys import (
    KeyNotRetirable,
    current_tool_key,
    tool_jwks,
    tool_key_retire,
    tool_key_rotate,
)

pytestmark = pytest.mark.django_db


def test_the_first_need_makes_one_key_and_later_needs_reuse_it() -> None:
    first = current_tool_key()

    assert current_tool_key() == first
    assert ToolKey.objects.count() == 1
    assert [key["kid"] for key in tool_jwks()["keys"]] == [first.kid]


def test_a_rotated_key_signs_and_the_old_one_stays_published_until_retired() -> None:
    old = current_tool_key()
    new = tool_key_rotate()

    assert current_tool_key() == new and new.kid != old.kid
    assert [key["kid"] for key in tool_jwks()["keys"]] == [new.kid, old.kid]

    tool_key_retire(kid=old.kid)
    assert [key["kid"] for key in tool_jwks()["keys"]] == [new.kid]


def test_the_current_key_and_unknown_kids_cannot_be_retired() -> None:
    current = current_tool_key()

    with pytest.raises(KeyNotRetirable, match="rotate"):
        tool_key_retire(kid=current.kid)
    with pytest.raises(KeyNotRetirable, match="No tool key"):
        tool_key_retire(kid="nope")


def test_the_published_keys_hold_no_private_part() -> None:
    current_tool_key()

    (jwk,) = tool_jwks()["keys"]
    assert {"d", "p", "q", "dp", "dq", "qi"}.isdisjoint(jwk)
    assert (jwk["kty"], jwk["alg"], jwk["use"]) == ("RSA", "RS256", "sig")
