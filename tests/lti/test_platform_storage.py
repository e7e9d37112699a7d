"""The OIDC login and launch with the LTI platform storage, over HTTP (Django's test client).

The browser's part (postMessage to the platform) is played here by posting what our page
posts; tests/e2e/test_platform_storage_browser.py runs it for real in Chromium.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest
from django.test import Client

from lti_tool.models import Submission
from tests.fixtures.platform import LaunchDriver
from tests.lti.support import db_snapshot, error_message, page_template
from tests.lti_platform.signer import parse_login_redirect

if TYPE_CHECKING:
    from tests.lti_platform.signer import TestPlatform

STATE_SAYS = "did not bring back the login state"
NONCE_SAYS = "already used or has expired"
SAME_ORIGIN = {"HTTP_SEC_FETCH_SITE": "same-origin", "HTTP_ORIGIN": "http://testserver"}


class StorageBrowser:
    """A browser whose third-party cookies are blocked, in a platform that offers its storage.

    Its Django test client never keeps cookies; `storage` is the platform's storage for the
    tool's origin, written and read the way lti-storage.js does.
    """

    def __init__(self, platform: TestPlatform, target: str = "storage-frame") -> None:
        self.client = Client()
        self.platform = platform
        self.target = target
        self.storage: dict[str, str] = {}

    def login(self, **extra: str) -> Any:
        response = self.client.get(
            "/lti/login/",
            {
                "iss": self.platform.issuer,
                "login_hint": "user",
                "client_id": self.platform.client_id,
                "target_link_uri": "http://testserver/lti/launch/",
                "lti_message_hint": "hint",
                "lti_deployment_id": self.platform.deployment_id,
                "lti_storage_target": self.target,
                **extra,
            },
        )
        self.client.cookies.clear()  # third-party cookies are blocked
        return response

    def login_and_store(self) -> dict[str, str]:
        """The login page ran: the values are in the platform storage; returns the auth request."""
        config = page_config(self.login())
        for item in config["items"]:
            self.storage[item["key"]] = item["value"]
        return parse_login_redirect(config["next"])

    def token(self, auth: dict[str, str], **claims: Any) -> str:
        return self.platform.sign(self.platform.claims(nonce=auth["nonce"], **claims))

    def platform_post(self, id_token: str, state: str) -> Any:
        """The platform's auth response: a cross-site form POST into the tool's iframe."""
        response = self.client.post(
            "/lti/launch/",
            {"id_token": id_token, "state": state},
            HTTP_SEC_FETCH_SITE="cross-site",
            HTTP_ORIGIN=self.platform.issuer,
        )
        self.client.cookies.clear()
        return response

    def page_post(
        self, check_page: Any, headers: dict[str, str] | None = None, **proof_overrides: str
    ) -> Any:
        """What our check page posts once it has read the values back from the storage."""
        config = page_config(check_page)
        read = [self.storage.get(item["key"], "") for item in config["items"]]
        form = dict(hidden_fields(check_page))
        form.update(dict(zip(config["proofFields"], read, strict=True)))
        form.update(proof_overrides)
        headers = SAME_ORIGIN if headers is None else headers
        return self.client.post("/lti/launch/", form, **headers)


def page_config(response: Any) -> dict[str, Any]:
    """The settings lti-storage.js reads, parsed from the page as the browser gets it."""
    match = re.search(
        r'<script id="lti-storage-config" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert match, response.content[:500]
    return json.loads(match.group(1))


def hidden_fields(response: Any) -> list[tuple[str, str]]:
    return re.findall(
        r'<input type="hidden" name="([^"]+)" value="([^"]*)">', response.content.decode()
    )


@pytest.fixture
def browser(registered_platform: TestPlatform) -> StorageBrowser:
    return StorageBrowser(registered_platform)


@pytest.fixture
def check_page(browser: StorageBrowser) -> Any:
    """A launch came back without the cookie: the page that asks the platform storage."""
    auth = browser.login_and_store()
    response = browser.platform_post(browser.token(auth), auth["state"])
    assert response.status_code == 200
    assert page_template(response) == "lti_tool/oidc_storage_launch.html"
    return response


# --- login ---------------------------------------------------------------------------


def test_login_with_storage_target_answers_the_put_data_page(browser: StorageBrowser) -> None:
    response = browser.login()

    assert response.status_code == 200
    assert page_template(response) == "lti_tool/oidc_storage_login.html"
    config = page_config(response)
    auth = parse_login_redirect(config["next"])
    state, nonce = auth["state"], auth["nonce"]
    assert config["mode"] == "put"
    assert config["target"] == "storage-frame"
    assert config["origin"] == browser.platform.issuer  # the auth URL's origin, no path
    assert config["items"] == [
        {"key": f"lti_state_{state}", "value": state},
        {"key": f"lti_nonce_{nonce}", "value": nonce},
    ]
    assert config["next"].startswith(browser.platform.auth_login_url + "?")
    assert auth["redirect_uri"] == "http://testserver/lti/launch/"
    assert "/static/lti_tool/lti-storage.js" in response.content.decode()
    # The cookie is still set: where third-party cookies work, it is the fallback.
    assert response.cookies[f"lti1p3-{state}"].value == state
    assert response.cookies[f"lti1p3-{state}"]["samesite"] == "None"


def test_parent_as_storage_target(registered_platform: TestPlatform) -> None:
    config = page_config(StorageBrowser(registered_platform, target="_parent").login())
    assert config["target"] == "_parent"


def test_login_posted_by_the_platform_works_the_same(registered_platform: TestPlatform) -> None:
    response = Client().post(
        "/lti/login/",
        {
            "iss": registered_platform.issuer,
            "login_hint": "user",
            "client_id": registered_platform.client_id,
            "target_link_uri": "http://testserver/lti/launch/",
            "lti_storage_target": "post_message_forwarding",
        },
    )
    assert page_template(response) == "lti_tool/oidc_storage_login.html"
    assert page_config(response)["target"] == "post_message_forwarding"


def test_storage_origin_is_the_one_the_browser_reports(
    client: Client, registered_platform: TestPlatform
) -> None:
    from lti_tool.models import PlatformRegistration

    PlatformRegistration.objects.update(auth_login_url="HTTPS://LMS.Example.edu:443/auth/x?y=1")
    config = page_config(StorageBrowser(registered_platform).login())
    assert config["origin"] == "https://lms.example.edu"


@pytest.mark.parametrize("target", ["", "<script>", "a b", "x" * 101])
def test_login_without_a_usable_storage_target_redirects_as_before(
    registered_platform: TestPlatform, target: str
) -> None:
    response = StorageBrowser(registered_platform, target=target).login()
    assert response.status_code == 302
    assert response["Location"].startswith(registered_platform.auth_login_url + "?")


# --- launch: the storage proves the state ---------------------------------------------


def test_launch_without_cookie_asks_the_platform_storage_and_writes_nothing(
    browser: StorageBrowser, earlier_launch: Submission
) -> None:
    before = db_snapshot()
    auth = browser.login_and_store()
    id_token = browser.token(auth)

    response = browser.platform_post(id_token, auth["state"])

    assert response.status_code == 200
    assert page_template(response) == "lti_tool/oidc_storage_launch.html"
    config = page_config(response)
    assert config["mode"] == "check"
    assert config["target"] == "storage-frame"
    assert config["origin"] == browser.platform.issuer
    assert [item["key"] for item in config["items"]] == [
        f"lti_state_{auth['state']}",
        f"lti_nonce_{auth['nonce']}",
    ]
    assert STATE_SAYS in config["error"]
    assert dict(hidden_fields(response)) == {
        "id_token": id_token,
        "state": auth["state"],
        "lti_storage_state": "",
        "lti_storage_nonce": "",
    }
    assert '<form id="lti-storage-launch" method="post" action="/lti/launch/">' in (
        response.content.decode()
    )
    assert db_snapshot() == before


def test_launch_proved_by_the_platform_storage_opens_the_student_page(
    browser: StorageBrowser, check_page: Any
) -> None:
    response = browser.page_post(check_page)

    assert response.status_code == 200
    assert page_template(response) == "lti_tool/student.html"
    assert response.context["launch_data"]["token"]
    assert not response.cookies  # nothing in the launch needs a cookie


def test_browsers_without_fetch_metadata_prove_it_with_their_origin(
    browser: StorageBrowser, check_page: Any
) -> None:
    response = browser.page_post(check_page, headers={"HTTP_ORIGIN": "http://testserver"})
    assert page_template(response) == "lti_tool/student.html"


def test_launch_with_the_cookie_needs_no_storage_check(registered_platform: TestPlatform) -> None:
    """Where third-party cookies work, the storage login launches like any other."""
    client = Client()
    response = client.get(
        "/lti/login/",
        {
            "iss": registered_platform.issuer,
            "login_hint": "user",
            "client_id": registered_platform.client_id,
            "target_link_uri": "http://testserver/lti/launch/",
            "lti_message_hint": "hint",
            "lti_storage_target": "_parent",
        },
    )
    auth = parse_login_redirect(page_config(response)["next"])
    token = registered_platform.sign(registered_platform.claims(nonce=auth["nonce"]))

    launched = client.post("/lti/launch/", {"id_token": token, "state": auth["state"]})
    assert page_template(launched) == "lti_tool/student.html"


def test_invalid_token_is_refused_before_any_storage_check(browser: StorageBrowser) -> None:
    auth = browser.login_and_store()
    response = browser.platform_post(browser.token(auth, aud="another-tool"), auth["state"])
    assert response.status_code == 403
    assert "not registered with the video tool" in error_message(response)


# --- launch: what must still fail --------------------------------------------------------


def _refused(response: Any, says: str, caplog: pytest.LogCaptureFixture, step: str) -> None:
    assert response.status_code == (400 if step == "state" else 403)
    assert says in error_message(response)
    assert f"refused step={step} " in caplog.text


def test_replayed_storage_launch_is_refused(
    browser: StorageBrowser, check_page: Any, caplog: pytest.LogCaptureFixture
) -> None:
    assert page_template(browser.page_post(check_page)) == "lti_tool/student.html"
    before = db_snapshot()

    with caplog.at_level(logging.WARNING, logger="lti_tool.views.lti"):
        replay = browser.page_post(check_page)

    _refused(replay, NONCE_SAYS, caplog, "nonce")
    assert db_snapshot() == before


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param(
            {"HTTP_SEC_FETCH_SITE": "cross-site", "HTTP_ORIGIN": "https://evil.example"},
            id="cross-site",
        ),
        pytest.param(
            {"HTTP_SEC_FETCH_SITE": "same-site", "HTTP_ORIGIN": "http://x.testserver"},
            id="same-site-not-same-origin",
        ),
        pytest.param(
            {"HTTP_SEC_FETCH_SITE": "cross-site", "HTTP_ORIGIN": "http://testserver"},
            id="fetch-metadata-wins-over-origin",
        ),
        pytest.param({"HTTP_ORIGIN": "null"}, id="origin-null"),
        pytest.param({"HTTP_ORIGIN": "https://evil.example"}, id="origin-another-site"),
        pytest.param({}, id="no-origin-at-all"),
    ],
)
def test_proof_posted_by_another_page_is_refused(
    browser: StorageBrowser,
    check_page: Any,
    earlier_launch: Submission,
    caplog: pytest.LogCaptureFixture,
    headers: dict[str, str],
) -> None:
    """Login CSRF: an attacker knows every value of its own login, so only our own page may
    post the proof: it posts it after it has read the values from *this* browser's storage."""
    before = db_snapshot()
    with caplog.at_level(logging.WARNING, logger="lti_tool.views.lti"):
        response = browser.page_post(check_page, headers=headers)
    _refused(response, STATE_SAYS, caplog, "state")
    assert db_snapshot() == before


@pytest.mark.parametrize(
    "proof",
    [
        pytest.param({"lti_storage_state": "state-" + str(uuid.uuid4())}, id="another-state"),
        pytest.param({"lti_storage_nonce": uuid.uuid4().hex}, id="another-nonce"),
        pytest.param({"lti_storage_state": ""}, id="state-not-read"),
        pytest.param({"lti_storage_nonce": ""}, id="nonce-not-read"),
    ],
)
def test_proof_that_does_not_match_the_login_is_refused(
    browser: StorageBrowser,
    check_page: Any,
    caplog: pytest.LogCaptureFixture,
    proof: dict[str, str],
) -> None:
    with caplog.at_level(logging.WARNING, logger="lti_tool.views.lti"):
        response = browser.page_post(check_page, **proof)
    _refused(response, STATE_SAYS, caplog, "state")


def test_forged_state_is_refused_even_with_a_proof(
    browser: StorageBrowser, caplog: pytest.LogCaptureFixture
) -> None:
    auth = browser.login_and_store()
    forged = "state-" + str(uuid.uuid4())
    form = {
        "id_token": browser.token(auth),
        "state": forged,
        "lti_storage_state": forged,
        "lti_storage_nonce": auth["nonce"],
    }
    with caplog.at_level(logging.WARNING, logger="lti_tool.views.lti"):
        response = browser.client.post("/lti/launch/", form, **SAME_ORIGIN)
    _refused(response, STATE_SAYS, caplog, "state")


def test_state_of_a_cookie_login_cannot_be_proved_by_storage(
    launcher: LaunchDriver, caplog: pytest.LogCaptureFixture
) -> None:
    """A login without lti_storage_target has only its cookie: no proof replaces it."""
    auth = launcher.login()
    launcher.client.cookies.clear()
    form = {
        "id_token": launcher.platform.sign(launcher.platform.claims(nonce=auth["nonce"])),
        "state": auth["state"],
        "lti_storage_state": auth["state"],
        "lti_storage_nonce": auth["nonce"],
    }
    with caplog.at_level(logging.WARNING, logger="lti_tool.views.lti"):
        response = launcher.client.post("/lti/launch/", form, **SAME_ORIGIN)
    _refused(response, STATE_SAYS, caplog, "state")


def test_token_of_another_storage_login_is_refused(
    browser: StorageBrowser, registered_platform: TestPlatform, caplog: pytest.LogCaptureFixture
) -> None:
    """My state and storage, with a token minted for someone else's login."""
    mine = browser.login_and_store()
    other = StorageBrowser(registered_platform).login_and_store()
    check = browser.platform_post(browser.token(other), mine["state"])
    with caplog.at_level(logging.WARNING, logger="lti_tool.views.lti"):
        response = browser.page_post(check)
    _refused(response, NONCE_SAYS, caplog, "nonce")


def test_storage_login_expires_with_its_nonce(
    browser: StorageBrowser, caplog: pytest.LogCaptureFixture
) -> None:
    from django.core.cache import cache

    auth = browser.login_and_store()
    cache.clear()  # the login's time is up: its nonce and its storage record are gone
    with caplog.at_level(logging.WARNING, logger="lti_tool.views.lti"):
        response = browser.platform_post(browser.token(auth), auth["state"])
    _refused(response, STATE_SAYS, caplog, "state")


def test_check_page_keeps_the_referrer_origin_for_its_post(check_page: Any) -> None:
    """base.html says no-referrer, which turns a POST's Origin into "null"; the check page
    restores same-origin so browsers without Fetch Metadata still prove where it came from."""
    html = check_page.content.decode()
    assert html.rindex('<meta name="referrer" content="same-origin">') > html.index(
        '<meta name="referrer" content="no-referrer">'
    )
    assert urlsplit(page_config(check_page)["origin"]).path == ""
