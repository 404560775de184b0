"""Fixed-window counters every process shares: in Redis when `REDIS_URL` is set, else in the database.

Both keep a count per window that one atomic step increments and reads back (Redis `INCR`; an `INSERT ... ON
CONFLICT DO UPDATE ... RETURNING` on SQLite and PostgreSQL), so two processes counting at once never lose a hit.
The database's counters are the rows of `public_rate_counter` (the public endpoints' limits keep theirs there too):
each names its window, so an old window is never read again, and the `purge_public_rate_counters` job deletes them.
Redis keys expire by themselves (a window's key lives two windows of real time). While Redis cannot be reached,
counting goes on in the database (shared just the same), so a Redis outage neither blocks writes nor lifts limits.
"""

from __future__ import annotations

import functools
import logging
from datetime import datetime
from typing import Protocol

from domain.db.sql import Statement
from domain.db.transactions import transaction
from domain.limits.model import Limit, Window, window_for

_HIT = Statement(
    "INSERT INTO public_rate_counter (id, hits, window_end) VALUES ({}, 1, {})"
    " ON CONFLICT (id) DO UPDATE SET hits = public_rate_counter.hits + 1 RETURNING hits"
)
log = logging.getLogger("shuangfang.limits")
# Seconds to wait for Redis before counting in the database instead: a limit must never hold a request up.
REDIS_TIMEOUT_S = 2.0

_PEEK = Statement("SELECT hits FROM public_rate_counter WHERE id = {}", short=True)


class Counters(Protocol):
    """Counts events per limit and key in fixed windows."""

    async def hit(self, limit: Limit, key: str, now: datetime) -> tuple[int, Window]:
        """Count one event; the count in this window including it, and the window."""
        ...

    async def peek(self, limit: Limit, key: str, now: datetime) -> tuple[int, Window]:
        """The count in this window, without counting."""
        ...

    async def close(self) -> None:
        """Let go of connections."""
        ...


class DatabaseCounters:
    """Counters in the service's database: shared by every process that uses it, with or without Redis."""

    async def hit(self, limit: Limit, key: str, now: datetime) -> tuple[int, Window]:
        """Count one event in one statement (atomic on both engines)."""
        window = window_for(limit, key, now)
        async with transaction():
            rows = await _HIT.rows(window.counter_id, window.ends_at)
        return int(rows[0]["hits"]), window

    async def peek(self, limit: Limit, key: str, now: datetime) -> tuple[int, Window]:
        """Read one counter by its primary key."""
        window = window_for(limit, key, now)
        row = await _PEEK.one(window.counter_id)
        return (int(row["hits"]) if row else 0), window

    async def close(self) -> None:
        """Nothing to close: the engine belongs to the app."""


class RedisCounters:
    """Counters in Redis: shared by every process and machine that uses the same Redis."""

    def __init__(self, redis_url: str) -> None:
        self._url = redis_url
        self._client = None
        self._fallback = DatabaseCounters()

    @property
    def _redis(self):
        # made on first use and dropped on close: an app's lifespan (and a test's event loop) gets its own pool
        if self._client is None:
            from redis.asyncio import Redis

            self._client = Redis.from_url(
                self._url, socket_connect_timeout=REDIS_TIMEOUT_S, socket_timeout=REDIS_TIMEOUT_S
            )
        return self._client

    async def hit(self, limit: Limit, key: str, now: datetime) -> tuple[int, Window]:
        """`INCR` and `EXPIRE` in one MULTI: the count and the key's lifetime move together."""
        window = window_for(limit, key, now)
        name = f"sf:limit:{window.counter_id}"
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                count, _ = await pipe.incr(name).expire(name, 2 * limit.window_s).execute()
        except _redis_away() as error:
            log.warning("rate counter in the database while Redis is away: %r", error)
            return await self._fallback.hit(limit, key, now)
        return int(count), window

    async def peek(self, limit: Limit, key: str, now: datetime) -> tuple[int, Window]:
        """`GET` of the window's key."""
        window = window_for(limit, key, now)
        try:
            value = await self._redis.get(f"sf:limit:{window.counter_id}")
        except _redis_away() as error:
            log.warning("rate counter in the database while Redis is away: %r", error)
            return await self._fallback.peek(limit, key, now)
        return (int(value) if value else 0), window

    async def close(self) -> None:
        """Close the connection pool."""
        if self._client is not None:
            client, self._client = self._client, None
            await client.aclose()


@functools.cache
def _redis_away() -> tuple[type[BaseException], ...]:
    """The errors that mean Redis cannot be reached (imported on first need, as the client itself is)."""
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    return (RedisConnectionError, RedisTimeoutError, OSError)


def counters_for(redis_url: str) -> Counters:
    """Redis when a URL is given, else the database."""
    return RedisCounters(redis_url) if redis_url else DatabaseCounters()
