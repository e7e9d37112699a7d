"""Which backends exist, and their cached instances.

Backends are discovered from settings.VIDEO_STORAGE_BACKENDS, a list of dotted paths:
the admin's choice list, the mounted HTTP endpoints and anything else that enumerates
backends read it here, so adding one is a settings change. A configuration names its
backend by dotted path with OPTIONS (like Django's STORAGES); instances are cached.
"""

from __future__ import annotations

import functools
import importlib
import sys
import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import URLPattern, URLResolver, clear_url_caches, include, path
from django.utils.module_loading import import_string

from storage_backends.base import StorageBackend

_cache: dict[str, StorageBackend] = {}
_lock = threading.Lock()


def backend_class(dotted_path: str) -> type[StorageBackend]:
    try:
        found = import_string(dotted_path)
    except ImportError as exc:
        raise ImproperlyConfigured(f"Cannot load video storage backend: {exc}") from exc
    if not (isinstance(found, type) and issubclass(found, StorageBackend)):
        raise ImproperlyConfigured(f"{dotted_path} is not a StorageBackend")
    return found


@functools.cache
def registered_backends() -> dict[str, type[StorageBackend]]:
    """Dotted path -> class, in the order of settings.VIDEO_STORAGE_BACKENDS."""
    return {dotted: backend_class(dotted) for dotted in settings.VIDEO_STORAGE_BACKENDS}


def backend_choices() -> list[tuple[str, str]]:
    """(dotted path, label) for the admin, sorted by label."""
    choices = [(dotted, cls.label or cls.name) for dotted, cls in registered_backends().items()]
    return sorted(choices, key=lambda choice: choice[1])


def storage_urlpatterns() -> list[URLPattern | URLResolver]:
    """Every registered backend's own endpoints, each under `<url_prefix>/`."""
    patterns: list[URLPattern | URLResolver] = []
    for cls in registered_backends().values():
        own = cls.urlpatterns()
        if own and cls.url_prefix:
            patterns.append(path(f"{cls.url_prefix}/", include(own)))
    return patterns


def load_backend(config: dict[str, Any]) -> StorageBackend:
    """Build a backend from `{"BACKEND": dotted.path, "OPTIONS": {...}}`; bad config fails now."""
    if "BACKEND" not in config:
        raise ImproperlyConfigured("Cannot load video storage backend: no BACKEND")
    cls = backend_class(config["BACKEND"])
    try:
        return cls(**config.get("OPTIONS", {}))
    except TypeError as exc:  # a backend whose constructor does not use BackendOptions
        raise ImproperlyConfigured(f"Bad options for {config['BACKEND']}: {exc}") from exc


def get_backend(
    alias: str = "default",
    config: dict[str, Any] | Callable[[], dict[str, Any]] | None = None,
) -> StorageBackend:
    """The backend for an alias, built once per process (clients and keys are costly).

    `config` defaults to settings.VIDEO_STORAGE; a function giving it is called only when
    the instance is built (a configuration whose secrets must be decrypted first). Callers
    whose configuration can change put its version in the alias (e.g.
    "tenant-3@2026-11-24T10:00"); instances cached under an older version of the same name
    are dropped.
    """
    backend = _cache.get(alias)
    if backend is None:
        with _lock:
            backend = _cache.get(alias)
            if backend is None:
                if callable(config):
                    config = config()
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


@receiver(setting_changed)
def _settings_changed(*, setting: str, **kwargs: Any) -> None:
    """Tests that change the backends list get its classes and endpoints anew."""
    if setting == "VIDEO_STORAGE_HOST":
        from storage_backends.host import reset_host

        reset_host()
    if setting != "VIDEO_STORAGE_BACKENDS":
        return
    registered_backends.cache_clear()
    reset_backends()
    urlconf = sys.modules.get(settings.ROOT_URLCONF)
    if urlconf is not None:
        importlib.reload(urlconf)  # its storage/ patterns are built from the list
    clear_url_caches()
