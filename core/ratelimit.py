"""A small fixed-window limiter in the default cache (shared by all workers in production).

Counted per caller key, usually `core.clientip.client_ip(request)`, so every limit agrees on who the
visitor is behind the reverse proxy.
"""

import time

from django.core.cache import cache


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
