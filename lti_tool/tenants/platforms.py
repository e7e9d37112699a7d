"""Registering LMS platforms (tenants and their LTI 1.3 registrations)."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from lti_tool.models import Deployment, PlatformRegistration, Tenant, VideoEvent

logger = logging.getLogger("lti_tool.events")


@transaction.atomic
def platform_register(
    *,
    tenant_name: str,
    issuer: str,
    client_id: str,
    auth_login_url: str,
    auth_token_url: str,
    keyset_url: str,
    deployment_ids: Sequence[str],
    accept_first_deployment: bool | None = None,
    token_audience: str | None = None,
) -> PlatformRegistration:
    """Create or update the registration for (issuer, client_id); deployments are added.
    `accept_first_deployment` None leaves that setting as it is (off for a new one)."""
    tenant, _ = Tenant.objects.get_or_create(name=tenant_name)
    defaults: dict[str, object] = {
        "tenant": tenant,
        "auth_login_url": auth_login_url,
        "auth_token_url": auth_token_url,
        "keyset_url": keyset_url,
    }
    if accept_first_deployment is not None:
        defaults["accept_first_deployment"] = accept_first_deployment
    if token_audience is not None:
        defaults["token_audience"] = token_audience
    registration, _ = PlatformRegistration.objects.update_or_create(
        issuer=issuer, client_id=client_id, defaults=defaults
    )
    for deployment_id in deployment_ids:
        Deployment.objects.get_or_create(registration=registration, deployment_id=deployment_id)
    return registration


@transaction.atomic
def deployment_accept_first(*, registration: PlatformRegistration, deployment_id: str) -> bool:
    """Keep the deployment id of a verified launch of a registration that accepts its first
    one, with its event row. False if another id got there first (then this one is refused)."""
    locked = PlatformRegistration.objects.select_for_update().get(pk=registration.pk)
    known = set(locked.deployments.values_list("deployment_id", flat=True))
    if known:
        return deployment_id in known
    Deployment.objects.create(
        registration=locked, deployment_id=deployment_id, accepted_from_launch_at=timezone.now()
    )
    details = {
        "issuer": locked.issuer,
        "client_id": locked.client_id,
        "deployment_id": deployment_id,
    }
    VideoEvent.objects.create(
        tenant_id=locked.tenant_id, kind=VideoEvent.Kind.DEPLOYMENT_ACCEPTED, details=details
    )
    logger.info(
        "video_event %s",
        json.dumps({"kind": "deployment_accepted", "tenant": locked.tenant_id, **details}),
    )
    return True
