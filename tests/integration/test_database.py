"""The engines: migrations, SQLite's write path under concurrency, connection reuse."""

import asyncio

import pytest

from domain.accounts.tables import LoginAttempt
from domain.clock import utcnow
from domain.db.engine import EmbeddedSQLiteEngine, bind_engine, close_engine, open_engine
from domain.db.migrate import migrate
from domain.ids import new_id
from seed.random_checks import OFFICERS
from seed.zhoushan import DEMO_USERS


async def test_migrating_again_changes_nothing(db):
    _, engine = db
    before = await LoginAttempt.count().run()
    await migrate(engine)
    assert await LoginAttempt.count().run() == before


async def _insert_then_count(index: int) -> None:
    async with LoginAttempt._meta.db.transaction():
        # Read then write in one transaction: the pattern that deadlocks with deferred SQLite transactions.
        await LoginAttempt.count().run()
        await LoginAttempt.insert(LoginAttempt(id=new_id(), username=f"w{index}", at=utcnow(), outcome="failed")).run()


async def test_many_concurrent_read_then_write_transactions_all_commit(db):
    before = await LoginAttempt.count().run()
    results = await asyncio.gather(*[_insert_then_count(i) for i in range(200)], return_exceptions=True)
    assert [r for r in results if isinstance(r, BaseException)] == []
    assert await LoginAttempt.count().run() == before + 200


async def test_a_failed_transaction_leaves_nothing_behind(db):
    before = await LoginAttempt.count().run()
    with pytest.raises(RuntimeError):
        async with LoginAttempt._meta.db.transaction():
            await LoginAttempt.insert(LoginAttempt(id=new_id(), username="x", at=utcnow(), outcome="failed")).run()
            raise RuntimeError("boom")
    assert await LoginAttempt.count().run() == before


async def test_two_sqlite_processes_worth_of_engines_share_the_file_without_lock_errors(tmp_path):
    # Two engines on one file stand in for two processes: each has its own connections and write lock.
    path = str(tmp_path / "shared.sqlite3")
    first, second = EmbeddedSQLiteEngine(path=path), EmbeddedSQLiteEngine(path=path)
    await open_engine(first)
    await migrate(first)
    await open_engine(second)
    try:

        async def write(engine, index):
            async with engine.transaction():
                await engine.run_ddl("SELECT COUNT(*) FROM login_attempt")
                await engine._run_in_existing_connection(
                    engine.current_transaction.get().connection,
                    "INSERT INTO login_attempt (id, username, at, outcome, device_id, client_ip) VALUES (?, ?, ?, ?, '', '')",
                    [new_id(), f"p{index}", utcnow().isoformat(), "failed"],
                )

        results = await asyncio.gather(
            *[write(first if i % 2 else second, i) for i in range(100)], return_exceptions=True
        )
        assert [r for r in results if isinstance(r, BaseException)] == []
        rows = await first.run_ddl("SELECT COUNT(*) AS n FROM login_attempt")
        assert rows[0]["n"] == 100
    finally:
        await close_engine(first)
        await close_engine(second)


async def test_the_embedded_engine_reuses_one_reader_connection(tmp_path):
    engine = EmbeddedSQLiteEngine(path=str(tmp_path / "reuse.sqlite3"))
    await open_engine(engine)
    try:
        await migrate(engine)
        bind_engine(engine)
        reader = await engine.reader_connection()
        for _ in range(20):
            await LoginAttempt.count().run()
        assert await engine.reader_connection() is reader
        journal = await engine.run_ddl("PRAGMA journal_mode")
        assert journal[0]["journal_mode"] == "wal"
    finally:
        await close_engine(engine)


async def test_seeding_the_demo_twice_changes_nothing(db):
    from domain.accounts.tables import AppUser, UserGrid
    from domain.org.tables import Enterprise, Grid, Region
    from seed.scenario import seed_demo

    settings, _ = db
    tables = (Region, Grid, Enterprise, AppUser, UserGrid)
    before = [await table.count().run() for table in tables]
    await seed_demo(settings)
    assert [await table.count().run() for table in tables] == before
    assert before[2] == 9 and before[3] == len(DEMO_USERS) + len(OFFICERS)
