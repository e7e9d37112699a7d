"""Never lose an upload: a reload in the middle of an upload continues from what storage
already holds (local tus offset, S3 multipart parts), and a connection that hangs is
noticed within 5 s and retried, visibly."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from pytest_django.live_server_helper import LiveServer

from dev_lms.roster import person_by_key
from lti_tool.models import Submission
from tests.e2e.storage_support import make_video, requests_received
from tests.e2e.test_s3_upload_browser import ada_submission, s3_tenant, wait_for
from tests.e2e.test_student_to_teacher import launch_as, open_dev_lms
from tests.fakes.s3 import MotoServer
from tests.fixtures.browser import BrowserProblems
from tests.fixtures.live_api import local_backend

pytestmark = pytest.mark.browser

__all__ = ["s3_tenant"]  # a fixture used here, from its module
ADA = person_by_key("ada")
MiB = 1024**2
TUS_CHUNK = 5 * MiB  # the local backend's tus chunk size
READY_TIMEOUT_MS = 30_000
TUS_UPLOAD_URL = re.compile(r"/storage/local/tus/t\d+-[0-9a-f]{32}$")


@pytest.fixture(scope="module")
def video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """About 9 MB: two tus chunks or two S3 parts; small enough for the browser to keep."""
    path = make_video(tmp_path_factory.mktemp("media") / "long-talk.mp4", seconds=6)
    assert 5 * MiB < path.stat().st_size < 10 * MiB
    return path


@pytest.fixture
def stack() -> Iterator[ExitStack]:
    with ExitStack() as exits:
        yield exits


class Holder:
    """Holds the 2nd matching upload request unanswered (a connection that hangs), until
    `release()`: from then on requests pass (the held one stays dead, as after a reload)."""

    def __init__(self, page: Any, pattern: Any, method: str) -> None:
        self.held: list[Any] = []
        self.seen = 0
        self.holding = True
        self.method = method
        page.route(pattern, self._handle)

    def _handle(self, route: Any) -> None:
        if route.request.method != self.method or not self.holding:
            route.fallback()
            return
        self.seen += 1
        if self.seen == 1:
            route.fallback()
        else:
            self.held.append(route)

    def release(self) -> None:
        self.holding = False


def partial_bytes_on_disk() -> int:
    root = local_backend().files.root
    return sum(p.stat().st_size for p in root.rglob("data") if p.parent.parent.name == "uploads")


@contextmanager
def s3_list_parts_like_aws(server: MotoServer) -> Iterator[None]:
    """moto 5 names ListParts' answer <ListPartsResponse>; S3 says <ListPartsResult>, which is
    what Uppy's S3 client reads (it would find no part and send them all again)."""
    wsgi_server = server.server._server
    assert wsgi_server is not None
    app: Any = wsgi_server.app

    def renamed(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        query = environ.get("QUERY_STRING", "")
        if environ["REQUEST_METHOD"] != "GET" or "uploadId=" not in query:
            return app(environ, start_response)
        answer: list[Any] = []
        body = b"".join(
            app(environ, lambda status, headers, exc=None: answer.append((status, headers)))
        )
        body = body.replace(b"ListPartsResponse", b"ListPartsResult")
        status, headers = answer[0]
        headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
        start_response(status, [*headers, ("Content-Length", str(len(body)))])
        return [body]

    wsgi_server.app = renamed
    try:
        yield
    finally:
        wsgi_server.app = app


def test_a_reload_mid_upload_continues_from_the_tus_offset(
    page: Any,
    base_url: str,
    live_server: LiveServer,
    video: Path,
    browser_problems: BrowserProblems,
) -> None:
    holder = Holder(page, TUS_UPLOAD_URL, "PATCH")
    open_dev_lms(page, base_url)
    tool = launch_as(page, "ada")
    tool.locator("#uploader input[type=file]").first.set_input_files(video)
    tool.locator(".uppy-StatusBar-actionBtn--upload").click()
    wait_for(page, lambda: bool(holder.held), "the second PATCH was never sent")
    assert partial_bytes_on_disk() == TUS_CHUNK

    # The student reloads the course page (a crash, a closed tab: the same for the browser).
    with requests_received(live_server) as received:
        page.reload()
        holder.release()
        tool = launch_as(page, "ada")
        expect(tool.locator("#connection-note")).to_contain_text(
            "Continuing your unfinished upload"
        )
        expect(tool.locator("#status[data-state=ready]")).to_be_visible(timeout=READY_TIMEOUT_MS)

    # Asked where it stopped, then sent only the rest: the first 5 MiB went once.
    assert len(received.to("HEAD", "/storage/local/tus/")) == 1
    patches = received.to("PATCH", "/storage/local/tus/")
    assert [p.body_bytes for p in patches] == [video.stat().st_size - TUS_CHUNK]
    assert len(received.to("POST", "/storage/local/tus/")) == 0  # no new upload created
    submission = Submission.objects.get(student__sub=ADA.sub)  # one submission, not two
    assert submission.state == Submission.State.READY
    assert submission.size_bytes == video.stat().st_size
    browser_problems.assert_none()


def test_a_reload_mid_upload_continues_the_s3_multipart_upload(
    stack: ExitStack,
    page: Any,
    live_server: LiveServer,
    s3_server: MotoServer,
    s3_tenant: str,
    video: Path,
    browser_problems: BrowserProblems,
) -> None:
    part = re.compile(r"[?&]partNumber=\d+&")
    holder = Holder(page, part, "PUT")
    tool = launch_as(page, "ada")
    tool.locator("#uploader input[type=file]").first.set_input_files(video)
    tool.locator(".uppy-StatusBar-actionBtn--upload").click()
    wait_for(page, lambda: bool(holder.held), "part 2 was never sent")
    upload_id = Submission.objects.get(student__sub=ADA.sub).upload_details["uploadId"]
    listed = s3_server.client("s3").list_parts(
        Bucket=s3_tenant,
        Key=Submission.objects.get(student__sub=ADA.sub).upload_ref,
        UploadId=upload_id,
    )
    assert [p["PartNumber"] for p in listed.get("Parts", [])] == [1]

    stack.enter_context(s3_list_parts_like_aws(s3_server))
    parts_sent: list[str] = []
    page.on(
        "request", lambda r: part.search(r.url) and r.method == "PUT" and parts_sent.append(r.url)
    )
    with requests_received(live_server) as received:
        page.reload()
        holder.release()
        tool = launch_as(page, "ada")
        expect(tool.locator("#status[data-state=ready]")).to_be_visible(timeout=READY_TIMEOUT_MS)

    # S3 was asked which parts it holds; only part 2 was sent again.
    assert [re.search(r"partNumber=(\d+)", url).group(1) for url in parts_sent] == ["2"]  # type: ignore[union-attr]
    assert len(received.to("POST", "/api/uploads")) == 1  # the same upload, handed back
    submission = ada_submission()
    assert submission.upload_details["uploadId"] == upload_id
    head = s3_server.client("s3").head_object(Bucket=s3_tenant, Key=submission.video_id)
    assert head["ContentLength"] == video.stat().st_size
    browser_problems.assert_none()


def test_a_hanging_connection_is_noticed_within_5_seconds_and_retried(
    page: Any,
    base_url: str,
    video: Path,
    browser_problems: BrowserProblems,
) -> None:
    holder = Holder(page, TUS_UPLOAD_URL, "PATCH")
    open_dev_lms(page, base_url)
    tool = launch_as(page, "ada")
    tool.locator("#uploader input[type=file]").first.set_input_files(video)
    tool.locator(".uppy-StatusBar-actionBtn--upload").click()
    wait_for(page, lambda: bool(holder.held), "the second PATCH was never sent")
    hung_at = time.monotonic()

    note = tool.locator("#connection-note")
    expect(note).to_contain_text("The connection dropped", timeout=7000)
    assert time.monotonic() - hung_at < 6.5
    holder.release()  # the network is back: the retry goes through

    expect(tool.locator("#status[data-state=ready]")).to_be_visible(timeout=READY_TIMEOUT_MS)
    expect(note).to_be_hidden()
    assert Submission.objects.get(student__sub=ADA.sub).size_bytes == video.stat().st_size
    browser_problems.assert_none()


def test_an_upload_that_is_slow_to_begin_is_not_taken_for_a_dropped_connection(
    page: Any,
    base_url: str,
    video: Path,
    browser_problems: BrowserProblems,
) -> None:
    """The 5 seconds are counted from the upload's start, not from the page's: a student who
    chooses a file after a while on the page, and whose upload is slow to be created, sees
    no "connection dropped" and the upload is not begun a second time."""
    creations: list[Any] = []

    def hold_the_first_creation(route: Any) -> None:
        if route.request.method == "POST" and not creations:
            creations.append(route)
        else:
            route.fallback()

    page.route(re.compile(r"/storage/local/tus/\?"), hold_the_first_creation)
    patches: list[str] = []
    page.on("request", lambda r: r.method == "PATCH" and patches.append(r.url))
    open_dev_lms(page, base_url)
    tool = launch_as(page, "ada")
    note = tool.locator("#connection-note")
    note.evaluate(
        """(note) => {
            window.notesShown = []
            new MutationObserver(() => note.textContent && window.notesShown.push(note.textContent))
                .observe(note, {childList: true, characterData: true, subtree: true})
        }"""
    )
    page.wait_for_timeout(6000)  # longer on the page than the 5 s without progress
    tool.locator("#uploader input[type=file]").first.set_input_files(video)
    tool.locator(".uppy-StatusBar-actionBtn--upload").click()
    wait_for(page, lambda: bool(creations), "the upload was never created")
    page.wait_for_timeout(2000)  # storage takes 2 s to create it: slow, not gone
    creations[0].fallback()

    expect(tool.locator("#status[data-state=ready]")).to_be_visible(timeout=READY_TIMEOUT_MS)
    assert note.evaluate("() => window.notesShown") == []
    assert len(patches) == 2, patches  # two chunks, each sent once
    browser_problems.assert_none()
