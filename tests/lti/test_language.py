"""Which language the tool answers in: the launch's locale, kept in the launch token for the
API; otherwise the browser's Accept-Language. Browser checks: tests/e2e/test_language_browser.py."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client

from tests.fixtures.platform import LaunchDriver, launch_token_from
from tests.lti.support import error_message

PRESENTATION = "https://purl.imsglobal.org/spec/lti/claim/launch_presentation"


def _html_lang(response: Any) -> tuple[str, str]:
    match = re.search(r'<html lang="([^"]*)" dir="([^"]*)">', response.content.decode())
    assert match, response.content[:200]
    return match.group(1), match.group(2)


def test_launch_locale_picks_the_language_and_the_token_keeps_it(launcher: LaunchDriver) -> None:
    response = launcher.launch(**{PRESENTATION: {"locale": "es_MX", "document_target": "iframe"}})

    assert response.status_code == 200
    assert _html_lang(response) == ("es", "ltr")
    assert "Su entrega" in response.content.decode()
    token = launch_token_from(response)
    api = Client().get(
        "/api/submissions", HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert api.status_code == 403
    assert api.json()["message"] == "Solo los profesores pueden listar las entregas."
    assert api["Content-Language"] == "es"


def test_top_level_locale_claim_is_read_too(launcher: LaunchDriver) -> None:
    """Canvas and Blackboard also send `locale` at the top of the id_token."""
    response = launcher.launch(locale="fr-CA")
    assert _html_lang(response) == ("fr", "ltr")


def test_without_a_locale_the_browser_language_counts(launcher: LaunchDriver) -> None:
    launcher.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "fr-FR,fr;q=0.9,en;q=0.5"
    response = launcher.launch()
    assert _html_lang(response) == ("fr", "ltr")
    assert "Connecté en tant que" in response.content.decode()


def test_unknown_locale_falls_back_to_english_and_rtl_languages_turn_the_page(
    launcher: LaunchDriver,
) -> None:
    assert _html_lang(launcher.launch(**{PRESENTATION: {"locale": "tlh"}})) == ("en", "ltr")
    assert _html_lang(launcher.launch(**{PRESENTATION: {"locale": "ar-EG"}})) == ("ar", "rtl")


def test_a_refused_launch_explains_in_the_launch_language(launcher: LaunchDriver) -> None:
    login = launcher.login()
    claims = launcher.platform.claims(nonce=login["nonce"], **{PRESENTATION: {"locale": "fr"}})
    claims["exp"] = claims["iat"] = 1_000_000_000  # long expired
    response = launcher.post(launcher.platform.sign(claims), login["state"])

    assert response.status_code == 403
    assert _html_lang(response)[0] == "fr"
    assert "n’était pas adressé à cet outil" in error_message(response)


def test_return_url_gives_a_back_to_course_link(launcher: LaunchDriver) -> None:
    presentation = {"return_url": "https://lms.example.edu/course/7", "document_target": "window"}
    page = launcher.launch(**{PRESENTATION: presentation}).content.decode()
    assert (
        '<a id="back-to-course" class="back-to-course" href="https://lms.example.edu/course/7" '
        'target="_self">Back to course</a>'
    ) in page

    unsafe = {"return_url": "javascript:alert(1)", "document_target": "iframe"}
    assert 'id="back-to-course"' not in launcher.launch(**{PRESENTATION: unsafe}).content.decode()
