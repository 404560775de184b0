"""The client address a request comes from, and the per-user limit on authenticated writes.

The address is the socket's peer; `X-Forwarded-For` is believed only when that peer is one of the configured trusted
proxies (`SF_TRUSTED_PROXIES`), and then the client is the right-most address in it that is not a trusted proxy
itself (what a client writes to the left of it is not believed). The write limit is keyed by user, not address:
a field team may share one carrier NAT address.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler

from api.auth import Principal
from api.dependencies import services_of
from domain.clock import utcnow
from domain.limits.model import Limit, WriteRateLimited, retry_after_s

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=16)
def _networks(trusted: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in trusted)


def _is_trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(connection: ASGIConnection, trusted_proxies: tuple[str, ...]) -> str:
    """The client's address: the peer, or behind trusted proxies the first untrusted hop of `X-Forwarded-For`."""
    peer = connection.client.host if connection.client else ""
    if not trusted_proxies:
        return peer
    networks = _networks(trusted_proxies)
    if not _is_trusted(peer, networks):
        return peer
    hops = [hop.strip() for hop in connection.headers.get("x-forwarded-for", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop, networks):
            return hop
    return hops[0] if hops else peer


async def limit_writes(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """A guard on every route: an authenticated write under `/v1` counts against its user's window (429 past it)."""
    if connection.scope.get("method") not in WRITE_METHODS or not connection.scope["path"].startswith("/v1/"):
        return
    principal = connection.scope.get("user")
    if not isinstance(principal, Principal):  # sign-in, refresh and the public endpoints have their own limits
        return
    services = services_of(connection.app)
    settings = services.settings
    if settings.write_limit <= 0:
        return
    limit = Limit("writes-user", settings.write_limit, settings.write_window_s)
    now = utcnow()
    count, window = await services.accounts.counters.hit(limit, principal.user.id, now)
    if count > limit.limit:
        raise WriteRateLimited(
            f"at most {limit.limit} writes per {limit.window_s} s for one user",
            limit=limit.limit,
            windowSeconds=limit.window_s,
            retryAfterSeconds=retry_after_s(window.ends_at, now),
        )
