"""Every statement on the outbox area's tables: other modules call these functions and get typed records back."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from domain.db.transactions import is_sqlite, transaction
from domain.outbox.tables import CronClaim, JobFailure, OutboxEntry

# --- entries --------------------------------------------------------------------------------------------------------


async def insert_entry(entry_id: str, job_name: str, args: list[Any], *, created_at: datetime) -> None:
    """Record an entry (in the caller's transaction)."""
    await OutboxEntry.insert(
        OutboxEntry(id=entry_id, job_name=job_name, args=json.dumps(args), created_at=created_at)
    ).run()


async def pending_count() -> int:
    """Entries not yet handed to the queue."""
    return await OutboxEntry.count().where(OutboxEntry.relayed_at.is_null()).run()


# --- the relay's claim (several API processes relay the same outbox) ------------------------------------------------


@dataclass(frozen=True, slots=True)
class PendingEntry:
    """An outbox entry not yet handed to the queue: the job to run and its arguments."""

    id: str
    job_name: str
    args: list[Any]


async def has_pending() -> bool:
    """Whether any entry waits (a plain read: an idle relay pass opens no transaction)."""
    return await OutboxEntry.exists().where(OutboxEntry.relayed_at.is_null()).run()


async def claim_pending(*, limit: int) -> list[PendingEntry]:
    """The oldest entries not yet relayed, held for the caller's transaction; call it inside one.

    On PostgreSQL the rows stay locked until that transaction ends and a relay in another process skips them
    (`FOR UPDATE SKIP LOCKED`), so each entry is handed over by one relay; on SQLite the write transaction itself
    is the lock (one writer at a time, across processes too).
    """
    query = (
        OutboxEntry.select(OutboxEntry.id, OutboxEntry.job_name, OutboxEntry.args)
        .where(OutboxEntry.relayed_at.is_null())
        .order_by(OutboxEntry.id)
        .limit(limit)
    )
    if not is_sqlite():
        query = query.lock_rows("UPDATE", skip_locked=True)
    rows = await query.run()
    return [PendingEntry(id=row["id"], job_name=row["job_name"], args=json.loads(row["args"])) for row in rows]


async def stamp_relayed(entry_ids: list[str], *, now: datetime) -> None:
    """Mark these entries handed over (one statement; inside the claiming transaction)."""
    if entry_ids:
        await OutboxEntry.update({OutboxEntry.relayed_at: now}).where(OutboxEntry.id.is_in(entry_ids)).run()


async def note_refusal(entry_id: str, error: str) -> None:
    """Count a refused hand-over of this entry and keep the queue's error."""
    await (
        OutboxEntry.update(
            {OutboxEntry.relay_attempts: OutboxEntry.relay_attempts + 1, OutboxEntry.last_error: error[:1000]}
        )
        .where(OutboxEntry.id == entry_id)
        .run()
    )


# --- cron tick claims (several API processes run the in-process schedule) --------------------------------------------

_NEVER = datetime(1970, 1, 1, tzinfo=UTC)


async def claim_cron_tick(job_name: str, tick: datetime, *, claimed_by: str, now: datetime) -> bool:
    """True for the one caller that takes this tick of the job; False when another process took it (or a later one).

    The job's row only moves forward: of two processes racing for one tick, the second finds the tick taken (its
    update waits for the first's row lock on PostgreSQL, then matches nothing; SQLite writes one at a time).
    """
    async with transaction():
        await (
            CronClaim.insert(CronClaim(job_name=job_name, tick=_NEVER, claimed_by="", claimed_at=now))
            .on_conflict(action="DO NOTHING")
            .run()
        )
        taken = (
            await CronClaim.update({CronClaim.tick: tick, CronClaim.claimed_by: claimed_by, CronClaim.claimed_at: now})
            .where((CronClaim.job_name == job_name) & (CronClaim.tick < tick))
            .returning(CronClaim.job_name)
            .run()
        )
    return bool(taken)


# --- job failures (workers/runtime.py records every failed try here) -------------------------------------------------


async def record_job_failure(
    *, job_id: str, job_name: str, args_json: str, tries: int, error: str, final: bool, now: datetime
) -> None:
    """Upsert the failure record of a job id: its tries, last error and whether it gave up."""
    async with transaction():
        updated = (
            await JobFailure.update(
                {
                    JobFailure.tries: tries,
                    JobFailure.last_error: error,
                    JobFailure.last_failed_at: now,
                    JobFailure.gave_up: int(final),
                    JobFailure.succeeded_at: None,
                }
            )
            .where(JobFailure.job_id == job_id)
            .returning(JobFailure.job_id)
            .run()
        )
        if not updated:
            await JobFailure.insert(
                JobFailure(
                    job_id=job_id,
                    job_name=job_name,
                    args=args_json,
                    tries=tries,
                    last_error=error,
                    first_failed_at=now,
                    last_failed_at=now,
                    gave_up=int(final),
                )
            ).run()


async def has_job_failure(job_id: str) -> bool:
    """Whether this job id has a failure record (a success after it is then stamped)."""
    return await JobFailure.exists().where(JobFailure.job_id == job_id).run()


async def record_job_success(job_id: str, *, now: datetime) -> None:
    """Stamp a job id's failure record succeeded: it no longer counts as given up."""
    async with transaction():
        await (
            JobFailure.update({JobFailure.gave_up: 0, JobFailure.succeeded_at: now})
            .where(JobFailure.job_id == job_id)
            .run()
        )


@dataclass(frozen=True, slots=True)
class FailureRecord:
    """A job that failed: its id, name, arguments, tries, last error and whether it gave up."""

    job_id: str
    job_name: str
    args: list[Any]
    tries: int
    last_error: str
    first_failed_at: datetime
    last_failed_at: datetime
    gave_up: bool
    succeeded_at: datetime | None


async def job_failures(*, gave_up: bool | None, limit: int) -> list[FailureRecord]:
    """The latest failures first, at most `limit`; `gave_up` keeps only those that did (or did not) give up."""
    query = JobFailure.select().order_by(JobFailure.last_failed_at, ascending=False).limit(limit)
    if gave_up is not None:
        query = query.where(JobFailure.gave_up == int(gave_up))
    return [
        FailureRecord(
            row["job_id"],
            row["job_name"],
            json.loads(row["args"]),
            row["tries"],
            row["last_error"],
            row["first_failed_at"],
            row["last_failed_at"],
            bool(row["gave_up"]),
            row["succeeded_at"],
        )
        for row in await query.run()
    ]
