"""LTI Dynamic Registration 1.0: read an LMS's configuration, register the tool with it.

The flow (https://www.imsglobal.org/spec/lti-dr/v1p0, sections 3.3 to 3.6): the LMS opens
`/lti/register/?openid_configuration=URL&registration_token=TOKEN`; the tool reads and checks
that OpenID configuration, an administrator confirms the tenant name, the tool POSTs its
client registration to the LMS's `registration_endpoint` with the token as a Bearer token,
and stores the client id (and deployment id, when the LMS assigns one at once) it gets back.

Nothing is stored until the LMS has accepted the registration, and nothing is sent to the
LMS before its configuration has passed every check here.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlsplit

from django.core import signing
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from lti_tool.errors import AppError
from lti_tool.lti.lms_client import REGISTER_MANUALLY, lms_send, lms_url_check
from lti_tool.models import PlatformRegistration, Tenant
from lti_tool.tenants.platforms import platform_register
from lti_tool.tenants.tool_description import (
    CANVAS_PRIVACY_LEVEL,
    CLAIMS,
    DEEP_LINKING_LABEL,
    DEEP_LINKING_PLACEMENTS,
    SCOPES,
    TOOL_DESCRIPTION,
    TOOL_NAME,
    ToolUrls,
)
from storage_backends.errors import ProviderError

logger = logging.getLogger(__name__)

PLATFORM_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-platform-configuration"
TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"
CANVAS_ACCOUNT_NAME = "https://canvas.instructure.com/lti/account_name"
FORM_MAX_AGE = 3600  # seconds; Moodle's and Canvas's registration tokens live one hour
_SIGNING_SALT = "lti_tool.dynamic_registration"


class RegistrationError(AppError):
    """A registration that cannot go on, with a sentence for the LMS administrator."""


def lms_call(
    method: str, url: str, *, token: str | None, json_body: Any = None, failure_status: int = 502
) -> tuple[int, Any]:
    """One guarded call (no redirects, size limit, deadline): (status, JSON body or None).

    `failure_status`: what a failed call answers; 400 where the address came with the request
    (the configuration URL: bad input), 502 once a checked LMS misbehaves."""
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        response = lms_send(method, url, headers=headers, json_body=json_body, guarded=True)
    except ProviderError as exc:
        logger.warning("lms call %s %s failed: %s", method, url, exc)
        raise _lms_failure(exc, url, failure_status) from exc
    return response.status, response.body


def _lms_failure(exc: ProviderError, url: str, status: int) -> RegistrationError:
    if exc.code == "lms_answer_too_large":
        return RegistrationError(
            exc.code, _("The LMS's answer from %(url)s is too large.") % {"url": url}, status=status
        )
    if exc.code == "lms_answer_unreadable":
        return RegistrationError(
            exc.code,
            _("The LMS's answer from %(url)s is not JSON the tool can read. %(manual)s")
            % {"url": url, "manual": _(REGISTER_MANUALLY)},
            status=status,
        )
    if exc.code == "lms_too_slow":
        return RegistrationError(
            exc.code,
            _("The LMS at %(url)s answered too slowly, so the tool stopped waiting. Try again.")
            % {"url": url},
            status=status,
        )
    cause = type(exc.__cause__ or exc).__name__
    return RegistrationError(
        "lms_unreachable",
        _(
            "The tool could not reach the LMS at %(url)s (%(cause)s). Check that the LMS's "
            "address is reachable from the tool's server, then try again."
        )
        % {"url": url, "cause": cause},
        status=status,
    )


@dataclass(frozen=True)
class PlatformConfiguration:
    """The checked parts of an LMS's OpenID configuration."""

    openid_configuration_url: str
    issuer: str
    registration_endpoint: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    scopes_supported: tuple[str, ...] | None
    product_family_code: str
    account_name: str

    @property
    def product_name(self) -> str:
        return self.product_family_code.capitalize() if self.product_family_code else "LMS"

    @property
    def suggested_tenant_name(self) -> str:
        """Canvas names the account; otherwise the product and the LMS's host."""
        if self.account_name:
            return self.account_name[:200]
        return f"{self.product_name} ({urlsplit(self.issuer).netloc})"[:200]

    @property
    def requested_scopes(self) -> tuple[str, ...]:
        """Our scopes that the LMS offers; all of them when it does not list what it offers."""
        if self.scopes_supported is None:
            return SCOPES
        return tuple(scope for scope in SCOPES if scope in self.scopes_supported)


@dataclass(frozen=True)
class ClientRegistration:
    """What the LMS answered: our client id there and, Moodle-style, a deployment id."""

    client_id: str
    deployment_id: str | None


# Reading and checking the LMS's configuration


def platform_configuration_fetch(
    *, url: str, registration_token: str | None
) -> PlatformConfiguration:
    """GET the OpenID configuration (Canvas wants the registration token on it too)."""
    lms_url_check(url, _("The address of the LMS's configuration (openid_configuration)"))
    status, document = lms_call("GET", url, token=registration_token, failure_status=400)
    if 300 <= status < 400:
        raise RegistrationError(
            "config_redirected",
            _(
                "The LMS's configuration at %(url)s redirects to another address. The tool "
                "follows no redirects while registering: give the LMS's own address. %(manual)s"
            )
            % {"url": url, "manual": _(REGISTER_MANUALLY)},
            status=400,
        )
    if status != 200:
        raise RegistrationError(
            "config_unavailable",
            _(
                "The LMS's configuration at %(url)s answered HTTP %(status)s instead of the "
                "configuration. Start the registration again from the LMS; a registration "
                "link can be used only once and expires after a while."
            )
            % {"url": url, "status": status},
            status=400,
        )
    return platform_configuration_parse(url=url, document=document)


def platform_configuration_parse(*, url: str, document: Any) -> PlatformConfiguration:
    """Check a configuration document (LTI-DR 3.4 and 3.5.1); raise on the first problem."""
    if not isinstance(document, dict):
        raise _invalid(_("The LMS's configuration at %(url)s is not a JSON object.") % {"url": url})
    issuer = _required_url(document, "issuer", _("its issuer"))
    _check_issuer_match(url, issuer)
    registration_endpoint = _required_url(
        document,
        "registration_endpoint",
        _("a registration endpoint, so the tool cannot register itself automatically"),
    )
    authorization_endpoint = _required_url(
        document, "authorization_endpoint", _("its OIDC authorization endpoint")
    )
    token_endpoint = _required_url(document, "token_endpoint", _("its OAuth2 token endpoint"))
    jwks_uri = _required_url(document, "jwks_uri", _("the address of its public keys"))
    _check_algorithms(document)
    lti = document.get(PLATFORM_CONFIGURATION)
    if not isinstance(lti, dict):
        raise _invalid(
            _(
                "The configuration has no LTI platform section (%(section)s), so it is not an "
                "LTI 1.3 platform's."
            )
            % {"section": PLATFORM_CONFIGURATION}
        )
    return PlatformConfiguration(
        openid_configuration_url=url,
        issuer=issuer,
        scopes_supported=_string_list(document.get("scopes_supported")),
        product_family_code=_text(lti.get("product_family_code")),
        account_name=_text(lti.get(CANVAS_ACCOUNT_NAME)),
        registration_endpoint=registration_endpoint,
        authorization_endpoint=authorization_endpoint,
        token_endpoint=token_endpoint,
        jwks_uri=jwks_uri,
    )


def _check_issuer_match(url: str, issuer: str) -> None:
    """LTI-DR 3.5.1 "Issuer and OpenID Configuration URL Match".

    The configuration must be published under its issuer. Otherwise any site could serve
    a configuration naming another LMS's issuer and take over that LMS's registrations.
    Moodle serves `<wwwroot>/mod/lti/openid-configuration.php` with issuer `<wwwroot>`;
    Canvas builds its configuration URL from its `lti_iss`.
    """
    config, iss = urlsplit(url), urlsplit(issuer)
    iss_path = iss.path.rstrip("/")
    same_origin = (config.scheme, config.netloc.lower()) == (iss.scheme, iss.netloc.lower())
    under_path = config.path == iss_path or config.path.startswith(iss_path + "/")
    if iss.query or iss.fragment or not (same_origin and under_path):
        raise _invalid(
            _(
                "The LMS's configuration says its issuer is %(issuer)s, but it was served from "
                "%(url)s. The tool accepts only a configuration published under the issuer's "
                "own address, so that no other site can register in an LMS's name."
            )
            % {"issuer": issuer, "url": url}
        )


def _check_algorithms(document: dict[str, Any]) -> None:
    algorithms = _string_list(document.get("id_token_signing_alg_values_supported")) or ()
    if "RS256" not in algorithms:
        raise _invalid(
            _(
                "The LMS does not say it signs launches with RS256 "
                "(id_token_signing_alg_values_supported), the algorithm LTI 1.3 requires."
            )
        )
    auth_methods = _string_list(document.get("token_endpoint_auth_methods_supported"))
    if auth_methods is not None and "private_key_jwt" not in auth_methods:
        raise _invalid(
            _(
                "The LMS does not accept signed client assertions (private_key_jwt) at its "
                "token endpoint, which the tool needs to send grades."
            )
        )


def _required_url(document: dict[str, Any], name: str, what: str) -> str:
    value = document.get(name)
    if not isinstance(value, str) or not value.strip():
        raise _invalid(
            _("The LMS's configuration does not give %(what)s (%(name)s).")
            % {"what": what, "name": name}
        )
    lms_url_check(value, _("The LMS's %(name)s") % {"name": name}, status=400)
    return value


def _invalid(message: str) -> RegistrationError:
    return RegistrationError("config_invalid", f"{message} {_(REGISTER_MANUALLY)}", status=400)


def _string_list(value: Any) -> tuple[str, ...] | None:
    if not isinstance(value, list):
        return None
    return tuple(item for item in value if isinstance(item, str))


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


# Registering with the LMS


def registration_request_body(*, platform: PlatformConfiguration, tool: ToolUrls) -> dict[str, Any]:
    """The client registration (LTI-DR 3.5.2), with Canvas's placements and privacy level."""
    return {
        "application_type": "web",
        "response_types": ["id_token"],
        "grant_types": ["implicit", "client_credentials"],
        "initiate_login_uri": tool.login,
        "redirect_uris": [tool.launch],
        "client_name": TOOL_NAME,
        "jwks_uri": tool.jwks,
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": " ".join(platform.requested_scopes),
        TOOL_CONFIGURATION: {
            "domain": tool.domain,
            "description": TOOL_DESCRIPTION,
            "target_link_uri": tool.launch,
            "claims": list(CLAIMS),
            "messages": [
                {"type": "LtiResourceLinkRequest", "target_link_uri": tool.launch},
                {
                    "type": "LtiDeepLinkingRequest",
                    "target_link_uri": tool.launch,
                    "label": DEEP_LINKING_LABEL,
                    "placements": list(DEEP_LINKING_PLACEMENTS),
                },
            ],
            "https://canvas.instructure.com/lti/privacy_level": CANVAS_PRIVACY_LEVEL,
        },
    }


def client_registration_post(
    *, platform: PlatformConfiguration, registration_token: str | None, tool: ToolUrls
) -> ClientRegistration:
    """POST our registration; the LMS answers with our client id (LTI-DR 3.6)."""
    body = registration_request_body(platform=platform, tool=tool)
    status, answer = lms_call(
        "POST", platform.registration_endpoint, token=registration_token, json_body=body
    )
    if status not in (200, 201):
        raise RegistrationError(
            "registration_refused",
            _(
                "The LMS refused the registration (HTTP %(status)s%(reason)s). Start the "
                "registration again from the LMS; a registration link can be used only once "
                "and expires after a while."
            )
            % {"status": status, "reason": _lms_reason(answer)},
            status=502,
        )
    client_id = answer.get("client_id") if isinstance(answer, dict) else None
    if not isinstance(client_id, str | int) or not str(client_id).strip():
        raise RegistrationError(
            "registration_unreadable",
            _(
                "The LMS accepted the registration but did not say which client id it gave "
                "the tool, so nothing was saved. %(manual)s"
            )
            % {"manual": _(REGISTER_MANUALLY)},
            status=502,
        )
    tool_config = answer.get(TOOL_CONFIGURATION)
    deployment = tool_config.get("deployment_id") if isinstance(tool_config, dict) else None
    return ClientRegistration(
        client_id=str(client_id).strip(),
        deployment_id=str(deployment).strip() if deployment not in (None, "") else None,
    )


def _lms_reason(answer: Any) -> str:
    """The LMS's own words, if it gave any: OAuth2 `error_description`/`error`, Canvas's
    `errors` or `errorMessage`."""
    if not isinstance(answer, dict):
        return ""
    reason = (
        answer.get("error_description")
        or answer.get("error")
        or answer.get("errorMessage")
        or answer.get("errors")
    )
    if not reason:
        return ""
    try:
        text = reason if isinstance(reason, str) else json.dumps(reason)
    except (ValueError, TypeError, RecursionError):  # odd JSON: nested too deep, NaN...
        return ""
    return f": {text[:200]}"


# Saving


def tenant_name_check(*, tenant_name: str) -> str:
    """A clean, unused tenant name; raised on before anything is sent to the LMS.

    The registration URL is public, so it never adds an LMS to an existing tenant: some
    LMSs share one issuer between institutions (Instructure-hosted Canvas), so not even a
    tenant holding the same issuer is safe to join. The tool's administrator can move a
    registration to another tenant in the Django admin.
    """
    name = " ".join(tenant_name.split())
    if not name or len(name) > 200:
        raise RegistrationError(
            "tenant_name_invalid", _("Give the institution a name of 1 to 200 characters.")
        )
    if Tenant.objects.filter(name=name).exists():
        raise RegistrationError(
            "tenant_name_taken",
            _(
                'A tenant named "%(name)s" already exists. Choose another name; the tool\'s '
                "administrator can move registrations between tenants later."
            )
            % {"name": name},
            status=409,
        )
    return name


def tenant_name_suggest(*, platform: PlatformConfiguration) -> str:
    """The platform's own name, numbered if a tenant has it already."""
    base = platform.suggested_tenant_name[:190]
    taken = set(Tenant.objects.filter(name__startswith=base).values_list("name", flat=True))
    number = 1
    name = base
    while name in taken:
        number += 1
        name = f"{base} ({number})"
    return name


def dynamic_registration_complete(
    *,
    platform: PlatformConfiguration,
    registration_token: str | None,
    tool: ToolUrls,
    tenant_name: str,
) -> PlatformRegistration:
    """Register with the LMS, then store tenant, registration and deployment together.

    When the LMS answers with a client id already registered for this issuer (it updated
    its registration), that registration is updated and keeps its tenant (and courses).
    """
    name = tenant_name_check(tenant_name=tenant_name)
    client = client_registration_post(
        platform=platform, registration_token=registration_token, tool=tool
    )
    with transaction.atomic():
        existing = (
            PlatformRegistration.objects.select_related("tenant")
            .filter(issuer=platform.issuer, client_id=client.client_id)
            .first()
        )
        if existing is not None:
            name = existing.tenant.name
        else:
            _tenant_create(name)
        registration = platform_register(
            tenant_name=name,
            issuer=platform.issuer,
            client_id=client.client_id,
            auth_login_url=platform.authorization_endpoint,
            auth_token_url=platform.token_endpoint,
            keyset_url=platform.jwks_uri,
            deployment_ids=[client.deployment_id] if client.deployment_id else [],
            # Canvas gives the deployment id only when the app is added: take the first one.
            accept_first_deployment=(
                platform.product_family_code == "canvas" and not client.deployment_id
            ),
        )
    logger.info(
        "dynamic registration issuer=%s client_id=%s deployment_id=%s tenant=%s updated=%s",
        platform.issuer,
        client.client_id,
        client.deployment_id,
        name,
        existing is not None,
    )
    return registration


def _tenant_create(name: str) -> None:
    """The new registration's tenant; a name taken since the check is refused."""
    try:
        with transaction.atomic():
            Tenant.objects.create(name=name)
    except IntegrityError as exc:
        raise RegistrationError(
            "tenant_name_raced",
            _(
                'A tenant named "%(name)s" was created meanwhile, so nothing was saved. The LMS '
                "has a registration the tool did not keep: delete it in the LMS, then register "
                "again with another name."
            )
            % {"name": name},
            status=409,
        ) from exc


# The confirmation form carries the checked configuration, signed: the LMS may show this
# page in an iframe where cookies (and so sessions) are blocked.


def pending_registration_dumps(
    *, platform: PlatformConfiguration, registration_token: str | None
) -> str:
    data = {"platform": asdict(platform), "token": registration_token}
    return signing.dumps(data, salt=_SIGNING_SALT, compress=True)


def pending_registration_loads(value: str) -> tuple[PlatformConfiguration, str | None]:
    try:
        data = signing.loads(value, salt=_SIGNING_SALT, max_age=FORM_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise RegistrationError(
            "form_expired",
            _("This registration form has expired. Start the registration again from the LMS."),
        ) from exc
    except signing.BadSignature as exc:
        raise RegistrationError(
            "form_invalid",
            _(
                "This registration form was not issued by the tool or was changed. Start the "
                "registration again from the LMS."
            ),
        ) from exc
    fields = dict(data["platform"])
    scopes = fields.pop("scopes_supported")
    platform = PlatformConfiguration(
        scopes_supported=tuple(scopes) if scopes is not None else None, **fields
    )
    return platform, data["token"]
