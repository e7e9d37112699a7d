"""Playback links, as the page asks for them: an event row for each link given and none for a
link refused; the tenant's rate limit, counted before the submission is read."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from lti_tool.launch_tokens import launch_token_read
from lti_tool.models import LtiUser, Submission, Tenant, VideoAssignment, VideoEvent
from lti_tool.selectors import tenant_limits
from lti_tool.services.submissions import submission_playback
from storage_backends.errors import ProviderError
from storage_backends.local.backend import LocalBackend
from tests.factories import SubmissionFactory
from tests.fixtures.platform import LaunchDriver, launch_token_from


@pytest.fixture
def auth(launcher: LaunchDriver) -> dict[str, str]:
    page = launcher.launch()
    assert page.status_code == 200
    return {"HTTP_AUTHORIZATION": f"Bearer {launch_token_from(page)}"}


def video(state: str = "ready", *, current: bool = True) -> Submission:
    return SubmissionFactory(  # type: ignore[no-any-return]
        assignment=VideoAssignment.objects.get(),
        student=LtiUser.objects.get(),
        state=state,
        is_current=current,
        video_id="v1",
    )


def play(client: Client, auth: dict[str, str], submission: Submission) -> Any:
    return client.get(f"/api/submissions/{submission.pk}/playback", **auth)


def set_limit(per_hour: int) -> None:
    tenant = Tenant.objects.get()
    tenant.limits = {"playback_per_hour": per_hour}
    tenant.save()  # this process reads it again at once


def test_each_link_given_has_its_event_row(client: Client, auth: dict[str, str]) -> None:
    ready = video()

    links = [play(client, auth, ready) for _ in range(3)]

    assert [link.status_code for link in links] == [200] * 3
    events = VideoEvent.objects.filter(kind="playback")
    assert [(e.submission_id, e.user_id, e.details) for e in events] == [
        (ready.pk, ready.student_id, {"role": "student"})
    ] * 3


def test_a_link_refused_writes_no_event(client: Client, auth: dict[str, str]) -> None:
    set_limit(2)
    ready = video()

    statuses = [play(client, auth, ready).status_code for _ in range(3)]

    assert statuses == [200, 200, 429]
    assert VideoEvent.objects.filter(kind="playback").count() == 2
    refused = play(client, auth, ready)
    assert refused.json()["code"] == "rate_limited"
    assert "at most 2 per hour" in refused.json()["message"]
    assert int(refused["Retry-After"]) > 0


def test_a_link_to_a_video_not_ready_counts_and_writes_no_event(
    client: Client, auth: dict[str, str]
) -> None:
    set_limit(2)
    processing = video("processing")
    earlier = video(current=False)  # an earlier video of the student's, still playable

    assert play(client, auth, processing).status_code == 409
    assert play(client, auth, Submission(pk=processing.pk + 1000)).status_code == 404
    # Counted before the submission is read (its statement writes the event row).
    assert play(client, auth, earlier).status_code == 429
    assert not VideoEvent.objects.exists()


def test_another_process_changing_the_limit_applies_within_30_seconds(
    client: Client, auth: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    set_limit(1)
    ready = video()
    assert play(client, auth, ready).status_code == 200
    # Saved elsewhere: this process is not told (an update() sends no signal either).
    Tenant.objects.update(limits={"playback_per_hour": 3})
    assert play(client, auth, ready).status_code == 429

    later = tenant_limits.monotonic() + 31
    monkeypatch.setattr(tenant_limits, "monotonic", lambda: later)

    assert play(client, auth, ready).status_code == 200  # the third link this hour


def test_a_link_the_storage_cannot_make_writes_no_event(
    auth: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    ready = video()
    claims = launch_token_read(auth["HTTP_AUTHORIZATION"].removeprefix("Bearer "))

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise ProviderError("no signing key", permanent=True, code="not_configured")

    monkeypatch.setattr(LocalBackend, "playback", refuse)
    with pytest.raises(ProviderError):
        submission_playback(claims=claims, submission_id=ready.pk, ip_address=None)
    assert not VideoEvent.objects.exists()
