"""gunicorn's production defaults: `gunicorn -c config/gunicorn.conf.py config.wsgi`.

Every value can be set in the environment (names below). Why these defaults (measured with
bench/load.py, see bench/README.md): a request spends part of its time waiting for
PostgreSQL and Redis; threads let a worker use that wait, processes use the cores. One
process per core with 4 threads each kept p99 lowest at 8 and 64 concurrent clients on the
2-core machine; more processes cost memory (~70 MB each) for no gain.
"""

from __future__ import annotations

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", max(2, os.cpu_count() or 1)))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread" if threads > 1 else "sync"
# A launch or an API call answers in milliseconds; 30 s is the ceiling for a stuck one.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5  # seconds; behind a proxy that reuses connections
