"""The transactional outbox: record follow-up work with the change that causes it, hand it to the queue later.

A change (a hazard transition, say) calls `add_to_outbox` inside its own transaction, so the work is stored if and
only if the change is. The relay (`relay_outbox`) hands pending entries to the queue in order, each under the job id
`outbox:<entry id>` — arq refuses a second job with an id it still knows and the in-process dispatcher runs an id
once at a time — and stamps them relayed. If the queue is down (Redis stopped) nothing is stamped and the next pass
tries again: the work is delayed, never lost. A crash between handing over and stamping hands the entry over again
under the same job id, and every job is idempotent, so the effect is that of one delivery.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from domain.access.model import Actor
from domain.access.permissions import Action, require
from domain.clock import utcnow
from domain.db.paging import clamp_limit
from domain.db.transactions import transaction
from domain.ids import new_id
from domain.outbox import store
from domain.outbox.store import FailureRecord

log = logging.getLogger("shuangfang.outbox")
RELAY_BATCH = 200


class JobQueue(Protocol):
    """Where relayed work goes: arq, or tasks in this process (workers.dispatch.Dispatcher is both)."""

    async def enqueue(self, job_name: str, *args: Any, job_id: str | None = None) -> None:
        """Run the named job with these arguments soon; raises when the queue cannot take it now."""


@dataclass(frozen=True, slots=True)
class RelayReport:
    """What one relay pass did: entries handed over, and entries still waiting because the queue refused."""

    relayed: int
    pending: int
    error: str = ""


async def add_to_outbox(job_name: str, *args: Any, now: datetime | None = None) -> str:
    """Record `job_name(*args)` to run after the caller's transaction commits; call it inside that transaction."""
    entry_id = new_id()
    await store.insert_entry(entry_id, job_name, list(args), created_at=now or utcnow())
    return entry_id


def outbox_job_id(entry_id: str) -> str:
    """The queue's job id for an entry: the same entry handed over twice is one job."""
    return f"outbox:{entry_id}"


async def relay_outbox(queue: JobQueue, *, batch: int = RELAY_BATCH) -> RelayReport:
    """Hand pending entries to the queue, oldest first, until it refuses one or none are left.

    Each batch is claimed, handed over and stamped in one transaction: a relay in another process skips the rows it
    holds (see `store.claim_pending`), so with several API processes each entry is still handed over once, and a
    crash before the commit leaves the batch pending for the next pass.
    """
    relayed = 0
    while await store.has_pending():
        refused: tuple[str, Exception] | None = None
        async with transaction():
            entries = await store.claim_pending(limit=batch)
            handed: list[str] = []
            for entry in entries:
                try:
                    await queue.enqueue(entry.job_name, *entry.args, job_id=outbox_job_id(entry.id))
                except Exception as error:  # the queue is down: keep this entry and the rest for the next pass
                    refused = (entry.id, error)
                    break
                handed.append(entry.id)
            await store.stamp_relayed(handed, now=utcnow())
            if refused is not None:
                await store.note_refusal(refused[0], repr(refused[1]))
        relayed += len(handed)
        if refused is not None:
            pending = await pending_count()
            log.warning("outbox relay stopped, %s entries wait: %r", pending, refused[1])
            return RelayReport(relayed, pending, repr(refused[1]))
        if not entries:  # what waits is held by another process's relay, which hands it over
            break
    return RelayReport(relayed, 0)


async def pending_count() -> int:
    """Entries not yet handed to the queue."""
    return await store.pending_count()


async def list_job_failures(*, actor: Actor, gave_up: bool | None = None, limit: int = 100) -> list[FailureRecord]:
    """The latest failures first (administrators only): `gave_up=True` keeps those that need a person."""
    require(actor, Action.READ_JOB_FAILURES)
    return await store.job_failures(gave_up=gave_up, limit=clamp_limit(limit))
