"""The Django admin: deleting a submission goes through the deletion path; the event log
and the privacy audit trail are read-only."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from lti_tool.models import Submission, VideoEvent
from tests.deletion.conftest import Stored

pytestmark = pytest.mark.django_db


@pytest.fixture
def site_admin(db: None) -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("root", "root@example.org", "pw"))
    return client


def test_deleting_in_the_admin_purges_the_video_and_keeps_the_record(
    site_admin: Client, local_storage: Stored, django_capture_on_commit_callbacks: Any
) -> None:
    submission = local_storage.submission()
    url = f"/admin/lti_tool/submission/{submission.pk}/delete/"
    with django_capture_on_commit_callbacks(execute=True):
        response = site_admin.post(url, {"post": "yes"})
    assert response.status_code == 302
    submission.refresh_from_db()  # the row stays, as the record of what was there
    assert submission.state == Submission.State.DELETED and submission.purged_at is not None
    assert not local_storage.exists(submission.video_id)
    assert submission.events.get(kind=VideoEvent.Kind.DELETION).details["admin"] == "root"


def test_bulk_delete_in_the_admin_goes_through_the_same_path(
    site_admin: Client, local_storage: Stored, django_capture_on_commit_callbacks: Any
) -> None:
    rows = [local_storage.submission() for _ in range(2)]
    with django_capture_on_commit_callbacks(execute=True):
        site_admin.post(
            "/admin/lti_tool/submission/",
            {"action": "delete_selected", "_selected_action": [r.pk for r in rows], "post": "yes"},
        )
    for row in rows:
        row.refresh_from_db()
        assert row.purged_at is not None and not local_storage.exists(row.video_id)


def test_the_event_log_is_read_only(site_admin: Client, local_storage: Stored) -> None:
    event = VideoEvent.objects.create(
        tenant=local_storage.tenant, submission=local_storage.submission(), kind="playback"
    )
    listing = site_admin.get("/admin/lti_tool/videoevent/")
    assert listing.status_code == 200
    assert "Add video event" not in listing.content.decode()
    assert "delete_selected" not in listing.content.decode()
    assert site_admin.get("/admin/lti_tool/videoevent/add/").status_code == 403
    assert (
        site_admin.post(
            f"/admin/lti_tool/videoevent/{event.pk}/delete/", {"post": "yes"}
        ).status_code
        == 403
    )
    change = site_admin.post(f"/admin/lti_tool/videoevent/{event.pk}/change/", {"kind": "deletion"})
    assert change.status_code in (200, 403)
    event.refresh_from_db()
    assert event.kind == "playback"
    assert site_admin.get("/admin/lti_tool/privacyrecord/add/").status_code == 403
