"""Idempotency records: begin an attempt under a key, then finish it with its response or abandon it.

The record's primary key is the lock: of two first requests under one key, one inserts and the other finds the row.
A record that has expired is as good as absent, so an expired key behaves as a new one, and an attempt whose
process died frees its key once its lease passes.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.clock import utcnow
from domain.idempotency import model
from domain.idempotency.model import IdempotencyRequestInFlight, StoredResponse
from domain.idempotency.tables import IdempotencyRecord

IN_FLIGHT, DONE = "in_flight", "done"
# Long enough for a 20 MiB photo to stream over a weak island connection; a crashed attempt blocks its key this long.
IN_FLIGHT_LEASE = timedelta(minutes=10)
RETRY_AFTER_S = 1


@dataclass(frozen=True, slots=True)
class Attempt:
    """This request owns the key: it runs, then finishes or abandons the record."""

    record_id: str
    # Identifies this attempt: a late finish of an attempt whose lease passed never touches its successor's row.
    started_at: datetime


@dataclass(frozen=True, slots=True)
class Completed:
    """The key already answered: the fingerprint of the request it answered, and the response it gave."""

    request_hash: str
    response: StoredResponse


def _db():
    return IdempotencyRecord._meta.db


async def begin(
    *, user_id: str, method: str, path: str, key: bytes, now: datetime | None = None
) -> Attempt | Completed:
    """Take the caller's key for this request, or return what it already answered; raises while another runs."""
    now = now or utcnow()
    record_id = model.record_id(user_id=user_id, method=method, path=path, key=key)
    async with _db().transaction():
        # Twice: the second round runs only after an expired record was deleted.
        for _ in range(2):
            inserted = (
                await IdempotencyRecord.insert(
                    IdempotencyRecord(
                        id=record_id,
                        user_id=user_id,
                        method=method,
                        path=path,
                        request_hash="",  # known once the body has streamed through
                        state=IN_FLIGHT,
                        created_at=now,
                        expires_at=now + IN_FLIGHT_LEASE,
                    )
                )
                .on_conflict(action="DO NOTHING")
                .returning(IdempotencyRecord.id)
                .run()
            )
            if inserted:
                return Attempt(record_id=record_id, started_at=now)
            found = await lookup(record_id=record_id, now=now)
            if found is not None:
                break
            await (
                IdempotencyRecord.delete()
                .where((IdempotencyRecord.id == record_id) & (IdempotencyRecord.expires_at <= now))
                .run()
            )
    if isinstance(found, Completed):
        return found
    raise IdempotencyRequestInFlight("a request with this key is still running", retryAfterSeconds=RETRY_AFTER_S)


async def lookup(*, record_id: str, now: datetime | None = None) -> Completed | Attempt | None:
    """The live record under this id: what it answered, the attempt still running, or None."""
    row = (
        await IdempotencyRecord.select()
        .where((IdempotencyRecord.id == record_id) & (IdempotencyRecord.expires_at > (now or utcnow())))
        .first()
        .run()
    )
    if row is None:
        return None
    if row["state"] == IN_FLIGHT:
        return Attempt(record_id=record_id, started_at=row["created_at"])
    pairs = json.loads(row["response_headers"])
    headers = tuple((name.encode("latin-1"), value.encode("latin-1")) for name, value in pairs)
    response = StoredResponse(status=row["status_code"], headers=headers, body=base64.b64decode(row["response_body"]))
    return Completed(request_hash=row["request_hash"], response=response)


def _owned(attempt: Attempt):
    return (
        (IdempotencyRecord.id == attempt.record_id)
        & (IdempotencyRecord.created_at == attempt.started_at)
        & (IdempotencyRecord.state == IN_FLIGHT)
    )


async def finish(
    attempt: Attempt, *, request_hash: str, response: StoredResponse, ttl_s: int, now: datetime | None = None
) -> None:
    """Keep the response for replays of the same request until the record expires."""
    content_type = next((value for name, value in response.headers if name.lower() == b"content-type"), None)
    async with _db().transaction():
        await (
            IdempotencyRecord.update(
                {
                    IdempotencyRecord.state: DONE,
                    IdempotencyRecord.request_hash: request_hash,
                    IdempotencyRecord.status_code: response.status,
                    IdempotencyRecord.content_type: content_type.decode("latin-1")[:100] if content_type else None,
                    IdempotencyRecord.response_headers: json.dumps(
                        [[name.decode("latin-1"), value.decode("latin-1")] for name, value in response.headers]
                    ),
                    # base64: the body is kept byte for byte whatever it is, and text columns take it on both engines.
                    IdempotencyRecord.response_body: base64.b64encode(response.body).decode("ascii"),
                    IdempotencyRecord.expires_at: (now or utcnow()) + timedelta(seconds=ttl_s),
                }
            )
            .where(_owned(attempt))
            .run()
        )


async def abandon(attempt: Attempt) -> None:
    """Free the key: the request failed in a way its retry may not, so nothing is kept."""
    async with _db().transaction():
        await IdempotencyRecord.delete().where(_owned(attempt)).run()


async def purge_expired(*, now: datetime | None = None) -> int:
    """Delete expired records (they already behave as absent); returns how many."""
    async with _db().transaction():
        removed = (
            await IdempotencyRecord.delete()
            .where(IdempotencyRecord.expires_at <= (now or utcnow()))
            .returning(IdempotencyRecord.id)
            .run()
        )
    return len(removed)
