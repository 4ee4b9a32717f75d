"""A small fixed-window limiter in the default cache (shared by all workers in production)."""

import time

from django.core.cache import cache

from core import clientip


def rate_limit_hit(*, scope: str, key: str, limit: int, window: int = 60) -> bool:
    """Count one hit; True when the caller went over `limit` hits in the current window."""
    bucket = int(time.time() // window)
    cache_key = f"ratelimit:{scope}:{key}:{bucket}"
    cache.add(cache_key, 0, timeout=window + 1)
    try:
        count = cache.incr(cache_key)
    except ValueError:
        # The key expired between add and incr: start the window again.
        cache.set(cache_key, 1, timeout=window + 1)
        count = 1
    return count > limit


def client_ip(request) -> str:
    return clientip.client_ip(request) or "unknown"
