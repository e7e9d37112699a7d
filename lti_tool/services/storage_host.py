"""This app as the host of the storage backends' endpoints (storage_backends/host.py):
it knows which submission an upload belongs to and whether it is still open.
Named in settings.VIDEO_STORAGE_HOST, so storage_backends never imports lti_tool."""

from __future__ import annotations

import threading

from django.db.models import Q

from lti_tool.errors import AppError
from lti_tool.models import StorageConfig, Submission
from lti_tool.services.storage import backend_for_config
from lti_tool.services.upload_endings import upload_is_open
from lti_tool.services.uploads import tus_forward_creation
from storage_backends.base import StorageBackend
from storage_backends.errors import ProviderError

# ref -> the storage configuration's id (None: the site default). A submission's storage
# never changes, so this is safe to keep: every tus PATCH and every Range request of a
# player asks, and the lookup by ref is the costly one (the config by id is not).
_STORAGE_OF: dict[str, int | None] = {}
_MAX_REMEMBERED = 10_000
_lock = threading.Lock()


class AppStorageHost:
    def backend_for_upload(self, ref: str) -> StorageBackend | None:
        found, storage_id = _storage_of(ref)
        if not found:
            return None
        config = StorageConfig.objects.filter(pk=storage_id).first() if storage_id else None
        return backend_for_config(config)

    def upload_is_open(self, ref: str) -> bool:
        return upload_is_open(ref)

    def forward_tus_creation(self, *, token: str, upload_length: int, upload_metadata: str) -> str:
        try:
            return tus_forward_creation(
                token=token, upload_length=upload_length, upload_metadata=upload_metadata
            )
        except AppError as exc:
            raise ProviderError(
                str(exc.message), permanent=True, status=exc.status, code=exc.code
            ) from exc


def _storage_of(ref: str) -> tuple[bool, int | None]:
    with _lock:
        if ref in _STORAGE_OF:
            return True, _STORAGE_OF[ref]
    row = (
        Submission.objects.filter(Q(upload_ref=ref) | Q(video_id=ref))
        .order_by("-pk")
        .values("storage_id")
        .first()
    )
    if row is None:
        return False, None  # not remembered: the submission may come later
    with _lock:
        if len(_STORAGE_OF) >= _MAX_REMEMBERED:
            _STORAGE_OF.clear()
        _STORAGE_OF[ref] = row["storage_id"]
    return True, row["storage_id"]
