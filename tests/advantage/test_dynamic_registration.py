"""LTI Dynamic Registration over HTTP, against the independent LMS in tests/lti_platform.

The tool runs on `live_server`; the LMS (Moodle- or Canvas-shaped) serves its OpenID
configuration and registration endpoint on 127.0.0.1 and opens `/lti/register/` the way
an administrator's browser does. Plain http on 127.0.0.1 is accepted only with DEBUG on,
so the round-trip tests turn it on (`local_lms_allowed`).
"""

from __future__ import annotations

import html
import io
import re
import socket
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
import requests
from django.core.management import call_command

from lti_tool.models import Deployment, PlatformRegistration, Tenant
from tests.lti_platform import registration as platform_registration
from tests.lti_platform.driver import browser_request, submit_form
from tests.lti_platform.lms import LmsPlatform

pytestmark = pytest.mark.django_db(transaction=True)

TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"
AGS = "https://purl.imsglobal.org/spec/lti-ags/scope/"
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
CLOSE_MESSAGE = 'postMessage({subject: "org.imsglobal.lti.close"}, "*")'
_ERROR = re.compile(r'<p id="(?:error-message|form-error)"[^>]*>(.*?)</p>', re.S)


@pytest.fixture
def local_lms_allowed(settings: Any) -> None:
    settings.DEBUG = True  # the LMS stand-in serves plain http on 127.0.0.1


@pytest.fixture
def moodle(moodle_lms: LmsPlatform, live_server: Any, local_lms_allowed: None) -> LmsPlatform:
    moodle_lms.tool_url = live_server.url
    return moodle_lms


@pytest.fixture
def canvas(canvas_lms: LmsPlatform, live_server: Any, local_lms_allowed: None) -> LmsPlatform:
    """A self-hosted Canvas: its `lti_iss` is its own address, where its configuration is."""
    canvas_lms.tool_url = live_server.url
    canvas_lms.issuer = canvas_lms.url
    return canvas_lms


def register_url(lms: LmsPlatform) -> str:
    assert lms.tool_url
    return lms.tool_url + "/lti/register/"


def message_on(response: requests.Response) -> str:
    match = _ERROR.search(response.text)
    assert match, f"no error sentence on the page: {response.text[:400]}"
    return " ".join(html.unescape(match.group(1)).split())


def nothing_saved() -> bool:
    return not (
        Tenant.objects.exists()
        or PlatformRegistration.objects.exists()
        or Deployment.objects.exists()
    )


def serve_configuration(monkeypatch: pytest.MonkeyPatch, change: Callable[[dict], None]) -> None:
    """Make the LMS serve its configuration with `change` applied (a broken LMS)."""
    original = platform_registration.configuration

    def changed(lms: LmsPlatform) -> dict[str, Any]:
        document = original(lms)
        change(document)
        return document

    monkeypatch.setattr(platform_registration, "configuration", changed)


# The round trip


def test_moodle_registers_the_tool_and_then_launches_it(
    moodle: LmsPlatform, lms_session: requests.Session, live_server: Any
) -> None:
    confirm = moodle.start_dynamic_registration(lms_session, register_url(moodle))

    assert confirm.status_code == 200
    assert "Moodle" in confirm.text and moodle.issuer in confirm.text
    assert moodle.openid_configuration_requests == [{"bearer": moodle.registration_token}]
    assert nothing_saved() and moodle.registrations == []  # nothing before the admin confirms

    done = moodle.follow_auto_post(lms_session, confirm, tenant_name="Moodle University")

    assert done.status_code == 200, done.text[:500]
    assert CLOSE_MESSAGE in done.text
    assert "You can close this window" in done.text
    (sent,) = moodle.registrations  # accepted: the Bearer token was the registration token
    tool = live_server.url
    assert sent["redirect_uris"] == [tool + "/lti/launch/"]
    assert sent["initiate_login_uri"] == tool + "/lti/login/"
    assert sent["jwks_uri"] == tool + "/lti/jwks/"
    assert sent["client_name"] == "Video assignments"
    assert sent["application_type"] == "web"
    assert sent["response_types"] == ["id_token"]
    assert set(sent["grant_types"]) == {"implicit", "client_credentials"}
    assert sent["token_endpoint_auth_method"] == "private_key_jwt"
    assert set(sent["scope"].split()) == {
        AGS + "lineitem",
        AGS + "lineitem.readonly",
        AGS + "result.readonly",
        AGS + "score",
        NRPS,
    }
    config = sent[TOOL_CONFIGURATION]
    assert config["target_link_uri"] == tool + "/lti/launch/"
    assert config["domain"] == tool.split("://", 1)[1]
    assert {"iss", "sub", "name", "given_name", "family_name", "email"} <= set(config["claims"])
    messages = {m["type"]: m for m in config["messages"]}
    assert set(messages) == {"LtiResourceLinkRequest", "LtiDeepLinkingRequest"}
    assert messages["LtiDeepLinkingRequest"]["target_link_uri"] == tool + "/lti/launch/"

    registration = PlatformRegistration.objects.select_related("tenant").get()
    assert registration.tenant.name == "Moodle University"
    assert registration.issuer == moodle.issuer
    assert registration.client_id == sent["client_id"]
    assert registration.auth_login_url == moodle.auth_login_url
    assert registration.auth_token_url == moodle.token_url
    assert registration.keyset_url == moodle.keyset_url
    deployments = list(registration.deployments.values_list("deployment_id", flat=True))
    assert deployments == [config["deployment_id"]]
    assert config["deployment_id"] in done.text and sent["client_id"] in done.text

    # The LMS now launches with the client id and deployment it just handed out.
    for person in ("s1", "teacher"):
        page = moodle.launch(lms_session, person)
        assert page.status_code == 200, page.text[:500]
        assert 'id="launch-data"' in page.text
    assert moodle.rejections == []


def test_canvas_registers_with_its_placements_and_the_account_name(
    canvas: LmsPlatform, lms_session: requests.Session
) -> None:
    confirm = canvas.start_dynamic_registration(lms_session, register_url(canvas))
    assert confirm.status_code == 200
    assert 'value="Test University"' in confirm.text  # Canvas's account name, as the default

    done = canvas.follow_auto_post(lms_session, confirm)

    assert done.status_code == 200, done.text[:500]
    assert CLOSE_MESSAGE in done.text
    (sent,) = canvas.registrations
    config = sent[TOOL_CONFIGURATION]
    assert config["https://canvas.instructure.com/lti/privacy_level"] == "public"
    deep_linking = next(m for m in config["messages"] if m["type"] == "LtiDeepLinkingRequest")
    assert set(deep_linking["placements"]) == {"assignment_selection", "link_selection"}
    registration = PlatformRegistration.objects.select_related("tenant").get()
    assert registration.tenant.name == "Test University"
    assert registration.client_id == sent["client_id"]

    page = canvas.launch(lms_session, "teacher")
    assert page.status_code == 200, page.text[:500]
    assert 'id="launch-data"' in page.text
    placing = canvas.launch(lms_session, "teacher", deep_linking=True)  # assignment_selection
    assert placing.status_code == 200, placing.text[:500]
    assert 'id="assignment-form"' in placing.text


def test_the_pages_work_framed_and_without_cookies(
    moodle: LmsPlatform, lms_session: requests.Session
) -> None:
    """Canvas shows the registration in an iframe, where third-party cookies are blocked."""
    confirm = moodle.start_dynamic_registration(lms_session, register_url(moodle))
    done = submit_form(lms_session, confirm, {"tenant_name": "Framed"}, cookies=False)

    for page in (confirm, done):
        assert page.status_code == 200
        assert "X-Frame-Options" not in page.headers
        assert "Set-Cookie" not in page.headers
    assert PlatformRegistration.objects.get().tenant.name == "Framed"


# Bad configurations: a clear sentence, nothing saved, nothing sent to the LMS


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d.pop("registration_endpoint"), "does not give a registration endpoint"),
        (
            lambda d: d.update(issuer="https://moodle.example.edu"),
            "says its issuer is https://moodle.example.edu, but it was served from",
        ),
        (lambda d: d.update(id_token_signing_alg_values_supported=["HS256"]), "RS256"),
        (
            lambda d: d.pop("https://purl.imsglobal.org/spec/lti-platform-configuration"),
            "no LTI platform section",
        ),
        (lambda d: d.update(jwks_uri="ftp://127.0.0.1/keys"), "jwks_uri must use https"),
    ],
    ids=["no-registration-endpoint", "issuer-mismatch", "no-rs256", "not-lti", "bad-jwks-url"],
)
def test_a_bad_configuration_is_refused(
    moodle: LmsPlatform,
    lms_session: requests.Session,
    monkeypatch: pytest.MonkeyPatch,
    change: Callable[[dict], None],
    expected: str,
) -> None:
    serve_configuration(monkeypatch, change)

    page = moodle.start_dynamic_registration(lms_session, register_url(moodle))

    assert page.status_code == 400
    assert expected in message_on(page)
    assert "register the tool by hand" in message_on(page)
    assert nothing_saved() and moodle.registrations == []


def test_hosted_canvas_issuer_served_from_elsewhere_is_refused(
    canvas_lms: LmsPlatform,
    live_server: Any,
    local_lms_allowed: None,
    lms_session: requests.Session,
) -> None:
    """A site claiming to be https://canvas.instructure.com cannot register in its name."""
    canvas_lms.tool_url = live_server.url

    page = canvas_lms.start_dynamic_registration(lms_session, register_url(canvas_lms))

    assert page.status_code == 400
    assert "says its issuer is https://canvas.instructure.com" in message_on(page)
    assert nothing_saved() and canvas_lms.registrations == []


def test_plain_http_is_refused_outside_debug(
    moodle_lms: LmsPlatform, live_server: Any, lms_session: requests.Session
) -> None:
    moodle_lms.tool_url = live_server.url  # DEBUG stays off, as in production

    page = moodle_lms.start_dynamic_registration(lms_session, register_url(moodle_lms))

    assert page.status_code == 400
    assert "must use https" in message_on(page)
    assert moodle_lms.openid_configuration_requests == []  # the LMS was never called
    assert nothing_saved()


def test_an_unreachable_configuration_is_refused_with_a_400(
    live_server: Any, local_lms_allowed: None, lms_session: requests.Session
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{closed_port}/mod/lti/openid-configuration.php"

    page = browser_request(
        lms_session,
        "GET",
        live_server.url + "/lti/register/",
        params={"openid_configuration": url, "registration_token": "t"},
    )

    assert page.status_code == 400  # the address came with the request: bad input
    assert "could not reach the LMS" in message_on(page)
    assert nothing_saved()


def test_opening_the_url_without_an_lms_explains_what_it_is(live_server: Any) -> None:
    page = requests.get(live_server.url + "/lti/register/", timeout=10)
    assert page.status_code == 400
    assert "Dynamic Registration address" in message_on(page)


# The LMS refusing, replays, forged forms


def test_the_lms_refusing_the_registration_saves_nothing(
    moodle: LmsPlatform, lms_session: requests.Session
) -> None:
    confirm = moodle.start_dynamic_registration(lms_session, register_url(moodle))
    moodle.new_registration_token()  # the token in the form is no longer valid

    page = moodle.follow_auto_post(lms_session, confirm, tenant_name="Moodle University")

    assert page.status_code == 502
    assert "The LMS refused the registration (HTTP 401" in message_on(page)
    assert nothing_saved() and moodle.registrations == []


def test_submitting_the_form_twice_registers_once(
    moodle: LmsPlatform, lms_session: requests.Session
) -> None:
    confirm = moodle.start_dynamic_registration(lms_session, register_url(moodle))
    first = moodle.follow_auto_post(lms_session, confirm, tenant_name="Moodle University")
    assert first.status_code == 200

    again = moodle.follow_auto_post(lms_session, confirm, tenant_name="Moodle University")
    assert again.status_code == 409  # that tenant exists now: refused before the LMS is called
    other_name = moodle.follow_auto_post(lms_session, confirm, tenant_name="Moodle College")

    assert other_name.status_code == 502  # the LMS's registration token is single use
    assert "refused the registration" in message_on(other_name)
    assert len(moodle.registrations) == 1
    assert list(Tenant.objects.values_list("name", flat=True)) == ["Moodle University"]
    assert PlatformRegistration.objects.count() == 1


def test_a_changed_form_is_refused(live_server: Any, local_lms_allowed: None) -> None:
    page = requests.post(
        live_server.url + "/lti/register/",
        data={"pending": "eyJmb3JnZWQiOnRydWV9:forged", "tenant_name": "Mallory"},
        timeout=10,
    )
    assert page.status_code == 400
    assert "was not issued by the tool or was changed" in message_on(page)
    assert nothing_saved()


# Tenants


def test_an_existing_tenant_name_is_refused_before_the_lms_is_called(
    moodle: LmsPlatform,
    canvas_lms: LmsPlatform,
    lms_session: requests.Session,
) -> None:
    """The URL is public: nobody adds their LMS to another institution's tenant."""
    args = canvas_lms.register_args()
    args[args.index("--tenant") + 1] = "Example U"  # another institution, registered by hand
    call_command("register_platform", *args, stdout=io.StringIO())
    confirm = moodle.start_dynamic_registration(lms_session, register_url(moodle))

    taken = moodle.follow_auto_post(lms_session, confirm, tenant_name="Example U")

    assert taken.status_code == 409
    assert 'A tenant named "Example U" already exists' in message_on(taken)
    assert moodle.registrations == [] and PlatformRegistration.objects.count() == 1

    done = moodle.follow_auto_post(lms_session, taken, tenant_name="Example College")

    assert done.status_code == 200
    registration = PlatformRegistration.objects.get(issuer=moodle.issuer)
    assert registration.tenant.name == "Example College"


def test_registering_the_same_issuer_and_client_id_again_updates(
    moodle: LmsPlatform,
    lms_session: requests.Session,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An LMS that answers a new registration with the client id it gave before (it updates
    its registration): the tool updates its own, adds the new deployment, keeps the tenant."""
    same = SimpleNamespace(uuid4=lambda: SimpleNamespace(hex="0f1e2d3c4b5a69788796a5b4c3d2e1f0"))
    monkeypatch.setattr(platform_registration, "uuid", same)
    default_name = f"Moodle ({moodle.url.split('://', 1)[1]})"
    confirm = moodle.start_dynamic_registration(lms_session, register_url(moodle))
    assert f'value="{default_name}"' in confirm.text
    assert moodle.follow_auto_post(lms_session, confirm).status_code == 200
    moodle.new_registration_token()

    confirm = moodle.start_dynamic_registration(lms_session, register_url(moodle))
    assert f'value="{default_name} (2)"' in confirm.text  # the default is never a taken name
    again = moodle.follow_auto_post(lms_session, confirm)

    assert again.status_code == 200, again.text[:500]
    first, second = moodle.registrations
    assert first["client_id"] == second["client_id"]
    registration = PlatformRegistration.objects.select_related("tenant").get()
    assert registration.tenant.name == default_name  # kept: its courses live there
    assert list(Tenant.objects.values_list("name", flat=True)) == [default_name]
    assert sorted(registration.deployments.values_list("deployment_id", flat=True)) == sorted(
        [first[TOOL_CONFIGURATION]["deployment_id"], second[TOOL_CONFIGURATION]["deployment_id"]]
    )
    assert moodle.launch(lms_session, "s1").status_code == 200
