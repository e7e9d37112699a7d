"""JSON log lines (structlog) for the app and gunicorn's access log, with secrets redacted.

Every line is one JSON object on stdout: `timestamp`, `level`, `logger`, `event`, and the
request's `request_id`, `tenant` and `user` where known (bound by
`lti_tool.ops.middleware.RequestContextMiddleware` and the API's authentication).

What a log line must never carry: signed playback URLs, tokens (launch tokens, id_tokens,
Bearer headers, registration tokens), upload tickets. `redact()` scrubs them from every
string of an event, including the access log's request line (see config/gunicorn.py),
so a secret that reaches a log call by accident still never reaches the disk.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, MutableMapping
from typing import Any

import structlog

REDACTED = "[redacted]"

# Query parameters that carry a secret: signed URL parts (ours, S3's, CloudFront's),
# tokens and tickets. Matched case-insensitively as `name=value`.
_SECRET_PARAMS = (
    "signature",
    "sig",
    "token",
    "access_token",
    "id_token",
    "registration_token",
    "ticket",
    "upload_ticket",
    "x-amz-signature",
    "x-amz-credential",
    "x-amz-security-token",
    "policy",
    "key-pair-id",
    "secret",
    "password",
)
_PARAM_NAMES = "|".join(re.escape(name) for name in _SECRET_PARAMS)
_PARAM = re.compile(rf"(?i)(\b(?:{_PARAM_NAMES})=)[^&\s\"']+")
_BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=:-]+")
# A JWT (id_token, Stream playback token) or a Django signed value (launch tokens, tickets):
# base64 JSON (`eyJ...`) or its compressed form (`.eJ...`), with `:`-separated signature parts.
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
_DJANGO_SIGNED = re.compile(r"\.?e[yJ][A-Za-z0-9_-]{8,}(?::[A-Za-z0-9_-]+){1,2}")
# Keys of structured fields whose value is a secret, whatever it looks like.
_SECRET_KEY_NAMES = re.compile(
    r"(?i)(token|ticket|secret|password|signature|authorization|cookie|private_key|api_key)"
)


def redact(text: str) -> str:
    """`text` with every secret we know the shape of replaced by `[redacted]`."""
    text = _PARAM.sub(lambda m: m.group(1) + REDACTED, text)
    text = _BEARER.sub(lambda m: m.group(1) + " " + REDACTED, text)
    text = _JWT.sub(REDACTED, text)
    return _DJANGO_SIGNED.sub(REDACTED, text)


def _redact_value(key: str, value: Any) -> Any:
    if _SECRET_KEY_NAMES.search(key) and value not in (None, ""):
        return REDACTED
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, Mapping):
        return {k: _redact_value(str(k), v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redact_value(key, v) for v in value]
    if value is None or isinstance(value, bool | int | float):
        return value
    return redact(str(value))  # e.g. a request object, whose repr carries the URL


def redact_event(
    logger: Any, method_name: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """structlog processor: the last step before rendering, so nothing bypasses it."""
    for key, value in list(event_dict.items()):
        if key == "event":
            event_dict[key] = redact(str(value))
        else:
            event_dict[key] = _redact_value(key, value)
    return event_dict


def _shared_processors() -> list[Any]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.stdlib.ExtraAdder(),
    ]


def logging_config(level: str, *, json: bool = True) -> dict[str, Any]:
    """Django's LOGGING: every stdlib logger (Django, Celery, gunicorn, ours) goes out as
    one JSON object per line, redacted; `json=False` renders the same lines for a console."""
    renderer: Any = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(colors=False)
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "structured": {
                "()": structlog.stdlib.ProcessorFormatter,
                "foreign_pre_chain": _shared_processors(),
                "processors": [
                    structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    structlog.processors.format_exc_info,
                    redact_event,
                    renderer,
                ],
            }
        },
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "structured"}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # Replaces Django's own console handlers (plain text with DEBUG on).
            "django": {"handlers": ["console"], "level": level, "propagate": False},
            "django.db.backends": {"level": "WARNING"},
            # Each request is logged once, by the access log (gunicorn's or the middleware's).
            "django.server": {"handlers": ["console"], "level": "WARNING", "propagate": False},
            # A failed readiness check is in /readyz's answer; log only the unexpected.
            "health_check": {"level": "ERROR"},
        },
    }


def configure_structlog() -> None:
    """structlog's own loggers hand their events to the stdlib handlers configured above;
    Python warnings become log lines too (JSON, like the rest)."""
    logging.captureWarnings(True)
    structlog.configure(
        processors=[
            *_shared_processors()[:1],
            structlog.stdlib.filter_by_level,
            *_shared_processors()[1:],
            structlog.processors.StackInfoRenderer(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


def get_logger(name: str) -> Any:
    return structlog.stdlib.get_logger(name)
