"""What every job gets, however it runs: retries with backoff for transient failures, and a record when it fails.

`resilient(job)` wraps a job function (arq and the in-process dispatcher both run the wrapped one). A transient
failure (the database or a network peer unreachable, a lock timeout) raises arq's `Retry` with an exponential
delay until `MAX_TRIES`; any other failure, or the last try, is final. Every failure upserts a `JobFailure` row by
job id (tries, last error, whether it gave up), which admins list at `GET /v1/admin/jobs`; a later success of the
same job id stamps `succeeded_at`. Jobs are idempotent, so running one again after a failure is always safe.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import sqlite3
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import httpx
from arq.worker import Retry

from domain.clock import utcnow
from domain.outbox import store as outbox_store

log = logging.getLogger("shuangfang.jobs")

MAX_TRIES = 5
TRANSIENT = (
    OSError,  # ConnectionError and socket errors among them
    asyncio.TimeoutError,
    sqlite3.OperationalError,  # "database is locked" once the busy timeout passes
    asyncpg.PostgresConnectionError,
    asyncpg.TooManyConnectionsError,
    asyncpg.exceptions.SerializationError,
    asyncpg.exceptions.DeadlockDetectedError,
    # a concurrent run inserted the row this one meant to insert: jobs re-read state, so the retry converges
    asyncpg.exceptions.UniqueViolationError,
    httpx.TransportError,
)

Job = Callable[..., Awaitable[Any]]


def backoff_s(job_try: int) -> float:
    """Seconds before try `job_try + 1`: 2, 4, 8, 16 … capped at five minutes."""
    return float(min(2**job_try, 300))


def default_job_id(job_name: str, args: tuple) -> str:
    """The id a job is recorded under when its runner gave none: its name and arguments."""
    return f"{job_name}:{json.dumps(list(args), default=str)}"[:200]


def resilient(job: Job) -> Job:
    """The job with retries for transient failures and a `JobFailure` record of every failure."""
    if getattr(job, "__resilient__", False):
        return job

    @functools.wraps(job)
    async def run(ctx: dict[str, Any], *args: Any) -> Any:
        job_try = ctx.get("job_try", 1)
        job_id = ctx.get("job_id") or default_job_id(job.__name__, args)
        try:
            result = await job(ctx, *args)
        except Retry:
            raise
        except Exception as error:
            final = not isinstance(error, TRANSIENT) or job_try >= MAX_TRIES
            await _record_failure(job_id, job.__name__, args, job_try, error, final)
            if not final:
                raise Retry(defer=backoff_s(job_try)) from error
            raise
        if job_try > 1 or await outbox_store.has_job_failure(job_id):
            await outbox_store.record_job_success(job_id, now=utcnow())
        return result

    run.__resilient__ = True  # type: ignore[attr-defined]
    return run


async def _record_failure(job_id: str, name: str, args: tuple, tries: int, error: Exception, final: bool) -> None:
    text = f"{type(error).__name__}: {error}"[:2000]
    try:
        await outbox_store.record_job_failure(
            job_id=job_id,
            job_name=name,
            args_json=json.dumps(list(args), default=str),
            tries=tries,
            error=text,
            final=final,
            now=utcnow(),
        )
    except Exception as recording_error:  # the database may be what failed: the log still tells
        log.error("job %s failed (%s) and could not be recorded: %r", job_id, text, recording_error)
    log.error("job %s failed on try %s%s: %s", job_id, tries, " (gave up)" if final else "", text)
