"""The platform's OIDC authorization endpoint and the id_token it answers with.

The claims are built with lti1p3platform's message launch (user, resource link, context,
launch presentation, custom, AGS, NRPS and deep linking claims); two of its parts are
replaced: signing (it loads the PEM key per token and sends no `kid`, so tools could not
pick the key) and the checks of the tool's authentication request (it only checks that
nonce, state and redirect_uri are present and the client id matches).
"""

from __future__ import annotations

import html
import time
from typing import TYPE_CHECKING, Any

from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.registration import Registration

from tests.lti_platform import claims as c
from tests.lti_platform.server import Request, Response, html_response

if TYPE_CHECKING:
    from tests.lti_platform.lms import LmsPlatform, PendingLaunch

ID_TOKEN_TTL = 300
_EXPECTED = {
    "scope": "openid",
    "response_type": "id_token",
    "response_mode": "form_post",
    "prompt": "none",
}


def handle_auth(lms: LmsPlatform, request: Request) -> Response:
    if request.method not in ("GET", "POST"):
        return lms.reject(request, 405, "the auth endpoint takes GET or POST")
    params = request.query if request.method == "GET" else request.form()
    lms.auth_requests.append(params)
    pending, problem = _check(lms, params)
    if pending is None:
        return lms.reject(request, 400, f"invalid authentication request: {problem}")
    fields = {"id_token": build_id_token(lms, pending, params), "state": params["state"]}
    if pending.storage_target:
        fields["lti_storage_target"] = pending.storage_target
    return html_response(200, auto_post_form(params["redirect_uri"], fields))


def _check(lms: LmsPlatform, params: dict[str, str]) -> tuple[PendingLaunch | None, str]:
    for name, value in _EXPECTED.items():
        if params.get(name) != value:
            return None, f"{name} must be {value!r}, got {params.get(name)!r}"
    pending = lms.pending_launches.get(params.get("lti_message_hint", ""))
    if pending is None:
        return None, "lti_message_hint is not one this platform sent"
    if params.get("login_hint") != pending.login_params["login_hint"]:
        return None, "login_hint differs from the one sent in the login initiation"
    if params.get("client_id") != pending.client_id:
        return None, f"client_id must be {pending.client_id!r}"
    allowed = lms.client(pending.client_id).redirect_uris(lms)
    if params.get("redirect_uri") not in allowed:
        return None, f"redirect_uri {params.get('redirect_uri')!r} is not one of {allowed}"
    for name in ("nonce", "state"):
        if not params.get(name):
            return None, f"{name} is missing"
    if not lms.remember_once("auth-nonce", params["nonce"]):
        return None, "nonce was already used in an earlier authentication request"
    return pending, ""


def auto_post_form(action: str, fields: dict[str, str]) -> str:
    inputs = "\n".join(
        f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
        for k, v in fields.items()
    )
    return (
        "<!doctype html><html><head><title>Launching...</title></head>"
        '<body onload="document.forms[0].submit()">'
        f'<form method="post" action="{html.escape(action)}">{inputs}'
        '<noscript><button type="submit">Continue</button></noscript></form></body></html>'
    )


class _Registration(Registration):
    def __init__(self, lms: LmsPlatform, pending: PendingLaunch) -> None:
        self._lms = lms
        self._pending = pending

    def platform_encode_and_sign(
        self, payload: dict[str, Any], expiration: int | None = None
    ) -> str:
        now = int(time.time())
        payload.update({"iat": now, "exp": now + (expiration or ID_TOKEN_TTL)})
        _finish(self._lms, self._pending, payload)
        self._lms.launches.append(dict(payload))
        return self._lms.key.sign(payload)


class _Config(LTI1P3PlatformConfAbstract):
    def init_platform_config(self, **kwargs: Any) -> None:
        self._registration = kwargs["registration"]

    def get_registration_by_params(self, **kwargs: Any) -> Registration:
        return self._registration  # type: ignore[return-value]


class _Launch(LTIAdvantageMessageLaunchAbstract):
    def __init__(self, config: _Config, preflight: dict[str, Any]) -> None:
        super().__init__(None, config)  # type: ignore[arg-type]
        self._preflight = preflight

    def get_preflight_response(self) -> dict[str, Any]:
        return self._preflight

    def render_launch_form(self, launch_data: dict[str, Any], **kwargs: Any) -> Any:
        return launch_data


def build_id_token(lms: LmsPlatform, pending: PendingLaunch, auth: dict[str, str]) -> str:
    registration = _Registration(lms, pending)
    registration.set_iss(lms.issuer).set_client_id(pending.client_id)
    registration.set_deployment_id(pending.deployment_id).set_launch_url(pending.target_link_uri)
    deep_linking = pending.message_type == c.DEEP_LINKING_REQUEST
    if deep_linking:
        registration.set_deeplink_launch_url(pending.target_link_uri)
    launch = _Launch(_Config(registration=registration), dict(auth))
    person = pending.person
    launch.set_user_data(
        person.sub,
        [*person.roles, *person.institution_roles],
        full_name=person.name,
        email_address=person.email,
    )
    if not deep_linking:
        link = lms.links.get(pending.resource_link_id or "", {})
        launch.set_resource_link_claim(
            pending.resource_link_id or "", description=link.get("text"), title=link.get("title")
        )
    course = lms.course
    launch.set_launch_context_claim(
        course["id"], [lms.flavor.context_type], course.get("title"), course.get("label")
    )
    launch.set_launch_presentation_claim("iframe", lms.url + "/course-return")
    if pending.custom:
        launch.set_custom_parameters_claim(pending.custom)
    if pending.ags:
        _set_ags(lms, launch, pending)
    if pending.nrps:
        launch.set_nrps(lms.memberships_url)
    if deep_linking:
        launch.set_dl(
            lms.deep_link_return_url,
            title="Add a video assignment",
            description="Choose what to add",
            accept_types=set(lms.flavor.dl_accept_types),
            extra_data=pending.dl_data,
        )  # type: ignore[arg-type] # spec: a string
    launch.set_extra_claims(_extras(lms, pending))
    return str(launch.lti_launch()["id_token"])


def _set_ags(lms: LmsPlatform, launch: _Launch, pending: PendingLaunch) -> None:
    lineitem = None
    if pending.message_type != c.DEEP_LINKING_REQUEST:
        lineitem = lms.ags.lineitem_for_link(pending.resource_link_id or "")
    launch.set_ags(lms.lineitems_url, lineitem, allow_creating_lineitems=True)
    # lti1p3platform offers lineitem or lineitem.readonly; Moodle and Canvas offer both.
    launch.extra_claims[c.AGS_CLAIM]["scope"] = list(c.AGS_SCOPES)


def _extras(lms: LmsPlatform, pending: PendingLaunch) -> dict[str, Any]:
    person = pending.person
    extras: dict[str, Any] = {
        "given_name": person.given_name,
        "family_name": person.family_name,
        c.LTI + "tool_platform": lms.flavor.tool_platform_claim(guid=lms.guid),
        **lms.flavor.extra_claims(
            person=person,
            course=lms.course,
            message_type=pending.message_type,
            deployment_id=pending.deployment_id,
        ),
    }
    if pending.message_type == c.SUBMISSION_REVIEW_REQUEST:
        extras[c.LTI + "message_type"] = c.SUBMISSION_REVIEW_REQUEST
    if pending.for_user is not None:
        who = pending.for_user
        extras[c.LTI + "for_user"] = {
            "user_id": who.sub,
            **who.identity_claims(),
            "roles": list(who.roles),
        }
    return extras


def _finish(lms: LmsPlatform, pending: PendingLaunch, payload: dict[str, Any]) -> None:
    if lms.flavor.name == "moodle":
        payload.pop("azp", None)  # Moodle sends no azp
    settings = payload.get(c.DL_SETTINGS)
    if settings is not None:
        settings["accept_multiple"] = lms.flavor.dl_accept_multiple
        settings["auto_create"] = lms.flavor.dl_auto_create
        settings["accept_types"] = sorted(settings["accept_types"])
        if not settings.get("data"):
            settings.pop("data", None)
    for name, value in (pending.claim_overrides or {}).items():
        if value is None:
            payload.pop(name, None)
        else:
            payload[name] = value
