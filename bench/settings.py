"""Production settings plus what only the benchmarks mount: a bare view (bench/urls.py) and
a middleware that reports each request's SQL and Redis round trips in response headers.

Never used by the product: `bench/load.py` and `bench/school_load.py` start gunicorn with
`DJANGO_SETTINGS_MODULE=bench.settings`.
"""

from __future__ import annotations

from config.settings import *  # noqa: F403 - the production configuration, unchanged
from config.settings import MIDDLEWARE

ROOT_URLCONF = "bench.urls"
# Outermost, so it counts every round trip of the request, middleware included.
MIDDLEWARE = ["bench.counting.RoundTripHeaders", *MIDDLEWARE]
