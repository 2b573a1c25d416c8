"""Django's Redis cache backend, with one redis-py client per connection pool instead of one per call.

Django builds a new `redis.Redis` object for every cache operation (about 170 response callbacks registered
each time): a page that reads its session, a few rows and a select's choices built six. A redis-py client is
safe to share between threads (each command borrows a connection from the pool), so one per pool serves.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class _SharedClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _SharedClient
