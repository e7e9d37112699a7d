"""`LmsPlatform`: one running LMS stand-in (Moodle- or Canvas-shaped) and all it records."""

from __future__ import annotations

import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import requests

from tests.lti_platform import auth, deep_linking, driver, registration, services, storage_frame
from tests.lti_platform import claims as c
from tests.lti_platform.keys import PlatformKey, ToolKeySet
from tests.lti_platform.server import (
    HttpServer,
    Request,
    Response,
    html_response,
    json_response,
    text_response,
)
from tests.lti_platform.services import AgsState, NrpsState


@dataclass
class ToolClient:
    """A tool registration on the platform side (the main one, or a dynamic one)."""

    client_id: str
    deployment_ids: list[str]
    jwks_uri: str | None = None  # None: the tool's JWKS under lms.tool_url
    redirect_uri_list: list[str] | None = None  # None: the tool's /lti/launch/
    scopes: list[str] = field(default_factory=lambda: list(c.ALL_SCOPES))
    initiate_login_uri: str | None = None  # None: the tool's /lti/login/
    target_link_uri: str | None = None  # None: the tool's /lti/launch/
    keys: ToolKeySet | None = None

    def login_uri(self, lms: LmsPlatform) -> str:
        return self.initiate_login_uri or lms.tool_login_url

    def default_target(self, lms: LmsPlatform) -> str:
        return self.target_link_uri or lms.tool_launch_url

    def redirect_uris(self, lms: LmsPlatform) -> list[str]:
        if self.redirect_uri_list is not None:
            return self.redirect_uri_list
        return [lms.tool_launch_url] if lms.tool_url else []

    def key_set(self, lms: LmsPlatform) -> ToolKeySet:
        if self.keys is None:
            url = self.jwks_uri or (lms.tool_jwks_url if lms.tool_url else None)
            static = lms.tool_jwks if self.jwks_uri is None else None
            self.keys = ToolKeySet(url, static)
        return self.keys


@dataclass
class PendingLaunch:
    """A launch the platform has started (login initiation sent) and will sign for."""

    hint: str
    person: c.Person
    client_id: str
    deployment_id: str
    message_type: str
    resource_link_id: str | None
    target_link_uri: str
    custom: dict[str, Any] | None
    ags: bool
    nrps: bool
    for_user: c.Person | None
    storage_target: str | None
    dl_data: str | None
    claim_overrides: dict[str, Any] | None
    login_params: dict[str, str] = field(default_factory=dict)


class LmsPlatform:
    def __init__(self, flavor: str = "moodle") -> None:
        if flavor not in c.FLAVORS:
            raise ValueError(f"flavor must be one of {sorted(c.FLAVORS)}, got {flavor!r}")
        self.flavor = c.FLAVORS[flavor]
        self.key = PlatformKey.generate()
        self.guid = uuid.uuid4().hex
        self.client_id: str = self.flavor.new_client_id()
        self.deployment_ids: list[str] = self.flavor.new_deployment_ids()
        self.tool_url: str | None = None
        self.tool_jwks: dict[str, Any] | None = None  # a static JWKS instead of fetching it
        self.course: dict[str, str] = {"id": "course-1", "title": "Film 101", "label": "FILM101"}
        self.people: dict[str, c.Person] = self.flavor.people()
        self.links: dict[str, dict[str, Any]] = {}
        self.created_links: list[str] = []  # ids of links placed by deep linking, in order
        self.clients: dict[str, ToolClient] = {}
        self.pending_launches: dict[str, PendingLaunch] = {}
        self.ags = AgsState(self)
        self.nrps = NrpsState(self)
        self.token_requests: list[dict[str, Any]] = []
        self.tokens: dict[str, dict[str, Any]] = {}
        self.auth_requests: list[dict[str, str]] = []
        self.launches: list[dict[str, Any]] = []  # claims of every id_token signed
        self.deep_link_returns: list[dict[str, Any]] = []
        self.registrations: list[dict[str, Any]] = []
        self.openid_configuration_requests: list[dict[str, Any]] = []
        self.registration_token = secrets.token_urlsafe(24)
        self.rejections: list[dict[str, Any]] = []  # every 4xx/5xx answer, with its reason
        self.errors: list[str] = []  # tracebacks of platform bugs (500s)
        self._seen: set[tuple[str, str]] = set()
        self._lock = threading.Lock()
        self._server = HttpServer(self.handle, self.errors.append)
        self.port = self._server.port
        self.url = f"http://127.0.0.1:{self.port}"
        self.issuer: str = self.flavor.fixed_issuer() or self.url

    # --- URLs -------------------------------------------------------------------------

    def _path(self, template: str, **values: Any) -> str:
        return template.format(course=quote(self.course["id"], safe=""), **values)

    @property
    def auth_login_url(self) -> str:
        return self.url + self.flavor.auth_path

    @property
    def token_url(self) -> str:
        return self.url + self.flavor.token_path

    @property
    def keyset_url(self) -> str:
        return self.url + self.flavor.jwks_path

    @property
    def lineitems_url(self) -> str:
        query = self.flavor.lineitems_query
        return self.url + self._path(self.flavor.lineitems_path) + (f"?{query}" if query else "")

    def lineitem_url(self, number: int) -> str:
        query = self.flavor.lineitems_query
        path = self._path(self.flavor.lineitem_path, n=number)
        return self.url + path + (f"?{query}" if query else "")

    @property
    def memberships_url(self) -> str:
        return self.url + self._path(self.flavor.memberships_path)

    @property
    def deep_link_return_url(self) -> str:
        url = self.url + self._path(self.flavor.deep_link_return_path)
        return url + ("?course=2&id=1&sesskey=k3y" if self.flavor.name == "moodle" else "")

    @property
    def openid_configuration_url(self) -> str:
        return self.url + self.flavor.openid_configuration_path

    @property
    def registration_endpoint(self) -> str:
        return self.url + self.flavor.registration_path

    @property
    def browser_url(self) -> str:
        """The platform under the other loopback name than the tool's (127.0.0.1 or
        localhost), so a course page there is cross-site to the tool."""
        tool_host = urlsplit(self.tool_url or "").hostname
        return f"http://{'127.0.0.1' if tool_host == 'localhost' else 'localhost'}:{self.port}"

    def _tool(self, path: str) -> str:
        if not self.tool_url:
            raise RuntimeError("set lms.tool_url (e.g. live_server.url) first")
        return self.tool_url.rstrip("/") + path

    @property
    def tool_login_url(self) -> str:
        return self._tool("/lti/login/")

    @property
    def tool_launch_url(self) -> str:
        return self._tool("/lti/launch/")

    @property
    def tool_jwks_url(self) -> str:
        return self._tool("/lti/jwks/")

    # --- Setup ------------------------------------------------------------------------

    def register_args(self) -> list[str]:
        """Arguments for call_command("register_platform", *args)."""
        args = [
            "--tenant",
            f"Test LMS {self.flavor.name}",
            "--issuer",
            self.issuer,
            "--client-id",
            self.client_id,
            "--auth-login-url",
            self.auth_login_url,
            "--auth-token-url",
            self.token_url,
            "--keyset-url",
            self.keyset_url,
        ]
        for deployment_id in self.deployment_ids:
            args += ["--deployment-id", deployment_id]
        if self.flavor.token_audience:
            args += ["--token-audience", self.flavor.token_audience]
        return args

    def add_person(self, key: str, name: str, role: str = "student") -> c.Person:
        """Enrol someone new ("teacher", "ta" or "student"); NRPS lists them too."""
        sub = self.flavor.new_sub(key, len(self.people) + 3)
        person = c.Person(
            key=key,
            sub=sub,
            name=name,
            email=f"{key}@example.edu",
            roles=self.flavor.course_roles(role),
            institution_roles=self.flavor.institution_roles(role),
        )
        self.people[key] = person
        self.nrps.members.append(self.nrps.member(person))
        return person

    def client(self, client_id: str) -> ToolClient:
        with self._lock:
            if client_id not in self.clients and client_id == self.client_id:
                self.clients[client_id] = ToolClient(client_id, self.deployment_ids)
            return self.clients[client_id]

    def known_client(self, client_id: str) -> ToolClient | None:
        if client_id in self.clients or client_id == self.client_id:
            return self.client(client_id)
        return None

    def expire_tokens(self) -> None:
        """Every access token given out so far stops working (answers 401)."""
        with self._lock:
            for token in self.tokens.values():
                token["expires_at"] = 0

    def new_registration_token(self) -> str:
        self.registration_token = secrets.token_urlsafe(24)
        return self.registration_token

    def remember_once(self, kind: str, value: str) -> bool:
        """True the first time (kind, value) is seen: nonces, jtis, one-time tokens."""
        with self._lock:
            if (kind, value) in self._seen:
                return False
            self._seen.add((kind, value))
            return True

    def seen(self, kind: str, value: str) -> bool:
        with self._lock:
            return (kind, value) in self._seen

    # --- Launching --------------------------------------------------------------------

    def prepare_launch(
        self,
        person: str = "s1",
        *,
        resource_link_id: str = "link-1",
        message_type: str = c.RESOURCE_LINK_REQUEST,
        custom: dict[str, Any] | None = None,
        ags: bool = True,
        nrps: bool = True,
        for_user: str | None = None,
        deep_linking: bool = False,
        target_link_uri: str | None = None,
        storage_target: str | None = None,
        deployment_id: str | None = None,
        claim_overrides: dict[str, Any] | None = None,
    ) -> PendingLaunch:
        """Start a launch: returns it with the login initiation parameters to send."""
        if deep_linking:
            message_type = c.DEEP_LINKING_REQUEST
        if message_type not in c.MESSAGE_TYPES:
            raise ValueError(f"message_type must be one of {c.MESSAGE_TYPES}")
        if message_type == c.SUBMISSION_REVIEW_REQUEST and for_user is None:
            raise ValueError("an LtiSubmissionReviewRequest needs for_user")
        is_dl = message_type == c.DEEP_LINKING_REQUEST
        link_id = None if is_dl else resource_link_id
        link = (
            self.links.setdefault(link_id, {"id": link_id, "title": f"Video {link_id}"})
            if link_id
            else {}
        )
        client = self.client(self.client_id)
        pending = PendingLaunch(
            hint=self._message_hint(link_id),
            person=self.people[person],
            client_id=self.client_id,
            deployment_id=deployment_id or self.deployment_ids[0],
            message_type=message_type,
            resource_link_id=link_id,
            target_link_uri=target_link_uri or link.get("url") or client.default_target(self),
            custom={**link.get("custom", {}), **(custom or {})} or None,
            ags=ags,
            nrps=nrps,
            for_user=self.people[for_user] if for_user else None,
            storage_target=storage_target,
            dl_data=secrets.token_hex(8) if is_dl else None,
            claim_overrides=claim_overrides,
        )
        pending.login_params = {
            "iss": self.issuer,
            "login_hint": pending.person.sub,
            "target_link_uri": pending.target_link_uri,
            "lti_message_hint": pending.hint,
            "client_id": pending.client_id,
            "lti_deployment_id": pending.deployment_id,
        }
        if storage_target:
            pending.login_params["lti_storage_target"] = storage_target
        self.pending_launches[pending.hint] = pending
        return pending

    def _message_hint(self, link_id: str | None) -> str:
        if self.flavor.name == "moodle":  # Moodle sends a JSON string
            return f'{{"cmid":"{link_id or ""}","launchid":"ltilaunch_{secrets.token_hex(6)}"}}'
        return self.key.sign({"launch": secrets.token_hex(8), "iat": int(time.time())})

    def login_url(self, person: str = "s1", **launch: Any) -> str:
        """The tool's login initiation URL for a new launch (what a browser would open)."""
        pending = self.prepare_launch(person, **launch)
        login_uri = self.client(pending.client_id).login_uri(self)
        return login_uri + "?" + urlencode(pending.login_params)

    def course_page_url(
        self,
        person: str = "s1",
        *,
        storage_target: str = "post_message_forwarding",
        storage_on: str = "auth",
        **launch: Any,
    ) -> str:
        """A course page (on `browser_url`, cross-site to the tool) with the tool in an
        iframe and the platform storage frame named `storage_target`: for browser tests.
        `storage_on="browser"` serves that frame from the course page's origin, not the auth
        URL's (an older platform, reached only by messages sent to "*")."""
        login = self.login_url(person, storage_target=storage_target, **launch)
        extra = "&storage_on=browser" if storage_on == "browser" else ""
        return f"{self.browser_url}/course-page?launch={quote(login, safe='')}{extra}"

    def launch(
        self,
        session: requests.Session,
        person: str = "s1",
        *,
        third_party_cookies: bool = True,
        login_method: str = "GET",
        **launch: Any,
    ) -> requests.Response:
        """Drive a launch as a browser would; returns the tool's final response."""
        if launch.get("storage_target"):
            raise NotImplementedError(
                "launch(storage_target=...) needs JavaScript (the LTI postMessage storage): "
                "open lms.course_page_url(...) in a Playwright browser instead"
            )
        pending = self.prepare_launch(person, **launch)
        return driver.run_launch(
            self,
            session,
            pending,
            third_party_cookies=third_party_cookies,
            login_method=login_method,
        )

    def follow_auto_post(
        self, session: requests.Session, response: requests.Response, **overrides: str
    ) -> requests.Response:
        """Submit the (auto-submitting) form in `response`, e.g. a deep linking response."""
        return driver.submit_form(session, response, overrides)

    def start_dynamic_registration(
        self, session: requests.Session, tool_register_url: str
    ) -> requests.Response:
        return registration.start(self, session, tool_register_url)

    # --- HTTP -------------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        f = self.flavor
        routes = {
            f.jwks_path: lambda r: json_response(200, self.key.jwks()),
            f.auth_path: lambda r: auth.handle_auth(self, r),
            f.token_path: lambda r: services.handle_token(self, r),
            self._path(f.deep_link_return_path): lambda r: deep_linking.handle_return(self, r),
            f.openid_configuration_path: lambda r: registration.handle_configuration(self, r),
            f.registration_path: lambda r: registration.handle_registration(self, r),
            "/storage-frame": lambda r: storage_frame.handle_storage_frame(self, r),
            "/course-page": lambda r: storage_frame.handle_course_page(self, r),
            "/course-return": lambda r: html_response(200, "<h1>Back in the course</h1>"),
        }
        route = routes.get(request.path)
        if route is not None:
            return route(request)
        answer = services.handle_service(self, request)
        return answer or self.reject(request, 404, f"no such platform URL {request.path}")

    def reject(
        self,
        request: Request,
        status: int,
        reason: str,
        *,
        headers: dict[str, str] | None = None,
        oauth_error: str | None = None,
    ) -> Response:
        """Answer an error and record why, so a failing test can show it."""
        self.rejections.append(
            {"method": request.method, "path": request.path, "status": status, "reason": reason}
        )
        if oauth_error:
            return json_response(
                status, {"error": oauth_error, "error_description": reason}, headers=headers
            )
        return text_response(status, reason, headers)

    def origin_of_tool(self) -> str:
        parts = urlsplit(self.tool_url or "")
        return f"{parts.scheme}://{parts.netloc}"

    def stop(self) -> None:
        self._server.stop()

    def __enter__(self) -> LmsPlatform:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<LmsPlatform {self.flavor.name} at {self.url}>"


def start_platform(flavor: str = "moodle") -> LmsPlatform:
    """Start an LMS stand-in on 127.0.0.1 (random port); call .stop() when done."""
    return LmsPlatform(flavor)
