"""The plugin that fails tests calling the network inside a transaction sees what it must."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import requests
from django.db import transaction

from tests.plugins.no_io_in_transaction import take_violations


class _Ok(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def http_url() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _Ok)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()


@pytest.mark.django_db
def test_a_call_outside_the_codes_transactions_passes(http_url: str) -> None:
    # The test case's own wrapping transaction is open here: it does not count.
    assert requests.get(http_url, timeout=5).status_code == 204
    assert take_violations() == []


@pytest.mark.django_db(transaction=True)
def test_a_call_inside_transaction_atomic_is_recorded(http_url: str) -> None:
    with transaction.atomic():
        requests.get(http_url, timeout=5)

    (found,) = take_violations()  # taken: this test itself must not fail
    assert found.startswith(f"HTTP GET {http_url} inside transaction.atomic")
    assert "test_no_io_in_transaction.py" in found
