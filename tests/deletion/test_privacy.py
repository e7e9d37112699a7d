"""GDPR: the export holds everything about the person and nothing about anyone else; after
erasure a dump of the database holds neither their name nor their email."""

from __future__ import annotations

import io
import json
import zipfile
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client

from lti_tool.models import Grade, PrivacyRecord, Submission, VideoEvent
from tests.deletion.conftest import Stored
from tests.factories import GradeFactory, LtiUserFactory

pytestmark = pytest.mark.django_db


def people(stored: Stored) -> tuple[Any, Any]:
    ada = LtiUserFactory(
        tenant=stored.tenant, name="Ada Lovelace", email="ada@example.edu", sub="ada-sub"
    )
    bob = LtiUserFactory(
        tenant=stored.tenant, name="Bob Other", email="bob@example.edu", sub="bob-sub"
    )
    for person in (ada, bob):
        submission = stored.submission(student=person, filename=f"{person.sub}-essay.mp4")
        GradeFactory(submission=submission, score=88)
        VideoEvent.objects.create(
            tenant=stored.tenant, submission=submission, user=person, kind="playback"
        )
    return ada, bob


def test_the_export_holds_the_person_and_nobody_else(local_storage: Stored, tmp_path: Any) -> None:
    ada, _bob = people(local_storage)
    out = tmp_path / "ada.zip"
    call_command(
        "gdpr",
        "export",
        "--tenant",
        str(local_storage.tenant.pk),
        "--email",
        "ADA@example.edu",
        "--out",
        str(out),
        "--base-url",
        "https://video.example.edu",
        stdout=StringIO(),
    )
    archive = zipfile.ZipFile(io.BytesIO(out.read_bytes()))
    text = {name: archive.read(name).decode() for name in archive.namelist()}
    everything = "".join(text.values())
    assert "Ada Lovelace" in everything and "ada-sub-essay.mp4" in everything
    assert "Bob" not in everything and "bob" not in everything
    (link,) = json.loads(text["video_links.json"])
    assert link["url"].startswith("https://video.example.edu/") and "signature=" in link["url"]
    assert json.loads(text["grades.json"])[0]["score"] == "88.00"
    assert len(json.loads(text["events.json"])) == 1
    record = PrivacyRecord.objects.get()
    assert (record.kind, record.subject) == ("export", "ada-sub")


def test_after_erasure_a_dump_holds_neither_name_nor_email(
    local_storage: Stored, django_capture_on_commit_callbacks: Any
) -> None:
    ada, bob = people(local_storage)
    client = Client()
    client.force_login(User.objects.create_superuser("dpo", "dpo@example.org", "pw"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/lti_tool/ltiuser/",
            {"action": "gdpr_erase", "_selected_action": [ada.pk]},
        )
    assert response.status_code == 302

    dump = StringIO()
    call_command("dumpdata", "lti_tool", stdout=dump)
    assert "Ada Lovelace" not in dump.getvalue() and "ada@example.edu" not in dump.getvalue()
    assert "ada-sub-essay" not in dump.getvalue()
    assert "Bob Other" in dump.getvalue()  # nobody else is touched
    mine = Submission.objects.get(student=ada)
    assert mine.state == Submission.State.DELETED and mine.purged_at is not None
    assert not local_storage.exists(mine.video_id)
    assert Grade.objects.get(student=ada).score == 88  # kept: the default policy
    assert PrivacyRecord.objects.get(kind="erasure").requested_by == "dpo"
