"""Every statement on the idempotency area's tables: other modules call these functions and get typed records back.

The record's primary key is the lock: of two first requests under one key, one inserts and the other finds the row.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime

from domain.idempotency.model import Attempt, Completed, StoredResponse
from domain.idempotency.tables import IdempotencyRecord

IN_FLIGHT, DONE = "in_flight", "done"


async def insert_in_flight(
    *, record_id: str, user_id: str, method: str, path: str, now: datetime, expires_at: datetime
) -> bool:
    """Take the key with an in-flight record; False when a record under it exists (live or expired)."""
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
                expires_at=expires_at,
            )
        )
        .on_conflict(action="DO NOTHING")
        .returning(IdempotencyRecord.id)
        .run()
    )
    return bool(inserted)


async def live(record_id: str, now: datetime) -> Completed | Attempt | None:
    """The record under this id unless expired: what it answered, the attempt still running, or None."""
    row = (
        await IdempotencyRecord.select()
        .where((IdempotencyRecord.id == record_id) & (IdempotencyRecord.expires_at > now))
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


async def delete_if_expired(record_id: str, now: datetime) -> None:
    """Drop the record under this id if it has expired (an expired key behaves as a new one)."""
    await (
        IdempotencyRecord.delete()
        .where((IdempotencyRecord.id == record_id) & (IdempotencyRecord.expires_at <= now))
        .run()
    )


def _owned(attempt: Attempt):
    return (
        (IdempotencyRecord.id == attempt.record_id)
        & (IdempotencyRecord.created_at == attempt.started_at)
        & (IdempotencyRecord.state == IN_FLIGHT)
    )


async def complete(attempt: Attempt, *, request_hash: str, response: StoredResponse, expires_at: datetime) -> None:
    """Store the response of the attempt (if it still owns its record) for replays until `expires_at`."""
    content_type = next((value for name, value in response.headers if name.lower() == b"content-type"), None)
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
                IdempotencyRecord.expires_at: expires_at,
            }
        )
        .where(_owned(attempt))
        .run()
    )


async def delete_attempt(attempt: Attempt) -> None:
    """Drop the attempt's record, if it still owns it."""
    await IdempotencyRecord.delete().where(_owned(attempt)).run()


async def delete_expired(now: datetime) -> int:
    """Delete expired records; returns how many."""
    removed = (
        await IdempotencyRecord.delete()
        .where(IdempotencyRecord.expires_at <= now)
        .returning(IdempotencyRecord.id)
        .run()
    )
    return len(removed)
