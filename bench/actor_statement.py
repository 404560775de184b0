"""The per-request actor statement with and without its revoked-family lookup (issue 16), A/B on one connection.

    .venv/bin/python -m bench.actor_statement [--database FILE] [--rounds 30] [--calls 1000]

Every authenticated request runs `domain/accounts/store._ACTOR` once; since access tokens name their refresh-token
family it also asks `revoked_family` by primary key (an `EXISTS` in the same statement). This times that statement
against the same text with the lookup replaced by a constant, for an inspector (a row per grid), on the embedded
SQLite engine: `--rounds` rounds of `--calls` calls each, the two in alternating order, medians printed. Without
`--database` it migrates and seeds a demo database in a temporary folder first (as `shuangfang demo` does).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from domain.accounts import store
from domain.config import Settings
from domain.db.engine import EmbeddedSQLiteEngine, bind_engine, close_engine, open_engine
from domain.db.migrate import migrate
from domain.db.sql import Statement
from seed.scenario import seed_demo

LOOKUP = " EXISTS (SELECT 1 FROM revoked_family f WHERE f.family_id = {}) AS family_revoked"
WITHOUT_LOOKUP = Statement(store._ACTOR.template.replace(LOOKUP, " 0 AS family_revoked"), short=True)
A_FAMILY = "01BENCHFAMILY0000000000000"


async def _timed(calls: int, statement: Statement, *args: str) -> float:
    started = time.perf_counter()
    for _ in range(calls):
        await statement.rows(*args)
    return (time.perf_counter() - started) / calls * 1e6


async def measure(database: Path, rounds: int, calls: int) -> tuple[float, float]:
    """Median microseconds per call without and with the lookup."""
    engine = EmbeddedSQLiteEngine(path=str(database))
    bind_engine(engine)
    await open_engine(engine)
    try:
        user_id = (await Statement("SELECT id FROM app_user WHERE username = {}").rows("inspector1"))[0]["id"]
        await _timed(calls, WITHOUT_LOOKUP, user_id)  # warm-up: both prepared, the pages cached
        await _timed(calls, store._ACTOR, A_FAMILY, user_id)
        without, with_lookup = [], []
        for round_ in range(rounds):
            pair = [(without, (WITHOUT_LOOKUP, user_id)), (with_lookup, (store._ACTOR, A_FAMILY, user_id))]
            for results, (statement, *args) in pair if round_ % 2 else reversed(pair):
                results.append(await _timed(calls, statement, *args))
        return statistics.median(without), statistics.median(with_lookup)
    finally:
        await close_engine(engine)


async def _seeded(folder: Path) -> Path:
    settings = Settings(var_dir=folder, jwt_secret="bench", qr_keys={"1": "bench-qr-key-0123456789"}, qr_active_key="1")
    engine = EmbeddedSQLiteEngine(path=str(settings.sqlite_path))
    bind_engine(engine)
    await open_engine(engine)
    try:
        await migrate(engine)
        await seed_demo(settings)
    finally:
        await close_engine(engine)
    return settings.sqlite_path


def main() -> None:
    """Run the A/B and print the medians and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", type=Path, help="a migrated, seeded SQLite file (default: seed a new one)")
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--calls", type=int, default=1000)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        database = arguments.database or asyncio.run(_seeded(Path(folder)))
        without, with_lookup = asyncio.run(measure(database, arguments.rounds, arguments.calls))
    print(
        f"actor statement (inspector1), {arguments.rounds} rounds x {arguments.calls} calls, medians:"
        f" without the revoked-family lookup {without:.1f} us, with it {with_lookup:.1f} us"
        f" ({with_lookup / without:.3f}x)"
    )


if __name__ == "__main__":
    main()
