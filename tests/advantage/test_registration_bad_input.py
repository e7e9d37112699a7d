"""Bad input to /lti/register/: whatever the configuration address serves, the
administrator gets a 4xx page with a sentence, never a 500, and nothing is saved.

The "LMS" here is a raw socket server on 127.0.0.1 that answers each path with bytes of its
own (deeply nested, huge or odd JSON, a redirect, a host that trickles its answer).
"""

from __future__ import annotations

import html
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client

import lti_tool.lti.lms_client
from lti_tool.models import PlatformRegistration, Tenant

_ERROR = re.compile(r'<p id="(?:error-message|form-error)"[^>]*>(.*?)</p>', re.S)
Answer = Callable[[socket.socket], None]


def _http(body: bytes, status: str = "200 OK", headers: str = "") -> Answer:
    def answer(conn: socket.socket) -> None:
        head = (
            f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n{headers}\r\n"
        )
        conn.sendall(head.encode() + body)

    return answer


def _trickle(conn: socket.socket) -> None:
    conn.sendall(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n"
    )
    for _ in range(100):
        try:
            conn.sendall(b" ")
        except OSError:
            return
        time.sleep(0.1)


class BadLms:
    """Answers `answers[path]` to each request, on a port of its own."""

    def __init__(self) -> None:
        self.answers: dict[str, Answer] = {}
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            request = conn.recv(65536).decode("latin-1")
            path = request.split(" ", 2)[1] if " " in request else "/"
            self.answers.get(path.split("?")[0], _http(b"{}", "404 Not Found"))(conn)


@pytest.fixture
def bad_lms(settings: Any) -> Iterator[BadLms]:
    settings.DEBUG = True  # plain http on 127.0.0.1, as for the development LMS
    lms = BadLms()
    yield lms
    lms.sock.close()


def _register(client: Client, url: str) -> tuple[int, str]:
    page = client.get("/lti/register/", {"openid_configuration": url, "registration_token": "t"})
    match = _ERROR.search(page.content.decode())
    assert match, page.content[:400]
    return page.status_code, " ".join(html.unescape(match.group(1)).split())


DEEP = b"[" * 200_000 + b"]" * 200_000
CASES = {
    "deeply-nested-array": (_http(DEEP), "not JSON the tool can read"),
    "deeply-nested-object": (
        _http(b'{"a":' * 50_000 + b"1" + b"}" * 50_000),
        "not JSON the tool can read",
    ),
    "huge": (_http(b'{"pad":"' + b"x" * 2_000_000 + b'"}'), "is too large"),
    "not-json": (_http(b"<html>hello</html>"), "not JSON the tool can read"),
    "not-utf8": (_http(b'{"issuer":"\xff\xfe"}'), "not JSON the tool can read"),
    "huge-integer": (_http(b'{"issuer":' + b"9" * 5000 + b"}"), "not JSON the tool can read"),
    "a-list": (_http(b"[1, 2, 3]"), "is not a JSON object"),
    "nan-and-numbers": (
        _http(b'{"issuer": NaN, "registration_endpoint": 1e999}'),
        "does not give its issuer",
    ),
    "bad-ipv6-issuer": (_http(b'{"issuer": "https://[::1"}'), "is not a valid address"),
    "nul-in-issuer": (_http(b'{"issuer": "https://lms.example\\u0000.edu"}'), "not a valid"),
    "redirect": (
        _http(b"", "302 Found", "Location: https://elsewhere.example/config\r\n"),
        "redirects to another address",
    ),
    "server-error": (_http(b"oops", "500 Internal Server Error"), "answered HTTP 500"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", list(CASES))
def test_bad_configuration_answers_4xx_with_a_sentence(
    client: Client, bad_lms: BadLms, case: str
) -> None:
    answer, says = CASES[case]
    bad_lms.answers["/config"] = answer

    status, message = _register(client, bad_lms.url + "/config")

    assert 400 <= status < 500, (status, message)
    assert says in message
    assert not Tenant.objects.exists() and not PlatformRegistration.objects.exists()


@pytest.mark.django_db
def test_a_host_that_trickles_its_answer_is_given_up_on(
    client: Client, bad_lms: BadLms, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lti_tool.lti.lms_client, "GUARDED_DEADLINE", 1)
    bad_lms.answers["/config"] = _trickle
    started = time.monotonic()

    status, message = _register(client, bad_lms.url + "/config")

    assert status == 400
    assert "answered too slowly" in message
    assert time.monotonic() - started < 5  # one byte every 0.1 s would last 10 s


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    ["http://[::1", "http://127.0.0.1:port/x", "javascript:alert(1)", "https://" + "a" * 3000],
)
def test_an_unusable_address_answers_400(client: Client, bad_lms: BadLms, url: str) -> None:
    status, message = _register(client, url)
    assert status == 400
    assert "openid_configuration" in message
