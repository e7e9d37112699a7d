"""The statements the purge and verification tasks read with (lti_tool/selectors/hot_paths.py)
find the row the ORM finds, with the same values, and the storage and tenant with it."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import Model
from django.utils import timezone

from lti_tool.models import Submission
from lti_tool.selectors.hot_paths import submission_to_purge, submission_to_verify
from tests.factories import StorageConfigFactory, SubmissionFactory, VideoAssignmentFactory

pytestmark = pytest.mark.django_db


def loaded(row: Model) -> dict[str, Any]:
    """The fields the row was loaded with (the others are deferred)."""
    deferred = row.get_deferred_fields()
    fields = row._meta.concrete_fields
    return {f.attname: getattr(row, f.attname) for f in fields if f.attname not in deferred}


def orm_values(row: Model, names: set[str]) -> dict[str, Any]:
    return {name: getattr(row, name) for name in names}


@pytest.fixture(params=["site default", "tenant's storage"])
def submission(request: pytest.FixtureRequest) -> Submission:
    assignment = VideoAssignmentFactory(max_duration_seconds=90)
    storage = (
        StorageConfigFactory(tenant=assignment.course.tenant, options={"root": "/srv/videos"})
        if request.param == "tenant's storage"
        else None
    )
    return SubmissionFactory(  # type: ignore[no-any-return]
        assignment=assignment,
        storage=storage,
        state="uploaded",
        is_current=True,
        video_id="v-1",
        upload_ref="ref-1",
        upload_details={"video_id": "v-1", "parts": [1, 2]},
        purged_at=timezone.now(),
    )


def orm_row(submission: Submission) -> Submission:
    return Submission.objects.select_related("storage", "assignment__course").get(pk=submission.pk)


def test_the_verification_reads_what_the_orm_reads(submission: Submission) -> None:
    found = submission_to_verify(submission.pk)
    expected = orm_row(submission)

    assert found is not None
    fields = loaded(found)
    assert fields == orm_values(expected, set(fields))
    assert {"state", "video_id", "is_current", "storage_id"} <= set(fields)
    assert loaded(found.assignment) == orm_values(
        expected.assignment, {"id", "course_id", "max_duration_seconds"}
    )
    assert found.assignment.course.tenant_id == expected.assignment.course.tenant_id
    storage = found.storage
    assert (loaded(storage) if storage else None) == (
        orm_values(expected.storage, set(loaded(storage))) if expected.storage else None
    )


def test_the_purge_reads_what_the_orm_reads(submission: Submission) -> None:
    found = submission_to_purge(submission.pk)
    expected = orm_row(submission)

    assert found is not None
    row, tenant_id = found
    fields = loaded(row)
    assert fields == orm_values(expected, set(fields))
    assert {"state", "purged_at", "upload_details", "storage_id"} <= set(fields)
    assert tenant_id == expected.assignment.course.tenant_id
    assert (loaded(row.storage) if row.storage else None) == (
        orm_values(expected.storage, set(loaded(row.storage))) if expected.storage else None
    )


def test_no_such_submission() -> None:
    assert submission_to_verify(404) is None
    assert submission_to_purge(404) is None
