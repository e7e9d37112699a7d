"""gunicorn's production defaults: `gunicorn -c config/gunicorn.conf.py config.wsgi`.

Every value can be set in the environment (names below). Why these defaults (measured with
bench/load.py, see bench/README.md): with 8 clients, sync workers spent less CPU per request
than threaded ones (a bare request 0.44 vs 0.77 ms, a whole launch 8.3 vs 11 ms) and had the
lower launch p99; the requests wait little on PostgreSQL and Redis (loopback or LAN), so
processes, gunicorn's recommended 2 x cores + 1, use the cores. Set GUNICORN_THREADS above 1
for `gthread` workers where requests wait longer (a remote database, S3 multipart tickets).
"""

from __future__ import annotations

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1) + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"
# A launch or an API call answers in milliseconds; 30 s is the ceiling for a stuck one.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5  # seconds (gthread only): behind a proxy that reuses connections
