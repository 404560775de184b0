"""The arq worker: its jobs, its schedule, and how `shuangfang worker` starts it."""

from __future__ import annotations

import dataclasses
import logging.config
import sys
from typing import Any

from arq import cron
from arq.logs import default_log_config
from arq.worker import Worker
from piccolo.engine.base import Engine

from domain.config import Settings
from domain.db.engine import bind_engine, build_engine, close_engine, open_engine
from workers.jobs.credit import compute_blacklist_candidates, compute_credit_grades, expire_blacklist_listings
from workers.jobs.history import export_history_heads, seal_chain_anchors
from workers.jobs.inspections import generate_inspection_tasks
from workers.jobs.maintenance import purge_expired_idempotency_records, purge_expired_refresh_tokens
from workers.jobs.notifications import (
    deliver_due_notifications,
    deliver_notification,
    notify_hazard_event,
    sweep_overdue,
)
from workers.jobs.outbox import hazard_changed, relay_outbox_entries
from workers.jobs.photos import make_photo_derivatives
from workers.jobs.platform_push import push_to_platform
from workers.jobs.public_reports import notify_public_report, purge_public_rate_counters
from workers.jobs.safety_code import recompute_all_safety_codes, recompute_safety_code
from workers.jobs.stats import refresh_rollups
from workers.jobs.statutory import freeze_statutory_statistics
from workers.jobs.supervision import reclassify_all_enterprises, reclassify_enterprise
from workers.queue import redis_settings
from workers.runtime import MAX_TRIES, resilient

JOBS = [
    purge_expired_refresh_tokens,
    purge_expired_idempotency_records,
    export_history_heads,
    seal_chain_anchors,
    generate_inspection_tasks,
    make_photo_derivatives,
    compute_blacklist_candidates,
    expire_blacklist_listings,
    compute_credit_grades,
    hazard_changed,
    relay_outbox_entries,
    notify_hazard_event,
    deliver_due_notifications,
    deliver_notification,
    sweep_overdue,
    recompute_safety_code,
    recompute_all_safety_codes,
    freeze_statutory_statistics,
    refresh_rollups,
    notify_public_report,
    purge_public_rate_counters,
    reclassify_enterprise,
    reclassify_all_enterprises,
    push_to_platform,
]
CRON_JOBS = [
    cron(purge_expired_refresh_tokens, hour={3}, minute={17}, unique=True),
    cron(purge_expired_idempotency_records, minute={47}, unique=True),  # hourly: every keyed request adds a row
    # just after midnight in Zhoushan (UTC+8): the day's last heads are filed under that day
    cron(export_history_heads, hour={16}, minute={5}, unique=True),
    # the anchor ledger's sealer (verify and the export seal first too): a few seconds behind the writers
    cron(seal_chain_anchors, second=set(range(5, 60, 10)), unique=True),
    # hourly, ahead of the hour: it makes the tasks of windows starting within the next two hours
    cron(generate_inspection_tasks, minute={50}, unique=True),
    # just after midnight in Zhoushan: lift the listings whose 3 years ended, then candidates, then grades (which
    # read the listings)
    cron(expire_blacklist_listings, hour={16}, minute={10}, unique=True),
    cron(compute_blacklist_candidates, hour={16}, minute={20}, unique=True),
    cron(compute_credit_grades, hour={16}, minute={30}, unique=True),
    # the worker's own relay pass, every 10 s, beside the API process's loop (either alone delivers everything)
    cron(relay_outbox_entries, second=set(range(0, 60, 10)), unique=True),
    # webhook tries whose time has come (every minute; the shortest retry delay is 10 s) and the overdue sweep
    cron(deliver_due_notifications, second={30}, unique=True),
    cron(sweep_overdue, minute={2, 17, 32, 47}, unique=True),
    # hourly: deadlines pass, task windows close and listings end without any event to trigger a recompute
    cron(recompute_all_safety_codes, minute={40}, unique=True),
    # daily, just after midnight in Zhoushan: a quarter's statistics freeze on the 15th after it, a year's on 31 Jan
    cron(freeze_statutory_statistics, hour={16}, minute={45}, unique=True),
    # every 10 minutes: the cells touched since the last run (deadlines and task windows pass without an event)
    cron(refresh_rollups, minute=set(range(4, 60, 10)), unique=True),
    # hourly: rate-limit windows of the public report endpoints that ended a day ago
    cron(purge_public_rate_counters, minute={23}, unique=True),
    # daily, after the credit grades: the enterprise record's own fields (size, department) change without an event
    cron(reclassify_all_enterprises, hour={16}, minute={50}, unique=True),
    # every 5 minutes: new record versions from the change feed, then pending records to the provincial platform
    # (failed records wait out their own backoff, so a pass during an outage sends nothing early)
    cron(push_to_platform, minute=set(range(3, 60, 5)), unique=True),
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
        # Wrapped here, not in the lists, so each job's entry in JOBS / CRON_JOBS stays a plain function.
        "functions": [resilient(job) for job in JOBS],
        "cron_jobs": [dataclasses.replace(job, coroutine=resilient(job.coroutine)) for job in CRON_JOBS],
        "max_tries": MAX_TRIES,
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
    # arq's own log lines on stderr, as its `arq` command prints them: each job's start (→), end (←), retry (↻)
    # and failure (!) by job id, which is how an operator (and the several-workers test) sees who ran what.
    logging.config.dictConfig(default_log_config(verbose=False))
    # `run()`, as arq's own command does: the worker's tasks live on the loop it took when built (an `asyncio.run`
    # around `async_run()` ran them on another loop and failed at once), and it closes itself after a signal.
    build_worker(settings).run()
    return 0
