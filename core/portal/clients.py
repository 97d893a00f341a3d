"""Who is at the other end: the client address the per-address limits count.

The socket's peer is the client unless Mesa runs behind reverse proxies. Each proxy appends the
address it received the request from to X-Forwarded-For, so with N trusted proxies in front
(MESA_TRUSTED_PROXIES, as werkzeug's ProxyFix takes x_for) the client is the Nth value from the
right; anything further left was written by the client and is never believed.
"""

from __future__ import annotations

UNKNOWN = "unknown"


def client_address(peer: str | None, forwarded_for: str | None, trusted_proxies: int) -> str:
    """The address to count: the Nth X-Forwarded-For value from the right behind N trusted proxies,
    else the socket's peer. A header with fewer values than trusted proxies is not believed."""
    if trusted_proxies > 0:
        values = [value.strip() for value in (forwarded_for or "").split(",") if value.strip()]
        if len(values) >= trusted_proxies:
            return values[-trusted_proxies]
    return peer or UNKNOWN
