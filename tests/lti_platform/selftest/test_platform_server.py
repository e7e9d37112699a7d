"""The LMS stand-in itself, against a tiny fake tool (tests/lti_platform/selftest/fake_tool.py)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import requests

from tests.ci import IN_CI
from tests.fixtures.browser import CHROMIUM, CHROMIUM_ARGS
from tests.lti_platform import LmsPlatform, PlatformRefused, start_platform
from tests.lti_platform import claims as c
from tests.lti_platform.selftest.fake_tool import FakeTool, registration_body

LINEITEM = "application/vnd.ims.lis.v2.lineitem+json"
CONTAINER = "application/vnd.ims.lis.v2.lineitemcontainer+json"
SCORE = "application/vnd.ims.lis.v1.score+json"
NRPS = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"


@pytest.fixture(params=["moodle", "canvas"])
def lms(request: pytest.FixtureRequest) -> Iterator[LmsPlatform]:
    platform = start_platform(request.param)
    yield platform
    platform.stop()
    assert platform.errors == []


@pytest.fixture
def tool(lms: LmsPlatform) -> Iterator[FakeTool]:
    fake = FakeTool(lms)
    yield fake
    fake.stop()


def token_for(lms: LmsPlatform, tool: FakeTool, scopes: list[str] = c.ALL_SCOPES) -> str:
    answer = requests.post(
        lms.token_url,
        data={
            "grant_type": "client_credentials",
            "client_assertion": tool.assertion(),
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "scope": " ".join(scopes),
        },
        timeout=5,
    )
    assert answer.status_code == 200, answer.text
    return str(answer.json()["access_token"])


def now(delta: int = 0) -> str:
    return (datetime.now(UTC) + timedelta(seconds=delta)).isoformat()


def score(user: str, given: float | None = 7, **extra: Any) -> dict[str, Any]:
    body = {
        "userId": user,
        "scoreGiven": given,
        "scoreMaximum": 10,
        "timestamp": now(),
        "activityProgress": "Completed",
        "gradingProgress": "FullyGraded",
        **extra,
    }
    return {k: v for k, v in body.items() if v is not None}


# --- launch -----------------------------------------------------------------------------


def test_launch_signs_flavored_claims_and_sends_secure_cookies(lms: LmsPlatform, tool: FakeTool):
    response = lms.launch(requests.Session(), "ta", custom={"chapter": "3"})

    assert response.status_code == 200, response.text  # the Secure state cookie came back
    claims = response.json()
    assert claims["sub"] == lms.people["ta"].sub
    assert claims[c.LTI + "deployment_id"] == lms.deployment_ids[0]
    assert claims[c.LTI + "resource_link"]["id"] == "link-1"
    assert claims[c.LTI + "custom"] == {"chapter": "3"}
    assert claims[c.AGS_CLAIM]["lineitems"] == lms.lineitems_url
    assert "lineitem" not in claims[c.AGS_CLAIM]
    assert claims[c.NRPS_CLAIM]["context_memberships_url"] == lms.memberships_url
    if lms.flavor.name == "canvas":
        assert claims["iss"] == "https://canvas.instructure.com"
        assert claims["azp"] == lms.client_id
        assert claims[c.LTI + "roles"][0] == c.TEACHING_ASSISTANT  # no principal role
    else:
        assert claims["iss"] == lms.url and "azp" not in claims
        assert lms.lineitems_url.endswith("/mod/lti/services.php/2/lineitems?type_id=1")
        assert claims[c.LTI + "context"]["type"] == ["CourseSection"]


def test_launch_without_third_party_cookies_loses_the_state(lms: LmsPlatform, tool: FakeTool):
    response = lms.launch(requests.Session(), "s1", third_party_cookies=False)
    assert response.status_code == 400
    assert response.text == "state cookie missing"


def test_launch_with_storage_target_needs_a_browser(lms: LmsPlatform, tool: FakeTool):
    with pytest.raises(NotImplementedError, match="course_page_url"):
        lms.launch(requests.Session(), "s1", storage_target="post_message_forwarding")


def test_auth_endpoint_refuses_a_foreign_redirect_uri(lms: LmsPlatform, tool: FakeTool):
    pending = lms.prepare_launch("s1")
    params = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": lms.client_id,
        "redirect_uri": "http://evil.test/",
        "login_hint": pending.person.sub,
        "lti_message_hint": pending.hint,
        "state": "s",
        "nonce": "n",
    }
    answer = requests.get(lms.auth_login_url, params=params, timeout=5)
    assert answer.status_code == 400
    assert "redirect_uri" in lms.rejections[-1]["reason"]
    answer = requests.get(lms.auth_login_url, params={**params, "prompt": "login"}, timeout=5)
    assert answer.status_code == 400 and "prompt" in answer.text


def test_a_tool_that_reuses_its_nonce_is_refused(lms: LmsPlatform, tool: FakeTool):
    tool.fixed_nonce = "same-nonce"
    lms.launch(requests.Session(), "s1")
    with pytest.raises(PlatformRefused, match="nonce"):
        lms.launch(requests.Session(), "s1")


# --- token endpoint ---------------------------------------------------------------------


def _token(lms: LmsPlatform, assertion: str, **form: str) -> requests.Response:
    data = {
        "grant_type": "client_credentials",
        "client_assertion": assertion,
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "scope": c.SCOPE_SCORE,
        **form,
    }
    return requests.post(lms.token_url, data=data, timeout=5)


def test_token_endpoint_grants_a_good_assertion_once(lms: LmsPlatform, tool: FakeTool):
    assertion = tool.assertion()
    first = _token(lms, assertion)
    assert first.status_code == 200
    assert first.json()["token_type"] == "Bearer" and first.json()["expires_in"] == 3600
    assert first.json()["scope"] == c.SCOPE_SCORE
    replay = _token(lms, assertion)
    assert replay.status_code == 401 and replay.json()["error"] == "invalid_client"
    assert [r["granted"] for r in lms.token_requests] == [True, False]
    assert lms.token_requests[0]["claims"]["iss"] == lms.client_id


@pytest.mark.parametrize(
    "bad, status",
    [
        ({"aud": "http://elsewhere/token"}, 401),
        ({"sub": "someone-else"}, 401),
        ({"exp": int(time.time()) - 60}, 401),
        ({"jti": None}, 401),
        ({"iss": "unknown-client", "sub": "unknown-client"}, 401),
    ],
)
def test_token_endpoint_rejects_a_bad_assertion(
    lms: LmsPlatform, tool: FakeTool, bad: dict[str, Any], status: int
):
    answer = _token(lms, tool.assertion(**bad))
    assert answer.status_code == status
    assert lms.token_requests[-1]["granted"] is False


def test_token_endpoint_rejects_unknown_kid_scope_and_grant(lms: LmsPlatform, tool: FakeTool):
    unknown_kid = tool.sign({**_claims_of(tool)}, kid="other")
    assert _token(lms, unknown_kid).status_code == 401
    assert _token(lms, tool.assertion(), scope="openid admin").json()["error"] == "invalid_scope"
    bad_grant = _token(lms, tool.assertion(), grant_type="password")
    assert bad_grant.json()["error"] == "unsupported_grant_type"


def _claims_of(tool: FakeTool) -> dict[str, Any]:
    import jwt

    return dict(jwt.decode(tool.assertion(), options={"verify_signature": False}))


# --- AGS --------------------------------------------------------------------------------


def test_ags_line_items_scores_and_results(lms: LmsPlatform, tool: FakeTool):
    auth = {"Authorization": f"Bearer {token_for(lms, tool)}"}
    lms.launch(requests.Session(), "s1")  # makes link-1 known to the course
    body = {"label": "Video essay", "scoreMaximum": 10, "resourceLinkId": "link-1"}
    wrong_type = requests.post(lms.lineitems_url, json=body, headers=auth, timeout=5)
    assert wrong_type.status_code == 415
    created = requests.post(
        lms.lineitems_url, json=body, timeout=5, headers={**auth, "Content-Type": LINEITEM}
    )
    assert created.status_code == 201
    url = created.json()["id"]
    assert lms.ags.lineitems[url]["label"] == "Video essay"
    assert lms.launch(requests.Session(), "s1").json()[c.AGS_CLAIM]["lineitem"] == url

    scores_url = url.replace("?", "/scores?") if "?" in url else url + "/scores"
    s1 = lms.people["s1"].sub
    post = {**auth, "Content-Type": SCORE}
    assert requests.post(scores_url, json=score(s1), headers=post, timeout=5).status_code == 200
    for bad in (
        score(s1, 11),
        score(s1, activityProgress="Done"),
        score(s1, timestamp="2030-01-01T10:00:00"),
        score(s1, scoreMaximum=None),
    ):
        assert requests.post(scores_url, json=bad, headers=post, timeout=5).status_code == 400
    old = score(s1, timestamp=now(-3600))
    assert requests.post(scores_url, json=old, headers=post, timeout=5).status_code == 409
    stranger = requests.post(scores_url, json=score("nobody"), headers=post, timeout=5)
    assert stranger.status_code == 422
    assert [s["lineitem"] for s in lms.ags.scores] == [url]
    assert lms.ags.results(url)[0]["resultScore"] == 7


def test_ags_checks_tokens_media_types_and_query(lms: LmsPlatform, tool: FakeTool):
    no_token = requests.get(lms.lineitems_url, headers={"Accept": CONTAINER}, timeout=5)
    assert no_token.status_code == 401
    nrps_only = {"Authorization": f"Bearer {token_for(lms, tool, [c.SCOPE_NRPS])}"}
    assert (
        requests.get(
            lms.lineitems_url, headers={**nrps_only, "Accept": CONTAINER}, timeout=5
        ).status_code
        == 401
    )
    auth = {"Authorization": f"Bearer {token_for(lms, tool)}"}
    assert requests.get(lms.lineitems_url, headers=auth, timeout=5).status_code == 406
    listing = requests.get(lms.lineitems_url, headers={**auth, "Accept": CONTAINER}, timeout=5)
    assert listing.status_code == 200 and listing.json() == []
    assert listing.headers["Content-Type"] == CONTAINER
    if lms.flavor.name == "moodle":
        bare = lms.lineitems_url.split("?")[0]
        assert (
            requests.get(bare, headers={**auth, "Accept": CONTAINER}, timeout=5).status_code == 400
        )
    lms.expire_tokens()
    assert (
        requests.get(
            lms.lineitems_url, headers={**auth, "Accept": CONTAINER}, timeout=5
        ).status_code
        == 401
    )


def test_ags_outage_switch(lms: LmsPlatform, tool: FakeTool):
    item = lms.ags.add_lineitem("link-1", "Essay", 10)
    auth = {"Authorization": f"Bearer {token_for(lms, tool)}", "Accept": LINEITEM}
    lms.ags.outage(503, retry_after=7)
    down = requests.get(item["id"], headers=auth, timeout=5)
    assert down.status_code == 503 and down.headers["Retry-After"] == "7"
    lms.ags.restore()
    assert requests.get(item["id"], headers=auth, timeout=5).json()["label"] == "Essay"


# --- NRPS -------------------------------------------------------------------------------


def test_nrps_pages_with_link_headers_and_filters_by_link(lms: LmsPlatform, tool: FakeTool):
    auth = {"Authorization": f"Bearer {token_for(lms, tool)}", "Accept": NRPS}
    url: str | None = lms.memberships_url
    pages = []
    while url:
        answer = requests.get(url, headers=auth, timeout=5)
        assert answer.status_code == 200 and answer.headers["Content-Type"] == NRPS
        pages.append([m["user_id"] for m in answer.json()["members"]])
        url = answer.links.get("next", {}).get("url")
    assert [len(p) for p in pages] == [2, 2, 1]
    assert sum(pages, []) == [p.sub for p in lms.people.values()]

    lms.nrps.link_members["link-9"] = [lms.people["s2"].sub]
    only = requests.get(
        lms.memberships_url + "?" + urlencode({"rlid": "link-9"}), headers=auth, timeout=5
    )
    assert [m["name"] for m in only.json()["members"]] == ["Ben Student"]
    unknown = requests.get(lms.memberships_url + "?rlid=nope", headers=auth, timeout=5)
    assert unknown.status_code == 404
    no_scope = {**auth, "Authorization": f"Bearer {token_for(lms, tool, [c.SCOPE_SCORE])}"}
    assert requests.get(lms.memberships_url, headers=no_scope, timeout=5).status_code == 401


# --- deep linking -----------------------------------------------------------------------


def _dl_response(
    lms: LmsPlatform, tool: FakeTool, request_claims: dict[str, Any], **overrides: Any
) -> str:
    settings = request_claims[c.DL_SETTINGS]
    item = {
        "type": "ltiResourceLink",
        "title": "Week 3 video",
        "url": tool.url + "/lti/launch/",
        "custom": {"assignment": "7"},
        "lineItem": {"scoreMaximum": 10, "label": "Week 3"},
    }
    claims = {
        "iss": lms.client_id,
        "aud": lms.issuer,
        "iat": int(time.time()),
        "exp": int(time.time()) + 60,
        "nonce": uuid.uuid4().hex,
        c.LTI + "deployment_id": request_claims[c.LTI + "deployment_id"],
        c.LTI + "message_type": "LtiDeepLinkingResponse",
        c.LTI + "version": "1.3.0",
        c.DL + "data": settings.get("data"),
        c.DL + "content_items": [item],
        **overrides,
    }
    return tool.sign({k: v for k, v in claims.items() if v is not None})


def test_deep_linking_return_is_verified_and_places_the_link(lms: LmsPlatform, tool: FakeTool):
    request_claims = lms.launch(requests.Session(), "teacher", deep_linking=True).json()
    settings = request_claims[c.DL_SETTINGS]
    assert request_claims[c.LTI + "message_type"] == "LtiDeepLinkingRequest"
    assert c.LTI + "resource_link" not in request_claims
    assert settings["accept_types"] == ["ltiResourceLink"] and settings["data"]
    return_url = settings["deep_link_return_url"]

    def post(token: str) -> requests.Response:
        return requests.post(return_url, data={"JWT": token}, timeout=5)

    for bad in (
        {"aud": "someone-else"},
        {c.DL + "data": "forged"},
        {c.LTI + "deployment_id": "99"},
        {c.LTI + "version": "1.1"},
        {"nonce": None},
    ):
        assert post(_dl_response(lms, tool, request_claims, **bad)).status_code == 400, bad
    assert lms.deep_link_returns == []
    token = _dl_response(lms, tool, request_claims)
    assert post(token).status_code == 200
    assert post(token).status_code == 400  # its nonce is spent
    assert lms.deep_link_returns[0][c.DL + "data"] == settings["data"]

    [link_id] = lms.created_links
    [line_item] = lms.ags.lineitems.values()
    assert line_item["resourceLinkId"] == link_id and line_item["label"] == "Week 3"
    claims = lms.launch(requests.Session(), "s1", resource_link_id=link_id).json()
    assert claims[c.LTI + "custom"] == {"assignment": "7"}
    assert claims[c.AGS_CLAIM]["lineitem"] == line_item["id"]


def test_submission_review_names_the_student(lms: LmsPlatform, tool: FakeTool):
    claims = lms.launch(
        requests.Session(), "teacher", message_type="LtiSubmissionReviewRequest", for_user="s2"
    ).json()
    assert claims[c.LTI + "message_type"] == "LtiSubmissionReviewRequest"
    assert claims[c.LTI + "for_user"]["user_id"] == lms.people["s2"].sub


# --- dynamic registration ---------------------------------------------------------------


def test_openid_configuration_describes_the_platform(lms: LmsPlatform):
    config = requests.get(lms.openid_configuration_url, timeout=5).json()
    assert config["issuer"] == lms.issuer
    assert config["registration_endpoint"] == lms.registration_endpoint
    assert config["token_endpoint"] == lms.token_url
    assert config["id_token_signing_alg_values_supported"] == ["RS256"]
    platform = config[c.PLATFORM_CONFIGURATION]
    assert platform["product_family_code"] == lms.flavor.name
    assert {"type": "LtiResourceLinkRequest"} in platform["messages_supported"]


def test_dynamic_registration_registers_once_and_switches_client(lms: LmsPlatform, tool: FakeTool):
    old_client = lms.client_id
    bad = {**registration_body(tool.url), "token_endpoint_auth_method": "client_secret_basic"}
    refused = requests.post(
        lms.registration_endpoint,
        json=bad,
        timeout=5,
        headers={"Authorization": f"Bearer {lms.registration_token}"},
    )
    assert refused.status_code == 400 and "token_endpoint_auth_method" in refused.text

    answer = lms.start_dynamic_registration(requests.Session(), tool.url + "/lti/register/")
    assert answer.status_code == 200, answer.text
    registered = answer.json()
    assert registered["client_id"] == lms.client_id != old_client
    if lms.flavor.name == "canvas":  # Canvas gives it only when the app is added
        assert "deployment_id" not in registered[c.TOOL_CONFIGURATION]
    else:
        assert registered[c.TOOL_CONFIGURATION]["deployment_id"] == lms.deployment_ids[0]
    assert lms.registrations == [registered]
    assert lms.openid_configuration_requests[-1]["bearer"] == lms.registration_token

    again = lms.start_dynamic_registration(requests.Session(), tool.url + "/lti/register/")
    assert again.status_code == 401  # the token is single use
    assert lms.launch(requests.Session(), "s1").json()["aud"] == lms.client_id
    assert token_for(lms, tool)  # the new client's JWKS is its registered jwks_uri


# --- platform storage -------------------------------------------------------------------


def test_course_page_hosts_the_tool_and_the_storage_frame(lms: LmsPlatform, tool: FakeTool):
    page = requests.get(lms.course_page_url("s1", storage_target="lti_frame"), timeout=5)
    assert page.status_code == 200
    assert (
        f'<iframe name="lti_frame" title="platform storage" data-src="{lms.url}/storage-frame"'
        in page.text
    )
    assert "lti_storage_target=lti_frame" in page.text
    assert lms.browser_url.startswith("http://127.0.0.1:")  # the tool is on localhost
    foreign = requests.get(lms.url + "/course-page?launch=http://evil.test/", timeout=5)
    assert foreign.status_code == 400
    frame = requests.get(lms.url + "/storage-frame", timeout=5).text
    assert f'new Set(["{tool.url}"])' in frame


@pytest.mark.browser
def test_storage_flow_in_chromium(lms: LmsPlatform, tool: FakeTool):
    if not Path(CHROMIUM).is_file():
        if IN_CI:
            pytest.fail(f"{CHROMIUM} is missing (CI=true: browser tests must run)")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Without site isolation: with it, Playwright loses the cross-site tool frame's execution
    # context after its cross-process navigations about one run in five (measured here).
    args = [
        *CHROMIUM_ARGS,
        "--disable-site-isolation-trials",
        "--disable-features=IsolateOrigins,site-per-process",
    ]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=args)
        try:
            page = browser.new_page()
            page.goto(lms.course_page_url("s1"))
            out = page.frame_locator("#tool").locator("#out", has_text="state")
            out.wait_for(timeout=15_000)
            assert out.text_content() == "state ok"
            log = page.evaluate("window.frames['post_message_forwarding'].ltiStorageLog")
        finally:
            browser.close()
    assert [entry["request"]["subject"] for entry in log] == ["lti.put_data", "lti.get_data"]
    assert {entry["origin"] for entry in log} == {tool.url}
    assert log[1]["response"]["value"] == log[0]["request"]["value"]
