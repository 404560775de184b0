"""The reference client and `shuangfang simulate` against the real app: over ASGI on both engines, and as a command
against a real server process."""

from __future__ import annotations

import asyncio
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import msgspec
import pytest

from domain.clock import utcnow
from mobile_contract.client import ApiError, Client, every, qr_token
from mobile_contract.hazards import Accept
from mobile_contract.offline import OfflineQueue
from mobile_contract.simulate import DayPlan, play_day, site_photo
from mobile_contract.sync import HazardCreatePayload, HazardTransitionPayload
from tests.conftest import DEMO_PASSWORD
from workers.jobs.stats import refresh_rollups

ROOT = Path(__file__).parents[2]
BASE = "http://testserver"


def phone(app) -> Client:
    """A reference client talking to the real app through ASGI."""
    return Client(BASE, transport=httpx.ASGITransport(app=app), device_id="test-phone")


async def test_the_client_keeps_its_tokens_refreshes_once_on_a_401_and_raises_coded_errors(app):
    async with phone(app) as client:
        with pytest.raises(ApiError) as refused:
            await client.login("inspector1", "wrong password")
        assert (refused.value.status, refused.value.code) == (401, "AUTH_INVALID_CREDENTIALS")
        user = await client.login("inspector1", DEMO_PASSWORD)
        assert user.role == "inspector" and user.grid_ids
        # an expired (here: garbled) access token is refreshed once, and the call goes through
        client.tokens = msgspec.structs.replace(client.tokens, access_token="garbled")
        assert (await client.me()).id == user.id and client.refreshes == 1
        # calls failing together refresh once: a spent refresh token presented again would revoke the family
        client.tokens = msgspec.structs.replace(client.tokens, access_token="garbled")
        assert {u.id for u in await asyncio.gather(*(client.me() for _ in range(4)))} == {user.id}
        assert client.refreshes == 2
        # a refresh that fails ends it: the phone must sign in again
        client.tokens = msgspec.structs.replace(client.tokens, access_token="garbled", refresh_token="spent")
        with pytest.raises(ApiError) as expired:
            await client.me()
        assert (expired.value.status, expired.value.code) == (401, "AUTH_REFRESH_INVALID")
        assert client.refreshes == 2

        await client.login("inspector1", DEMO_PASSWORD)
        with pytest.raises(ApiError) as forged:
            await client.scan("A" * 60)
        assert (forged.value.status, forged.value.code) == (404, "QR_INVALID")
        waiting = [h async for h in every(lambda c: client.hazards(status="awaiting_acceptance", cursor=c))]
        hazard = next(h for h in waiting if "accept" in h.allowed_actions)
        with pytest.raises(ApiError) as stale:
            await client.transition(hazard.id, Accept(note="复查"), version=hazard.version + 1)
        assert (stale.value.status, stale.value.code) == (412, "HAZARD_VERSION_STALE")
        accepted = await client.transition(hazard.id, Accept(note="复查"), version=hazard.version)
        assert accepted.status == "closed" and accepted.version == hazard.version + 1


async def test_a_photo_upload_retried_under_its_idempotency_key_replays_and_a_scan_reads_the_printed_code(app):
    async with phone(app) as client:
        await client.login("inspector1", DEMO_PASSWORD)
        data = site_photo(random.Random(5), "retry")
        first, created = await client.upload_photo(data, client_id="client-retry-1", idempotency_key="photo-retry-1")
        again, created_again = await client.upload_photo(
            data, client_id="client-retry-1", idempotency_key="photo-retry-1"
        )
        assert created and not created_again and again.id == first.id and (first.width, first.height) == (960, 720)
        enterprise = (await client.enterprises()).items[0]
        point = (await client.risk_points(enterprise.id)).items[0]
        assert point.qr.url.endswith("/" + point.qr.token) and qr_token(point.qr.url) == point.qr.token
        card = await client.scan(qr_token(point.qr.url))
        assert card.kind == "riskPoint" and card.risk_point.id == point.id and card.scan_id


def test_site_photos_are_real_jpegs_and_no_two_draws_alike():
    rng = random.Random(1)
    one, two = site_photo(rng, "a"), site_photo(rng, "a")
    assert one != two and one[:3] == two[:3] == b"\xff\xd8\xff"
    assert site_photo(random.Random(1), "a") == one  # the seed decides


async def test_the_offline_queue_survives_a_restart_and_an_operation_overtaken_meanwhile_does_not_block_the_rest(
    app, tmp_path
):
    async with phone(app) as client, phone(app) as other_phone:
        await client.login("inspector1", DEMO_PASSWORD)
        waiting = [h async for h in every(lambda c: client.hazards(status="awaiting_acceptance", cursor=c))]
        hazard = next(h for h in waiting if "accept" in h.allowed_actions)
        queue = OfflineQueue(tmp_path / "queue.json")
        ref = queue.add_photo(site_photo(random.Random(2), "offline"), client_id="queue-photo-1")
        queue.add(
            "queue-op-1",
            HazardCreatePayload(
                client_id="queue-hazard-1",
                enterprise_id=hazard.enterprise_id,
                source="grid_inspection",
                category="unsafe_condition",
                title="离线发现：消防通道堵塞",
                photo_ids=[ref],
                found_at=utcnow(),
            ),
        )
        queue.add(
            "queue-op-2",
            HazardTransitionPayload(
                hazard_id=hazard.id, expected_version=hazard.version, transition=Accept(note="离线复查")
            ),
        )
        # the app is killed and started again: the queue is read back from its file
        queue = OfflineQueue(tmp_path / "queue.json")
        assert [q.op_id for q in queue.pending] == ["queue-op-1", "queue-op-2"] and len(queue.state.photos) == 1
        # meanwhile the same inspector's other phone accepted that hazard online
        await other_phone.login("inspector1", DEMO_PASSWORD)
        await other_phone.transition(hazard.id, Accept(note="另一部手机复查"), version=hazard.version)

        created, overtaken = await queue.replay(client)
        assert created.status == "ok" and created.resource == "hazard"
        made = await client.hazard(created.id)
        assert made.title == "离线发现：消防通道堵塞" and [p.id for p in made.photos] == list(
            queue.state.photo_ids.values()
        )
        assert overtaken.status == "error" and not overtaken.retryable
        assert overtaken.error.code in ("HAZARD_VERSION_STALE", "HAZARD_TRANSITION_NOT_ALLOWED")
        assert (await client.hazard(hazard.id)).version == hazard.version + 1  # the online accept, once
        # both outcomes are final: nothing is pending, even after another restart, and a replay sends nothing
        queue = OfflineQueue(tmp_path / "queue.json")
        assert queue.pending == [] and await queue.replay(client) == []
        assert [r.status for r in await queue.replay(client, queue.state.ops)] == ["ok", "error"]


def local_month(at: datetime) -> str:
    """The roll-up period of a time: its month in Asia/Shanghai (UTC+8)."""
    return (at.astimezone(UTC) + timedelta(hours=8)).strftime("%Y-%m")


async def figures(client: Client, month: str) -> dict[str, int]:
    """The district regulator's counts for a month."""
    body = await client.hazard_statistics(region_code="330902", first=month, last=month)
    return {f.metric: f.numerator for p in body.periods for f in p.figures}


async def test_a_simulated_day_completes_and_the_district_regulator_sees_it_after_the_roll_up(app, tmp_path):
    async with phone(app) as regulator:
        await regulator.login("regulator_dinghai", DEMO_PASSWORD)
        await refresh_rollups({})
        month = local_month(utcnow())
        before = await figures(regulator, month)

        async with phone(app) as client:
            plan = DayPlan(seed=11, run_id="t1", queue_path=tmp_path / "queue.json", clock=utcnow)
            summary = await play_day(client, plan, say=lambda line: None)
        assert summary.completed, summary.lines()
        assert summary.replay_errors == [], summary.lines()
        assert summary.queued_ops >= 4 and summary.queued_photos == 2
        assert summary.replay["scan ok"] == 1 and summary.replay["inspectionCreate ok"] == 1
        assert summary.replay["hazardCreate ok"] == 1
        assert summary.inspections == plan.points + 1 and summary.items_failed >= 2
        hazards = set(summary.hazards)
        assert len(hazards) == len(summary.hazards) >= 3  # the first point's failure, a sighting, and two offline
        accepted = [hazard_id for hazard_id, action in summary.actions if action.startswith("accept")]
        assert summary.changes_after["hazard upsert"] >= len(hazards)

        # the day's hazards are on the regulator's list, each with its photos
        for hazard_id in hazards:
            shown = await regulator.hazard(hazard_id)
            assert shown.photos and shown.source == "grid_inspection" and local_month(shown.found_at) == month
        await refresh_rollups({})
        after = await figures(regulator, month)
        assert after["found"] == before.get("found", 0) + len(hazards)
        assert after["closed"] == before.get("closed", 0) + len(accepted)
        assert hazards <= await figure_item_ids(regulator, "found", month)
        assert set(accepted) <= await figure_item_ids(regulator, "closed", month)


async def test_an_officers_day_does_the_enterprises_tasks_which_an_inspectors_day_leaves_to_them(app, tmp_path):
    async def tasks_done(client: Client) -> int:
        return len([t async for t in every(lambda c: client.tasks(cursor=c, limit=100)) if t.status == "done"])

    async with phone(app) as officer, phone(app) as inspector:
        await officer.login("officer1", DEMO_PASSWORD)
        before = await tasks_done(officer)
        day = await play_day(
            inspector, DayPlan(seed=4, run_id="t3", queue_path=tmp_path / "i.json", clock=utcnow), say=lambda _: None
        )
        assert day.completed and day.tasks_done == 0 and await tasks_done(officer) == before
        day = await play_day(
            officer,
            DayPlan(username="officer1", seed=4, run_id="t4", queue_path=tmp_path / "o.json", clock=utcnow),
            say=lambda _: None,
        )
        assert day.completed and day.role == "officer" and day.tasks_done > 0
        assert await tasks_done(officer) == before + day.tasks_done


async def figure_item_ids(client: Client, metric: str, period: str) -> set[str]:
    """The ids behind the district's figure, every page."""
    pages = every(
        lambda cursor: client.figure_items(metric=metric, period=period, region_code="330902", cursor=cursor, limit=100)
    )
    return {item.id async for item in pages}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def found_in_district(base_url: str, env: dict, month: str) -> int:
    """`shuangfang rollups` on the server's database, then the district regulator's count of hazards found."""
    subprocess.run(
        [sys.executable, "-m", "api.cli", "rollups"], env=env, cwd=ROOT, check=True, capture_output=True, timeout=120
    )
    token = httpx.post(f"{base_url}/v1/auth/login", json={"username": "regulator_dinghai", "password": DEMO_PASSWORD})
    body = httpx.get(
        f"{base_url}/v1/stats/hazards",
        params={"regionCode": "330902", "from": month, "to": month},
        headers={"Authorization": f"Bearer {token.json()['accessToken']}"},
    ).json()
    return next((f["numerator"] for p in body["periods"] for f in p["figures"] if f["metric"] == "found"), 0)


def test_the_simulate_command_completes_a_day_against_a_real_server(sqlite_template, seeded_photos, tmp_path):
    database = tmp_path / "demo.sqlite3"
    shutil.copy(sqlite_template, database)
    port = _free_port()
    env = {
        **os.environ,
        "SF_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{database}",
        "SF_PHOTO_DIR": str(seeded_photos),
        "SF_JWT_SECRET": "test-jwt-secret-that-is-long-enough-for-hs256",
        "SF_QR_KEYS": json.dumps({"1": "test-qr-key-0123456789abcdef"}),
        "SF_QR_ACTIVE_KEY": "1",
        "SF_PASSWORD_HASH_COST": "fast",
        "SF_RUN_SCHEDULE": "0",
        "REDIS_URL": "",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(150):
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=0.5).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            pytest.fail(f"the server did not start: {server.stderr.read().decode()[-2000:]}")
        base_url, queue = f"http://127.0.0.1:{port}", tmp_path / "queue.json"
        month = local_month(utcnow())
        found_before = found_in_district(base_url, env, month)
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "api.cli",
                "simulate",
                "--base-url",
                base_url,
                "--seed",
                "3",
                "--points",
                "2",
                "--queue",
                str(queue),
                "--run-id",
                "cmd",
            ],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        found_after = found_in_district(base_url, env, month)
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "COMPLETED" in done.stdout and "results identical" in done.stdout, done.stdout
    reported = int(re.search(r"hazards reported \(online and offline\): (\d+)", done.stdout).group(1))
    assert reported >= 3 and found_after == found_before + reported
    kept = json.loads(queue.read_text())
    assert kept["results"] and all(r["status"] == "ok" for r in kept["results"].values()), kept["results"]
    assert set(kept["results"]) == {queued["opId"] for queued in kept["ops"]}
    assert len(kept["photoIds"]) == len(kept["photos"]) == 2
