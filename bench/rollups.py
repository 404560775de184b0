"""Benchmark the hazard roll-ups on PostgreSQL at scale against one raw SQL GROUP BY pass in the same run.

    .venv/bin/python -m bench.rollups [--enterprises 100000] [--hazards 1000000] [--changes 1000]

Makes a fresh database, migrates it, bulk-loads (asyncpg COPY) a city of 4 districts, 40 towns and 400 grids with
the enterprises and their hazards (found over the last 400 days, a mix of statuses, deadlines and majors), then
times: one raw `GROUP BY enterprise_id, local month` over `hazard` (the baseline); the full roll-up into the empty
table; a second full run (everything recomputed, nothing to write); and the incremental run after `--changes`
hazards are closed. Prints the ratios (goals: full <= 2x the baseline; incremental <= 5 % of full) and, for the full
run into the empty table and the incremental run, the time of each statement they ran (where the time goes).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import asyncpg
from piccolo.engine.postgres import PostgresEngine

from bench.city import load_regions_and_grids
from bench.scan import PG_ADMIN
from domain.db.engine import bind_engine, close_engine, open_engine
from domain.db.migrate import migrate
from domain.ids import new_id
from domain.stats.services import refresh_rollups
from domain.stats.tables import RollupCell

DATABASE = "sf_bench_rollups"
INDUSTRIES = ["hazardous_chemicals", "oil_storage", "shipbuilding", "fishing_vessels", "port_logistics", "machinery"]
STATUSES = ["reported", "rectifying", "awaiting_acceptance", "closed", "closed", "closed", "voided"]


async def _load(url: str, enterprises: int, hazards: int, now: datetime) -> None:
    """Regions, grids, enterprises and hazards through COPY."""
    rng = random.Random(5)
    connection = await asyncpg.connect(url)
    try:
        grids = await load_regions_and_grids(connection, now)
        # The data set existed before the runs: rows stamped within the incremental run's look-back margin (5 min)
        # would all count as changed and make the incremental run as large as the full one.
        registered = now - timedelta(days=400)
        rows, ids = [], []
        for n in range(enterprises):
            grid = grids[n % len(grids)]
            ids.append(new_id())
            rows.append(
                (
                    ids[-1],
                    f"91330900{n:010d}",
                    f"企业{n}",
                    rng.choice(INDUSTRIES),
                    grid[0],
                    grid[3],
                    grid[4],
                    registered,
                    registered,
                )
            )
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

        def hazard_rows(count: int):
            for n in range(count):
                found = now - timedelta(days=rng.uniform(0, 400))
                status = rng.choice(STATUSES)
                deadline = found + timedelta(days=rng.choice([3, 7, 15, 30])) if status != "reported" else None
                closed = found + timedelta(days=rng.uniform(0.1, 40)) if status == "closed" else None
                if closed and closed > now - timedelta(hours=1):
                    closed = max(found, now - timedelta(hours=1))
                yield (
                    new_id(),
                    f"b{n}",
                    rng.choice(ids),
                    "daily",
                    "unsafe_condition",
                    "隐患",
                    "major" if rng.random() < 0.05 else "general",
                    status,
                    "enterprise",
                    "r",
                    "officer",
                    deadline,
                    found,
                    closed,
                    found,
                    closed or found,
                )

        columns = [
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
            "deadline",
            "found_at",
            "closed_at",
            "created_at",
            "updated_at",
        ]
        generator = hazard_rows(hazards)
        while chunk := [row for _, row in zip(range(100_000), generator, strict=False)]:
            await connection.copy_records_to_table("hazard", records=chunk, columns=columns)
        await connection.execute("ANALYZE")
    finally:
        await connection.close()


@contextmanager
def statements_timed() -> Iterator[list[tuple[float, str]]]:
    """Every roll-up statement run inside, with its time, in order (each `RollupCell.raw` query's run is timed)."""
    timings: list[tuple[float, str]] = []
    original = RollupCell.raw

    class Timed:
        """A raw query whose run is timed (piccolo's `Raw` has slots: its `run` cannot be replaced)."""

        def __init__(self, sql: str, args: tuple) -> None:
            self.query, self.label = original(sql, *args), _statement_label(sql)

        async def run(self, *run_args, **run_kwargs):
            start = time.perf_counter()
            try:
                return await self.query.run(*run_args, **run_kwargs)
            finally:
                timings.append((time.perf_counter() - start, self.label))

    def raw(sql: str, *args):
        return Timed(sql, args)

    RollupCell.raw = raw
    try:
        yield timings
    finally:
        del RollupCell.raw  # back to the inherited classmethod


def _statement_label(sql: str) -> str:
    """A statement's first words, and what its biggest pass reads."""
    words = " ".join(sql.split())
    reads = "hazard_pass" if "hazard_pass" in words else "rollup_cell_next" if "FROM rollup_cell_next" in words else ""
    label = re.sub(r"\(([^()]{40})[^()]*\)", r"(\1...)", words)[:90]
    return f"{label} [{reads}]" if reads else label


def _print_profile(run: str, timings: list[tuple[float, str]], total: float) -> None:
    """Where a run's time went: each statement of 1 % of it or more, in the order they ran."""
    print(f"where {run} spends its time (statements of 1 % or more; {sum(t for t, _ in timings):.2f} s in all):")
    for seconds, label in timings:
        if seconds >= total / 100:
            print(f"  {seconds:7.2f} s {100 * seconds / total:5.1f} %  {label}")


async def _timed(work) -> float:
    start = time.perf_counter()
    await work
    return time.perf_counter() - start


async def run(enterprises: int, hazards: int, changes: int) -> None:
    admin = await asyncpg.connect(PG_ADMIN)
    await admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    await admin.execute(f"CREATE DATABASE {DATABASE}")
    url = PG_ADMIN.rsplit("/", 1)[0] + f"/{DATABASE}"
    engine = PostgresEngine(config={"dsn": url})
    try:
        bind_engine(engine)
        await migrate(engine)
        await open_engine(engine)
        now = datetime.now(UTC)
        load = await _timed(_load(url, enterprises, hazards, now))
        print(f"loaded {enterprises:,} enterprises and {hazards:,} hazards in {load:.1f} s (COPY)")
        baseline_sql = (
            "SELECT enterprise_id, to_char(found_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM') AS month, "
            "COUNT(*) AS found FROM hazard GROUP BY 1, 2"
        )
        baseline = await _timed(engine._run_in_new_connection(baseline_sql))
        with statements_timed() as profile:
            full_first = await _timed(refresh_rollups(full=True))
        full_again = await _timed(refresh_rollups(full=True))
        connection = await asyncpg.connect(url)
        changed_at = datetime.now(UTC)
        await connection.execute(
            "UPDATE hazard SET status = 'closed', closed_at = $1, updated_at = $1 WHERE id IN "
            "(SELECT id FROM hazard WHERE status = 'rectifying' ORDER BY id LIMIT $2)",
            changed_at,
            changes,
        )
        await connection.close()
        with statements_timed() as incremental_profile:
            incremental = await _timed(refresh_rollups())
        cells = await engine._run_in_new_connection("SELECT COUNT(*) AS n FROM rollup_cell")
        print(f"cells stored: {cells[0]['n']:,}")
        print(f"baseline GROUP BY pass: {baseline:.2f} s")
        print(f"full roll-up into an empty table: {full_first:.2f} s  ratio {full_first / baseline:.1f}x (goal <= 2x)")
        print(f"full roll-up over current cells: {full_again:.2f} s  ratio {full_again / baseline:.1f}x")
        _print_profile("the full run into the empty table", profile, full_first)
        print(
            f"incremental after {changes} changes: {incremental:.2f} s  = {100 * incremental / full_again:.1f} % of the "
            f"full run over current cells (goal <= 5 %)"
        )
        _print_profile("the incremental run", incremental_profile, incremental)
    finally:
        await close_engine(engine)
        await admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        await admin.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--hazards", type=int, default=1_000_000)
    parser.add_argument("--changes", type=int, default=1000)
    args = parser.parse_args()
    asyncio.run(run(args.enterprises, args.hazards, args.changes))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
