"""A storage backend that exists only for tests: files in a folder, uploaded over plain
tus to its own endpoints, played from its own signed link. It proves a backend can be
added through settings alone (VIDEO_STORAGE_BACKENDS): nothing outside this package
knows it. It reuses the library's tus server and file layout, as any backend may."""

from tests.storage.folder_backend.backend import FolderBackend

__all__ = ["FolderBackend"]
DOTTED_PATH = "tests.storage.folder_backend.FolderBackend"
