"""Rate limits and single-use marks in the shared cache (Redis, else the database): one count for every process.

Values (addresses, client addresses, form stamps) are stored as hashes only. Every key has a timeout;
both functions use nothing but `cache.add`, which is atomic in Redis (SET NX) and in the database
(an insert on the primary key), so two processes at the same moment cannot both get the last place.
"""

import hashlib
import time

from allauth.account.adapter import get_adapter
from django.core.cache import cache
from django.http import HttpRequest


def _now() -> float:
    return time.time()


def _key(scope: str, value: object) -> str:
    return f"{scope}:{hashlib.sha256(str(value).encode()).hexdigest()}"


def allow(scope: str, value: object, *, limit: int, seconds: int) -> bool:
    """Count one attempt of `value` in `scope`: True while at most `limit` attempts fall in the current window.

    Windows are fixed blocks of `seconds`; each attempt takes the first free one of `limit` places.
    """
    now = _now()
    window = int(now // seconds)
    remaining = max(1, int((window + 1) * seconds - now))
    base = f"{_key(scope, value)}:{window}"
    return any(cache.add(f"{base}:{place}", 1, timeout=remaining) for place in range(limit))


def first_use(scope: str, value: object, *, seconds: int) -> bool:
    """True the first time `value` is used in `scope` within `seconds`, False every time after."""
    return cache.add(_key(scope, value), 1, timeout=seconds)


def client_address(request: HttpRequest) -> str:
    """The visitor's IP address, as allauth's login limits see it (set ALLAUTH_TRUSTED_PROXY_COUNT behind a proxy)."""
    return get_adapter(request).get_client_ip(request)
