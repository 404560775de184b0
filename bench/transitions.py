"""Benchmark hazard transitions per second on SQLite and on PostgreSQL, one after another and concurrently.

    .venv/bin/python -m bench.transitions [--hazards 400] [--concurrency 16] [--no-postgres] [--json]

Each transition is the whole write path the API runs: read the hazard in scope, check the table, UPDATE with the
version in the WHERE clause, link and INSERT the next hash-chained event, commit. Each engine gets a fresh
migrated and seeded database (PostgreSQL: a database of its own on `BENCH_POSTGRES_DSN`'s server, dropped after);
the same run prints both, so the two figures compare on one machine, each with issue 14's goal for the concurrent
writers (>= 1,000 transitions/s) and PASS/MISS.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from bench.http import _create_database, _drop_database, _prepare_database, _server_env
from domain.access.model import Actor, Role
from domain.accounts.store import user_by_username
from domain.clock import utcnow
from domain.config import load_settings
from domain.db.engine import bind_engine, build_engine, close_engine, open_engine
from domain.hazards import model
from domain.hazards.services import NewHazard, create_hazard, transition

GOAL_PER_S = 1000  # issue 14: transitions through the services with 16 concurrent writers, on each engine


async def _actor(username: str) -> Actor:
    user = await user_by_username(username)
    return Actor(user_id=user.id, role=Role(user.role), enterprise_id=user.enterprise_id)


async def _measure(hazards: int, concurrency: int) -> tuple[float, float]:
    """Transitions/s one at a time (assign) and with `concurrency` writers (void), on fresh hazards."""
    officer, principal = await _actor("officer1"), await _actor("principal1")
    made = []
    for n in range(hazards):
        record, _ = await create_hazard(
            actor=officer,
            new=NewHazard(
                client_id=f"bench-{n}-{time.time_ns()}",
                enterprise_id=officer.enterprise_id,
                source="daily",
                category="unsafe_condition",
                title="bench",
            ),
        )
        made.append(record.id)
    assign = model.Assign(officer.user_id, "整改", utcnow() + timedelta(days=3))
    start = time.perf_counter()
    for hazard_id in made:
        await transition(actor=principal, hazard_id=hazard_id, expected_version=1, command=assign)
    sequential = hazards / (time.perf_counter() - start)
    queue = asyncio.Queue()
    for hazard_id in made:
        queue.put_nowait(hazard_id)

    async def writer() -> None:
        while not queue.empty():
            hazard_id = queue.get_nowait()
            await transition(actor=officer, hazard_id=hazard_id, expected_version=2, command=model.Void("bench"))

    start = time.perf_counter()
    await asyncio.gather(*(writer() for _ in range(concurrency)))
    concurrent = hazards / (time.perf_counter() - start)
    return sequential, concurrent


async def _run_engine(env: dict, hazards: int, concurrency: int) -> tuple[float, float]:
    os.environ.update(env)
    settings = load_settings()
    engine = build_engine(settings)
    bind_engine(engine)
    await open_engine(engine)
    try:
        return await _measure(hazards, concurrency)
    finally:
        await close_engine(engine)


def main() -> int:
    """Prepare each engine, measure, print one line per engine with the goal (and the JSON with --json)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hazards", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--json", action="store_true", help="print the results as JSON on stdout (the lines on stderr)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="sf-bench-transitions-"))
    database = f"sf_bench_transitions_{os.getpid()}"
    results = []
    try:
        engines = ["sqlite"] + ([] if args.no_postgres else ["postgres"])
        for name in engines:
            database_url = asyncio.run(_create_database(database)) if name == "postgres" else ""
            try:
                env = _server_env(folder / name, database_url)
                _prepare_database(env)
                sequential, concurrent = asyncio.run(_run_engine(env, args.hazards, args.concurrency))
            finally:
                if name == "postgres":
                    asyncio.run(_drop_database(database))
            verdict = "PASS" if concurrent >= GOAL_PER_S else "MISS"
            results.append(
                {
                    "engine": name,
                    "hazards": args.hazards,
                    "writers": args.concurrency,
                    "sequential_per_s": round(sequential, 1),
                    "concurrent_per_s": round(concurrent, 1),
                    "goal_per_s": GOAL_PER_S,
                    "mark": verdict,
                }
            )
            print(
                f"transitions on {name:<9} {sequential:8.0f}/s one at a time   "
                f"{concurrent:8.0f}/s with {args.concurrency} concurrent writers (goal >= {GOAL_PER_S:,}/s)  {verdict}",
                file=sys.stderr if args.json else sys.stdout,
                flush=True,
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if args.json:
        print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
