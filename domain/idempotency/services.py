"""Idempotency records: begin an attempt under a key, then finish it with its response or abandon it.

The record's primary key is the lock: of two first requests under one key, one inserts and the other finds the row.
A record that has expired is as good as absent, so an expired key behaves as a new one, and an attempt whose
process died frees its key once its lease passes. Statements in store.py.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from domain.clock import utcnow
from domain.db.transactions import transaction
from domain.idempotency import model, store
from domain.idempotency.model import Attempt, Completed, IdempotencyRequestInFlight, StoredResponse

__all__ = ["IN_FLIGHT_LEASE", "Attempt", "Completed", "abandon", "begin", "finish", "lookup", "purge_expired"]

# Long enough for a 20 MiB photo to stream over a weak island connection; a crashed attempt blocks its key this long.
IN_FLIGHT_LEASE = timedelta(minutes=10)
RETRY_AFTER_S = 1


async def begin(
    *, user_id: str, method: str, path: str, key: bytes, now: datetime | None = None
) -> Attempt | Completed:
    """Take the caller's key for this request, or return what it already answered; raises while another runs."""
    now = now or utcnow()
    record_id = model.record_id(user_id=user_id, method=method, path=path, key=key)
    async with transaction():
        # Twice: the second round runs only after an expired record was deleted.
        for _ in range(2):
            if await store.insert_in_flight(
                record_id=record_id,
                user_id=user_id,
                method=method,
                path=path,
                now=now,
                expires_at=now + IN_FLIGHT_LEASE,
            ):
                return Attempt(record_id=record_id, started_at=now)
            found = await store.live(record_id, now)
            if found is not None:
                break
            await store.delete_if_expired(record_id, now)
    if isinstance(found, Completed):
        return found
    raise IdempotencyRequestInFlight("a request with this key is still running", retryAfterSeconds=RETRY_AFTER_S)


async def lookup(*, record_id: str, now: datetime | None = None) -> Completed | Attempt | None:
    """The live record under this id: what it answered, the attempt still running, or None."""
    return await store.live(record_id, now or utcnow())


async def finish(
    attempt: Attempt, *, request_hash: str, response: StoredResponse, ttl_s: int, now: datetime | None = None
) -> None:
    """Keep the response for replays of the same request until the record expires."""
    async with transaction():
        await store.complete(
            attempt,
            request_hash=request_hash,
            response=response,
            expires_at=(now or utcnow()) + timedelta(seconds=ttl_s),
        )


async def abandon(attempt: Attempt) -> None:
    """Free the key: the request failed in a way its retry may not, so nothing is kept."""
    async with transaction():
        await store.delete_attempt(attempt)


async def purge_expired(*, now: datetime | None = None) -> int:
    """Delete expired records (they already behave as absent); returns how many."""
    async with transaction():
        return await store.delete_expired(now or utcnow())
