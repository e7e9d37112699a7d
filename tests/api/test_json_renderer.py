"""The API's answers as JSON: written by pydantic-core (`RustJSONRenderer`), as ninja's
encoder wrote them, dates aside (they keep their microseconds)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext_lazy

from lti_tool.api import RustJSONRenderer


def test_dates_decimals_and_lazy_translations_are_written_as_the_page_reads_them() -> None:
    answer = {
        "expires_at": datetime(2026, 11, 30, 3, 4, 5, 123456, tzinfo=UTC),
        "score": Decimal("7.50"),
        "message": gettext_lazy("Not found."),  # translated as it is written
    }
    with translation.override("fr"):
        body = RustJSONRenderer().render(HttpRequest(), answer, response_status=200)

    written = json.loads(body)
    assert written["expires_at"] == "2026-11-30T03:04:05.123456Z"
    assert datetime.fromisoformat(written["expires_at"]) == answer["expires_at"]
    assert written["score"] == "7.50"  # as Django's encoder wrote a Decimal: no float rounding
    assert written["message"] == "Introuvable."
