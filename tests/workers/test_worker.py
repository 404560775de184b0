"""The arq worker on real Redis, and readiness that reports Redis."""

from dataclasses import replace
from datetime import timedelta

import httpx
import pytest
from arq import create_pool

from api.app import create_app
from domain.accounts.tables import RefreshToken
from domain.clock import utcnow
from domain.ids import new_id
from workers.queue import redis_settings
from workers.settings import build_worker

pytestmark = pytest.mark.redis


async def _expired_token() -> None:
    long_ago = utcnow() - timedelta(days=40)
    async with RefreshToken._meta.db.transaction():
        await RefreshToken.insert(
            RefreshToken(
                id=new_id(),
                user_id="u",
                family_id="f",
                token_hash=new_id(),
                issued_at=long_ago,
                expires_at=long_ago + timedelta(days=30),
            )
        ).run()


async def test_a_burst_worker_runs_the_purge_job_from_redis_and_running_it_twice_changes_nothing(db, redis_url):
    settings, engine = db
    settings = replace(settings, redis_url=redis_url)
    await _expired_token()
    assert await RefreshToken.count().run() == 1
    pool = await create_pool(redis_settings(redis_url))
    try:
        for _ in range(2):
            await pool.enqueue_job("purge_expired_refresh_tokens")
        worker = build_worker(settings, engine, burst=True, handle_signals=False, cron_jobs=[], poll_delay=0.05)
        await worker.main()
        await worker.close()
        assert worker.jobs_complete == 2 and worker.jobs_failed == 0
    finally:
        await pool.aclose()
    assert await RefreshToken.count().run() == 0


async def test_readiness_reports_redis_up_and_down(db, redis_url):
    settings, engine = db
    for url, status, redis in ((redis_url, 200, "ok"), ("redis://127.0.0.1:1/0", 503, "down")):
        app = create_app(replace(settings, redis_url=url), engine)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            response = await client.get("/health/ready")
        assert response.status_code == status
        assert response.json()["redis"] == redis
