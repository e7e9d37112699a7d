"""pylti1p3's view of our database: registrations, deployments and the tool's key."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef
from pylti1p3.deployment import Deployment as LtiDeployment
from pylti1p3.registration import Registration
from pylti1p3.request import Request
from pylti1p3.tool_config.abstract import ToolConfAbstract

from lti_tool.models import Deployment, PlatformRegistration

_DEPLOYMENT_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/deployment_id"


class DatabaseToolConf(ToolConfAbstract[Request]):
    """Every issuer may have many client ids; the matched registration is kept for later."""

    def __init__(self) -> None:
        self.platform: PlatformRegistration | None = None
        # A launch's deployment id (from the id_token pylti1p3 hands the registration lookup):
        # whether it is registered comes back with the registration, in the same query.
        self.deployment_id_hint: str | None = None
        self._hinted_deployment_found = False

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
        platforms = PlatformRegistration.objects.filter(issuer=iss).select_related("tenant")
        jwt_body = kwargs.get("jwt_body")
        hint = jwt_body.get(_DEPLOYMENT_CLAIM) if isinstance(jwt_body, dict) else None
        self.deployment_id_hint = hint if isinstance(hint, str) else None
        if client_id:
            platforms = platforms.filter(client_id=client_id)
        if self.deployment_id_hint is not None:
            platforms = platforms.annotate(
                hinted_deployment=Exists(
                    Deployment.objects.filter(
                        registration=OuterRef("pk"), deployment_id=self.deployment_id_hint
                    )
                )
            )
        # Without a client id (allowed in OIDC login) the issuer must be unambiguous.
        found = list(platforms[:2])
        if len(found) != 1:
            return None
        self.platform = found[0]
        self._hinted_deployment_found = bool(getattr(self.platform, "hinted_deployment", False))
        return _to_registration(self.platform)

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
            exists = self._hinted_deployment_found
        else:
            exists = Deployment.objects.filter(
                registration__issuer=iss,
                registration__client_id=client_id,
                deployment_id=deployment_id,
            ).exists()
        return LtiDeployment().set_deployment_id(deployment_id) if exists else None


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
