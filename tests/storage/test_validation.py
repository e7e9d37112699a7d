"""Upload validation: what a student may send, and the sentence they read when they may not."""

from __future__ import annotations

import time

import pytest

from storage_backends.base import UploadRejected
from storage_backends.errors import ProviderError
from storage_backends.validation import (
    MAX_FILENAME_BYTES,
    VIDEO_TYPES,
    sanitize_filename,
    validate_upload,
)

MB = 1_000_000


def validate(
    filename: str = "talk.mp4",
    size: int = 5 * MB,
    mime: str = "video/mp4",
    max_size_bytes: int = 100 * MB,
) -> str:
    return validate_upload(filename=filename, size=size, mime=mime, max_size_bytes=max_size_bytes)


def rejection(**kwargs: object) -> UploadRejected:
    with pytest.raises(UploadRejected) as caught:
        validate(**kwargs)  # type: ignore[arg-type]
    return caught.value


@pytest.mark.parametrize(
    ("filename", "mime"),
    [
        (filename, mime)
        for mime, extensions in VIDEO_TYPES.items()
        for filename in (f"talk{extension}" for extension in extensions)
    ],
)
def test_every_allowed_type_with_its_extension_passes(filename: str, mime: str) -> None:
    assert validate(filename=filename, mime=mime) == filename


@pytest.mark.parametrize(
    ("filename", "mime"),
    [
        ("TALK.MP4", "video/mp4"),
        ("talk.mov", "Video/QuickTime"),
        ("talk.webm", "video/webm;codecs=vp9,opus"),
        ("talk.webm", " video/webm ; codecs=vp8"),
    ],
)
def test_case_and_type_parameters_do_not_matter(filename: str, mime: str) -> None:
    assert validate(filename=filename, mime=mime) == filename


@pytest.mark.parametrize(
    ("filename", "mime"),
    [
        ("essay.pdf", "application/pdf"),
        ("photo.png", "image/png"),
        ("talk.mp3", "audio/mpeg"),
        ("talk.mp4", "application/octet-stream"),
        ("talk.mp4", ""),
        ("talk.svg", "video/svg+xml"),
    ],
)
def test_types_outside_the_allowlist_are_rejected(filename: str, mime: str) -> None:
    error = rejection(filename=filename, mime=mime)

    assert error.code == "unsupported_type"
    assert error.message == (
        f"“{filename}” is not a video file we accept. Please upload one of: "
        ".3gp, .avi, .m4v, .mkv, .mov, .mp4, .mpeg, .mpg, .ogv, .webm."
    )


@pytest.mark.parametrize(
    ("filename", "mime"),
    [
        ("talk.mov", "video/mp4"),
        ("talk.exe", "video/mp4"),
        ("talk.mp4.exe", "video/mp4"),
        ("talk", "video/mp4"),
        ("talk.mp4", "video/webm"),
        ("talk.mp4", "video/x-m4v"),
    ],
)
def test_the_extension_must_agree_with_the_type(filename: str, mime: str) -> None:
    error = rejection(filename=filename, mime=mime)

    assert error.code == "extension_mismatch"
    assert error.message == (
        f"The file name “{filename}” does not match its type ({mime}). "
        "Please check the file and try again."
    )


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("../../etc/passwd.mp4", "passwd.mp4"),
        ("/var/www/talk.mp4", "talk.mp4"),
        ("C:\\Users\\ana\\Videos\\talk.mp4", "talk.mp4"),
        ("ta\x00lk\n\r\t.mp4", "talk.mp4"),
        ("\x1b[31mred\x1b[0m.mp4", "[31mred[0m.mp4"),
        ("evil\u202egnp.mp4", "evilgnp.mp4"),  # a right-to-left override would disguise the name
        ("zero\u200bwidth.mp4", "zerowidth.mp4"),
        ("  talk.mp4  ", "talk.mp4"),
        ("...talk.mp4", "talk.mp4"),
        ("cafe\u0301.mp4", "café.mp4"),  # NFC: one é, as the user typed it
    ],
)
def test_names_lose_folders_and_control_characters(given: str, kept: str) -> None:
    assert sanitize_filename(given) == kept
    assert validate(filename=given) == kept


@pytest.mark.parametrize("filename", ["", "   ", "../", "\x00\x01", "...", "a/b/"])
def test_a_name_that_is_nothing_once_cleaned_is_rejected(filename: str) -> None:
    error = rejection(filename=filename)

    assert error.code == "invalid_filename"
    assert error.message == "The file needs a name."


@pytest.mark.parametrize("stem", ["a" * 300, "é" * 200, "视频" * 100, "😀" * 100])
def test_long_names_are_cut_to_255_bytes_keeping_the_extension(stem: str) -> None:
    kept = validate(filename=f"{stem}.mp4")

    assert len(kept.encode()) <= MAX_FILENAME_BYTES
    assert len(kept.encode()) > MAX_FILENAME_BYTES - 4  # cut at a character, not much more
    assert kept.endswith(".mp4")
    assert stem.startswith(kept.removesuffix(".mp4"))


def test_a_name_of_exactly_255_bytes_is_kept_whole() -> None:
    name = "a" * (MAX_FILENAME_BYTES - 4) + ".mp4"

    assert validate(filename=name) == name


def test_a_name_whose_extension_alone_is_too_long_is_still_cut_to_255_bytes() -> None:
    kept = sanitize_filename("a." + "x" * 300)

    assert kept == "a." + "x" * (MAX_FILENAME_BYTES - 2)
    assert rejection(filename="a." + "x" * 300).code == "extension_mismatch"


def test_a_huge_name_is_cut_quickly() -> None:
    """Names come from the API unbounded (up to Django's 2.5 MB body): no quadratic trimming."""
    started = time.perf_counter()

    kept = validate(filename="a" * 2_000_000 + ".mp4")

    assert kept == "a" * (MAX_FILENAME_BYTES - 4) + ".mp4"
    assert time.perf_counter() - started < 1


def test_a_file_at_the_limit_passes_and_one_byte_more_is_rejected() -> None:
    assert validate(size=100 * MB, max_size_bytes=100 * MB) == "talk.mp4"

    error = rejection(size=100 * MB + 1, max_size_bytes=100 * MB)

    assert error.code == "file_too_large"
    assert error.message == "“talk.mp4” is 100.0 MB; the limit is 100.0 MB."


@pytest.mark.parametrize(
    ("size", "limit", "sentence"),
    [
        (2_500_000_000, 2 * 10**9, "“talk.mp4” is 2.5 GB; the limit is 2.0 GB."),
        (1500, 999, "“talk.mp4” is 1.5 KB; the limit is 999 bytes."),
    ],
)
def test_too_large_files_say_both_sizes_in_units_people_read(
    size: int, limit: int, sentence: str
) -> None:
    assert rejection(size=size, max_size_bytes=limit).message == sentence


@pytest.mark.parametrize("size", [0, -1])
def test_an_empty_file_is_rejected(size: int) -> None:
    error = rejection(size=size)

    assert error.code == "empty_file"
    assert error.message == "“talk.mp4” is empty."


def test_rejections_are_permanent_storage_errors() -> None:
    error = rejection(mime="text/plain")

    assert isinstance(error, ProviderError)
    assert error.permanent is True
    assert str(error) == error.message


def test_the_type_is_checked_before_the_size() -> None:
    """A PDF that is also too big: the student must first hear it is not a video."""
    assert rejection(filename="x.pdf", mime="application/pdf", size=10**12).code == (
        "unsupported_type"
    )
