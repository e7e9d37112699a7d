"""Tenants (institutions), their LMS registrations, storage, and the tool's keys."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

# Retention: how long a video is kept, in days, counted from the later of its upload,
# its grading and the assignment's due date (lti_tool.selectors.retention).
RETENTION_DEFAULT_DAYS = 90
RETENTION_MIN_DAYS = 30
RETENTION_MAX_DAYS = 1825


class Tenant(models.Model):
    """An institution. It owns platform registrations and, later, a storage configuration."""

    name = models.CharField(max_length=200, unique=True)
    storage = models.ForeignKey(
        "StorageConfig",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Where new videos go. Empty: the site's default storage.",
    )
    limits = models.JSONField(
        default=dict,
        blank=True,
        help_text='Overrides of the site\'s rate limits, e.g. {"upload_per_hour": 20, '
        '"upload_per_day": 80, "playback_per_hour": 200}.',
    )
    retention_days = models.PositiveIntegerField(
        null=True,
        blank=True,
        default=RETENTION_DEFAULT_DAYS,
        validators=[MinValueValidator(RETENTION_MIN_DAYS), MaxValueValidator(RETENTION_MAX_DAYS)],
        help_text="Days a video is kept (30 to 1825), counted from the latest of its upload, "
        "its grading and the assignment's due date. Empty: keep videos.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class StorageConfig(models.Model):
    """A storage backend and its options for one tenant. Videos remember the configuration
    they were uploaded with, so switching a tenant's backend does not orphan old videos."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="storage_configs")
    label = models.CharField(max_length=100)
    backend = models.CharField(max_length=200, help_text="Dotted path of the backend class.")
    options = models.JSONField(default=dict, blank=True, help_text="Non-secret options.")
    secrets_encrypted = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.tenant}: {self.label}"


class PlatformRegistration(models.Model):
    """One LTI 1.3 registration of the tool in an LMS (an issuer + client id pair)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="platforms")
    issuer = models.URLField(max_length=500)
    client_id = models.CharField(max_length=255)
    auth_login_url = models.URLField("OIDC auth login URL", max_length=500)
    auth_token_url = models.URLField("OAuth2 token URL", max_length=500)
    keyset_url = models.URLField("platform JWKS URL", max_length=500)
    token_audience = models.CharField(
        "client assertion audience",
        max_length=500,
        blank=True,
        help_text="The `aud` of the tool's signed client assertion at the token URL. Empty: "
        "the token URL itself (the spec's default). Brightspace wants "
        "https://api.brightspace.com/auth/token.",
    )
    accept_first_deployment = models.BooleanField(
        "accept the first deployment id",
        default=False,
        help_text="While this registration has no deployment id, accept the one of the first "
        "launch it signs and keep it. Canvas gives the deployment id only when the app is "
        "added to an account or course, after the registration: on for dynamic registrations "
        "from Canvas, off for platforms registered by hand.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issuer", "client_id"], name="unique_issuer_client")
        ]

    def __str__(self) -> str:
        return f"{self.issuer} ({self.client_id})"


class Deployment(models.Model):
    registration = models.ForeignKey(
        PlatformRegistration, on_delete=models.CASCADE, related_name="deployments"
    )
    deployment_id = models.CharField(max_length=255)
    accepted_from_launch_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When a launch brought this id and the registration accepted it by itself "
        "(accept the first deployment id); empty when it was entered or registered.",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "deployment_id"], name="unique_deployment"
            )
        ]

    def __str__(self) -> str:
        return self.deployment_id


class ToolKey(models.Model):
    """The tool's RSA signing keys. The current one signs; retired ones stop being published."""

    kid = models.CharField(max_length=64, unique=True)
    private_key_pem = models.TextField()
    public_jwk = models.JSONField()
    is_current = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"], condition=Q(is_current=True), name="one_current_tool_key"
            )
        ]

    def __str__(self) -> str:
        return self.kid
