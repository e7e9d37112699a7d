"""Video management: an administrator plays a video (logged like every view)."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from lti_tool.errors import AppError, NotFound
from lti_tool.models import Submission, VideoEvent
from lti_tool.services.events import event_record
from lti_tool.services.storage import backend_for_submission
from storage_backends.base import Playback, Viewer


def submission_playback_for_admin(
    *, submission_id: int, admin_name: str, tenant_id: int | None = None
) -> Playback:
    """`tenant_id`: a tenant's administrator plays only that tenant's videos."""
    rows = Submission.objects.select_related("assignment__course", "storage")
    if tenant_id is not None:
        rows = rows.filter(assignment__course__tenant_id=tenant_id)
    submission = rows.filter(pk=submission_id).first()
    if submission is None:
        raise NotFound(_("This video does not exist or is not yours to see."))
    if submission.state != Submission.State.READY:
        raise AppError("not_ready", _("This video is not ready to play."), status=409)
    playback = backend_for_submission(submission).playback(
        submission.video_id, Viewer(user_id=0), expires_in=settings.VIDEO_PLAYBACK_TTL
    )
    event_record(
        kind=VideoEvent.Kind.PLAYBACK,
        submission=submission,
        user_id=None,
        details={"role": "site_admin", "admin": admin_name},
    )
    return playback
