"""Benchmark `GET /v1/sync/changes` on PostgreSQL: a caller with a handful of changes, when the database holds
10,000 hazards and when it holds 1,000,000, in the same run.

    .venv/bin/python -m bench.sync_changes [--enterprises 10000] [--small 10000] [--large 1000000] [--handful 5]

Makes a fresh database, migrates it, bulk-loads (asyncpg COPY) a city of 4 districts, 40 towns and 400 grids with
`--enterprises` enterprises, then `--small` hazards with one change-feed row each (what the backfill writes), sealed
as readers would find them. Three callers sign in through the real app (in process, over ASGI): an officer of one
enterprise, an inspector of one grid and the regulator of one district. Each takes a cursor at the head of the
feed, then `--handful` hazards of the officer's enterprise are reported through the services, and each caller's
GET from its cursor is timed (median of 30). Then hazards and feed rows are loaded up to `--large` and the same is
done again. Prints both medians per caller and their ratio (goal: <= 1.5).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx

from bench.city import load_regions_and_grids
from bench.scan import PG_ADMIN
from domain.access.model import Actor, Role
from domain.config import load_settings
from domain.db.engine import bind_engine, build_engine, close_engine, open_engine
from domain.db.migrate import migrate
from domain.hazards.services import NewHazard, create_hazard
from domain.ids import new_id
from domain.sync.changes import encode_cursor

DATABASE = "sf_bench_sync"
PASSWORD = "Bench2026x"
REPEATS = 30


async def _load_places(connection, enterprises: int, now: datetime) -> tuple[list[tuple], list[str]]:
    """Regions, grids and enterprises; the grids and the enterprise ids."""
    grids = await load_regions_and_grids(connection, now)
    rows = [
        (
            new_id(),
            f"91330900{n:010d}",
            f"企业{n}",
            "machinery",
            grids[n % 400][0],
            grids[n % 400][3],
            grids[n % 400][4],
            now,
            now,
        )
        for n in range(enterprises)
    ]
    await connection.copy_records_to_table(
        "enterprise",
        records=rows,
        columns=[
            "id",
            "credit_code",
            "name",
            "industry",
            "grid_id",
            "region_code",
            "region_path",
            "created_at",
            "updated_at",
        ],
    )
    return grids, [row[0] for row in rows]


async def _load_hazards(
    connection, grids: list[tuple], enterprise_ids: list[str], count: int, now: datetime, rng: random.Random
) -> None:
    """`count` more hazards, each with the feed row the backfill would write, sealed in load order."""
    place = {eid: grids[n % 400] for n, eid in enumerate(enterprise_ids)}
    hazard_columns = [
        "id",
        "client_key",
        "enterprise_id",
        "source",
        "category",
        "title",
        "level",
        "status",
        "side",
        "reporter_id",
        "reporter_role",
        "found_at",
        "created_at",
        "updated_at",
    ]
    feed_columns = [
        "seq",
        "kind",
        "entity_id",
        "op",
        "enterprise_id",
        "grid_id",
        "region1",
        "region2",
        "region3",
        "region_path",
        "at",
    ]
    done = 0
    while done < count:
        size = min(100_000, count - done)
        start = await connection.fetchval("SELECT nextval('sync_change_position')")
        await connection.execute(f"SELECT setval('sync_change_position', {start + size})")
        hazards, feed = [], []
        for n in range(size):
            hazard_id, enterprise_id = new_id(), rng.choice(enterprise_ids)
            found = now - timedelta(days=rng.uniform(0, 400))
            hazards.append(
                (
                    hazard_id,
                    f"bench{start + n}",
                    enterprise_id,
                    "daily",
                    "unsafe_condition",
                    "隐患",
                    "general",
                    "closed",
                    "enterprise",
                    "r",
                    "officer",
                    found,
                    found,
                    found,
                )
            )
            grid = place[enterprise_id]
            codes = [code for code in grid[4].split("/") if code]
            feed.append((start + n, "hazard", hazard_id, "upsert", enterprise_id, grid[0], *codes, grid[4], found))
        await connection.copy_records_to_table("hazard", records=hazards, columns=hazard_columns)
        await connection.copy_records_to_table("sync_change", records=feed, columns=feed_columns)
        done += size
    await connection.execute("ANALYZE")


async def _timed_gets(client: httpx.AsyncClient, headers: dict, cursor: str, expect: int) -> float:
    """The median seconds of a GET from the cursor, after checking it answers the handful."""
    first = (await client.get("/v1/sync/changes", params={"since": cursor}, headers=headers)).json()
    assert len(first["changes"]) == expect, (len(first["changes"]), expect)
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        response = await client.get("/v1/sync/changes", params={"since": cursor}, headers=headers)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200
    return statistics.median(times)


async def _head(client: httpx.AsyncClient, headers: dict, connection) -> str:
    """A cursor past everything in the feed now (the one a phone holds after syncing everything)."""
    await client.get("/v1/sync/changes", params={"limit": 1}, headers=headers)  # seals what is committed
    return encode_cursor(await connection.fetchval("SELECT MAX(seq) FROM sync_change"))


async def _phase(
    client, connection, callers: dict[str, dict], officer: Actor, handful: int, label: str
) -> dict[str, float]:
    cursors = {name: await _head(client, headers, connection) for name, headers in callers.items()}
    for n in range(handful):
        await create_hazard(
            actor=officer,
            new=NewHazard(
                client_id=f"{label}-{n}",
                enterprise_id=officer.enterprise_id,
                source="daily",
                category="unsafe_condition",
                title="新隐患",
            ),
        )
    return {name: await _timed_gets(client, callers[name], cursors[name], handful) for name in callers}


async def run(enterprises: int, small: int, large: int, handful: int) -> None:
    admin = await asyncpg.connect(PG_ADMIN)
    await admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    await admin.execute(f"CREATE DATABASE {DATABASE}")
    url = PG_ADMIN.rsplit("/", 1)[0] + f"/{DATABASE}"
    var = tempfile.mkdtemp(prefix="sf-bench-sync-")
    settings = load_settings(
        {
            "DATABASE_URL": url,
            "SF_VAR_DIR": var,
            "SF_RUN_SCHEDULE": "0",
            "SF_PASSWORD_HASH_COST": "fast",
            "PATH": os.environ.get("PATH", ""),
        }
    )
    engine = build_engine(settings)
    rng = random.Random(6)
    try:
        bind_engine(engine)
        await migrate(engine)
        await open_engine(engine)
        now = datetime.now(UTC)
        connection = await asyncpg.connect(url)
        grids, enterprise_ids = await _load_places(connection, enterprises, now)
        await _load_hazards(connection, grids, enterprise_ids, small, now, rng)

        from api.app import create_app
        from domain.accounts.services import AccountService

        accounts = AccountService(settings)
        system = Actor(user_id="bench", role=Role.ADMIN)
        target = enterprise_ids[0]
        grid, district = grids[0], grids[0][4].split("/")[2]
        for username, role, binding in (
            ("officer", Role.OFFICER, {"enterprise_id": target}),
            ("inspector", Role.INSPECTOR, {"grid_ids": [grid[0]]}),
            ("regulator", Role.REGULATOR, {"region_code": district}),
        ):
            await accounts.create_user(
                actor=system, username=f"bench_{username}", name=username, password=PASSWORD, role=role, **binding
            )
        officer_id = (await connection.fetchrow("SELECT id FROM app_user WHERE username = 'bench_officer'"))["id"]
        officer = Actor(user_id=officer_id, role=Role.OFFICER, enterprise_id=target)
        app = create_app(settings, engine)
        async with (
            app.lifespan(),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client,
        ):
            callers = {}
            for name in ("officer", "inspector", "regulator"):
                login = await client.post("/v1/auth/login", json={"username": f"bench_{name}", "password": PASSWORD})
                callers[name] = {"Authorization": f"Bearer {login.json()['accessToken']}"}
            before = await _phase(client, connection, callers, officer, handful, "small")
            loaded = time.perf_counter()
            await _load_hazards(connection, grids, enterprise_ids, large - small, now, rng)
            print(f"loaded {large - small:,} more hazards and feed rows in {time.perf_counter() - loaded:.1f} s (COPY)")
            after = await _phase(client, connection, callers, officer, handful, "large")
        rows = await connection.fetchval("SELECT COUNT(*) FROM sync_change")
        print(f"{enterprises:,} enterprises; feed rows at the end: {rows:,}; {handful} new changes per phase")
        for name in callers:
            print(
                f"{name:10s} {small:>9,} hazards: {before[name] * 1000:6.2f} ms   {large:>9,} hazards: "
                f"{after[name] * 1000:6.2f} ms   ratio {after[name] / before[name]:.2f} (goal <= 1.5)"
            )
        await connection.close()
    finally:
        await close_engine(engine)
        await admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        await admin.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=10_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--handful", type=int, default=5)
    args = parser.parse_args()
    asyncio.run(run(args.enterprises, args.small, args.large, args.handful))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
