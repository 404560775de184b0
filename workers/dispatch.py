"""One way to start a job, whatever runs it: arq when `REDIS_URL` is set, else a task in this process.

The embedded mode runs the very job functions the arq worker runs, with the same `ctx` keys (`settings`,
`engine`, `job_id`, `job_try`), so a job cannot tell the two apart. In-process jobs run at most once per job id at a
time, a transient failure is retried after the same backoff arq would use (`workers/runtime.py`), and `drain()`
waits for all of them: the app's shutdown and tests call it.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from arq import ArqRedis, create_pool
from arq.worker import Retry
from piccolo.engine.base import Engine

from domain.config import Settings
from workers.queue import redis_settings
from workers.runtime import MAX_TRIES, default_job_id, resilient

log = logging.getLogger("shuangfang.dispatch")

Job = Callable[..., Awaitable[Any]]
IN_PROCESS_CONCURRENCY = 4


class Dispatcher:
    """Enqueues jobs by name on arq, or runs them as tasks here when no Redis is configured."""

    def __init__(self, settings: Settings, engine: Engine | None = None, jobs: list[Job] | None = None) -> None:
        if jobs is None:
            from workers.settings import JOBS as jobs  # the worker's own list, so both run the same functions
        self.settings = settings
        self.engine = engine
        self._jobs = {job.__name__: resilient(job) for job in jobs}
        self._pool: ArqRedis | None = None
        self._running: dict[str, asyncio.Task] = {}
        self._tasks: set[asyncio.Task] = set()
        self._new_loop_primitives()

    def _new_loop_primitives(self) -> None:
        # A lock or semaphore belongs to the event loop it first waited on: a closed dispatcher gets fresh ones, so an
        # app can be started again on another loop (the test suite reuses one app across tests, each with its loop).
        self._pool_lock = asyncio.Lock()
        # In-process jobs share the app's database: a burst (the seed's relay, a backlog) runs a few at a time.
        self._slots = asyncio.Semaphore(IN_PROCESS_CONCURRENCY)

    async def enqueue(self, job_name: str, *args: Any, job_id: str | None = None) -> None:
        """Run `job_name(ctx, *args)` soon; while a job with the same `job_id` is queued or running, do nothing."""
        if job_name not in self._jobs:
            raise KeyError(f"no job named {job_name!r}")
        if self.settings.redis_url:
            pool = await self._arq()
            await pool.enqueue_job(job_name, *args, _job_id=job_id)
            return
        if job_id is not None and job_id in self._running:
            return
        # A fresh context: a job enqueued inside a transaction (the outbox relay's claim) must not inherit it, or
        # its statements would run on that transaction's connection, and after its commit.
        task = asyncio.create_task(
            self._run(job_name, args, job_id), name=job_id or job_name, context=contextvars.Context()
        )
        # The event loop keeps only weak references to tasks: hold each until it is done.
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        if job_id is not None:
            self._running[job_id] = task
            task.add_done_callback(lambda _: self._running.pop(job_id, None))

    async def drain(self) -> None:
        """Wait until every in-process job, including those queued meanwhile, has finished."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self) -> None:
        """Finish in-process jobs and close the arq connection (the app's shutdown)."""
        await self.drain()
        if self._pool is not None:
            await self._pool.aclose()
            self._pool = None
        self._new_loop_primitives()

    async def _run(self, job_name: str, args: tuple, job_id: str | None = None) -> None:
        ctx = {"settings": self.settings, "engine": self.engine, "job_id": job_id or default_job_id(job_name, args)}
        for job_try in range(1, MAX_TRIES + 1):
            try:
                async with self._slots:
                    await self._jobs[job_name](ctx | {"job_try": job_try}, *args)
                return
            except Retry as retry:  # a transient failure, already recorded: wait as arq would, then try again
                await asyncio.sleep(retry.defer_score / 1000 if retry.defer_score else 0)
            except Exception:  # a failed job fails alone, as on arq; `resilient` recorded and logged it
                return

    async def _arq(self) -> ArqRedis:
        async with self._pool_lock:
            if self._pool is None:
                self._pool = await create_pool(redis_settings(self.settings.redis_url))
        return self._pool
