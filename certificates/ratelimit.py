"""The shared limiter (core.ratelimit) and the visitor's address as certificate lookups count it."""

from core import clientip
from core.ratelimit import rate_limit_hit

__all__ = ["client_ip", "rate_limit_hit"]


def client_ip(request) -> str:
    return clientip.client_ip(request) or "unknown"
