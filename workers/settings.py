"""The arq worker: its jobs, its schedule, and how `shuangfang worker` starts it."""

from __future__ import annotations

import asyncio
import sys
from typing import Any

from arq import cron
from arq.worker import Worker
from piccolo.engine.base import Engine

from domain.config import Settings
from domain.db.engine import bind_engine, build_engine, close_engine, open_engine
from workers.jobs.history import export_history_heads
from workers.jobs.inspections import generate_inspection_tasks
from workers.jobs.maintenance import purge_expired_idempotency_records, purge_expired_refresh_tokens
from workers.jobs.photos import make_photo_derivatives
from workers.queue import redis_settings

JOBS = [
    purge_expired_refresh_tokens,
    purge_expired_idempotency_records,
    export_history_heads,
    generate_inspection_tasks,
    make_photo_derivatives,
]
CRON_JOBS = [
    cron(purge_expired_refresh_tokens, hour={3}, minute={17}, unique=True),
    cron(purge_expired_idempotency_records, minute={47}, unique=True),  # hourly: every keyed request adds a row
    # just after midnight in Zhoushan (UTC+8): the day's last heads are filed under that day
    cron(export_history_heads, hour={16}, minute={5}, unique=True),
    # hourly, ahead of the hour: it makes the tasks of windows starting within the next two hours
    cron(generate_inspection_tasks, minute={50}, unique=True),
]


async def startup(ctx: dict[str, Any]) -> None:
    """Open the database once for the worker's life, unless the caller handed in an open engine."""
    if "engine" in ctx:
        return
    engine = build_engine(ctx["settings"])
    bind_engine(engine)
    await open_engine(engine)
    ctx["engine"] = engine
    ctx["owns_engine"] = True


async def shutdown(ctx: dict[str, Any]) -> None:
    """Close what startup opened."""
    if ctx.get("owns_engine"):
        await close_engine(ctx["engine"])


def build_worker(settings: Settings, engine: Engine | None = None, **overrides: Any) -> Worker:
    """An arq worker on the settings' Redis with every job and the cron schedule."""
    options: dict[str, Any] = {
        "functions": JOBS,
        "cron_jobs": CRON_JOBS,
        "redis_settings": redis_settings(settings.redis_url),
        "on_startup": startup,
        "on_shutdown": shutdown,
        "ctx": {"settings": settings} | ({"engine": engine} if engine is not None else {}),
        "handle_signals": True,
    }
    options.update(overrides)
    return Worker(**options)


def run_worker(settings: Settings) -> int:
    """`shuangfang worker`: run until stopped; without REDIS_URL the API process runs jobs itself."""
    if not settings.redis_url:
        print("REDIS_URL is not set: jobs run inside the API process; no separate worker is needed", file=sys.stderr)
        return 2
    worker = build_worker(settings)
    asyncio.run(worker.async_run())
    return 0
