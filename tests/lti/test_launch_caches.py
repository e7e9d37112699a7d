"""What a process keeps between launches (the registration with its deployment, the platform's
parsed keys), and for how long it may trust it once the administrator or the platform has
withdrawn it."""

from __future__ import annotations

import time
import uuid

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.db import connection

import lti_tool.lti.platform_keys
import lti_tool.lti.tool_conf
from lti_tool.models import Deployment, PlatformRegistration
from tests.fixtures.platform import LaunchDriver
from tests.lti.support import error_message

DEPLOYMENT_REFUSED = "deployment of the tool is not registered"
SIGNATURE_REFUSED = "signature could not be verified"


def later(monkeypatch: pytest.MonkeyPatch, module: object, seconds: float) -> None:
    """`module`'s clock runs `seconds` ahead from now on."""
    clock = module.time  # type: ignore[attr-defined]
    real_monotonic, real_time = clock.monotonic, clock.time
    fake = type("Clock", (), {})()
    fake.monotonic = lambda: real_monotonic() + seconds  # type: ignore[attr-defined]
    fake.time = lambda: real_time() + seconds  # type: ignore[attr-defined]
    monkeypatch.setattr(module, "time", fake)


def delete_behind_our_back(deployment_id: str) -> None:
    """As another process would: no signal reaches this one."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM lti_tool_deployment WHERE deployment_id = %s", [deployment_id])


def test_a_deployment_removed_here_is_refused_at_once(launcher: LaunchDriver) -> None:
    assert launcher.launch().status_code == 200
    Deployment.objects.filter(deployment_id=launcher.platform.deployment_id).delete()

    response = launcher.launch()
    assert response.status_code == 403
    assert DEPLOYMENT_REFUSED in error_message(response)


def test_a_deployment_removed_by_another_process_is_refused_within_ten_seconds(
    launcher: LaunchDriver, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert launcher.launch().status_code == 200
    delete_behind_our_back(launcher.platform.deployment_id)
    assert launcher.launch().status_code == 200  # read 0 s ago: still trusted here

    later(monkeypatch, lti_tool.lti.tool_conf, 10.5)
    response = launcher.launch()
    assert response.status_code == 403
    assert DEPLOYMENT_REFUSED in error_message(response)


def test_an_unknown_deployment_is_looked_up_every_time(launcher: LaunchDriver) -> None:
    """Not kept: the id another process accepted or an administrator added works at once."""
    other = {"https://purl.imsglobal.org/spec/lti/claim/deployment_id": "deployment-2"}
    assert launcher.launch(**other).status_code == 403
    with connection.cursor() as cursor:  # added by another process: no signal here
        cursor.execute(
            "INSERT INTO lti_tool_deployment (registration_id, deployment_id) VALUES (%s, %s)",
            [PlatformRegistration.objects.get().pk, "deployment-2"],
        )
    assert launcher.launch(**other).status_code == 200


def test_a_platform_key_is_trusted_only_as_long_as_its_jwks(
    launcher: LaunchDriver, monkeypatch: pytest.MonkeyPatch, jwks_fetches: list[str]
) -> None:
    """The platform withdraws a key (say it leaked): tokens it signed are refused once the
    JWKS that held it is older than LTI_JWKS_CACHE_TTL, as before the keys were kept."""
    platform = launcher.platform
    assert launcher.launch().status_code == 200
    leaked_key, leaked_kid = platform.key, platform.kid
    platform.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    platform.kid = uuid.uuid4().hex  # the JWKS now holds only the new key

    def signed_with_the_leaked_key() -> int:
        params = launcher.login()
        claims = platform.claims(nonce=params["nonce"], sub=f"s-{time.monotonic_ns()}")
        token = platform.sign(claims, kid=leaked_kid, key=leaked_key)
        return int(launcher.post(token, params["state"]).status_code)

    assert signed_with_the_leaked_key() == 200  # the JWKS fetched a moment ago held it
    assert jwks_fetches == [platform.keyset_url]

    later(monkeypatch, lti_tool.lti.platform_keys, settings.LTI_JWKS_CACHE_TTL + 1)
    assert signed_with_the_leaked_key() == 403
    # Expired: fetched again; its kid is not in it: fetched once more, as for a rotation.
    assert jwks_fetches == [platform.keyset_url] * 3
    assert launcher.launch().status_code == 200  # the new key, from the JWKS fetched again
