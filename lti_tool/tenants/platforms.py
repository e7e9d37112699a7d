"""Registering LMS platforms (tenants and their LTI 1.3 registrations)."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from lti_tool.models import Deployment, PlatformRegistration, Tenant


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
) -> PlatformRegistration:
    """Create or update the registration for (issuer, client_id); deployments are added."""
    tenant, _ = Tenant.objects.get_or_create(name=tenant_name)
    registration, _ = PlatformRegistration.objects.update_or_create(
        issuer=issuer,
        client_id=client_id,
        defaults={
            "tenant": tenant,
            "auth_login_url": auth_login_url,
            "auth_token_url": auth_token_url,
            "keyset_url": keyset_url,
        },
    )
    for deployment_id in deployment_ids:
        Deployment.objects.get_or_create(registration=registration, deployment_id=deployment_id)
    return registration
