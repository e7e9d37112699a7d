"""What belongs to Stream stays in its package: the sentences for its error codes and
which id deletes an upload never confirmed."""

from __future__ import annotations

from storage_backends.cloudflare import CloudflareStreamBackend
from storage_backends.cloudflare.videos import metadata_from_video
from storage_backends.local import LocalBackend

BASE = {"account_id": "acc", "api_token": "token"}


def test_a_known_error_code_has_a_sentence_for_the_student() -> None:
    video = {
        "status": {
            "state": "error",
            "errorReasonCode": "ERR_NON_VIDEO",
            "errorReasonText": "The file was not recognized as a valid video file.",
        }
    }
    metadata = metadata_from_video(video)
    assert metadata.user_message == "This file is not a video. Please upload a video file."
    assert metadata.error_text == "The file was not recognized as a valid video file."


def test_an_unknown_code_leaves_the_wording_to_the_app() -> None:
    video = {"status": {"state": "error", "errorReasonCode": "ERR_SOMETHING_NEW"}}
    assert metadata_from_video(video).user_message is None


def test_an_unconfirmed_upload_is_deleted_by_the_uid_from_its_creation(tmp_path: object) -> None:
    backend = CloudflareStreamBackend(**BASE)
    assert (
        backend.deletable_id(video_id="", upload_ref="ref", upload_details={"video_id": "uid1"})
        == "uid1"
    )
    assert (
        backend.deletable_id(video_id="uid2", upload_ref="ref", upload_details={"video_id": "uid1"})
        == "uid2"
    )
    assert backend.deletable_id(video_id="", upload_ref="ref", upload_details={}) == "ref"


def test_by_default_the_video_id_or_the_upload_ref(tmp_path: object) -> None:
    backend = LocalBackend(root=str(tmp_path))
    assert (
        backend.deletable_id(video_id="", upload_ref="ref", upload_details={"video_id": "x"})
        == "ref"
    )
    assert backend.deletable_id(video_id="v", upload_ref="ref", upload_details={}) == "v"
