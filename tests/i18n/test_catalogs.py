"""The shipped catalogs are complete and compiled (`manage.py translations --check` also
extracts first; this checks what is committed, quickly)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from lti_tool.management.commands.translations import SHIPPED, _problems

CATALOGS = [
    Path(settings.LOCALE_PATHS[0]) / language / "LC_MESSAGES" / f"{domain}.po"
    for language in SHIPPED
    for domain in ("django", "djangojs")
]


@pytest.mark.parametrize("path", CATALOGS, ids=lambda path: f"{path.parts[-3]}-{path.stem}")
def test_catalog_has_no_untranslated_or_fuzzy_entry(path: Path) -> None:
    assert _problems(path) == []
    assert path.with_suffix(".mo").is_file()  # compiled (the test below reads it)


@pytest.mark.parametrize(
    ("language", "expected"),
    [("fr", "Votre rendu"), ("es", "Su entrega"), ("ar", "Your submission")],
)
def test_a_page_string_in_each_language(language: str, expected: str) -> None:
    with translation.override(language):
        assert translation.gettext("Your submission") == expected
