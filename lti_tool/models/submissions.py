"""Submitted videos and the event log of what happened to them."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lti_tool.models.courses import LtiUser, VideoAssignment
from lti_tool.models.tenants import StorageConfig, Tenant


class Submission(models.Model):
    """One uploaded video. A student has at most one *current* submission per assignment;
    a replacement becomes current only once it is ready, so nothing saved is lost."""

    class State(models.TextChoices):
        PENDING_UPLOAD = "pending_upload", _("Waiting for upload")
        UPLOADED = "uploaded", _("Uploaded")
        PROCESSING = "processing", _("Processing")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")
        DELETED = "deleted", _("Deleted")

    # Uploaded, not yet verified ready or failed: storage is still to say what arrived.
    WAITING = (State.UPLOADED, State.PROCESSING)

    assignment = models.ForeignKey(
        VideoAssignment,
        on_delete=models.CASCADE,
        related_name="submissions",
        db_index=False,  # the indexes below lead with it
    )
    student = models.ForeignKey(LtiUser, on_delete=models.CASCADE, related_name="submissions")
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING_UPLOAD)
    is_current = models.BooleanField(default=False)
    backend = models.CharField(max_length=50)
    storage = models.ForeignKey(
        StorageConfig,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The storage this video went to. Empty: the site's default storage.",
    )
    upload_ref = models.CharField(max_length=255, blank=True)
    # Protocol-specific upload state the browser must not be trusted with (e.g. the S3
    # multipart UploadId): the endpoints use these, never ids the client sends.
    upload_details = models.JSONField(default=dict, blank=True)
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
    # Verification retries wait here, not in the broker: when storage is asked next, how
    # often it was asked, and since when the provider has been unavailable (the student
    # reads "Waiting for storage"; a provider outage never fails an upload).
    verify_attempts = models.PositiveIntegerField(default=0)
    verify_next_at = models.DateTimeField(null=True, blank=True)
    storage_waiting_since = models.DateTimeField(null=True, blank=True)
    deletion_reason = models.CharField(max_length=500, blank=True)
    purged_at = models.DateTimeField(
        null=True, blank=True, help_text="When storage confirmed the bytes were removed."
    )
    # Reconciliation with the provider (lti_tool.services.reconcile): when a listing last
    # saw the object, and since when a row's object has been missing from storage.
    storage_seen_at = models.DateTimeField(null=True, blank=True)
    missing_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "student"],
                condition=Q(is_current=True),
                name="one_current_submission",
            )
        ]
        indexes = [
            # A student's videos and uploads to an assignment (a ticket's check for one it
            # resumes or replaces). The current ones of a class are one_current_submission's;
            # an index on (assignment, is_current) had PostgreSQL read every non-current row
            # of the class for one student's, whenever its statistics were behind.
            models.Index(fields=["assignment", "student"], name="submission_assignment_student"),
            # A student's unfinished uploads (a ticket's read, and its UPDATE ending them):
            # only rows still waiting for their bytes. Without it PostgreSQL went through
            # every pending row of every student, and each one ended since the last vacuum
            # (their old entries stay in an index on state): 600 buffers a ticket at load.
            models.Index(
                fields=["assignment", "student"],
                condition=Q(state="pending_upload", is_current=False),
                name="submission_unfinished",
            ),
            # A backend's endpoints and provider webhooks find the submission by these.
            models.Index(fields=["upload_ref"], name="submission_upload_ref"),
            models.Index(fields=["video_id"], name="submission_video_id"),
            # The verification sweep (every 15 s) reads only uploads still waiting.
            models.Index(
                fields=["verify_next_at"],
                condition=Q(state__in=["uploaded", "processing"]),
                name="submission_verify_due",
            ),
            models.Index(fields=["created_at"], name="submission_created"),
            models.Index(fields=["state", "purged_at"], name="submission_state_purged"),
        ]

    def __str__(self) -> str:
        return f"{self.student} – {self.filename} ({self.state})"

    @property
    def waiting_for_storage(self) -> bool:
        """Uploaded, but the storage provider is unavailable: the upload is kept and checked
        again later."""
        return self.storage_waiting_since is not None and self.state in self.WAITING

    @property
    def state_label(self) -> str:
        """`get_state_display()` in the active language (without its per-call rebuilding of
        the choices: it runs for every row an API page answers), or why it waits."""
        if self.waiting_for_storage:
            return str(_WAITING_FOR_STORAGE)
        return str(_STATE_LABELS.get(self.state, self.state))


class VideoEvent(models.Model):
    """The event log: who did what to which video, written with the change it records."""

    class Kind(models.TextChoices):
        UPLOAD_REQUESTED = "upload_requested", "Upload requested"
        UPLOAD_SUCCEEDED = "upload_succeeded", "Upload succeeded"
        UPLOAD_FAILED = "upload_failed", "Upload failed"
        READY = "ready", "Ready to play"
        PLAYBACK = "playback", "Playback"
        DELETION = "deletion", "Deletion"
        REPLACED = "replaced", "Replaced (kept as an earlier version)"
        PURGED = "purged", "Removed from storage"
        STORAGE_MISSING = "storage_missing", "Missing from storage"
        PROVIDER_ERROR = "provider_error", "Provider error"
        DEPLOYMENT_ACCEPTED = "deployment_accepted", "Deployment id accepted from a launch"

    tenant = models.ForeignKey(
        Tenant,
        on_delete=models.CASCADE,
        related_name="events",
        db_index=False,  # event_tenant_kind_day leads with it (an event is written per play)
    )
    user = models.ForeignKey(LtiUser, null=True, blank=True, on_delete=models.SET_NULL)
    submission = models.ForeignKey(
        Submission, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        indexes = [
            # The dashboard's per-day counts by tenant and kind.
            models.Index(fields=["tenant", "kind", "created_at"], name="event_tenant_kind_day"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.submission_id}"


class PrivacyRecord(models.Model):
    """The read-only audit trail of GDPR exports and erasures. It names the person by
    their LTI subject only: an erasure must not leave their name or email here."""

    class Kind(models.TextChoices):
        EXPORT = "export", "Export"
        ERASURE = "erasure", "Erasure"

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    subject = models.CharField(max_length=255, help_text="The person's LTI subject (sub).")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    requested_by = models.CharField(max_length=255)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.subject}"


_STATE_LABELS = dict(Submission.State.choices)  # lazy: translated when read
_WAITING_FOR_STORAGE = _("Uploaded, waiting for storage (it will be checked again automatically)")
