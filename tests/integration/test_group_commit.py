"""Group commit on SQLite: concurrent write transactions share one COMMIT (one fsync), each answered once durable."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest

from domain.db.engine import CommitFailed, EmbeddedSQLiteEngine, close_engine, open_engine

WRITERS = 8


@pytest.fixture
async def engine(tmp_path):
    """An embedded engine on a fresh file with one table, counting its COMMITs."""
    engine = EmbeddedSQLiteEngine(path=str(tmp_path / "group.sqlite3"))
    await open_engine(engine)
    await engine.run_ddl("CREATE TABLE item (id TEXT PRIMARY KEY)")
    engine.commits = 0
    flush = engine._flush

    async def counted_flush(group):
        engine.commits += 1
        await flush(group)

    engine._flush = counted_flush
    yield engine
    await close_engine(engine)


def _committed(engine: EmbeddedSQLiteEngine) -> set[str]:
    """The rows another connection sees: what is committed, as another process would read it."""
    with sqlite3.connect(engine.path) as other:
        return {row[0] for row in other.execute("SELECT id FROM item")}


async def _queued_writers(engine, body) -> list:
    """Run `body(i)` in WRITERS transactions queued behind the first, so that all of them form one group."""
    gate = asyncio.Event()

    async def writer(index: int) -> None:
        async with engine.transaction():
            if index == 0:
                await gate.wait()
            await body(index)

    tasks = [asyncio.create_task(writer(index)) for index in range(WRITERS)]
    while engine.writers_waiting < WRITERS:
        await asyncio.sleep(0)
    gate.set()
    return await asyncio.gather(*tasks, return_exceptions=True)


async def _insert(engine, item_id: str) -> None:
    await engine.fetch_sql("INSERT INTO item (id) VALUES (?)", (item_id,))


async def test_each_writer_is_answered_only_once_its_row_is_durable_and_they_share_one_commit(engine):
    seen_when_answered: dict[int, bool] = {}

    async def writer(index: int) -> None:
        async with engine.transaction():
            await _insert(engine, f"w{index}")
        seen_when_answered[index] = f"w{index}" in _committed(engine)

    await asyncio.gather(*(writer(index) for index in range(32)))
    assert seen_when_answered == dict.fromkeys(range(32), True)
    assert engine.commits < 32  # flushes were shared


async def test_a_queued_group_commits_once(engine):
    results = await _queued_writers(engine, lambda index: _insert(engine, f"q{index}"))
    assert results == [None] * WRITERS
    assert engine.commits == 1
    assert _committed(engine) == {f"q{index}" for index in range(WRITERS)}


async def test_a_failed_member_rolls_back_alone(engine):
    async def body(index: int) -> None:
        await _insert(engine, f"m{index}")
        if index == 3:
            raise RuntimeError("member 3 fails after writing")

    results = await _queued_writers(engine, body)
    assert [type(result).__name__ for result in results] == ["NoneType"] * 3 + ["RuntimeError"] + ["NoneType"] * 4
    assert engine.commits == 1
    assert _committed(engine) == {f"m{index}" for index in range(WRITERS) if index != 3}


async def test_a_failed_commit_fails_every_member_of_its_group_and_the_next_group_commits(engine):
    connection = await engine.writer_connection()
    execute = connection.execute
    failures = iter([True])

    def failing_commit(sql, *args):
        if sql == "COMMIT" and next(failures, False):
            raise sqlite3.OperationalError("disk I/O error (injected)")
        return execute(sql, *args)

    connection.execute = failing_commit
    results = await _queued_writers(engine, lambda index: _insert(engine, f"f{index}"))
    assert all(isinstance(result, CommitFailed) for result in results), results
    assert _committed(engine) == set()
    async with engine.transaction():
        await _insert(engine, "after")
    assert _committed(engine) == {"after"}


@pytest.mark.parametrize("turns", range(6))
async def test_a_writer_cancelled_anywhere_on_its_way_does_not_stop_the_others(engine, turns):
    async def writer(index: int) -> None:
        async with engine.transaction():
            await _insert(engine, f"c{index}")

    first = asyncio.create_task(writer(0))
    others = [asyncio.create_task(writer(index)) for index in range(1, WRITERS)]
    for _ in range(turns):
        await asyncio.sleep(0)
    first.cancel()
    assert await asyncio.gather(*others) == [None] * (WRITERS - 1)
    await asyncio.gather(first, return_exceptions=True)
    assert {f"c{index}" for index in range(1, WRITERS)} <= _committed(engine)
    async with engine.transaction():
        await _insert(engine, "after")
    assert "after" in _committed(engine)


async def test_a_read_too_long_for_the_loop_is_finished_in_a_thread(engine):
    count = (
        "SELECT (WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 200000)"
        " SELECT COUNT(*) FROM n) AS c"
    )
    rows = await engine.fetch_sql(count, short=True)  # declared short, wrongly: interrupted, then run in the thread
    assert rows == [{"c": 200000}]
    assert not engine.placement.in_loop(count)


async def test_a_statement_that_proves_short_moves_into_the_loop(engine):
    text = "SELECT id FROM item WHERE id = ?"
    for _ in range(3):
        assert not engine.placement.in_loop(text)
        await engine.fetch_sql(text, ("none",))
    assert engine.placement.in_loop(text)
