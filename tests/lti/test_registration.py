"""Registering platforms and rotating the tool's key, as an administrator does it."""

from __future__ import annotations

import dataclasses
import io
import re
from typing import TYPE_CHECKING, Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from lti_tool.models import PlatformRegistration
from tests.fixtures.platform import LaunchDriver
from tests.lti.support import error_message
from tests.lti_platform.signer import LTI

if TYPE_CHECKING:
    # a runtime import makes pytest try to collect it
    from tests.lti_platform.signer import TestPlatform

PRIVATE_JWK_MEMBERS = {"d", "p", "q", "dp", "dq", "qi", "oth", "k"}


def register(platform: TestPlatform, *extra: str, **urls: str) -> str:
    """Run `register_platform` for this platform; return what it printed."""
    out = io.StringIO()
    args = platform.register_args("Test University")
    if "auth_login_url" in urls:
        args[args.index("--auth-login-url") + 1] = urls["auth_login_url"]
    call_command("register_platform", *args, *extra, stdout=out)
    return out.getvalue()


def rotate(*args: str) -> str:
    out = io.StringIO()
    call_command("rotate_tool_key", *args, stdout=out)
    return out.getvalue()


def published_keys(client: Client) -> list[dict[str, Any]]:
    response = client.get("/lti/jwks/")
    assert response.status_code == 200
    return response.json()["keys"]


# register_platform


@pytest.mark.django_db
def test_register_prints_the_id_and_the_urls_the_lms_needs(platform: TestPlatform) -> None:
    output = register(platform, "--tool-url", "https://video.example.edu/")

    registration = PlatformRegistration.objects.get()
    assert f"Registration id: {registration.pk}" in output
    assert "https://video.example.edu/lti/login/" in output
    assert "https://video.example.edu/lti/launch/" in output
    assert "https://video.example.edu/lti/jwks/" in output


def test_registering_again_updates_instead_of_duplicating(
    client: Client, registered_platform: TestPlatform
) -> None:
    platform = registered_platform
    new_auth_url = platform.issuer + "/auth/v2"

    register(platform, "--deployment-id", "deployment-2", auth_login_url=new_auth_url)

    assert PlatformRegistration.objects.count() == 1
    registration = PlatformRegistration.objects.get()
    assert registration.auth_login_url == new_auth_url
    assert sorted(registration.deployments.values_list("deployment_id", flat=True)) == [
        "deployment-1",
        "deployment-2",
    ]
    # What the LMS sees: logins go to the new URL; both deployments launch.
    login = client.get(
        "/lti/login/",
        {
            "iss": platform.issuer,
            "client_id": platform.client_id,
            "login_hint": "user",
            "target_link_uri": "http://testserver/lti/launch/",
        },
    )
    assert login["Location"].startswith(new_auth_url + "?")
    driver = LaunchDriver(client, platform)
    assert driver.launch().status_code == 200
    assert driver.launch(**{LTI + "deployment_id": "deployment-2"}).status_code == 200


def test_second_client_id_of_an_issuer_is_its_own_registration(
    client: Client, registered_platform: TestPlatform
) -> None:
    first = registered_platform
    # The same LMS (issuer and keys), a second registration of the tool in it.
    second = dataclasses.replace(first, client_id="second-client", deployment_id="deployment-9")

    output = register(second)

    assert PlatformRegistration.objects.count() == 2
    second_id = PlatformRegistration.objects.get(client_id="second-client").pk
    assert f"Registration id: {second_id}" in output
    assert LaunchDriver(client, first).launch().status_code == 200
    assert LaunchDriver(Client(), second).launch().status_code == 200


def test_deployment_ids_belong_to_their_client_id(
    client: Client, registered_platform: TestPlatform
) -> None:
    first = registered_platform
    second = dataclasses.replace(first, client_id="second-client", deployment_id="deployment-9")
    register(second)

    response = LaunchDriver(client, second).launch(**{LTI + "deployment_id": "deployment-1"})

    assert response.status_code == 403
    assert "deployment of the tool is not registered" in error_message(response)


# the tool's keys


@pytest.mark.django_db
def test_first_jwks_request_creates_the_key(client: Client) -> None:
    keys = published_keys(client)
    assert len(keys) == 1


def test_jwks_publishes_one_public_rs256_signing_key(
    client: Client, launcher: LaunchDriver
) -> None:
    launcher.login()  # the first login needs the tool's key, so it exists from here on

    keys = published_keys(client)

    assert len(keys) == 1
    key = keys[0]
    assert key["kty"] == "RSA"
    assert key["alg"] == "RS256"
    assert key["use"] == "sig"
    assert key["kid"]
    assert key["n"]
    assert key["e"]
    assert not PRIVATE_JWK_MEMBERS & key.keys()


def test_rotation_publishes_both_keys_and_the_new_one_is_current(
    client: Client, launcher: LaunchDriver
) -> None:
    launcher.login()
    [old] = published_keys(client)

    output = rotate()

    new_kid = _printed_kid(output)
    keys = published_keys(client)
    assert [key["kid"] for key in keys] == [new_kid, old["kid"]]  # current first
    assert "2 keys published" in output
    assert all(not PRIVATE_JWK_MEMBERS & key.keys() for key in keys)
    assert launcher.launch().status_code == 200  # launches go on across the rotation


def test_retired_key_is_no_longer_published(client: Client, launcher: LaunchDriver) -> None:
    launcher.login()
    [old] = published_keys(client)
    new_kid = _printed_kid(rotate())

    output = rotate("--retire", old["kid"])

    assert old["kid"] in output
    assert [key["kid"] for key in published_keys(client)] == [new_kid]


def test_retiring_the_current_key_is_refused(client: Client, launcher: LaunchDriver) -> None:
    launcher.login()
    [current] = published_keys(client)

    with pytest.raises(CommandError):
        rotate("--retire", current["kid"])


def test_retiring_the_current_key_keeps_it_published(
    client: Client, launcher: LaunchDriver
) -> None:
    """The key that signs is never withdrawn: the command refuses and says why."""
    launcher.login()
    [current] = published_keys(client)

    with pytest.raises(CommandError, match="current key"):
        rotate("--retire", current["kid"])

    assert [key["kid"] for key in published_keys(client)] == [current["kid"]]


def _printed_kid(output: str) -> str:
    match = re.search(r"New current key: (\S+)", output)
    assert match, output
    return match.group(1)
