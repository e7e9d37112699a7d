"""Backends are named by dotted path with OPTIONS (like Django's STORAGES) and cached."""

from __future__ import annotations

import threading
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from storage_backends.base import StorageBackend

_cache: dict[str, StorageBackend] = {}
_lock = threading.Lock()


def load_backend(config: dict[str, Any]) -> StorageBackend:
    """Build a backend from `{"BACKEND": dotted.path, "OPTIONS": {...}}`; bad config fails now."""
    try:
        backend_class = import_string(config["BACKEND"])
    except (KeyError, ImportError) as exc:
        raise ImproperlyConfigured(f"Cannot load video storage backend: {exc}") from exc
    if not (isinstance(backend_class, type) and issubclass(backend_class, StorageBackend)):
        raise ImproperlyConfigured(f"{config['BACKEND']} is not a StorageBackend")
    try:
        return backend_class(**config.get("OPTIONS", {}))
    except TypeError as exc:  # an unknown or missing option
        raise ImproperlyConfigured(f"Bad options for {config['BACKEND']}: {exc}") from exc


def get_backend(alias: str = "default", config: dict[str, Any] | None = None) -> StorageBackend:
    """The backend for an alias, built once per process (clients and keys are costly).

    `config` defaults to settings.VIDEO_STORAGE. Callers whose configuration can change
    put its version in the alias (e.g. "tenant-3@2026-11-24T10:00"); instances cached
    under an older version of the same name are dropped.
    """
    backend = _cache.get(alias)
    if backend is None:
        with _lock:
            backend = _cache.get(alias)
            if backend is None:
                backend = load_backend(config if config is not None else settings.VIDEO_STORAGE)
                name = alias.split("@", 1)[0]
                for stale in [key for key in _cache if key.split("@", 1)[0] == name]:
                    del _cache[stale]
                _cache[alias] = backend
    return backend


def reset_backends() -> None:
    """Forget cached instances (tests and configuration changes)."""
    with _lock:
        _cache.clear()
