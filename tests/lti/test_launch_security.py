"""Attacks on the LTI 1.3 launch: each is refused with a 4xx, a sentence a person
understands, a log line without the token, and nothing written to the database."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from django.test import Client

from lti_tool.models import Submission
from tests.fixtures.platform import LaunchDriver
from tests.lti.support import b64url, db_snapshot, error_message, hand_made_token, hs256_token
from tests.lti_platform.signer import LTI

if TYPE_CHECKING:
    from tests.lti_platform.signer import (
        TestPlatform,  # a runtime import makes pytest try to collect it
    )

MENTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor"

# What the person reads, one key phrase per validation step.
SAYS = {
    "state": "did not bring back the login state",
    "format": "could not be read",
    "registration": "not registered with the video tool",
    "signature": "signature could not be verified",
    "claims": "expired or was not addressed to this tool",
    "deployment": "deployment of the tool is not registered",
    "message": "missing information the tool needs",
    "nonce": "already used or has expired",
}
STATUS = {"state": 400, "format": 400, "message": 400}  # the others are 403

# A forge gets the attacker's browser (driver) and the login it just did; it returns the
# form the browser posts to /lti/launch/.
Forge = Callable[[LaunchDriver, dict[str, str]], dict[str, str]]


def signed(**claim_overrides: Any) -> Forge:
    """A token signed with the platform's real key; `None` removes a claim."""

    def forge(driver: LaunchDriver, login: dict[str, str]) -> dict[str, str]:
        platform = driver.platform
        claims = platform.claims(**{"nonce": login["nonce"], **claim_overrides})
        return {"id_token": platform.sign(claims), "state": login["state"]}

    return forge


def _another_key(driver: LaunchDriver, login: dict[str, str]) -> dict[str, str]:
    platform = driver.platform
    attacker_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    claims = platform.claims(nonce=login["nonce"])
    return {"id_token": platform.sign(claims, key=attacker_key), "state": login["state"]}


def _alg_none(driver: LaunchDriver, login: dict[str, str]) -> dict[str, str]:
    platform = driver.platform
    header = {"alg": "none", "typ": "JWT", "kid": platform.kid}
    return {
        "id_token": hand_made_token(header, platform.claims(nonce=login["nonce"])),
        "state": login["state"],
    }


def _hs256_with_public_key(driver: LaunchDriver, login: dict[str, str]) -> dict[str, str]:
    """Key confusion: the platform's public key (anyone can fetch it) as an HMAC secret."""
    platform = driver.platform
    public_pem = platform.key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = {"alg": "HS256", "typ": "JWT", "kid": platform.kid}
    token = hs256_token(header, platform.claims(nonce=login["nonce"]), public_pem)
    return {"id_token": token, "state": login["state"]}


def _rs256_by_hand(driver: LaunchDriver, header: dict[str, Any], body: dict[str, Any]) -> str:
    """Signed with the platform's own key, whatever the header says."""
    signing_input = f"{b64url(header)}.{b64url(body)}".encode()
    signature = driver.platform.key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input.decode()}.{b64url(signature)}"


def _critical_extension(driver: LaunchDriver, login: dict[str, str]) -> dict[str, str]:
    """A header extension the recipient must understand (RFC 7515 crit): we understand none."""
    header = {"alg": "RS256", "kid": driver.platform.kid, "crit": ["http://x.example/ext"]}
    header["http://x.example/ext"] = True
    token = _rs256_by_hand(driver, header, driver.platform.claims(nonce=login["nonce"]))
    return {"id_token": token, "state": login["state"]}


def _body_swapped(driver: LaunchDriver, login: dict[str, str]) -> dict[str, str]:
    """A genuine signature on another body: the teacher's launch, say, as a student's."""
    platform = driver.platform
    genuine = platform.sign(platform.claims(nonce=login["nonce"]))
    header, _, signature = genuine.split(".")
    other = b64url(platform.claims(nonce=login["nonce"], sub="teacher-1"))
    return {"id_token": f"{header}.{other}.{signature}", "state": login["state"]}


def _junk_in_the_signature(driver: LaunchDriver, login: dict[str, str]) -> dict[str, str]:
    """Characters outside base64url, which a lenient decoder would skip."""
    token = driver.platform.sign(driver.platform.claims(nonce=login["nonce"]))
    return {"id_token": token[:-10] + "!" + token[-10:], "state": login["state"]}


def _unknown_kid(driver: LaunchDriver, login: dict[str, str]) -> dict[str, str]:
    platform = driver.platform
    attacker_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    claims = platform.claims(nonce=login["nonce"])
    token = platform.sign(claims, key=attacker_key, kid="attacker-kid")
    return {"id_token": token, "state": login["state"]}


def _nonce_of_another_login(driver: LaunchDriver, login: dict[str, str]) -> dict[str, str]:
    """A token minted for someone else's login (still unused), posted with my own state."""
    victim_login = LaunchDriver(Client(), driver.platform).login()
    claims = driver.platform.claims(nonce=victim_login["nonce"])
    return {"id_token": driver.platform.sign(claims), "state": login["state"]}


def _state_of_another_login(driver: LaunchDriver, login: dict[str, str]) -> dict[str, str]:
    """Another browser's state: this browser has no cookie for it."""
    other_login = LaunchDriver(Client(), driver.platform).login()
    claims = driver.platform.claims(nonce=other_login["nonce"])
    return {"id_token": driver.platform.sign(claims), "state": other_login["state"]}


def _with_state(state: str | None) -> Forge:
    def forge(driver: LaunchDriver, login: dict[str, str]) -> dict[str, str]:
        form = signed()(driver, login)
        if state is None:
            del form["state"]
        else:
            form["state"] = state
        return form

    return forge


def _raw(id_token: str | None) -> Forge:
    """Whatever the attacker likes in the id_token field (None: no field at all)."""

    def forge(driver: LaunchDriver, login: dict[str, str]) -> dict[str, str]:
        form = {"state": login["state"]}
        if id_token is not None:
            form["id_token"] = id_token
        return form

    return forge


def _body_not_an_object(driver: LaunchDriver, login: dict[str, str]) -> dict[str, str]:
    token = hand_made_token({"alg": "RS256", "kid": driver.platform.kid}, ["iss", "sub"])
    return {"id_token": token, "state": login["state"]}


NOW = int(time.time())  # only for claims well away from the tool's clock leeway
OTHER_TOOL = "another-tool"

ATTACKS = [
    # signature
    pytest.param(_another_key, "signature", id="signed-with-another-key-same-kid"),
    pytest.param(_alg_none, "signature", id="alg-none"),
    pytest.param(_hs256_with_public_key, "signature", id="hs256-public-key-as-secret"),
    pytest.param(_unknown_kid, "signature", id="unknown-kid"),
    pytest.param(_critical_extension, "signature", id="crit-header-extension"),
    pytest.param(_body_swapped, "signature", id="genuine-signature-another-body"),
    pytest.param(_junk_in_the_signature, "signature", id="signature-not-base64url"),
    # times
    pytest.param(signed(exp=NOW - 3600, iat=NOW - 3900), "claims", id="expired"),
    pytest.param(signed(exp=None), "claims", id="exp-missing"),
    pytest.param(signed(iat=None), "claims", id="iat-missing"),
    pytest.param(signed(iat=NOW + 3600, exp=NOW + 3900), "claims", id="iat-an-hour-ahead"),
    pytest.param(signed(nbf=NOW + 3600), "claims", id="nbf-an-hour-ahead"),
    pytest.param(signed(exp="tomorrow"), "claims", id="exp-not-a-number"),
    pytest.param(signed(iat=True), "claims", id="iat-a-boolean"),
    # audience and client
    pytest.param(signed(aud=[OTHER_TOOL]), "registration", id="aud-another-tool"),
    pytest.param(signed(aud=OTHER_TOOL, azp="test-client"), "claims", id="aud-not-us-azp-us"),
    pytest.param(signed(aud=["test-client", OTHER_TOOL]), "claims", id="many-aud-no-azp"),
    pytest.param(
        signed(aud=["test-client", OTHER_TOOL], azp=OTHER_TOOL),
        "registration",
        id="azp-not-our-client-id",
    ),
    pytest.param(signed(aud=None), "registration", id="aud-missing"),
    pytest.param(signed(aud="unknown-client"), "registration", id="unknown-client-id"),
    pytest.param(signed(iss="https://lms.attacker.example"), "registration", id="unknown-issuer"),
    pytest.param(
        signed(**{LTI + "deployment_id": "deployment-unknown"}),
        "deployment",
        id="unregistered-deployment-id",
    ),
    # nonce and state
    pytest.param(signed(nonce=uuid.uuid4().hex), "nonce", id="nonce-never-issued"),
    pytest.param(signed(nonce=None), "nonce", id="nonce-missing"),
    pytest.param(_nonce_of_another_login, "nonce", id="nonce-of-another-login"),
    pytest.param(_with_state("state-" + str(uuid.uuid4())), "state", id="state-not-the-cookie"),
    pytest.param(_state_of_another_login, "state", id="state-of-another-browser"),
    pytest.param(_with_state(None), "state", id="state-missing"),
    # message content
    pytest.param(signed(sub=None), "message", id="sub-missing"),
    pytest.param(signed(**{LTI + "roles": None}), "message", id="roles-missing"),
    pytest.param(
        signed(**{LTI + "resource_link": {"title": "Video essay"}}),
        "message",
        id="resource-link-id-missing",
    ),
    pytest.param(signed(**{LTI + "version": "1.1"}), "message", id="lti-version-1.1"),
    pytest.param(
        signed(**{LTI + "message_type": "LtiStartProctoring"}), "message", id="unknown-message-type"
    ),
    # not a token at all
    pytest.param(_raw("header.body"), "format", id="jwt-with-2-parts"),
    pytest.param(_raw("garbage-that-is-not-a-token"), "format", id="garbage"),
    pytest.param(_raw("%%%.&&&.***"), "format", id="3-parts-not-base64"),
    pytest.param(_body_not_an_object, "format", id="body-is-a-json-list"),
    pytest.param(_raw(None), "format", id="id-token-missing"),
]


@pytest.mark.parametrize(("forge", "step"), ATTACKS)
def test_attack_is_refused_and_writes_nothing(
    launcher: LaunchDriver,
    earlier_launch: Submission,
    caplog: pytest.LogCaptureFixture,
    forge: Forge,
    step: str,
) -> None:
    form = forge(launcher, launcher.login())
    before = db_snapshot()

    with caplog.at_level(logging.WARNING, logger="lti_tool.views.lti"):
        response = launcher.client.post("/lti/launch/", form)

    assert response.status_code == STATUS.get(step, 403)
    assert SAYS[step] in error_message(response)
    assert db_snapshot() == before
    refusals = [r.getMessage() for r in caplog.records if r.name == "lti_tool.views.lti"]
    assert any(f"refused step={step} " in line for line in refusals), refusals
    if form.get("id_token"):
        assert form["id_token"] not in caplog.text


def test_replayed_launch_is_refused_and_writes_nothing(
    launcher: LaunchDriver, caplog: pytest.LogCaptureFixture
) -> None:
    login = launcher.login()
    [cookie] = [c for n, c in launcher.client.cookies.items() if n.startswith("lti1p3-state-")]
    id_token = launcher.platform.sign(launcher.platform.claims(nonce=login["nonce"]))
    assert launcher.post(id_token, login["state"]).status_code == 200
    # The launch removed its state cookie; the replay is the captured request, cookie included.
    launcher.client.cookies[cookie.key] = cookie.value
    before = db_snapshot()

    with caplog.at_level(logging.WARNING, logger="lti_tool.views.lti"):
        replay = launcher.post(id_token, login["state"])

    assert replay.status_code == 403
    assert SAYS["nonce"] in error_message(replay)
    assert db_snapshot() == before
    assert "refused step=nonce" in caplog.text
    assert id_token not in caplog.text


def test_unknown_kid_costs_one_jwks_fetch_only(
    launcher: LaunchDriver, jwks_fetches: list[str]
) -> None:
    """A new kid makes the tool refetch the platform's JWKS once, not loop on it."""
    assert launcher.launch().status_code == 200  # the JWKS is now cached
    jwks_fetches.clear()

    form = _unknown_kid(launcher, launcher.login())
    assert launcher.client.post("/lti/launch/", form).status_code == 403
    assert jwks_fetches == [launcher.platform.keyset_url]

    # More unknown kids within the minute: no more fetches (anyone can start a login).
    for _ in range(3):
        form = _unknown_kid(launcher, launcher.login())
        assert launcher.client.post("/lti/launch/", form).status_code == 403
    assert jwks_fetches == [launcher.platform.keyset_url]


def test_role_without_access_is_refused_clearly_and_logged(
    launcher: LaunchDriver, earlier_launch: Submission, caplog: pytest.LogCaptureFixture
) -> None:
    login = launcher.login()
    id_token = launcher.platform.sign(
        launcher.platform.claims(nonce=login["nonce"], sub="parent-1", roles=(MENTOR,))
    )
    before = db_snapshot()

    with caplog.at_level(logging.WARNING, logger="lti_tool.views.lti"):
        response = launcher.post(id_token, login["state"])

    assert response.status_code == 403
    assert "Your role in this course does not give access" in error_message(response)
    assert db_snapshot() == before
    assert any(
        r.name == "lti_tool.views.lti" and "refused" in r.getMessage() for r in caplog.records
    )
    assert id_token not in caplog.text


def test_login_keeps_the_state_in_a_cookie_that_survives_the_lms_iframe(
    client: Client, registered_platform: TestPlatform
) -> None:
    login = LaunchDriver(client, registered_platform).login()

    cookie = client.cookies[f"lti1p3-{login['state']}"]
    assert cookie.value == login["state"]
    assert cookie["samesite"] == "None"
    assert cookie["secure"]
    assert cookie["httponly"]


def test_login_from_an_unknown_issuer_is_refused(
    client: Client, registered_platform: TestPlatform, caplog: pytest.LogCaptureFixture
) -> None:
    before = db_snapshot()
    with caplog.at_level(logging.WARNING, logger="lti_tool.views.lti"):
        response = client.get(
            "/lti/login/",
            {
                "iss": "https://lms.attacker.example",
                "login_hint": "user",
                "target_link_uri": "http://testserver/lti/launch/",
            },
        )
    assert response.status_code == 403
    assert SAYS["registration"] in error_message(response)
    assert db_snapshot() == before
    assert "refused step=registration" in caplog.text
