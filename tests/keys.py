"""RSA keys for tests, made once per session.

A 2048-bit key costs ~60 ms to generate (more on a busy machine), and most tests made two
or three: the platform's, the tool's, an attacker's. Tests need keys that differ from each
other within the test, not keys no earlier test ever saw, so `pooled_key()` hands out a
fixed ring of real keys, made on first use. A key that lives for the whole session (a
session-scoped platform, a CloudFront key pair) takes `unique_key()` instead, so no test
can draw the same key by chance.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

from cryptography.hazmat.primitives.asymmetric import rsa

POOL_SIZE = 32  # more keys than any single test makes: within a test, each draw is new
_real_generate = rsa.generate_private_key
_pool: list[rsa.RSAPrivateKey] = []
_draws = 0
_lock = threading.Lock()


def unique_key() -> rsa.RSAPrivateKey:
    """A key nobody else gets: for holders that outlive one test."""
    return _real_generate(public_exponent=65537, key_size=2048)


def pooled_key() -> rsa.RSAPrivateKey:
    """The next key of the ring (2048-bit, e=65537)."""
    global _draws
    with _lock:
        index = _draws % POOL_SIZE
        _draws += 1
        while len(_pool) <= index:
            _pool.append(unique_key())
        return _pool[index]


def _generate(public_exponent: int, key_size: int, backend: Any = None) -> rsa.RSAPrivateKey:
    if (public_exponent, key_size) == (65537, 2048):
        return pooled_key()
    return _real_generate(public_exponent=public_exponent, key_size=key_size)


@contextmanager
def pooled_rsa_keys() -> Iterator[None]:
    """Every `rsa.generate_private_key(65537, 2048)` (ours, the tool's, the fakes') draws
    from the ring while this is active."""
    with mock.patch.object(rsa, "generate_private_key", _generate):
        yield
