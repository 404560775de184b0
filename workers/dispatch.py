"""One way to start a job, whatever runs it: arq when `REDIS_URL` is set, else a task in this process.

The embedded mode runs the very job functions the arq worker runs, with the same `ctx` keys (`settings`,
`engine`), so a job cannot tell the two apart. In-process jobs run at most once per job id at a time, a failure is
logged (like an arq job that raised), and `drain()` waits for all of them: the app's shutdown and tests call it.
"""

from __future__ import annotations

import asyncio
import logging
import traceback
from collections.abc import Awaitable, Callable
from typing import Any

from arq import ArqRedis, create_pool
from piccolo.engine.base import Engine

from domain.config import Settings
from workers.queue import redis_settings

log = logging.getLogger("shuangfang.dispatch")

Job = Callable[..., Awaitable[Any]]


class Dispatcher:
    """Enqueues jobs by name on arq, or runs them as tasks here when no Redis is configured."""

    def __init__(self, settings: Settings, engine: Engine | None = None, jobs: list[Job] | None = None) -> None:
        if jobs is None:
            from workers.settings import JOBS as jobs  # the worker's own list, so both run the same functions
        self.settings = settings
        self.engine = engine
        self._jobs = {job.__name__: job for job in jobs}
        self._pool: ArqRedis | None = None
        self._pool_lock = asyncio.Lock()
        self._running: dict[str, asyncio.Task] = {}
        self._tasks: set[asyncio.Task] = set()

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
        task = asyncio.create_task(self._run(job_name, args), name=job_id or job_name)
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

    async def _run(self, job_name: str, args: tuple) -> None:
        try:
            await self._jobs[job_name]({"settings": self.settings, "engine": self.engine}, *args)
        except Exception as error:  # a failed job fails alone, as on arq; what it leaves undone is redone on demand
            # The trace goes into the message: the app's JSON log formatter cannot encode exc_info.
            log.error("in-process job %s%r failed: %s", job_name, args, "".join(traceback.format_exception(error)))

    async def _arq(self) -> ArqRedis:
        async with self._pool_lock:
            if self._pool is None:
                self._pool = await create_pool(redis_settings(self.settings.redis_url))
        return self._pool
