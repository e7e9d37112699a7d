"""SQL round trips of the hot paths, so they cannot creep back (bench/load.py measures their
speed). Counted as production sends them: the savepoints the test's own transaction turns
`atomic` blocks into are left out (in production those are one BEGIN and one COMMIT)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from lti_tool.models import (
    LtiUser,
    PlatformRegistration,
    Submission,
    VideoAssignment,
    VideoEvent,
)
from tests.factories import SubmissionFactory
from tests.fixtures.platform import LaunchDriver, launch_token_from

TICKET = {"filename": "essay.mp4", "size": 5_000_000, "mime_type": "video/mp4"}


@contextmanager
def statements() -> Iterator[list[str]]:
    found: list[str] = []
    with CaptureQueriesContext(connection) as captured:
        yield found
    found.extend(
        q["sql"] for q in captured.captured_queries if not q["sql"].startswith(_SAVEPOINTS)
    )


_SAVEPOINTS = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


def summary(sql: list[str]) -> list[str]:
    return [s.split(" WHERE ")[0].split(" VALUES ")[0][:80] for s in sql]


@pytest.fixture
def student(launcher: LaunchDriver) -> dict[str, Any]:
    page = launcher.launch()
    assert page.status_code == 200
    return {"token": launch_token_from(page)}


def test_login_reads_the_registration_once_in_a_while(launcher: LaunchDriver) -> None:
    with statements() as sql:
        launcher.login()
    assert len(sql) == 1, summary(sql)  # the registration
    with statements() as sql:
        launcher.login()
    assert sql == []  # read again within 30 s, or when it is saved (below)


def test_login_follows_a_changed_registration(launcher: LaunchDriver) -> None:
    launcher.login()
    platform = PlatformRegistration.objects.get()
    platform.auth_login_url = "https://lms.example/new-auth"
    platform.save()

    response = launcher.client.get(
        "/lti/login/",
        {"iss": platform.issuer, "login_hint": "u", "target_link_uri": "http://testserver/lti/"},
    )
    assert response["Location"].startswith("https://lms.example/new-auth?")


def test_launch_of_a_returning_student(launcher: LaunchDriver, student: dict[str, Any]) -> None:
    params = launcher.login()
    id_token = launcher.platform.sign(launcher.platform.claims(nonce=params["nonce"]))
    with statements() as sql:
        assert launcher.post(id_token, params["state"]).status_code == 200
    # The person, the course, the link's assignment and the grade shown, in one statement;
    # nothing to write (same name and email, launched within the hour). The registration
    # with its deployment: read by this process a moment ago (tests/lti/test_launch_caches.py).
    assert len(sql) == 1, summary(sql)


def test_launch_of_a_new_student(launcher: LaunchDriver, student: dict[str, Any]) -> None:
    params = launcher.login()
    claims = launcher.platform.claims(nonce=params["nonce"], sub="newcomer")
    with statements() as sql:
        assert launcher.post(launcher.platform.sign(claims), params["state"]).status_code == 200
    assert len(sql) == 2, summary(sql)  # what is recorded (the course...), the person's INSERT
    assert LtiUser.objects.filter(sub="newcomer").exists()


# PostgreSQL writes a ticket's rows in one statement (lti_tool/services/ticket_rows.py), and
# reads a playback's submission with the statement that writes its event row.
_ONE_WRITE = connection.vendor == "postgresql"
PLAYBACK_QUERIES = 1 if _ONE_WRITE else 2


def test_playback_link(
    client: Client, student: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from lti_tool import launch_tokens

    reads = []
    read = launch_tokens.launch_token_read
    monkeypatch.setattr(launch_tokens, "launch_token_read", lambda t: reads.append(t) or read(t))
    video = SubmissionFactory(
        assignment=VideoAssignment.objects.get(),
        student=LtiUser.objects.get(),
        state="ready",
        is_current=True,
        video_id="v1",
    )
    auth = {"HTTP_AUTHORIZATION": f"Bearer {student['token']}"}
    with statements() as sql:
        response = client.get(f"/api/submissions/{video.pk}/playback", **auth)
    assert response.status_code == 200
    # The tenant's rate limits (kept a while by the process), then the submission with its
    # scope and the event row of its playback: one statement on PostgreSQL, two on SQLite.
    assert len(sql) == 1 + PLAYBACK_QUERIES, summary(sql)
    assert "lti_tool_tenant" in sql[0]
    assert "videoevent" in sql[-1]
    assert len(reads) == 1  # the language middleware's read serves the API's authentication
    with statements() as sql:
        again = client.get(f"/api/submissions/{video.pk}/playback", **auth)
    assert again.status_code == 200
    assert len(sql) == PLAYBACK_QUERIES, summary(sql)
    assert VideoEvent.objects.filter(submission=video, kind="playback").count() == 2


FIRST_QUERIES = 2 if _ONE_WRITE else 4
RESUME_QUERIES = 3
REPLACE_QUERIES = 2 if _ONE_WRITE else 6


def test_upload_ticket(client: Client, student: dict[str, Any]) -> None:
    auth = {"HTTP_AUTHORIZATION": f"Bearer {student['token']}"}
    with statements() as sql:
        first = client.post("/api/uploads", TICKET, content_type="application/json", **auth)
    assert first.status_code == 201
    # A student's first ticket: the assignment (and that no upload of the student's is
    # unfinished: nothing to lock; on PostgreSQL, the new row's id), the new row with its
    # ticket and event (SQLite: the row and its event in a transaction, then its ticket).
    assert len(sql) == FIRST_QUERIES, summary(sql)
    with statements() as sql:
        same = client.post("/api/uploads", TICKET, content_type="application/json", **auth)
    assert same.status_code == 201
    # The same file again resumes its unfinished upload: the assignment (with tenant,
    # storage and the student's name), the unfinished uploads locked, the one resumed touched.
    assert same.json()["submission"]["id"] == first.json()["submission"]["id"]
    assert len(sql) == RESUME_QUERIES, summary(sql)
    other = {**TICKET, "filename": "another-take.mp4"}
    with statements() as sql:
        replaced = client.post("/api/uploads", other, content_type="application/json", **auth)
    assert replaced.status_code == 201
    # Another file replaces it: the assignment (an upload is unfinished, not of this file);
    # the new row with its ticket, the old one ended and the events of both (SQLite: the
    # unfinished upload locked, three statements, then the ticket).
    assert len(sql) == REPLACE_QUERIES, summary(sql)
    assert Submission.objects.filter(state="deleted").count() == 1
