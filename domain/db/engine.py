"""Database engines: SQLite run mostly in the event loop with group commit, PostgreSQL through a pool.

Stock piccolo opens a new SQLite connection (and thread) for every query outside a transaction, which caps the
embedded mode at a few hundred requests a second. `EmbeddedSQLiteEngine` keeps its connections for the process's
life: reads outside transactions run on a connection in the event loop's own thread when they are short (declared so,
or proved so by their runs: see `_Placement`), else on a reader in a thread of its own; transactions run on one writer
connection, under an asyncio lock (SQLite has one writer at a time anyway, and queueing in-process is fairer and
cheaper than spinning in SQLite's busy handler), its short statements in the loop and BEGIN and COMMIT in its own
thread. Concurrent write transactions share their COMMIT (group commit: see `_GroupCommitTransaction`). Other
processes on the same file are handled by WAL and `busy_timeout`.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import aiosqlite
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType, dict_factory

from domain.config import Settings
from domain.db.statements import count_statement

BUSY_TIMEOUT_MS = 10_000
LOOP_READER_BUSY_TIMEOUT_MS = 20
# Prepared statements each PostgreSQL connection keeps (asyncpg's cache, keyed by the statement's text).
STATEMENT_CACHE_SIZE = 1024
# The most write transactions one COMMIT makes durable: bounds how long the first of them waits for its answer.
GROUP_COMMIT_MAX = 64
# A graceful close of the PostgreSQL pool waits for every connection to come back; one held by a task that will
# never release it (cancelled mid-query) would hold shutdown forever, so after this long the rest are terminated.
POOL_CLOSE_TIMEOUT_S = 10.0
log = logging.getLogger("shuangfang.db")


class CommitFailed(Exception):
    """The shared COMMIT of a group of write transactions failed: none of them is durable."""


class _CommitGroup:
    """Logical write transactions sharing one physical transaction, answered together once its COMMIT is durable."""

    __slots__ = ("durable", "members")

    def __init__(self) -> None:
        self.durable: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.members = 0


class _GroupCommitTransaction(SQLiteTransaction):
    """One logical write transaction: a savepoint inside the engine's open physical transaction (group commit).

    Writers queue for the engine's write lock and run one at a time, each as `SAVEPOINT member` … `RELEASE member`
    (`ROLLBACK TO member` on failure, which undoes that member only). When the last writer in the queue is done, or
    the group is `GROUP_COMMIT_MAX` strong, the group COMMITs once (one fsync with `synchronous = FULL`) and every
    member whose savepoint was released is answered then: each caller leaves `async with transaction()` only once its
    writes are durable, and if the COMMIT fails every member of the group raises. A member reads the writes of the
    earlier members of its group before they are durable; that is sound only because they become durable together
    or not at all. Members run in queue order, so commit order is the order in which they ran (the anchor ledger and
    the change feed's positions, assigned in the transaction, stay in commit order).
    """

    async def __aenter__(self) -> SQLiteTransaction:
        if self._parent is not None:
            return self._parent
        engine: EmbeddedSQLiteEngine = self.engine
        engine.writers_waiting += 1
        try:
            await engine.write_lock.acquire()
        except BaseException:
            engine.writers_waiting -= 1
            raise
        try:
            self.connection = await engine.writer_connection()
            if engine.group is None:
                # in the connection's thread, after anything queued there: a transaction still open now was begun
                # by a writer cancelled on its way in, never by a group (a group's COMMIT ends before the lock is
                # handed on), so nothing in it was answered and it is rolled back
                await self.connection.begin_afresh(f"BEGIN {self.transaction_type.value}")
                engine.group = _CommitGroup()
            self.group = engine.group
            await self.connection.execute("SAVEPOINT member")
        except BaseException:
            engine.writers_waiting -= 1
            engine.end_member(flush=engine.writers_waiting == 0)
            raise
        self.context = engine.current_transaction.set(self)
        return self

    async def commit(self) -> None:
        await self.connection.execute("RELEASE member")
        self._committed = True

    async def rollback(self) -> None:
        await self.connection.execute("ROLLBACK TO member")
        await self.connection.execute("RELEASE member")
        self._rolled_back = True

    async def __aexit__(self, exception_type, exception, traceback) -> bool:
        if self._parent:
            return exception is None
        engine: EmbeddedSQLiteEngine = self.engine
        group = self.group
        kept = False
        try:
            if exception is not None:
                # a cancelled member may have left a statement running in the connection's thread: let it end first
                await asyncio.shield(self.connection.idle())
            if exception is not None or self._rolled_back:
                if not self._rolled_back:
                    await self.rollback()
            elif not self._committed:
                await self.commit()
            kept = self._committed and not self._rolled_back
        finally:
            engine.current_transaction.reset(self.context)
            engine.writers_waiting -= 1
            if kept:
                group.members += 1
            if not self.connection.in_transaction and engine.group is group:
                # SQLite rolled the whole transaction back (an I/O error, a full disk): earlier members are lost too
                engine.group = None
                if not group.durable.done():
                    group.durable.set_exception(CommitFailed("the group's transaction was rolled back"))
                engine.write_lock.release()
            else:
                engine.end_member(flush=engine.writers_waiting == 0 or group.members >= GROUP_COMMIT_MAX)
        if kept:
            # shielded: a caller cancelled while waiting does not cancel the group's COMMIT
            await asyncio.shield(group.durable)
        return exception is None


class _Placement:
    """Where each statement text runs: in the event loop's thread once it has proved short, else in a thread.

    A statement of a few index pages runs in tens of microseconds, less than the hand-off to a thread and back (and
    with no GIL contention); one that scans or aggregates must not hold the loop. Cost is counted in SQLite's own
    virtual-machine steps (thousands, through the progress handler), which a loaded machine does not inflate as it
    does clock time. A text runs in a thread until `PROMOTE_AFTER` runs in a row took at most `SHORT_STEPS` each, then
    in the loop; a write run in the loop over `DEMOTE_STEPS` goes back to the thread for good. A read in the loop
    is interrupted past `DEMOTE_STEPS` and finished in a thread, so a read that grew slow holds the loop only that
    long (it may prove short again later).
    """

    PROMOTE_AFTER = 3
    SHORT_STEPS = 30  # thousands of VM steps: an indexed lookup of a few rows takes one or two
    DEMOTE_STEPS = 300
    MAX_TEXTS = 4096

    def __init__(self) -> None:
        self._quick_runs: dict[str, int] = {}  # text → quick runs in a row; -1: always in a thread

    def in_loop(self, text: str) -> bool:
        """True when the text has proved short."""
        return self._quick_runs.get(text, 0) >= self.PROMOTE_AFTER

    def promote(self, text: str) -> None:
        """Declared short by its author (`Statement(short=True)`): run it in the loop from the first time."""
        if self._quick_runs.get(text, 0) >= 0:
            self._quick_runs[text] = self.PROMOTE_AFTER

    def observe(self, text: str, steps: int) -> None:
        """Record one run's cost, in thousands of VM steps."""
        runs = self._quick_runs.get(text, 0)
        if runs < 0:
            return
        if len(self._quick_runs) >= self.MAX_TEXTS:
            self._quick_runs.clear()  # texts are constants: a flood of distinct ones means they are built per call
        if steps > (self.DEMOTE_STEPS if runs >= self.PROMOTE_AFTER else self.SHORT_STEPS):
            self._quick_runs[text] = -1 if runs >= self.PROMOTE_AFTER and not _is_read(text) else 0
        elif runs < self.PROMOTE_AFTER:
            self._quick_runs[text] = runs + 1


def _is_read(text: str) -> bool:
    return text.lstrip()[:6].upper() == "SELECT"


class _LoopConnection:
    """A sqlite3 connection run in the event loop for statements placed there, and in a thread of its own for the
    rest (and for BEGIN and COMMIT, which may wait for another process's lock or for the disk)."""

    def __init__(self, connection: sqlite3.Connection, placement: _Placement, name: str) -> None:
        self.sqlite = connection
        self.placement = placement
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self._steps = 0  # thousands of VM steps of the statement running
        self.step_limit = float("inf")  # past it, the statement is interrupted (reads in the loop only)
        connection.set_progress_handler(self._step, 1000)

    def _step(self) -> int:
        self._steps += 1
        return 1 if self._steps > self.step_limit else 0

    @property
    def in_transaction(self) -> bool:
        """True inside BEGIN … COMMIT."""
        return self.sqlite.in_transaction

    def timed(self, text: str, args: Sequence[Any]) -> list[dict]:
        """Run one statement here and now, recording its cost for its placement."""
        self._steps = 0
        try:
            return self.sqlite.execute(text, args).fetchall()
        finally:
            self.placement.observe(text, self._steps)

    async def in_thread(self, text: str, args: Sequence[Any] = ()) -> list[dict]:
        """Run one statement in this connection's thread."""
        return await asyncio.get_running_loop().run_in_executor(self._thread, self.timed, text, args)

    async def query(self, text: str, args: Sequence[Any] = ()) -> list[dict]:
        """Run one statement where its placement says."""
        if not self.placement.in_loop(text):
            return await self.in_thread(text, args)
        read = _is_read(text)
        self.step_limit = _Placement.DEMOTE_STEPS if read else float("inf")
        try:
            return self.timed(text, args)
        except sqlite3.OperationalError as error:
            # interrupted past the deadline, or waiting on another process's WAL recovery: finish in the thread
            if not (read and any(word in str(error) for word in ("interrupted", "locked", "busy"))):
                raise
        finally:
            self.step_limit = float("inf")
        return await self.in_thread(text, args)

    async def execute(self, text: str, args: Sequence[Any] = ()) -> list[dict]:
        """Transaction control as piccolo sends it: savepoints in the loop, BEGIN, COMMIT and ROLLBACK in the
        thread (they may wait for another process or for the disk)."""
        verb = text.lstrip()[:8].upper()
        if verb.startswith(("SAVEPOINT", "RELEASE")) or text.upper().startswith("ROLLBACK TO"):
            return self.sqlite.execute(text, args).fetchall()
        return await asyncio.get_running_loop().run_in_executor(self._thread, self._run, text, args)

    def _run(self, text: str, args: Sequence[Any]) -> list[dict]:
        return self.sqlite.execute(text, args).fetchall()

    async def begin_afresh(self, begin: str) -> None:
        """Roll back any transaction left open, then BEGIN, in one turn of the connection's thread."""

        def run() -> None:
            if self.sqlite.in_transaction:
                self.sqlite.execute("ROLLBACK")
            self.sqlite.execute(begin)

        await asyncio.get_running_loop().run_in_executor(self._thread, run)

    async def idle(self) -> None:
        """Wait until the connection's thread has run everything queued to it."""
        await asyncio.get_running_loop().run_in_executor(self._thread, lambda: None)

    async def rollback(self) -> None:
        """Roll the open transaction back."""
        await self.execute("ROLLBACK")

    async def close(self) -> None:
        """Close the connection in its thread, then the thread."""
        await asyncio.get_running_loop().run_in_executor(self._thread, self.sqlite.close)
        self._thread.shutdown(wait=False)


class EmbeddedSQLiteEngine(SQLiteEngine):
    """SQLite with WAL, full sync, one reader and one writer connection reused for the process's life."""

    def __init__(self, path: str, **kwargs: Any) -> None:
        super().__init__(path=path, timeout=BUSY_TIMEOUT_MS / 1000, **kwargs)
        self._reader: _LoopConnection | None = None
        self._writer: _LoopConnection | None = None
        self._loop_reader: tuple[int, sqlite3.Connection] | None = None
        self.placement = _Placement()
        self.write_lock = asyncio.Lock()
        self.group: _CommitGroup | None = None
        self.writers_waiting = 0  # writers holding or queued for the write lock
        self._flushes: set[asyncio.Task] = set()

    async def reader_connection(self) -> _LoopConnection:
        """The autocommit connection for reads (and stray writes) outside transactions, used in its own thread."""
        if self._reader is None:
            self._reader = _LoopConnection(self._connect(), self.placement, "sqlite-reader")
        return self._reader

    async def writer_connection(self) -> _LoopConnection:
        """The connection transactions run on; only used while holding `write_lock`."""
        if self._writer is None:
            self._writer = _LoopConnection(self._connect(), self.placement, "sqlite-writer")
        return self._writer

    def _connect(self, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> sqlite3.Connection:
        connection = sqlite3.connect(**self.connection_kwargs, check_same_thread=False)
        connection.row_factory = dict_factory
        for pragma in (
            "PRAGMA journal_mode = WAL",
            "PRAGMA synchronous = FULL",
            "PRAGMA foreign_keys = ON",
            f"PRAGMA busy_timeout = {busy_timeout_ms}",
        ):
            connection.execute(pragma)
        return connection

    def end_member(self, *, flush: bool) -> None:
        """A member is done (write lock held): hand the lock to the next writer, or COMMIT the group first."""
        if not flush or self.group is None:
            self.write_lock.release()
            return
        group, self.group = self.group, None
        task = asyncio.get_running_loop().create_task(self._flush(group))
        self._flushes.add(task)
        task.add_done_callback(self._flushes.discard)

    async def _flush(self, group: _CommitGroup) -> None:
        """COMMIT the group's transaction (the one fsync its members share), answer them, release the lock."""
        try:
            connection = await self.writer_connection()
            try:
                await connection.execute("COMMIT")
            except BaseException as error:
                if connection.in_transaction:
                    await connection.rollback()
                group.durable.set_exception(CommitFailed(f"the group's COMMIT failed: {error!r}"))
                if not isinstance(error, Exception):
                    raise
            else:
                group.durable.set_result(None)
        finally:
            if not group.durable.done():
                group.durable.set_exception(CommitFailed("the group's COMMIT was interrupted"))
            self.write_lock.release()

    async def get_connection(self) -> aiosqlite.Connection:
        # Piccolo calls this for batches; hand out a fresh connection so its cursor does not pin ours.
        connection = await aiosqlite.connect(**self.connection_kwargs)
        connection.row_factory = dict_factory  # type: ignore[assignment]
        await connection.execute("PRAGMA foreign_keys = ON")
        await connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        return connection

    async def start_connection_pool(self, **_: Any) -> None:
        """Open both connections now rather than on first use."""
        await self.reader_connection()
        async with self.write_lock:
            await self.writer_connection()

    async def close_connection_pool(self) -> None:
        """Close both connections (the app's lifespan and the CLI call this at exit), after any COMMIT in flight."""
        if self._flushes:
            await asyncio.gather(*self._flushes, return_exceptions=True)
        for connection in (self._reader, self._writer):
            if connection is not None:
                await connection.close()
        if self._loop_reader is not None and self._loop_reader[0] == threading.get_ident():
            await self._loop_reader[1].close()
        self._reader = self._writer = self._loop_reader = None
        # A lock belongs to the event loop it first waited on: a closed engine may be opened again on another loop.
        self.write_lock = asyncio.Lock()

    def loop_reader(self) -> _LoopConnection:
        """The reader used in the event loop's own thread (short reads; a short busy timeout: a reader waits only
        while another process recovers the WAL index, and then the read goes to the threaded reader instead)."""
        thread = threading.get_ident()
        if self._loop_reader is None or self._loop_reader[0] != thread:  # an engine moved to another loop's thread
            connection = _LoopConnection(self._connect(LOOP_READER_BUSY_TIMEOUT_MS), self.placement, "sqlite-unused")
            self._loop_reader = (thread, connection)
        return self._loop_reader[1]

    async def _read(self, text: str, args: Sequence[Any], *, short: bool) -> list[dict]:
        """A statement outside transactions: a read proved or declared short runs in the loop (bounded by a
        deadline past which it finishes on the threaded reader); any other runs on the threaded reader."""
        if _is_read(text) and (short or self.placement.in_loop(text)):
            reader = self.loop_reader()
            reader.step_limit = _Placement.DEMOTE_STEPS
            try:
                return reader.timed(text, args)
            except sqlite3.OperationalError as error:
                if not any(word in str(error) for word in ("interrupted", "locked", "busy")):
                    raise
            finally:
                reader.step_limit = float("inf")
        return await (await self.reader_connection()).in_thread(text, args)

    async def fetch_sql(self, text: str, args: Sequence[Any] = (), *, short: bool = False) -> list[dict]:
        """Run one statement written for SQLite (`?` placeholders): in the open transaction if any, else on a
        reader; `short` (bounded by an index lookup) runs in the event loop's thread from the first time."""
        count_statement()
        if short:
            self.placement.promote(text)
        held = self.current_transaction.get()
        if held is not None:
            return await held.connection.query(text, args)
        return await self._read(text, args, short=short)

    async def _run_in_new_connection(self, query, args=None, query_type="generic", table=None):
        count_statement()
        return await self._read(query, args or (), short=False)

    async def _run_in_existing_connection(self, connection, query, args=None, query_type="generic", table=None):
        # Stock piccolo re-sends `PRAGMA foreign_keys` before every statement; ours is set once per connection.
        count_statement()
        return await connection.query(query, args or ())

    def transaction(
        self,
        transaction_type: TransactionType = TransactionType.immediate,
        allow_nested: bool = True,
    ) -> SQLiteTransaction:
        """A transaction, `IMMEDIATE` unless asked otherwise: read-then-write transactions must not deadlock."""
        return _GroupCommitTransaction(engine=self, transaction_type=transaction_type, allow_nested=allow_nested)


class PooledPostgresEngine(PostgresEngine):
    """PostgreSQL through piccolo's asyncpg pool, counting the statements it runs (see domain/db/statements.py).

    asyncpg prepares each statement text once per connection and keeps it in a cache (100 texts by default); the
    service's piccolo queries and declared statements number a few hundred, so the cache is made big enough for all.
    """

    def __init__(self, config: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(config={"statement_cache_size": STATEMENT_CACHE_SIZE, **config}, **kwargs)

    async def run_querystring(self, querystring, in_pool: bool = True):
        count_statement()
        return await super().run_querystring(querystring, in_pool)

    async def run_ddl(self, ddl: str, in_pool: bool = True):
        count_statement()
        return await super().run_ddl(ddl, in_pool)

    async def fetch_sql(self, text: str, args: Sequence[Any] = (), *, short: bool = False) -> list:
        """Run one statement written for PostgreSQL (`$n` placeholders) in the open transaction or on a pooled
        connection; asyncpg prepares it once per connection and keeps it (its statement cache is keyed by text)."""
        count_statement()
        held = self.current_transaction.get()
        if held is not None:
            return await held.connection.fetch(text, *args)
        if self.pool is not None:
            async with self.pool.acquire() as connection:
                return await connection.fetch(text, *args)
        connection = await self.get_new_connection()  # no pool opened (a one-off script)
        try:
            return await connection.fetch(text, *args)
        finally:
            await connection.close()


def build_engine(settings: Settings) -> Engine:
    """The engine the settings ask for: PostgreSQL when `DATABASE_URL` names it, else the SQLite file."""
    if not settings.is_sqlite:
        return PooledPostgresEngine(config={"dsn": settings.database_url})
    settings.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    return EmbeddedSQLiteEngine(path=str(settings.sqlite_path))


def bind_engine(engine: Engine) -> None:
    """Point every table, piccolo's migration table and piccolo's engine finder at this engine."""
    from piccolo.apps.migrations.tables import Migration

    from domain.db import piccolo_conf
    from domain.db.tables import ALL_TABLES

    piccolo_conf.DB = engine
    for table in (*ALL_TABLES, Migration):
        table._meta.db = engine


async def open_engine(engine: Engine) -> None:
    """Open the engine's connections (a pool on PostgreSQL)."""
    if isinstance(engine, PostgresEngine):
        await engine.start_connection_pool(min_size=1, max_size=10)
    elif isinstance(engine, EmbeddedSQLiteEngine):
        await engine.start_connection_pool()


async def close_engine(engine: Engine) -> None:
    """Close what `open_engine` opened; closing twice is harmless."""
    if isinstance(engine, EmbeddedSQLiteEngine):
        await engine.close_connection_pool()
    elif isinstance(engine, PostgresEngine) and engine.pool is not None:
        pool = engine.pool
        try:
            await asyncio.wait_for(pool.close(), POOL_CLOSE_TIMEOUT_S)
        except TimeoutError:
            log.warning("connections still held after %s s at close: terminated", POOL_CLOSE_TIMEOUT_S)
            pool.terminate()
        engine.pool = None


def is_unique_violation(error: BaseException) -> bool:
    """True for a unique-constraint failure on either engine."""
    if isinstance(error, sqlite3.IntegrityError):
        return "UNIQUE" in str(error)
    return type(error).__name__ == "UniqueViolationError"


@contextmanager
def unique_or(conflict: Exception) -> Iterator[None]:
    """Turn a unique-constraint failure inside the block into `conflict` (a domain error); let others through."""
    try:
        yield
    except Exception as error:
        if is_unique_violation(error):
            raise conflict from None
        raise
