"""The visitor's IP address, the same answer for every rate limit and for the audit log.

Behind the reverse proxy the README prescribes, `REMOTE_ADDR` is the proxy's address: every visitor would
share it, so one person's failed logins would block everyone. Each trusted proxy appends the address it
received the request from to `X-Forwarded-For`; with `ALLAUTH_TRUSTED_PROXY_COUNT` proxies of our own in
front, the visitor is the address that many places from the right. Addresses further left were written
by the client and are never believed. allauth reads the same setting (accounts.adapter makes it call this
function), so its login and reset limits agree with ours.
"""

import ipaddress

from django.conf import settings


def _clean(value: str) -> str | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:443"
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # "203.0.113.5:443"
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The client's address (a normalised string), or None when there is no request or no valid address."""
    if request is None:
        return None
    meta = request.META
    trusted = int(getattr(settings, "ALLAUTH_TRUSTED_PROXY_COUNT", 0) or 0)
    forwarded = meta.get("HTTP_X_FORWARDED_FOR", "")
    if trusted > 0 and forwarded:
        hops = [hop for hop in forwarded.split(",") if hop.strip()]
        if hops:
            # Fewer hops than proxies: the request skipped an outer proxy; the leftmost hop was still
            # written by one of ours.
            return _clean(hops[-trusted] if len(hops) >= trusted else hops[0])
    return _clean(meta.get("REMOTE_ADDR", ""))
