"""Drives a launch the way a browser does, with `requests`.

Login initiation at the tool -> the tool's redirect to the platform's auth endpoint ->
the platform's auto-submitting form -> POST id_token + state to the tool.

Secure cookies: the tool sets its state cookie `SameSite=None; Secure` (it runs in the
LMS's iframe). Tests serve the tool over plain http on 127.0.0.1, and `http.cookiejar`
(under `requests`) never returns a Secure cookie to an http URL, so the launch POST would
arrive without the state cookie. Browsers treat http://127.0.0.1 and localhost as secure
contexts and do send them. A cookie policy on the session is not enough (requests copies
the session's cookies into a fresh jar with the default policy for every request), so
`browser_request` sends each request itself: it writes the Cookie header from the
session's jar under `LoopbackSecureCookiePolicy` and follows redirects the same way.
`third_party_cookies=False` plays a browser that blocks the tool's cookies in the LMS's
iframe: nothing is stored for, or sent to, the tool.
"""

from __future__ import annotations

from html.parser import HTMLParser
from http.cookiejar import DefaultCookiePolicy
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

import requests
from requests.cookies import RequestsCookieJar, get_cookie_header

if TYPE_CHECKING:
    from tests.lti_platform.lms import LmsPlatform, PendingLaunch

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
TIMEOUT = 30
MAX_REDIRECTS = 10


class PlatformRefused(AssertionError):
    """The platform refused what the tool sent (the reason is in the message)."""


class LoopbackSecureCookiePolicy(DefaultCookiePolicy):
    """Send Secure cookies to http://127.0.0.1 and http://localhost, as browsers do."""

    def return_ok_secure(self, cookie: Any, request: Any) -> bool:
        if urlsplit(request.get_full_url()).hostname in LOOPBACK:
            return True
        return bool(super().return_ok_secure(cookie, request))


def browser_request(
    session: requests.Session,
    method: str,
    url: str,
    *,
    cookies: bool = True,
    follow_redirects: bool = True,
    **kwargs: Any,
) -> requests.Response:
    """One request (and its redirects), sending cookies as a browser on loopback does.

    With cookies=False nothing is sent from, or stored into, the session's jar.
    """
    history: list[requests.Response] = []
    for _ in range(MAX_REDIRECTS + 1):
        prepared = session.prepare_request(requests.Request(method, url, **kwargs))
        prepared.headers.pop("Cookie", None)
        if cookies:
            jar = RequestsCookieJar()
            jar.set_policy(LoopbackSecureCookiePolicy())
            jar.update(session.cookies)
            if header := get_cookie_header(jar, prepared):
                prepared.headers["Cookie"] = header
        sender = session if cookies else requests.Session()
        response = sender.send(prepared, allow_redirects=False, timeout=TIMEOUT)
        if not response.is_redirect or not follow_redirects:
            response.history = history
            return response
        history.append(response)
        url = urljoin(response.url, response.headers["Location"])
        if response.status_code in (301, 302, 303) and method.upper() != "HEAD":
            method, kwargs = "GET", {}
    raise AssertionError(f"more than {MAX_REDIRECTS} redirects from {url}")


def run_launch(
    lms: LmsPlatform,
    session: requests.Session,
    pending: PendingLaunch,
    *,
    third_party_cookies: bool,
    login_method: str,
) -> requests.Response:
    if login_method.upper() == "POST":
        login_args: dict[str, Any] = {"data": pending.login_params}
    else:
        login_args = {"params": pending.login_params}
    login_uri = lms.client(pending.client_id).login_uri(lms)
    login = browser_request(
        session,
        login_method.upper(),
        login_uri,
        cookies=third_party_cookies,
        follow_redirects=False,
        **login_args,
    )
    location = urljoin(login.url, login.headers.get("Location", ""))
    if not login.is_redirect or not location.startswith(lms.auth_login_url):
        return login  # the tool answered the login itself (refused it, most likely)
    auth = browser_request(session, "GET", location)
    if auth.status_code != 200:
        raise PlatformRefused(f"the platform refused the tool's auth request: {auth.text}")
    return submit_form(session, auth, {}, cookies=third_party_cookies)


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.method = "get"
        self.fields: dict[str, str] = {}
        self._in_form = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "form" and self.action is None:
            self.action = values.get("action", "")
            self.method = values.get("method", "get").lower()
            self._in_form = True
        elif tag == "input" and self._in_form and values.get("name"):
            self.fields[values["name"]] = values.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False


def parse_form(html: str) -> tuple[str | None, str, dict[str, str]]:
    """(action, method, fields) of the first form in the page."""
    parser = _FormParser()
    parser.feed(html)
    return parser.action, parser.method, parser.fields


def submit_form(
    session: requests.Session,
    response: requests.Response,
    overrides: dict[str, str],
    *,
    cookies: bool = True,
) -> requests.Response:
    """Submit the first form of `response` as a browser would (with `overrides`)."""
    action, method, fields = parse_form(response.text)
    if action is None:
        raise AssertionError(f"no form in the page from {response.url}: {response.text[:500]}")
    url = urljoin(response.url, action)
    data = {**fields, **overrides}
    if method == "post":
        return browser_request(session, "POST", url, data=data, cookies=cookies)
    return browser_request(session, "GET", url, params=data, cookies=cookies)
