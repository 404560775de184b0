"""The outbox: follow-up work is stored with the change, relayed once, survives a Redis outage; jobs retry and are recorded."""

from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
from dataclasses import replace

import httpx
import pytest

from api.app import create_app
from api.dependencies import services_of
from domain.outbox.services import add_to_outbox, pending_count, relay_outbox
from domain.outbox.tables import JobFailure, OutboxEntry
from tests.api.test_hazards import me, report
from tests.conftest import _skip_or_fail, login
from workers.dispatch import Dispatcher
from workers.jobs import outbox as outbox_jobs
from workers.runtime import resilient
from workers.settings import CRON_JOBS, JOBS, build_worker


@pytest.fixture
def follow_ups(monkeypatch) -> list[tuple[str, int]]:
    """Every (hazard id, seq) a hazard's follow-ups ran for, in order."""
    ran: list[tuple[str, int]] = []

    async def record(ctx, hazard_id: str, seq: int) -> None:
        ran.append((hazard_id, seq))

    monkeypatch.setattr(outbox_jobs, "HAZARD_FOLLOW_UPS", [record])
    return ran


async def test_a_hazard_change_leaves_one_outbox_entry_in_its_transaction_and_the_relay_runs_it_once(
    client, app, follow_ups
):
    officer = await login(client, "officer1")
    await services_of(app).relay.stop()  # this test relays by hand, so it sees the entry before it is handed over
    hazard = await report(client, officer, enterprise_id=(await me(client, officer))["enterpriseId"])
    [entry] = await OutboxEntry.select().where(OutboxEntry.relayed_at.is_null()).run()
    assert (entry["job_name"], entry["args"]) == ("hazard_changed", f'["{hazard["id"]}", 1]')
    dispatcher: Dispatcher = services_of(app).dispatcher
    for _ in range(2):  # the second pass finds nothing to hand over
        await relay_outbox(dispatcher)
        await dispatcher.drain()
    assert follow_ups == [(hazard["id"], 1)] and await pending_count() == 0


async def test_a_refused_change_leaves_no_outbox_entry(client, app):
    officer = await login(client, "officer1")
    before = await OutboxEntry.count().run()
    refused = await client.post("/v1/hazards", json={"clientId": "x", "title": ""}, headers=officer)
    assert refused.status_code == 400 and await OutboxEntry.count().run() == before


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class OwnRedis:
    """A real redis-server of this test's own, on a free port, that the test stops and starts."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    async def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        for _ in range(100):
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            await asyncio.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@pytest.mark.redis
async def test_with_redis_stopped_hazards_are_accepted_and_after_it_returns_every_entry_runs_once(db, follow_ups):
    if shutil.which("redis-server") is None:
        _skip_or_fail("redis-server is not installed")
    settings, engine = db
    redis = OwnRedis()
    await redis.start()
    settings = replace(settings, redis_url=redis.url)
    app = create_app(settings, engine)
    try:
        async with (
            app.lifespan(),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client,
        ):
            officer = await login(client, "officer1")
            enterprise_id = (await me(client, officer))["enterpriseId"]
            redis.stop()
            made = [await report(client, officer, enterprise_id=enterprise_id, title=f"停电期间{n}") for n in range(3)]
            refused = await relay_outbox(
                services_of(app).dispatcher
            )  # the queue is down: nothing handed over, nothing lost
            assert (refused.relayed, refused.pending) == (0, 3) and refused.error
            oldest_waiting = (  # the relay stops at the oldest entry; without an order PostgreSQL may return another
                await OutboxEntry.select(OutboxEntry.relay_attempts)
                .where(OutboxEntry.relayed_at.is_null())
                .order_by(OutboxEntry.id)
                .first()
                .run()
            )
            assert oldest_waiting["relay_attempts"] >= 1
            await redis.start()
            for _ in range(2):  # two relay passes and two worker runs: still one run per entry
                await relay_outbox(services_of(app).dispatcher)
                worker = build_worker(settings, engine, burst=True, handle_signals=False, cron_jobs=[], poll_delay=0.05)
                await worker.main()
                await worker.close()
    finally:
        redis.stop()
    assert sorted(follow_ups) == sorted((hazard["id"], 1) for hazard in made)
    assert await pending_count() == 0


async def test_a_transient_failure_is_retried_with_backoff_and_a_lasting_one_is_recorded_for_admins(
    client, app, monkeypatch
):
    calls: list[int] = []

    async def flaky(ctx, hazard_id: str, seq: int) -> None:
        calls.append(ctx["job_try"])
        if len(calls) < 3:
            raise ConnectionError("receiver away")

    async def broken(ctx, hazard_id: str, seq: int) -> None:
        raise ValueError("a bug, not a hiccup")

    monkeypatch.setattr("workers.runtime.backoff_s", lambda job_try: 0.01)
    dispatcher: Dispatcher = services_of(app).dispatcher
    monkeypatch.setattr(outbox_jobs, "HAZARD_FOLLOW_UPS", [flaky])
    await dispatcher.enqueue("hazard_changed", "H-flaky", 1, job_id="test:flaky")
    await dispatcher.drain()
    assert calls == [1, 2, 3]
    flaky_row = await JobFailure.select().where(JobFailure.job_id == "test:flaky").first().run()
    assert flaky_row["tries"] == 2 and not flaky_row["gave_up"] and flaky_row["succeeded_at"] is not None

    monkeypatch.setattr(outbox_jobs, "HAZARD_FOLLOW_UPS", [broken])
    await dispatcher.enqueue("hazard_changed", "H-broken", 1, job_id="test:broken")
    await dispatcher.drain()
    broken_row = await JobFailure.select().where(JobFailure.job_id == "test:broken").first().run()
    assert broken_row["tries"] == 1 and broken_row["gave_up"] and "ValueError" in broken_row["last_error"]
    admin, officer = await login(client, "admin"), await login(client, "officer1")
    listed = await client.get("/v1/admin/jobs/failures?gaveUp=true", headers=admin)
    assert listed.status_code == 200 and [f["jobId"] for f in listed.json()["items"]] == ["test:broken"]
    assert (await client.get("/v1/admin/jobs/failures", headers=officer)).status_code == 403


def test_every_scheduled_job_is_a_job_the_dispatcher_and_the_worker_know():
    names = {job.__name__ for job in JOBS}
    assert {job.coroutine.__name__ for job in CRON_JOBS} <= names
    assert all(resilient(job).__name__ == job.__name__ for job in JOBS)


async def test_an_entry_added_outside_any_request_is_relayed_by_the_loop(app, follow_ups):
    async with OutboxEntry._meta.db.transaction():
        await add_to_outbox("hazard_changed", "H-loop", 7)
    services_of(app).relay.kick()
    for _ in range(100):
        if follow_ups:
            break
        await asyncio.sleep(0.02)
    await services_of(app).dispatcher.drain()
    assert follow_ups == [("H-loop", 7)]
