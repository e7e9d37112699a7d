"""The product's URLs plus `/bench/bare`, the yardstick every path is compared with: a view
that does nothing, served by the same gunicorn workers through the same middleware."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import urlpatterns as product_urlpatterns


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/bare", bare), *product_urlpatterns]
