"""The production cache (config/redis_cache.py): Django's Redis cache with one Redis client
per connection pool, shared by the threads of a gunicorn worker."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import pytest
from django.conf import settings

from config.redis_cache import PooledRedisCache

pytestmark = pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL")


@pytest.fixture
def cache() -> PooledRedisCache:
    return PooledRedisCache(settings.REDIS_URL, {"KEY_PREFIX": f"test-{uuid.uuid4().hex}"})


def test_one_client_serves_every_call(cache: PooledRedisCache) -> None:
    client = cache._cache.get_client(write=True)

    assert cache._cache.get_client(write=False) is client
    cache.set("greeting", {"hello": "world"}, timeout=60)
    assert cache.get("greeting") == {"hello": "world"}
    assert cache._cache.get_client(write=True) is client


def test_threads_share_it_and_count_exactly(cache: PooledRedisCache) -> None:
    """What the nonce and rate-limit code relies on: atomic commands, from many threads."""
    cache.set("counter", 0, timeout=60)
    cache.add("nonce", 1, timeout=60)
    deleted: list[bool] = []

    def work() -> None:
        for _ in range(50):
            cache.incr("counter")
        deleted.append(bool(cache.delete("nonce")))

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert cache.get("counter") == 400
    assert deleted.count(True) == 1  # a nonce is consumed once, whatever the thread
    cache.delete("counter")


def test_set_many_is_one_round_trip_of_sets_with_their_expiry(cache: PooledRedisCache) -> None:
    client = cache._cache.get_client(write=True)
    cache.get("warm")  # the connection's own setup commands come first
    sent: list[Any] = []
    real_send = client.connection_pool.connection_class.send_packed_command

    def counting_send(connection: Any, command: Any, *args: Any, **kwargs: Any) -> None:
        sent.append(command)
        real_send(connection, command, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(client.connection_pool.connection_class, "send_packed_command", counting_send)
        cache.set_many({"nonce": True, "login": {"iss": "https://lms.example"}}, timeout=60)

    assert len(sent) == 1  # one pipeline
    assert cache.get_many(["nonce", "login"]) == {
        "nonce": True,
        "login": {"iss": "https://lms.example"},
    }
    assert 0 < client.ttl(cache.make_key("nonce")) <= 60
    assert 0 < client.ttl(cache.make_key("login")) <= 60
    cache.set_many({"nonce": False}, timeout=0)  # as `set`: a timeout of 0 deletes
    assert cache.get("nonce", "gone") == "gone"
    cache.set_many({"kept": 1}, timeout=None)  # no expiry
    assert client.ttl(cache.make_key("kept")) == -1
    cache.delete_many(["login", "kept"])
