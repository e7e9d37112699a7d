"""The Django admin: deleting a submission goes through the deletion path; the event log
and the privacy audit trail are read-only."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from lti_tool.models import Submission, VideoEvent
from tests.deletion.conftest import Stored
from tests.factories import LtiUserFactory

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


def test_video_management_searches_people_courses_and_file_names(
    site_admin: Client, local_storage: Stored
) -> None:
    ada = LtiUserFactory(tenant=local_storage.tenant, name="Ada Lovelace", email="ada@uni.edu")
    hers = local_storage.submission(student=ada, filename="engine.mp4")
    bio = local_storage.submission(assignment__course__title="Biology 101", filename="cell.mp4")
    big = local_storage.submission(filename="lecture.mp4", size_bytes=700_000_000)
    url = "/admin/lti_tool/submission/"

    def listed(query: str) -> set[int]:
        response = site_admin.get(url + query)
        assert response.status_code == 200
        return {row.pk for row in response.context["cl"].result_list}

    assert listed("?q=ada+lovelace") == {hers.pk}
    assert listed("?q=ADA@uni") == {hers.pk}
    assert listed("?q=biology") == {bio.pk}
    assert listed("?q=lecture.mp4") == {big.pk}
    assert listed("?size=large") == {big.pk}
    assert listed("?backend=local&state=ready") == {hers.pk, bio.pk, big.pk}
    assert listed("?backend=s3") == set()
    page = site_admin.get(url).content.decode()
    assert f"/admin/lti_tool/submission/{hers.pk}/play/" in page


def test_an_administrator_plays_a_video_and_the_view_is_logged(
    site_admin: Client, local_storage: Stored
) -> None:
    submission = local_storage.submission()
    response = site_admin.get(f"/admin/lti_tool/submission/{submission.pk}/play/")
    assert response.status_code == 302 and "signature=" in response["Location"]
    event = submission.events.get(kind=VideoEvent.Kind.PLAYBACK)
    assert event.details == {"role": "site_admin", "admin": "root"}
