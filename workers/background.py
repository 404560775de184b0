"""What runs beside the API in its own process: the outbox relay loop, and the schedule when there is no worker.

With `REDIS_URL` the arq worker (`shuangfang worker`) runs the cron schedule; without it, `InProcessSchedule` runs
the same `CRON_JOBS` at the same times through the dispatcher, so the embedded default keeps every promise of the
schedule. The relay loop runs in both modes: it hands committed outbox entries to the queue soon after each write
(`kick`) and every few seconds anyway, so entries left while Redis was down go out once it answers again.

Several API processes (`shuangfang serve --workers N` on PostgreSQL) each run both, and stay correct: a relay
claims the entries it hands over (rows another relay holds are skipped), and each tick of each cron job is claimed
in the database (`cron_claim`) by one process, which alone runs it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from datetime import datetime

from arq.cron import CronJob, next_cron

from domain.clock import utcnow
from domain.outbox.services import relay_outbox
from domain.outbox.store import claim_cron_tick
from workers.dispatch import Dispatcher

log = logging.getLogger("shuangfang.background")

RELAY_INTERVAL_S = 5.0


def this_process() -> str:
    """Who took a cron tick, as its claim and the log name it: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"[:120]


class OutboxRelayLoop:
    """Relays the outbox after every kick and every `interval_s` seconds, until stopped."""

    def __init__(self, dispatcher: Dispatcher, interval_s: float = RELAY_INTERVAL_S) -> None:
        self.dispatcher = dispatcher
        self.interval_s = interval_s
        self._wake = asyncio.Event()
        self._task: asyncio.Task | None = None

    def kick(self) -> None:
        """Relay soon: something may have been written to the outbox."""
        self._wake.set()

    def start(self) -> None:
        """Run the loop as a task of the current event loop (again after `stop`, on another loop too)."""
        kicked = self._wake.is_set()
        self._wake = asyncio.Event()  # an Event belongs to the loop it first waited on
        if kicked:
            self._wake.set()
        self._task = asyncio.create_task(self._run(), name="outbox-relay")

    async def stop(self) -> None:
        """Stop the loop (the app's shutdown) after the pass under way, if any, finishes."""
        if self._task is not None:
            self._stopping = True
            self._wake.set()
            await self._task
            self._task = None

    async def _run(self) -> None:
        # Never cancelled: a pass cut inside a database transaction would leave the writer connection mid-commit.
        self._stopping = False
        while not self._stopping:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.interval_s)
            self._wake.clear()
            if self._stopping:
                return
            try:
                report = await relay_outbox(self.dispatcher)
                if report.relayed:
                    log.info("outbox relay handed %s entries to the queue", report.relayed)
            except Exception as error:  # the database may be away for a moment: the next pass tries again
                log.error("outbox relay pass failed: %r", error)


class InProcessSchedule:
    """Runs arq cron jobs at their times through the dispatcher (no Redis, so no worker runs them)."""

    def __init__(self, dispatcher: Dispatcher, cron_jobs: list[CronJob]) -> None:
        self.dispatcher = dispatcher
        self.cron_jobs = cron_jobs
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        """Run the schedule as a task of the current event loop."""
        log.info("in-process schedule runs in %s", this_process())
        self._task = asyncio.create_task(self._run(), name="in-process-schedule")

    async def stop(self) -> None:
        """Stop the schedule (jobs already started finish through the dispatcher's drain)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        upcoming = {job.name: self.next_run(job, utcnow()) for job in self.cron_jobs}
        while True:
            due_at = min(upcoming.values())
            await asyncio.sleep(max(0.0, (due_at - utcnow()).total_seconds()))
            for job in self.cron_jobs:
                if upcoming[job.name] <= utcnow():
                    run_at = upcoming[job.name]
                    upcoming[job.name] = self.next_run(job, run_at)
                    await self._run_once(job.coroutine.__name__, run_at)

    async def _run_once(self, name: str, run_at: datetime) -> None:
        # Every API process runs this schedule: the one whose claim moves the job's tick forward runs the tick.
        try:
            if not await claim_cron_tick(name, run_at, claimed_by=this_process(), now=utcnow()):
                return
            log.info("cron %s of %s runs in %s", name, run_at.isoformat(), this_process())
            # one id per job and time, like arq's unique cron jobs: a slow run is not started twice
            await self.dispatcher.enqueue(name, job_id=f"cron:{name}:{run_at:%Y%m%dT%H%M%S}")
        except Exception as error:  # the database may be away for a moment: this tick is skipped, the next one runs
            log.error("cron %s of %s did not start: %r", name, run_at.isoformat(), error)

    @staticmethod
    def next_run(job: CronJob, after: datetime) -> datetime:
        """The job's next time strictly after `after`, by arq's own calendar rule."""
        return next_cron(
            after,
            month=job.month,
            day=job.day,
            weekday=job.weekday,
            hour=job.hour,
            minute=job.minute,
            second=job.second,
            microsecond=job.microsecond,
        )
