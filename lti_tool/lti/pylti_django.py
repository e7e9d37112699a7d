"""pylti1p3's Django adapters, with the types the library leaves out.

pylti1p3 annotates its core classes but not `pylti1p3.contrib.django`, and that package does
not re-export its names explicitly. At run time this module hands out the library's own
classes; for the type checker it declares the parts of them we use or override.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Mapping

    import requests
    from django.http import HttpRequest, HttpResponse
    from pylti1p3.cookie import CookieService
    from pylti1p3.launch_data_storage.base import LaunchDataStorage
    from pylti1p3.message_launch import MessageLaunch
    from pylti1p3.oidc_login import OIDCLogin
    from pylti1p3.redirect import Redirect
    from pylti1p3.request import Request
    from pylti1p3.session import SessionService
    from pylti1p3.tool_config.abstract import ToolConfAbstract

    class DjangoRequest(Request):
        _request: HttpRequest

        def __init__(
            self,
            request: HttpRequest,
            post_only: bool = False,
            default_params: Mapping[str, str] | None = None,
        ) -> None: ...
        def get_param(self, key: str) -> str: ...
        def get_cookie(self, key: str) -> str | None: ...
        def is_secure(self) -> bool: ...

    class DjangoCookieService(CookieService):
        _request: DjangoRequest
        # name -> {"value": ..., "exp": max-age in seconds}, written by set_cookie
        _cookie_data_to_set: dict[str, dict[str, Any]]

        def __init__(self, request: DjangoRequest) -> None: ...
        def get_cookie(self, name: str) -> str | None: ...
        def set_cookie(self, name: str, value: str | int, exp: int | None = 3600) -> None: ...
        def update_response(self, response: HttpResponse) -> None: ...

    class DjangoMessageLaunch(
        MessageLaunch[DjangoRequest, ToolConfAbstract[Any], SessionService, CookieService]
    ):
        def __init__(
            self,
            request: HttpRequest | Request,
            tool_config: ToolConfAbstract[Any],
            session_service: SessionService | None = None,
            cookie_service: CookieService | None = None,
            launch_data_storage: LaunchDataStorage[Any] | None = None,
            requests_session: requests.Session | None = None,
        ) -> None: ...
        def _get_request_param(self, key: str) -> str: ...

    class DjangoOIDCLogin(
        OIDCLogin[DjangoRequest, ToolConfAbstract[Any], SessionService, CookieService, HttpResponse]
    ):
        def __init__(
            self,
            request: HttpRequest | Request,
            tool_config: ToolConfAbstract[Any],
            session_service: SessionService | None = None,
            cookie_service: CookieService | None = None,
            launch_data_storage: LaunchDataStorage[Any] | None = None,
        ) -> None: ...
        def get_redirect(self, url: str) -> Redirect[HttpResponse]: ...
        def get_response(self, html: str) -> HttpResponse: ...

else:
    from pylti1p3.contrib.django.cookie import DjangoCookieService
    from pylti1p3.contrib.django.message_launch import DjangoMessageLaunch
    from pylti1p3.contrib.django.oidc_login import DjangoOIDCLogin
    from pylti1p3.contrib.django.request import DjangoRequest

__all__ = ["DjangoCookieService", "DjangoMessageLaunch", "DjangoOIDCLogin", "DjangoRequest"]
