"""Issue 5, acceptance 1 for the roll-ups, on real Redis: a worker process SIGKILLed in the middle of the roll-up
job leaves a table that the next run completes to exactly a clean full recompute; running it again changes nothing.

The job is made long enough to be caught mid-run by its test-only arguments (`batch_size`, `pause`: seconds slept
after each committed batch), with the table emptied first so every cell must be written."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import time
from dataclasses import replace

import pytest
from arq import create_pool

from domain.stats.tables import RollupCell, RollupWatermark
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


async def test_a_worker_killed_mid_rollup_then_run_again_gives_the_clean_figures_and_a_rerun_changes_nothing(
    db, redis_url, tmp_path
):
    settings, engine = db
    settings = replace(settings, redis_url=redis_url)
    expected = await clean_full()
    await RollupCell.delete(force=True).run()
    await RollupWatermark.delete(force=True).run()
    queue = f"rollups-kill-{os.getpid()}-{time.monotonic_ns()}"
    pool = await create_pool(redis_settings(redis_url), default_queue_name=queue)
    try:
        # positional: the resilient wrapper passes job arguments by position
        await pool.enqueue_job("refresh_rollups", True, 10, 0.1)
        worker = subprocess.Popen(
            [sys.executable, "-c", WORKER, str(tmp_path), settings.database_url, redis_url, queue], cwd=os.getcwd()
        )
        try:
            deadline = time.monotonic() + 180  # a loaded 2-core CI machine starts a Python process slowly
            while (seen := await RollupCell.count().run()) < 30:
                assert worker.poll() is None, f"the worker ended (rc {worker.returncode}) after {seen} cells"
                assert time.monotonic() < deadline, f"only {seen} cells written in 180 s"
                await asyncio.sleep(0.05)
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=10)
        finally:
            if worker.poll() is None:
                worker.kill()
        written = await RollupCell.count().run()
        assert 30 <= written < len(expected), (written, len(expected))  # killed mid-run: part of the cells written
        assert await RollupWatermark.count().run() == 0  # the watermark moves only after the last batch
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
        assert await cells() == expected
        rows = await RollupCell.select().order_by(RollupCell.id).run()
        await run_job()
        assert await RollupCell.select().order_by(RollupCell.id).run() == rows
    finally:
        await pool.delete(queue)
        await pool.aclose()
