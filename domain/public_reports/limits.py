"""The public endpoints' rate limits: fixed-window counters in the database, per hashed device and per address.

Why not Litestar's `RateLimitConfig`: it keys a route on one identifier, taken before the body is read (the device id
is a body field), keeps its counts in one process's store unless given Redis, and answers without our catalogued
code or `Retry-After`. These counters live in the database every API process shares, so the limits hold however
many processes run, with or without Redis; a request's limits are counted together in one transaction (refused by
one, counted by none). Keys are hashed: no device id or address is stored in the clear. Expired windows are
purged by the `purge_public_rate_counters` job.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from domain.clock import utcnow
from domain.db.transactions import transaction
from domain.public_reports import store
from domain.public_reports.model import PublicRateLimited, RateLimit, hashed, retry_after_s, window_of

KEEP_EXPIRED = timedelta(days=1)


async def count_request(checks: list[tuple[RateLimit, str]], now: datetime | None = None) -> None:
    """Count one request against each (limit, key); refused, and counted by none, when any is used up."""
    now = now or utcnow()
    async with transaction():
        for limit, key in checks:
            start, end = window_of(limit, now)
            counter_id = f"{limit.name}:{hashed(limit.name, key)[:32]}:{start}"
            counted = await store.take_place(counter_id, limit=limit.limit, window_end=end)
            if not counted:
                raise PublicRateLimited(
                    f"at most {limit.limit} requests per {int(limit.window.total_seconds())} s",
                    limit=limit.name,
                    retryAfterSeconds=retry_after_s(end, now),
                )


async def purge_expired_counters(now: datetime | None = None) -> int:
    """Delete the counters of windows that ended more than a day ago; returns how many."""
    cutoff = (now or utcnow()) - KEEP_EXPIRED
    async with transaction():
        return await store.delete_counters_ended_before(cutoff)
