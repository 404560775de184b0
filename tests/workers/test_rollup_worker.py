"""Issue 5, acceptance 1 for the roll-ups, on real Redis: a worker process SIGKILLed in the middle of an incremental
roll-up (some batches committed, each with its ancestors' differences, the watermark not moved) leaves a table that
the next run completes to exactly a clean full recompute; running it again changes nothing. A full run is one
transaction (a fresh table swapped in), so killing it leaves the table as it was.

The job is made long enough to be caught mid-run by its test-only arguments (`batch_size`, `pause`: seconds slept
after each committed batch): every demo enterprise gets a hazard in a month no cell has yet, so each committed
batch shows as that month's enterprise cells."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import time
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from arq import create_pool

from domain.clock import utcnow
from domain.hazards.tables import Hazard
from domain.ids import new_id
from domain.stats.services import refresh_rollups
from domain.stats.tables import RollupCell, RollupWatermark
from tests.api.test_standardisation import enterprise_ids
from tests.integration.test_rollups import cells, clean_full
from workers.queue import redis_settings
from workers.settings import build_worker

pytestmark = pytest.mark.redis

WORKER = textwrap.dedent("""
    import asyncio, sys
    from dataclasses import replace
    from domain.db.engine import bind_engine, build_engine, open_engine
    from tests.conftest import make_settings
    from pathlib import Path
    from workers.settings import build_worker

    async def main():
        settings = replace(make_settings(Path(sys.argv[1]), sys.argv[2]), redis_url=sys.argv[3])
        engine = build_engine(settings)
        bind_engine(engine)
        await open_engine(engine)
        worker = build_worker(settings, engine, burst=True, handle_signals=False, cron_jobs=[], poll_delay=0.05,
                              queue_name=sys.argv[4])
        await worker.main()

    asyncio.run(main())
""")


MOVED_TO = datetime(2021, 6, 15, 4, tzinfo=UTC)


async def test_a_worker_killed_mid_rollup_then_run_again_gives_the_clean_figures_and_a_rerun_changes_nothing(
    db, redis_url, tmp_path
):
    settings, engine = db
    settings = replace(settings, redis_url=redis_url)
    assert (await refresh_rollups()).written == 0  # the seed ran the roll-up: nothing is pending
    before = await RollupWatermark.select().run()
    # a copy of one hazard in every demo enterprise, found in that month, as if just reported
    model = (await Hazard.select().order_by(Hazard.id).first().run()) | {"found_at": MOVED_TO, "updated_at": utcnow()}
    moved = await enterprise_ids()
    for key, enterprise_id in moved.items():
        await Hazard.insert(
            Hazard(**model | {"id": new_id(), "client_key": f"kill-{key}", "enterprise_id": enterprise_id})
        ).run()
    assert len(moved) >= 4
    queue = f"rollups-kill-{os.getpid()}-{time.monotonic_ns()}"
    pool = await create_pool(redis_settings(redis_url), default_queue_name=queue)

    async def moved_cells() -> int:
        return (
            await RollupCell.count()
            .where(RollupCell.scope_kind == "enterprise", RollupCell.period_key == "2021-06")
            .run()
        )

    try:
        # positional: the resilient wrapper passes job arguments by position (full, batch_size, pause)
        await pool.enqueue_job("refresh_rollups", False, 1, 1.0)
        worker = subprocess.Popen(
            [sys.executable, "-c", WORKER, str(tmp_path), settings.database_url, redis_url, queue], cwd=os.getcwd()
        )
        try:
            deadline = time.monotonic() + 180  # a loaded 2-core CI machine starts a Python process slowly
            while (seen := await moved_cells()) < 1:
                assert worker.poll() is None, f"the worker ended (rc {worker.returncode}) after {seen} batches"
                assert time.monotonic() < deadline, "no batch committed in 180 s"
                await asyncio.sleep(0.05)
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=10)
        finally:
            if worker.poll() is None:
                worker.kill()
        assert 1 <= await moved_cells() < len(moved)  # killed mid-run: part of the batches committed
        assert await RollupWatermark.select().run() == before  # the watermark moves only after the last batch
        # The killed job stays queued, behind an in-progress mark that outlives its process until arq's job timeout
        # (300 s), after which any worker would run it again: take it off the queue (arq's queue key is its name) and
        # run the job afresh, so each run below is exactly one job.
        await pool.delete(queue)

        async def run_job() -> None:
            await pool.enqueue_job("refresh_rollups")
            again = build_worker(
                settings, engine, burst=True, handle_signals=False, cron_jobs=[], poll_delay=0.05, queue_name=queue
            )
            await again.main()
            await again.close()
            outcome = (again.jobs_complete, again.jobs_failed, again.jobs_retried)
            assert outcome[:2] == (1, 0), f"complete, failed, retried: {outcome}"

        await run_job()
        assert await moved_cells() == len(moved)
        rows = await RollupCell.select().order_by(RollupCell.id).run()
        await run_job()
        assert await RollupCell.select().order_by(RollupCell.id).run() == rows
        assert await cells() == await clean_full()
    finally:
        await pool.delete(queue)
        await pool.aclose()
