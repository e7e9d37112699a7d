"""Django's Redis cache, keeping one Redis client per connection pool.

Django's `RedisCacheClient.get_client` builds a new `redis.Redis` for every cache call, and
building one copies redis-py's table of response callbacks (about 170 entries): measurable
on every launch and playback (bench/README.md). A `redis.Redis` holds no state of its own
besides its pool and is safe to share between threads, so one per pool is enough.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.utils.functional import cached_property


class PooledRedisCacheClient(RedisCacheClient):
    # Django's private parts used here, which django-stubs leaves out.
    _client: Callable[..., Any]
    _get_connection_pool_index: Callable[[bool], int]
    _get_connection_pool: Callable[[bool], Any]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._client(connection_pool=self._get_connection_pool(write))
            self._clients[index] = client
        return client


class PooledRedisCache(RedisCache):
    _servers: list[str]
    _options: dict[str, Any]

    @cached_property
    def _cache(self) -> PooledRedisCacheClient:
        return PooledRedisCacheClient(self._servers, **self._options)
