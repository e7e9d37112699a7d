"""Middleware for running the tool: operations endpoints, request context and metrics,
the tool's own error bodies, the Content-Security-Policy.

Order in settings.MIDDLEWARE: `OpsEndpointsMiddleware` first of all, so `/healthz`,
`/readyz` and `/metrics` answer over plain http from inside the network, whatever the
Host header (no https redirect, no ALLOWED_HOSTS check: they reveal nothing host-specific
and `/metrics` wants its token); then `RequestContextMiddleware`, which wraps everything
else so its timing and request id cover the whole answer.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable

import structlog
from asgiref.sync import async_to_sync
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase

from lti_tool.ops import error_pages, frame_ancestors, health, metrics
from lti_tool.ops.shared_metrics import shared

GetResponse = Callable[[HttpRequest], HttpResponseBase]
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class OpsEndpointsMiddleware:
    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        path = request.path_info
        if path == "/healthz":
            return health.liveness(request)
        if path == "/readyz":
            response: HttpResponseBase = async_to_sync(health.readiness)(request)
            return response
        if path == "/metrics":
            return metrics.metrics_view(request)
        return self.get_response(request)


class RequestContextMiddleware:
    """A request id for every log line of the request (the client's `X-Request-ID` when
    it sent a sane one, e.g. from the proxy), and the request's latency by route."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        given = request.headers.get("X-Request-ID", "")
        request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        _record(request, response, time.perf_counter() - started)
        return response


def _record(request: HttpRequest, response: HttpResponseBase, seconds: float) -> None:
    match = request.resolver_match
    route = match.route if match else "unmatched"
    status = response.status_code
    shared.observe(
        metrics.REQUEST_LATENCY,
        seconds,
        route=route,
        method=request.method or "",
        status=str(status),
    )
    view = match.view_name if match else ""
    if view == "lti:launch" and request.method == "POST":
        code = getattr(request, "app_error_code", "")
        outcome = "refused" if code or status >= 400 else "accepted"
        step = code.removeprefix("launch_") if code else ("" if status < 400 else str(status))
        shared.inc(metrics.LAUNCHES, outcome=outcome, step=step)
    elif route.endswith("/playback"):
        shared.inc(metrics.PLAYBACKS, outcome="ok" if status < 400 else str(status))


class ErrorBodyMiddleware:
    """An error answered with an empty body (a 405 from `require_POST`, a bare 404) gets
    the tool's page, or JSON under /api/, instead of the browser's "isn't working" page.
    The storage endpoints (tus, Range playback) answer in their own protocols: untouched."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if (
            response.status_code >= 400
            and request.method not in ("HEAD", "OPTIONS")
            and not request.path_info.startswith("/storage/")
            and isinstance(response, HttpResponse)
            and not response.content
        ):
            return error_pages.error_response(request, response.status_code, source=response)
        return response


class ContentSecurityPolicyMiddleware:
    """Only the registered platforms (and the tool itself) may frame the tool's pages."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if settings.CSP_ENFORCE and "Content-Security-Policy" not in response:
            sources = " ".join(["'self'", *frame_ancestors.allowed_origins()])
            response["Content-Security-Policy"] = (
                f"frame-ancestors {sources}; base-uri 'self'; object-src 'none'"
            )
        return response
