"""What a backend's HTTP endpoints may ask of the application that hosts them.

Backends never import the application (`lti_tool`): the endpoints that need its
knowledge (which submission an upload belongs to, whether it is still open, recording
what happened) call the host, an object the project names in settings.VIDEO_STORAGE_HOST
(a dotted path to a class or an instance implementing `StorageHost`).
"""

from __future__ import annotations

import threading
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from storage_backends.base import StorageBackend


class StorageHost(Protocol):
    def backend_for_upload(self, ref: str) -> StorageBackend | None:
        """The backend that issued an upload ref or video id (the submission's storage
        configuration); None when no submission has it."""

    def upload_is_open(self, ref: str) -> bool:
        """May bytes still arrive for this upload? False once it was cancelled, replaced,
        abandoned or finished: the endpoints then refuse the ticket (4xx)."""

    def forward_tus_creation(self, *, token: str, upload_length: int, upload_metadata: str) -> str:
        """Check the signed forwarding ticket, create the upload at the provider, record
        the provider's id; return the one-time Location. Raises ProviderError
        (permanent, with the HTTP status to answer) when it refuses."""


_host: StorageHost | None = None
_lock = threading.Lock()


def get_host() -> StorageHost:
    """The host, built once per process. Every tus chunk and Range request asks: the lock
    is taken only while it is built (the same double check as the backend registry)."""
    global _host
    host = _host
    if host is None:
        with _lock:
            if _host is None:
                path = getattr(settings, "VIDEO_STORAGE_HOST", "")
                if not path:
                    raise ImproperlyConfigured("VIDEO_STORAGE_HOST names no storage host.")
                found = import_string(path)
                _host = found() if isinstance(found, type) else found
            host = _host
    return host


def reset_host() -> None:
    global _host
    with _lock:
        _host = None
