"""People, courses and assignments as the LMS launches them."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from lti_tool.models.tenants import PlatformRegistration, Tenant


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
    platform = models.ForeignKey(
        PlatformRegistration,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The registration of the latest launch: whose services (AGS, NRPS) to call.",
    )
    memberships_url = models.URLField(
        max_length=500, blank=True, help_text="NRPS context_memberships_url from the launch."
    )
    nrps_versions = models.JSONField(
        default=list,
        blank=True,
        help_text='NRPS service_versions from the launch; "2.0" offers per-link rosters (rlid).',
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "issuer", "context_id"], name="unique_course")
        ]

    def __str__(self) -> str:
        return self.title or self.context_id


VIDEO_SOURCES = ("upload", "camera", "screen")


def all_video_sources() -> list[str]:
    return list(VIDEO_SOURCES)


class VideoAssignment(models.Model):
    """What an LTI resource link points at: one video to submit per student."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="assignments")
    # Empty until the first launch for assignments made by deep linking: the platform
    # assigns the resource link id when it places the link; `deep_link_key` finds them.
    resource_link_id = models.CharField(max_length=255, blank=True)
    deep_link_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    title = models.CharField(max_length=255)
    instructions = models.TextField(blank=True)
    max_size_bytes = models.BigIntegerField(
        null=True, blank=True, help_text="Empty: the site's default limit."
    )
    max_duration_seconds = models.PositiveIntegerField(null=True, blank=True)
    allow_resubmission = models.BooleanField(default=True)
    # How students may make their video: a file ("upload"), the camera, the screen.
    allowed_sources = models.JSONField(default=all_video_sources, blank=True)
    # LTI AGS: where this link's gradebook column lives, as the launches told us.
    lineitems_url = models.URLField(max_length=500, blank=True)
    lineitem_url = models.URLField(max_length=500, blank=True)
    ags_scopes = models.JSONField(default=list, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    max_points = models.DecimalField(max_digits=8, decimal_places=2, default=100)
    hold_grades = models.BooleanField(
        default=False,
        help_text="Grades reach students and the LMS only when the teacher releases them.",
    )
    rubric = models.JSONField(
        default=list,
        blank=True,
        help_text='Optional: [{"title": ..., "levels": [{"points": ..., "description": ...}]}]',
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["course", "resource_link_id"],
                condition=~Q(resource_link_id=""),
                name="unique_resource_link",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def has_gradebook(self) -> bool:
        """Whether the LMS offered a gradebook column (AGS) for this link."""
        return bool(self.lineitem_url or self.lineitems_url)

    @property
    def lms_resource_id(self) -> str:
        """Our id for the assignment in the LMS (AGS `resourceId`): the deep link key, else
        the row's id."""
        return str(self.deep_link_key) if self.deep_link_key else f"va-{self.pk}"
