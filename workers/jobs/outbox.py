"""Jobs of the outbox: the worker's relay pass, and the fan-out of a hazard's change to what follows from it."""

from __future__ import annotations

from typing import Any

from arq import ArqRedis

from domain.hazards.store import enterprise_of_hazard
from domain.outbox.services import RelayReport, relay_outbox
from workers.jobs.notifications import notify_hazard_event
from workers.jobs.safety_code import recompute_safety_code


async def recompute_hazards_safety_code(ctx: dict[str, Any], hazard_id: str, seq: int) -> None:
    """The enterprise's dynamic safety code, whose inputs (open, overdue and major hazards) the change may move."""
    enterprise_id = await enterprise_of_hazard(hazard_id)
    if enterprise_id is not None:
        await recompute_safety_code(ctx, enterprise_id)


# Jobs run for every change of a hazard, each as `follow_up(ctx, hazard_id, seq)`; they are idempotent, so the whole
# list runs again when one of them fails and the fan-out is retried. (Roll-ups find changes by their watermark.)
HAZARD_FOLLOW_UPS: list[Any] = [recompute_hazards_safety_code, notify_hazard_event]


class ArqQueue:
    """The worker's own Redis connection as a queue for the relay."""

    def __init__(self, redis: ArqRedis) -> None:
        self.redis = redis

    async def enqueue(self, job_name: str, *args: Any, job_id: str | None = None) -> None:
        """Queue the job; arq ignores a job id it already holds, which is what makes a re-relay harmless."""
        await self.redis.enqueue_job(job_name, *args, _job_id=job_id)


async def relay_outbox_entries(ctx: dict[str, Any]) -> dict[str, Any]:
    """Hand pending outbox entries to arq: the worker's pass, beside the API process's relay loop."""
    if "redis" not in ctx:  # in-process there is no worker: the app's relay loop hands entries to the dispatcher
        return {"relayed": 0, "pending": None}
    report: RelayReport = await relay_outbox(ArqQueue(ctx["redis"]))
    return {"relayed": report.relayed, "pending": report.pending}


async def hazard_changed(ctx: dict[str, Any], hazard_id: str, seq: int) -> int:
    """Run every follow-up of one hazard change (event `seq` of its chain); returns how many ran."""
    for follow_up in HAZARD_FOLLOW_UPS:
        await follow_up(ctx, hazard_id, seq)
    return len(HAZARD_FOLLOW_UPS)
