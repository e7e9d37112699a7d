"""Canvas gives the deployment id only when the app is added, after dynamic registration:
a registration that "accepts the first deployment id" keeps the one of its first verified
launch (in the admin and the event log) and refuses any other; manual ones accept none."""

from __future__ import annotations

import re
from typing import Any

import pytest
import requests
from django.contrib.auth.models import User
from django.test import Client

from lti_tool.models import Deployment, LtiUser, PlatformRegistration, VideoEvent
from tests.lti_platform.lms import LmsPlatform

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def canvas_registered(
    canvas_lms: LmsPlatform, live_server: Any, settings: Any, lms_session: requests.Session
) -> LmsPlatform:
    """A self-hosted Canvas that registered the tool dynamically (no deployment id yet)."""
    settings.DEBUG = True  # the LMS stand-in serves plain http on 127.0.0.1
    canvas_lms.tool_url = live_server.url
    canvas_lms.issuer = canvas_lms.url
    confirm = canvas_lms.start_dynamic_registration(lms_session, live_server.url + "/lti/register/")
    assert canvas_lms.follow_auto_post(lms_session, confirm).status_code == 200
    return canvas_lms


def test_canvas_registration_accepts_its_first_deployment_id_and_records_it(
    canvas_registered: LmsPlatform, lms_session: requests.Session
) -> None:
    registration = PlatformRegistration.objects.get()
    assert registration.accept_first_deployment
    assert not registration.deployments.exists()  # Canvas's answer had none

    page = canvas_registered.launch(lms_session, "s1")

    assert page.status_code == 200, page.text[:400]
    (deployment,) = Deployment.objects.all()
    assert deployment.deployment_id == canvas_registered.deployment_ids[0]
    assert deployment.accepted_from_launch_at is not None
    (event,) = VideoEvent.objects.filter(kind=VideoEvent.Kind.DEPLOYMENT_ACCEPTED)
    assert event.tenant_id == registration.tenant_id
    assert event.details["deployment_id"] == deployment.deployment_id

    # Only the first: another deployment id of the same registration is refused, unwritten.
    users = LtiUser.objects.count()
    other = canvas_registered.launch(lms_session, "s2", deployment_id="99:another-install")
    assert other.status_code == 403
    assert "deployment of the tool is not registered" in other.text
    assert Deployment.objects.count() == 1 and LtiUser.objects.count() == users


def test_admin_shows_the_setting_and_how_the_id_came(
    canvas_registered: LmsPlatform, lms_session: requests.Session
) -> None:
    canvas_registered.launch(lms_session, "s1")
    registration = PlatformRegistration.objects.get()
    admin = User.objects.create_superuser("admin", "admin@example.edu", "pw")
    client = Client()
    client.force_login(admin)

    page = client.get(f"/admin/lti_tool/platformregistration/{registration.pk}/change/")

    text = page.content.decode()
    assert page.status_code == 200
    checkbox = re.search(r'<input[^>]*name="accept_first_deployment"[^>]*>', text)
    assert checkbox and "checked" in checkbox.group(0)
    assert "accepted from launch at" in text.lower()
    assert canvas_registered.deployment_ids[0] in text


def test_manual_registration_accepts_no_unknown_deployment_id(
    canvas: LmsPlatform, lms_session: requests.Session
) -> None:
    registration = PlatformRegistration.objects.get()
    assert not registration.accept_first_deployment
    registration.deployments.all().delete()  # even with none registered yet

    page = canvas.launch(lms_session, "s1")

    assert page.status_code == 403
    assert not Deployment.objects.exists()
    assert not VideoEvent.objects.filter(kind=VideoEvent.Kind.DEPLOYMENT_ACCEPTED).exists()
