"""This app as the host of the storage backends' endpoints (storage_backends/host.py):
it knows which submission an upload belongs to and whether it is still open.
Named in settings.VIDEO_STORAGE_HOST, so storage_backends never imports lti_tool."""

from __future__ import annotations

from django.db.models import Q

from lti_tool.errors import AppError
from lti_tool.models import Submission
from lti_tool.services.storage import backend_for_submission
from lti_tool.services.uploads import tus_forward_creation
from storage_backends.base import StorageBackend
from storage_backends.host import HostRefusal


class AppStorageHost:
    def backend_for_upload(self, ref: str) -> StorageBackend | None:
        submission = (
            Submission.objects.select_related("storage")
            .filter(Q(upload_ref=ref) | Q(video_id=ref))
            .order_by("-pk")
            .first()
        )
        return None if submission is None else backend_for_submission(submission)

    def forward_tus_creation(self, *, token: str, upload_length: int,
                             upload_metadata: str) -> str:
        try:
            return tus_forward_creation(token=token, upload_length=upload_length,
                                        upload_metadata=upload_metadata)
        except AppError as exc:
            raise HostRefusal(exc.message, status=exc.status, code=exc.code) from exc
