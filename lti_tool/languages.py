"""The user's language: the one the LMS sends with the launch, then the browser's.

`LaunchLanguageMiddleware` works like Django's LocaleMiddleware, with the LMS first:
- a request with a launch token (`Authorization: Bearer`, the pages' API calls): the
  language stored in that token at the launch;
- the launch itself (POST /lti/launch/): the id_token's `launch_presentation.locale` (or the
  top-level `locale` Canvas and Blackboard add), read before the token is verified, as it
  only picks the words of the answer, even of a refusal;
- else Accept-Language, then LANGUAGE_CODE.

LMS locale codes come as `fr`, `fr-FR`, `fr_FR` or `pt_br`; each is matched to a language of
LANGUAGES (the language without its region if need be).
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.views.i18n import JavaScriptCatalog

from lti_tool.launch_tokens import LaunchClaims, launch_token_read_once

LTI_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
_LAUNCH_PATH = "/lti/launch/"
_MAX_TOKEN_CHARS = 20_000  # an id_token larger than this is refused by the launch anyway


def supported_language(locale: object) -> str | None:
    """The language of LANGUAGES for an LMS locale code, or None."""
    if not isinstance(locale, str) or not 0 < len(locale) <= 35:
        return None
    code = locale.strip().replace("_", "-").lower()
    try:
        return translation.get_supported_language_variant(code)
    except LookupError:
        return None


def launch_language(body: Mapping[str, Any]) -> str | None:
    """The language an LTI message asks for: launch_presentation.locale, then `locale`."""
    presentation = body.get(LTI_CLAIM + "launch_presentation")
    locale = presentation.get("locale") if isinstance(presentation, dict) else None
    return supported_language(locale) or supported_language(body.get("locale"))


def _unverified_body(id_token: str) -> Mapping[str, Any]:
    """The payload of a JWT without checking it: only to choose the language of the answer."""
    parts = id_token.split(".")
    if len(parts) != 3 or len(id_token) > _MAX_TOKEN_CHARS:
        return {}
    try:
        raw = base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4))
        body = json.loads(raw)
    except (binascii.Error, ValueError, RecursionError):
        return {}
    return body if isinstance(body, dict) else {}


def request_language(request: HttpRequest) -> str:
    auth = request.headers.get("Authorization", "")
    if auth.startswith("Bearer "):
        claims = launch_token_read_once(request, auth[7:].strip())
        if claims is not None and claims.language:
            return claims.language
    if request.method == "POST" and request.path == _LAUNCH_PATH:
        asked = launch_language(_unverified_body(request.POST.get("id_token", "")))
        if asked:
            return asked
    return translation.get_language_from_request(request)


class LaunchLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = request_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(response, ["Accept-Language"])
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


@functools.lru_cache(maxsize=16)
def frontend_catalog(language: str) -> dict[str, Any]:
    """The front end's translations (the djangojs domain) for `language`: msgid -> text, or
    the list of plural forms. What frontend/src/i18n.ts reads from #i18n-catalog."""
    if language.split("-")[0] == settings.LANGUAGE_CODE.split("-")[0]:
        return {}
    view = JavaScriptCatalog(domain="djangojs", packages=["lti_tool"])
    # Only our catalogs (LOCALE_PATHS), not every app's JavaScript strings (the admin's).
    view.translation = translation.trans_real.DjangoTranslation(
        language, domain="djangojs", localedirs=[str(path) for path in settings.LOCALE_PATHS]
    )
    return dict(view.get_catalog())


@dataclass(frozen=True)
class LaunchPresentation:
    """launch_presentation of the launch: where the tool is shown and the way back."""

    document_target: str = ""  # "iframe", "frame" or "window" ("" when not given)
    return_url: str = ""  # http(s) only

    @property
    def back_target(self) -> str:
        """In the LMS's iframe the way back replaces the whole LMS page, not the frame."""
        return "_top" if self.document_target in ("", "iframe", "embed") else "_self"

    @classmethod
    def from_body(cls, body: Mapping[str, Any]) -> LaunchPresentation:
        presentation = body.get(LTI_CLAIM + "launch_presentation")
        if not isinstance(presentation, dict):
            return cls()
        target = presentation.get("document_target")
        return cls(
            document_target=target if target in ("iframe", "frame", "window", "embed") else "",
            return_url=_web_url(presentation.get("return_url")),
        )

    @classmethod
    def from_claims(cls, claims: LaunchClaims) -> LaunchPresentation:
        return cls(document_target=claims.document_target, return_url=claims.return_url)


def _web_url(value: object) -> str:
    if not isinstance(value, str) or len(value) > 2000:
        return ""
    try:
        scheme = urlsplit(value).scheme
    except ValueError:
        return ""
    return value if scheme in ("http", "https") else ""


def page_context(request: HttpRequest) -> dict[str, Any]:
    """Template context (a context processor): the launch's way back to the course."""
    presentation = getattr(request, "launch_presentation", None)
    return {"launch_presentation": presentation}
