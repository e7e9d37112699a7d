"""gunicorn's configuration: `gunicorn -c python:config.gunicorn config.wsgi`.

The access log is one JSON object per request on stdout, like the app's logs, with the
request line redacted (signed playback URLs, registration tokens and tickets never reach
it) and the app's request id, so a log line and an access line of one request join.
Process counts come from the environment (see the README's "Run in production"). Why these
defaults (measured with bench/load.py, see bench/README.md): with 8 clients, sync workers spent
less CPU per request than threaded ones (a bare request 0.44 vs 0.77 ms, a whole launch 8.3 vs
11 ms) and had the lower launch p99; the requests wait little on PostgreSQL and Redis (loopback
or LAN), so processes, gunicorn's recommended 2 x cores + 1, use the cores. Set
GUNICORN_THREADS above 1 for `gthread` workers where requests wait longer (a remote database,
S3 multipart tickets).
"""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, datetime
from typing import Any

from gunicorn.glogging import Logger

from config.logs import redact

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1) + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"
# A launch or an API call answers in milliseconds; 30 s is the ceiling for a stuck one.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5  # seconds (gthread only): behind a proxy that reuses connections
# The TLS proxy in front sets X-Forwarded-*; trust it from where it runs.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"
logger_class = "config.gunicorn.JsonLogger"


def _line(level: str, logger: str, event: str, **fields: Any) -> str:
    record = {
        "timestamp": datetime.now(UTC).isoformat().replace("+00:00", "Z"),  # as structlog
        "level": level,
        "logger": logger,
        "event": redact(event),
        **{key: redact(val) if isinstance(val, str) else val for key, val in fields.items()},
    }
    return json.dumps(record)


class _JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        if record.exc_info:
            message += "\n" + self.formatException(record.exc_info)
        return _line(record.levelname.lower(), record.name, message)


class JsonLogger(Logger):  # type: ignore[misc]
    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for handler in self.error_log.handlers:  # the access log's lines are JSON already
            handler.setFormatter(_JsonFormatter())

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
        if not self.access_log_enabled:
            return
        status = resp.status.split(None, 1)[0] if isinstance(resp.status, str) else resp.status
        headers = dict((name.lower(), value) for name, value in resp.headers)
        line = _line(
            "info",
            "gunicorn.access",
            f"{environ['REQUEST_METHOD']} {environ.get('RAW_URI', '')} {status}",
            method=environ["REQUEST_METHOD"],
            path=environ.get("RAW_URI", ""),
            status=int(status),
            bytes=getattr(resp, "sent", None),
            duration_ms=round(request_time.total_seconds() * 1000, 1),
            remote=environ.get("REMOTE_ADDR", "-"),
            referer=environ.get("HTTP_REFERER", ""),
            user_agent=environ.get("HTTP_USER_AGENT", ""),
            request_id=headers.get("x-request-id", ""),
        )
        self.access_log.info("%s", line)
