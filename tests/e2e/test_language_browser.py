"""The user's language in Chromium: a launch whose `launch_presentation.locale` is fr-FR opens
the student and teacher pages in French (server-rendered text, the front end's own strings,
Uppy's, `<html lang>`), the API answers its errors in French, and the page has its way back
to the course (return_url). Arabic lays the page out right to left.

The LMS is the independent platform of tests/lti_platform (Canvas-shaped), its course page on
localhost and the tool on 127.0.0.1.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import expect
from pytest_django.live_server_helper import LiveServer

from tests.fixtures.browser import BrowserProblems
from tests.lti_platform import LmsPlatform, start_platform

pytestmark = pytest.mark.browser

LAUNCH_PRESENTATION = "https://purl.imsglobal.org/spec/lti/claim/launch_presentation"


@pytest.fixture
def lms(live_server: LiveServer, transactional_db: None) -> Iterator[LmsPlatform]:
    platform = start_platform("canvas")
    platform.tool_url = live_server.url
    with open(os.devnull, "w") as quiet:
        call_command("register_platform", *platform.register_args(), stdout=quiet)
    yield platform
    platform.stop()


def open_tool(page: Any, lms: LmsPlatform, person: str, locale: str) -> Any:
    presentation = {
        "document_target": "iframe",
        "return_url": lms.url + "/course-return",
        "locale": locale,
    }
    url = lms.course_page_url(
        person, storage_target="", claim_overrides={LAUNCH_PRESENTATION: presentation}
    )
    page.goto(url)
    return page.frame_locator("#tool")


def test_french_launch_renders_the_student_page_and_api_errors_in_french(
    page: Any, lms: LmsPlatform, browser_problems: BrowserProblems
) -> None:
    tool = open_tool(page, lms, "s1", "fr-FR")

    expect(tool.locator("html")).to_have_attribute("lang", "fr")
    expect(tool.locator("html")).to_have_attribute("dir", "ltr")
    expect(tool.locator(".lti-user")).to_have_text("Connecté en tant que Ada Student")
    expect(tool.locator("#submission-heading")).to_have_text("Votre rendu")
    expect(tool.locator("#upload-heading")).to_have_text("Enregistrer ou envoyer une vidéo")
    # The front end's own sentence (djangojs catalog) and Uppy's French pack.
    expect(tool.locator("#status")).to_contain_text("Vous n’avez pas encore rendu de vidéo.")
    expect(tool.locator("#uploader")).to_contain_text(
        "Déposez les fichiers ici, parcourez vos fichiers ou enregistrez avec"
    )
    expect(tool.locator("#uploader")).to_contain_text("Une vidéo, jusqu’à")
    # The way back to the course, into the LMS's whole window.
    back = tool.locator("#back-to-course")
    expect(back).to_have_text("Retour au cours")
    expect(back).to_have_attribute("href", lms.url + "/course-return")
    expect(back).to_have_attribute("target", "_top")

    # An API error with this launch's token: in French, whatever the browser's language.
    browser_problems.expected.append("status of 403 (Forbidden) (http://127.0.0.1")
    frame = page.frame(name="tool")
    answer = frame.evaluate(
        """async () => {
            const launch = JSON.parse(document.getElementById('launch-data').textContent);
            const response = await fetch('/api/submissions', {
                headers: {Authorization: 'Bearer ' + launch.token, 'Accept-Language': 'en-US'},
            });
            return {status: response.status, body: await response.json(),
                    language: response.headers.get('Content-Language')};
        }"""
    )
    assert answer["status"] == 403
    assert answer["body"]["message"] == "Seuls les enseignants peuvent lister les rendus."
    assert answer["language"] == "fr"
    browser_problems.assert_none()


def test_french_launch_renders_the_teacher_page_in_french(
    page: Any, lms: LmsPlatform, browser_problems: BrowserProblems
) -> None:
    tool = open_tool(page, lms, "teacher", "fr_FR")

    expect(tool.locator("html")).to_have_attribute("lang", "fr")
    expect(tool.locator(".lti-user")).to_have_text("Connecté en tant que Terry Teacher")
    expect(tool.locator("#submissions-heading")).to_have_text("Rendus")
    expect(tool.locator("#roster-heading")).to_have_text("Liste de la classe")
    expect(tool.locator("#edit-assignment button")).to_have_text("Modifier le devoir")
    expect(tool.locator("#empty")).to_have_text("Aucun rendu pour l’instant.")
    # Filled in by the front end from the roster API: French words, French numbers.
    expect(tool.locator("#roster-summary")).to_contain_text("inscrits")
    expect(tool.locator("#roster-summary")).to_contain_text("manquants")
    browser_problems.assert_none()


def test_spanish_and_right_to_left_launches(
    page: Any, lms: LmsPlatform, browser_problems: BrowserProblems
) -> None:
    tool = open_tool(page, lms, "s1", "es-419")
    expect(tool.locator("html")).to_have_attribute("lang", "es")
    expect(tool.locator("#submission-heading")).to_have_text("Su entrega")

    tool = open_tool(page, lms, "s1", "ar")
    expect(tool.locator("html")).to_have_attribute("lang", "ar")
    expect(tool.locator("html")).to_have_attribute("dir", "rtl")
    heading = tool.locator("#submission-heading")
    expect(heading).to_be_visible()
    assert heading.evaluate("element => getComputedStyle(element).direction") == "rtl"
    # Right to left: the heading hugs the right edge of the page's column.
    box = heading.bounding_box()
    column = tool.locator(".lti-page").bounding_box()
    assert box and column
    assert abs((box["x"] + box["width"]) - (column["x"] + column["width"])) < 2
    browser_problems.assert_none()
