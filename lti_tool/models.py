"""Tenants and their LMS platforms, tool keys, courses, assignments, submissions, events."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class Tenant(models.Model):
    """An institution. It owns platform registrations and, later, a storage configuration."""

    name = models.CharField(max_length=200, unique=True)
    storage = models.ForeignKey(
        "StorageConfig", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="Where new videos go. Empty: the site's default storage.",
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


class LtiUser(models.Model):
    """A person as one platform knows them: identity is (tenant, issuer, sub)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="users")
    issuer = models.URLField(max_length=500)
    sub = models.CharField(max_length=255)
    name = models.CharField(max_length=255, blank=True)
    email = models.EmailField(blank=True)
    last_launch_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "issuer", "sub"], name="unique_lti_user")
        ]

    def __str__(self) -> str:
        return self.name or self.sub


class Course(models.Model):
    """An LTI context (a course section) of one platform."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="courses")
    issuer = models.URLField(max_length=500)
    context_id = models.CharField(max_length=255)
    title = models.CharField(max_length=255, blank=True)
    label = models.CharField(max_length=255, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "issuer", "context_id"], name="unique_course"
            )
        ]

    def __str__(self) -> str:
        return self.title or self.context_id


class VideoAssignment(models.Model):
    """What an LTI resource link points at: one video to submit per student."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="assignments")
    resource_link_id = models.CharField(max_length=255)
    title = models.CharField(max_length=255)
    instructions = models.TextField(blank=True)
    max_size_bytes = models.BigIntegerField(
        null=True, blank=True, help_text="Empty: the site's default limit."
    )
    due_at = models.DateTimeField(null=True, blank=True)
    max_points = models.DecimalField(max_digits=8, decimal_places=2, default=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["course", "resource_link_id"], name="unique_resource_link"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Submission(models.Model):
    """One uploaded video. A student has at most one *current* submission per assignment;
    a replacement becomes current only once it is ready, so nothing saved is lost."""

    class State(models.TextChoices):
        PENDING_UPLOAD = "pending_upload", "Waiting for upload"
        UPLOADED = "uploaded", "Uploaded"
        PROCESSING = "processing", "Processing"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"
        DELETED = "deleted", "Deleted"

    assignment = models.ForeignKey(
        VideoAssignment, on_delete=models.CASCADE, related_name="submissions"
    )
    student = models.ForeignKey(LtiUser, on_delete=models.CASCADE, related_name="submissions")
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING_UPLOAD)
    is_current = models.BooleanField(default=False)
    backend = models.CharField(max_length=50)
    storage = models.ForeignKey(
        StorageConfig, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="The storage this video went to. Empty: the site's default storage.",
    )
    upload_ref = models.CharField(max_length=255, blank=True)
    video_id = models.CharField(max_length=255, blank=True)
    filename = models.CharField(max_length=255)
    mime_type = models.CharField(max_length=100)
    size_bytes = models.BigIntegerField(null=True, blank=True)
    duration_seconds = models.FloatField(null=True, blank=True)
    error_message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    uploaded_at = models.DateTimeField(null=True, blank=True)
    ready_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "student"],
                condition=Q(is_current=True),
                name="one_current_submission",
            )
        ]
        indexes = [models.Index(fields=["assignment", "is_current"])]

    def __str__(self) -> str:
        return f"{self.student} – {self.filename} ({self.state})"


class VideoEvent(models.Model):
    """The event log: who did what to which video, written with the change it records."""

    class Kind(models.TextChoices):
        UPLOAD_REQUESTED = "upload_requested", "Upload requested"
        UPLOAD_SUCCEEDED = "upload_succeeded", "Upload succeeded"
        UPLOAD_FAILED = "upload_failed", "Upload failed"
        READY = "ready", "Ready to play"
        PLAYBACK = "playback", "Playback"
        DELETION = "deletion", "Deletion"
        PROVIDER_ERROR = "provider_error", "Provider error"

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="events")
    user = models.ForeignKey(LtiUser, null=True, blank=True, on_delete=models.SET_NULL)
    submission = models.ForeignKey(
        Submission, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.submission_id}"
