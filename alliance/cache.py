"""The Redis cache, tolerant of a Redis outage: sign-in must not depend on the cache being up.

allauth's rate limits and DRF's throttles keep their counters in the cache, so with a plain cache backend a
Redis outage turns every sign-in, password reset and token exchange into a 500, and a Redis that accepts
connections but never answers holds each request for as long as the socket waits, once per cache call (a
sign-in makes about a dozen). django-redis' ``IGNORE_EXCEPTIONS`` is not enough: its ``add`` then answers
"not added", allauth's rate limit takes that as a lock held by someone else, waits one second per rate and
refuses the sign-in (fails closed).

``OutageTolerantRedisCache`` is Django's own ``RedisCache`` with short socket timeouts and a circuit breaker:
the first call that cannot reach Redis logs one warning and, for ``OUTAGE_RETRY_AFTER`` seconds (5 by default),
every cache call in this process answers at once as a cache that holds nothing would (``get`` gives the
default, ``set`` and ``delete`` do nothing, ``add`` says it added): rate limits and throttles fail open, counted
again as soon as Redis answers. ``/healthz`` still reports the cache as unavailable (its value is not kept), so
the outage is seen and fixed. Use it only where failing open is acceptable: the portal keeps nothing in the
cache that it cannot recompute.
"""

import logging
import threading
import time
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)

# Per process and server, shared by the per-thread cache objects Django creates.
_unreachable_until: dict[str, float] = {}
_lock = threading.Lock()


class OutageTolerantRedisCache(RedisCache):
    """Django's RedisCache that answers as an empty cache, at once, while Redis cannot be reached.

    ``OPTIONS``: ``OUTAGE_RETRY_AFTER`` (seconds between attempts to reach Redis again, default 5), and redis-py's
    ``socket_connect_timeout`` and ``socket_timeout`` (0.5 s each by default; Redis on the same network answers
    in well under a millisecond).
    """

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        options = dict(params.get("OPTIONS", {}))
        self.outage_retry_after = float(options.pop("OUTAGE_RETRY_AFTER", 5))
        options.setdefault("socket_connect_timeout", 0.5)
        options.setdefault("socket_timeout", 0.5)
        super().__init__(server, {**params, "OPTIONS": options})
        self._server_key = str(server)

    # --- the circuit breaker ----------------------------------------------------------------------------------

    def is_unreachable(self) -> bool:
        """Whether this process gave up on Redis a moment ago (calls answer as an empty cache until then)."""
        return time.monotonic() < _unreachable_until.get(self._server_key, 0.0)

    def reset_outage(self) -> None:
        """Try Redis again on the next call (tests, or an operator's shell after Redis is back)."""
        with _lock:
            _unreachable_until.pop(self._server_key, None)

    def _attempt(self, operation: Any, *args: Any, fallback: Any = None, **kwargs: Any) -> Any:
        if self.is_unreachable():
            return fallback
        try:
            return operation(*args, **kwargs)
        except UNREACHABLE as error:
            with _lock:
                first = not self.is_unreachable()
                _unreachable_until[self._server_key] = time.monotonic() + self.outage_retry_after
            if first:
                logger.warning(
                    "The cache at %s cannot be reached (%s: %s): for %g s this process answers as an empty cache, "
                    "so rate limits and throttles are not counted.",
                    self._server_key,
                    error.__class__.__name__,
                    error,
                    self.outage_retry_after,
                )
            return fallback

    # --- Django's cache API, each call through the breaker ----------------------------------------------------

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        # "Added" while Redis is down: allauth's rate-limit lock is then taken, and its limit fails open.
        return self._attempt(super().add, key, value, timeout, version, fallback=True)

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return self._attempt(super().get, key, default, version, fallback=default)

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> None:
        self._attempt(super().set, key, value, timeout, version)

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._attempt(super().touch, key, timeout, version, fallback=False)

    def delete(self, key: Any, version: int | None = None) -> bool:
        return self._attempt(super().delete, key, version, fallback=False)

    def get_many(self, keys: Any, version: int | None = None) -> dict[Any, Any]:
        return self._attempt(super().get_many, keys, version, fallback={})

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return self._attempt(super().has_key, key, version, fallback=False)

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        return self._attempt(super().incr, key, delta, version, fallback=delta)  # counted from zero

    def set_many(self, data: dict[Any, Any], timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> list:
        return self._attempt(super().set_many, data, timeout, version, fallback=list(data))

    def delete_many(self, keys: Any, version: int | None = None) -> None:
        self._attempt(super().delete_many, keys, version)

    def clear(self) -> None:
        self._attempt(super().clear)
