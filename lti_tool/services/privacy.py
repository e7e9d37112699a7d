"""GDPR: export everything about one person of one tenant, and erase them.

Both are recorded in the read-only `PrivacyRecord` trail, which names the person by
LTI subject only. Erasure purges their videos through the deletion path, blanks their
name, email and file names, and keeps their grades unless asked not to (the tenant's
policy decides; the LMS gradebook is told either way).
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from lti_tool.errors import NotFound
from lti_tool.models import Grade, LtiUser, PrivacyRecord, Submission, VideoEvent
from lti_tool.services.deletion import Deleter, submission_delete
from lti_tool.services.storage import backend_for_submission
from storage_backends.base import Viewer
from storage_backends.errors import ProviderError

EXPORT_LINK_TTL = 7 * 24 * 3600  # the signed links in an export work for a week
ERASED = "erased"


def person_find(*, tenant_id: int, sub: str = "", email: str = "") -> list[LtiUser]:
    """The person's identities in the tenant (one per issuer), by LTI subject or email."""
    if not (sub or email):
        raise NotFound(_("Give the person's LTI subject or email."))
    found = LtiUser.objects.filter(tenant_id=tenant_id).filter(
        Q(sub=sub) if sub else Q(email__iexact=email)
    )
    people = list(found.order_by("pk"))
    if not people:
        raise NotFound(_("Nobody with that subject or email in this tenant."))
    return people


def person_export(*, people: list[LtiUser], requested_by: str, base_url: str = "") -> bytes:
    """A zip of JSON files: the person, their submissions (with signed links to the ready
    videos), grades and event log rows. Nothing about anyone else."""
    ids = [person.pk for person in people]
    submissions = Submission.objects.filter(student_id__in=ids).order_by("pk")
    files: dict[str, Any] = {
        "person.json": list(
            LtiUser.objects.filter(pk__in=ids).values(
                "issuer", "sub", "name", "email", "last_launch_at"
            )
        ),
        "submissions.json": list(
            submissions.values(
                "id",
                "assignment__title",
                "assignment__course__title",
                "state",
                "filename",
                "mime_type",
                "size_bytes",
                "duration_seconds",
                "created_at",
                "uploaded_at",
                "ready_at",
                "deleted_at",
                "deletion_reason",
            )
        ),
        "grades.json": list(
            Grade.objects.filter(student_id__in=ids).values(
                "assignment__title", "score", "comment", "graded_at"
            )
        ),
        "events.json": list(
            VideoEvent.objects.filter(Q(user_id__in=ids) | Q(submission__student_id__in=ids))
            .order_by("pk")
            .values("kind", "submission_id", "details", "created_at")
        ),
        "video_links.json": _video_links(
            submissions.filter(state=Submission.State.READY), base_url
        ),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, rows in files.items():
            archive.writestr(name, json.dumps(rows, cls=DjangoJSONEncoder, indent=2))
    _record(people, PrivacyRecord.Kind.EXPORT, requested_by, {"files": sorted(files)})
    return buffer.getvalue()


def _video_links(ready: Any, base_url: str) -> list[dict[str, Any]]:
    links = []
    for submission in ready.select_related("storage"):
        try:
            playback = backend_for_submission(submission).playback(
                submission.video_id, Viewer(user_id=submission.student_id), EXPORT_LINK_TTL
            )
        except ProviderError as exc:
            links.append({"submission": submission.pk, "error": exc.message})
            continue
        url = playback.url if "://" in playback.url else base_url.rstrip("/") + playback.url
        links.append({"submission": submission.pk, "url": url, "expires_at": playback.expires_at})
    return links


def person_erase(*, people: list[LtiUser], requested_by: str, keep_grades: bool = True) -> int:
    """Purge the person's videos, remove their name, email and file names; returns the
    number of videos deleted."""
    ids = [person.pk for person in people]
    live = Submission.objects.filter(student_id__in=ids).exclude(state=Submission.State.DELETED)
    deleted = 0
    for pk in live.values_list("pk", flat=True):
        submission_delete(
            submission_id=pk,
            by=Deleter("erasure"),
            reason="GDPR erasure",
            reset_score=not keep_grades,
        )
        deleted += 1
    with transaction.atomic():
        Submission.objects.filter(student_id__in=ids).update(filename=ERASED, error_message="")
        LtiUser.objects.filter(pk__in=ids).update(name="", email="")
        if not keep_grades:
            Grade.objects.filter(student_id__in=ids).delete()
        _record(
            people,
            PrivacyRecord.Kind.ERASURE,
            requested_by,
            {"videos_deleted": deleted, "grades_kept": keep_grades},
        )
    return deleted


def _record(people: list[LtiUser], kind: str, requested_by: str, details: dict[str, Any]) -> None:
    for person in people:
        PrivacyRecord.objects.create(
            tenant_id=person.tenant_id,
            subject=person.sub,
            kind=kind,
            requested_by=requested_by,
            details=details,
        )
