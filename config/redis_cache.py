"""Django's Redis cache, keeping one Redis client per connection pool.

Django's `RedisCacheClient.get_client` builds a new `redis.Redis` for every cache call, and
building one copies redis-py's table of response callbacks (about 170 entries): measurable
on every launch and playback (bench/README.md). A `redis.Redis` holds no state of its own
besides its pool and is safe to share between threads, so one per pool is enough.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.utils.functional import cached_property


class PooledRedisCacheClient(RedisCacheClient):
    # Django's private parts used here, which django-stubs leaves out.
    _client: Callable[..., Any]
    _get_connection_pool_index: Callable[[bool], int]
    _get_connection_pool: Callable[[bool], Any]
    _serializer: Any

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

    def set_many(self, data: Mapping[Any, Any], timeout: Any) -> None:
        """A SET with its expiry per key, in one pipeline (one round trip). Django's sends
        MULTI, MSET, an EXPIRE per key and EXEC: more than twice the commands to write and
        answers to parse (half the CPU of the OIDC login's two keys), and each key lives
        without its expiry until its EXPIRE. The keys are independent, as with `set`."""
        pipeline = self.get_client(None, write=True).pipeline(transaction=False)
        for key, value in data.items():
            if timeout == 0:
                pipeline.delete(key)  # as Django's `set` does with a timeout of 0
            else:
                pipeline.set(key, self._serializer.dumps(value), ex=timeout)
        pipeline.execute()


class PooledRedisCache(RedisCache):
    _servers: list[str]
    _options: dict[str, Any]

    @cached_property
    def _cache(self) -> PooledRedisCacheClient:
        return PooledRedisCacheClient(self._servers, **self._options)
