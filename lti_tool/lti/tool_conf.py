"""pylti1p3's view of our database: registrations, deployments and the tool's key."""

from __future__ import annotations

import time
from typing import Any

from django.db.models import Exists, OuterRef
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from pylti1p3.actions import Action
from pylti1p3.deployment import Deployment as LtiDeployment
from pylti1p3.registration import Registration
from pylti1p3.request import Request
from pylti1p3.tool_config.abstract import ToolConfAbstract

from lti_tool.models import Deployment, PlatformRegistration, Tenant

_DEPLOYMENT_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/deployment_id"


class DatabaseToolConf(ToolConfAbstract[Request]):
    """Every issuer may have many client ids; the matched registration is kept for later."""

    def __init__(self) -> None:
        self.platform: PlatformRegistration | None = None
        # A launch's deployment id (from the id_token pylti1p3 hands the registration lookup):
        # whether it is registered comes back with the registration, in the same query.
        self.deployment_id_hint: str | None = None
        self.hinted_deployment_found = False

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    # pylti1p3 annotates both finders `-> Registration`, yet its callers test for a missing
    # registration (None) and refuse the login or launch: the ignores are for that annotation.
    def find_registration_by_issuer(  # type: ignore[override]
        self, iss: str, *args: Any, **kwargs: Any
    ) -> Registration | None:
        return self.find_registration_by_params(iss, None, *args, **kwargs)

    def find_registration_by_params(  # type: ignore[override]
        self, iss: str, client_id: str | None, *args: Any, **kwargs: Any
    ) -> Registration | None:
        if kwargs.get("action") == Action.OIDC_LOGIN:
            self.platform = _login_registration(iss, client_id)
        else:
            jwt_body = kwargs.get("jwt_body")
            hint = jwt_body.get(_DEPLOYMENT_CLAIM) if isinstance(jwt_body, dict) else None
            self.deployment_id_hint = hint if isinstance(hint, str) else None
            self.platform = _launch_registration(iss, client_id, self.deployment_id_hint)
            found = getattr(self.platform, "hinted_deployment", False)
            self.hinted_deployment_found = bool(found)
        return _to_registration(self.platform) if self.platform else None

    def find_deployment(self, iss: str, deployment_id: str) -> LtiDeployment | None:
        return None  # every issuer is "many clients": pylti1p3 calls the _by_params variant

    def find_deployment_by_params(
        self, iss: str, deployment_id: str, client_id: str, *args: Any, **kwargs: Any
    ) -> LtiDeployment | None:
        platform = self.platform
        if (
            platform is not None
            and self.deployment_id_hint == deployment_id
            and (platform.issuer, platform.client_id) == (iss, client_id)
        ):
            exists = self.hinted_deployment_found
        else:
            exists = Deployment.objects.filter(
                registration__issuer=iss,
                registration__client_id=client_id,
                deployment_id=deployment_id,
            ).exists()
        return LtiDeployment().set_deployment_id(deployment_id) if exists else None


def _find_registration(
    iss: str, client_id: str | None, deployment_id: str | None
) -> PlatformRegistration | None:
    """The registration; given a deployment id, annotated with whether it is registered."""
    platforms = PlatformRegistration.objects.filter(issuer=iss).select_related("tenant")
    if client_id:
        platforms = platforms.filter(client_id=client_id)
    if deployment_id is not None:
        deployments = Deployment.objects.filter(
            registration=OuterRef("pk"), deployment_id=deployment_id
        )
        platforms = platforms.annotate(hinted_deployment=Exists(deployments))
    # Without a client id (allowed in OIDC login) the issuer must be unambiguous.
    found = list(platforms[:2])
    return found[0] if len(found) == 1 else None


# Registrations read in this process a little while ago, so that neither the login nor the
# launch pays a query for them (half a login's CPU, a quarter of a launch's was that query).
# Saving or deleting a registration, a deployment or a tenant forgets them at once in the
# process that saved it; the other processes keep what they read for at most these bounds.
# The OIDC login only sends the browser to the platform with a state and a nonce: 30 s.
# The launch accepts a user, so it trusts a removed registration or deployment for at most
# _LAUNCH_CACHE_SECONDS in another process, and keeps only registrations found *with* the
# launch's deployment: an unknown deployment id is looked up afresh every time (a Canvas
# registration accepting its first deployment must see the one another process kept).
_LOGIN_CACHE_SECONDS = 30.0
_LAUNCH_CACHE_SECONDS = 10.0
_CACHE_SIZE = 1000
_CacheKey = tuple[str, str | None, str | None]
_recent: dict[_CacheKey, tuple[float, PlatformRegistration]] = {}


def _login_registration(iss: str, client_id: str | None) -> PlatformRegistration | None:
    cached = _cached((iss, client_id, None))
    if cached is not None:
        return cached
    platform = _find_registration(iss, client_id, None)
    if platform is not None:  # unknown issuers are not kept: anyone can send them
        _keep((iss, client_id, None), platform, _LOGIN_CACHE_SECONDS)
    return platform


def _launch_registration(
    iss: str, client_id: str | None, deployment_id: str | None
) -> PlatformRegistration | None:
    """The registration annotated with `hinted_deployment`, as `_find_registration`."""
    if deployment_id is None:
        return _find_registration(iss, client_id, None)
    key = (iss, client_id, deployment_id)  # the login's keys end with None
    cached = _cached(key)
    if cached is not None:
        return cached
    platform = _find_registration(iss, client_id, deployment_id)
    if platform is not None and getattr(platform, "hinted_deployment", False):
        _keep(key, platform, _LAUNCH_CACHE_SECONDS)
    return platform


def _cached(key: _CacheKey) -> PlatformRegistration | None:
    entry = _recent.get(key)
    return entry[1] if entry is not None and entry[0] > time.monotonic() else None


def _keep(key: _CacheKey, platform: PlatformRegistration, seconds: float) -> None:
    if len(_recent) >= _CACHE_SIZE:
        _recent.clear()
    _recent[key] = (time.monotonic() + seconds, platform)


@receiver([post_save, post_delete], sender=Tenant)
@receiver([post_save, post_delete], sender=PlatformRegistration)
@receiver([post_save, post_delete], sender=Deployment)
def forget_registrations(**kwargs: Any) -> None:
    """In this process at once; in the others within the bounds above."""
    _recent.clear()


def _to_registration(platform: PlatformRegistration) -> Registration:
    # No tool key here: validating a launch needs only the platform's keys, and our own
    # signing (AGS, deep linking) goes through tool_keys.sign_as_tool. Loading it on
    # every login and launch was a query for nothing, and handed the PEM to pylti1p3.
    return (
        Registration()
        .set_issuer(platform.issuer)
        .set_client_id(platform.client_id)
        .set_auth_login_url(platform.auth_login_url)
        .set_auth_token_url(platform.auth_token_url)
        .set_key_set_url(platform.keyset_url)
    )
