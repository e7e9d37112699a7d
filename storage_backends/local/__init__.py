from storage_backends.local.backend import LocalBackend

__all__ = ["LocalBackend"]
