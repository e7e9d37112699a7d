"""Model factories (factory-boy): rows with sensible defaults, related rows made on demand.

`SubmissionFactory()` makes a submission with its assignment, course, student and tenant;
pass what the test cares about (`SubmissionFactory(state="ready", student=someone)`). The
student and the course share one tenant and issuer unless a test says otherwise.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import factory
from django.utils import timezone

from lti_tool.launch_tokens import LaunchClaims
from lti_tool.models import (
    Course,
    Deployment,
    Grade,
    LtiUser,
    PlatformRegistration,
    ScoreSend,
    StorageConfig,
    Submission,
    Tenant,
    VideoAssignment,
)

ISSUER = "https://lms.example.edu"


class TenantFactory(factory.django.DjangoModelFactory[Tenant]):
    class Meta:
        model = Tenant
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"University {n}")


class StorageConfigFactory(factory.django.DjangoModelFactory[StorageConfig]):
    """Non-secret options only: secrets go through `storage_config_save` (encrypted)."""

    class Meta:
        model = StorageConfig

    tenant = factory.SubFactory(TenantFactory)
    label = "Local folder"
    backend = "storage_backends.local.LocalBackend"
    options = factory.LazyFunction(dict)


class PlatformRegistrationFactory(factory.django.DjangoModelFactory[PlatformRegistration]):
    class Meta:
        model = PlatformRegistration

    tenant = factory.SubFactory(TenantFactory)
    issuer = ISSUER
    client_id = factory.Sequence(lambda n: f"client-{n}")
    auth_login_url = factory.LazyAttribute(lambda o: f"{o.issuer}/auth")
    auth_token_url = factory.LazyAttribute(lambda o: f"{o.issuer}/token")
    keyset_url = factory.LazyAttribute(lambda o: f"{o.issuer}/jwks")


class DeploymentFactory(factory.django.DjangoModelFactory[Deployment]):
    class Meta:
        model = Deployment

    registration = factory.SubFactory(PlatformRegistrationFactory)
    deployment_id = factory.Sequence(lambda n: f"deployment-{n}")


class LtiUserFactory(factory.django.DjangoModelFactory[LtiUser]):
    class Meta:
        model = LtiUser

    tenant = factory.SubFactory(TenantFactory)
    issuer = ISSUER
    sub = factory.Sequence(lambda n: f"student-{n}")
    name = factory.Sequence(lambda n: f"Student {n}")
    email = factory.LazyAttribute(lambda o: f"{o.sub}@example.edu")


class CourseFactory(factory.django.DjangoModelFactory[Course]):
    class Meta:
        model = Course

    tenant = factory.SubFactory(TenantFactory)
    issuer = ISSUER
    context_id = factory.Sequence(lambda n: f"course-{n}")
    title = factory.LazyAttribute(lambda o: f"Course {o.context_id}")


class VideoAssignmentFactory(factory.django.DjangoModelFactory[VideoAssignment]):
    class Meta:
        model = VideoAssignment

    course = factory.SubFactory(CourseFactory)
    resource_link_id = factory.Sequence(lambda n: f"link-{n}")
    title = "Video essay"


def _student_of(submission: Any) -> LtiUser:
    """A student of the assignment's tenant and issuer (the launch would make one so)."""
    course = submission.assignment.course
    return LtiUserFactory(tenant=course.tenant, issuer=course.issuer)


class SubmissionFactory(factory.django.DjangoModelFactory[Submission]):
    class Meta:
        model = Submission

    assignment = factory.SubFactory(VideoAssignmentFactory)
    student = factory.LazyAttribute(_student_of)
    backend = "local"
    filename = "essay.mp4"
    mime_type = "video/mp4"


class GradeFactory(factory.django.DjangoModelFactory[Grade]):
    class Meta:
        model = Grade

    submission = factory.SubFactory(
        SubmissionFactory, state=Submission.State.READY, is_current=True
    )
    assignment = factory.SelfAttribute("submission.assignment")
    student = factory.SelfAttribute("submission.student")
    score = Decimal("80.00")
    graded_at = factory.LazyFunction(timezone.now)


class ScoreSendFactory(factory.django.DjangoModelFactory[ScoreSend]):
    class Meta:
        model = ScoreSend

    submission = factory.SubFactory(
        SubmissionFactory, state=Submission.State.READY, is_current=True
    )
    assignment = factory.SelfAttribute("submission.assignment")
    student = factory.SelfAttribute("submission.student")
    kind = ScoreSend.Kind.SUBMITTED
    payload = factory.LazyAttribute(
        lambda o: {
            "userId": o.student.sub,
            "activityProgress": "Submitted",
            "gradingProgress": "PendingManual",
            "timestamp": timezone.now().isoformat(),
        }
    )
    next_attempt_at = factory.LazyFunction(timezone.now)
    retry_until = factory.LazyFunction(lambda: timezone.now() + timedelta(days=1))


def student_claims(submission: Submission) -> LaunchClaims:
    """The launch of `submission`'s student, on its assignment's link."""
    assignment = submission.assignment
    return LaunchClaims(
        tenant_id=assignment.course.tenant_id,
        user_id=submission.student_id,
        course_id=assignment.course_id,
        assignment_id=assignment.pk,
        role="student",
    )


def teacher_claims(assignment: VideoAssignment) -> LaunchClaims:
    """The launch of a new teacher of `assignment`'s course, on its link."""
    course = assignment.course
    teacher = LtiUserFactory(tenant=course.tenant, issuer=course.issuer, name="Teacher")
    return LaunchClaims(
        tenant_id=course.tenant_id,
        user_id=teacher.pk,
        course_id=course.pk,
        assignment_id=assignment.pk,
        role="teacher",
    )
