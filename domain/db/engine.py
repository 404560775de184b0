"""Database engines: a connection-reusing SQLite engine, PostgreSQL through a pool, and table binding.

Stock piccolo opens a new SQLite connection (and thread) for every query outside a transaction, which caps the
embedded mode at a few hundred requests a second. `EmbeddedSQLiteEngine` keeps one long-lived autocommit
connection for plain reads and one writer connection for transactions, which it opens `IMMEDIATE` and hands out
under an asyncio lock: SQLite has one writer at a time anyway, and queueing in-process is fairer and cheaper than
spinning in SQLite's busy handler. Other processes on the same file are handled by WAL and `busy_timeout`.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import aiosqlite
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType, dict_factory

from domain.config import Settings
from domain.db.statements import count_statement

BUSY_TIMEOUT_MS = 10_000
# A graceful close of the PostgreSQL pool waits for every connection to come back; one held by a task that will
# never release it (cancelled mid-query) would hold shutdown forever, so after this long the rest are terminated.
POOL_CLOSE_TIMEOUT_S = 10.0
log = logging.getLogger("shuangfang.db")


class _ReusedConnectionTransaction(SQLiteTransaction):
    """A transaction on the engine's writer connection, held under the engine's write lock."""

    async def __aenter__(self) -> SQLiteTransaction:
        if self._parent is not None:
            return self._parent
        await self.engine.write_lock.acquire()
        try:
            self.connection = await self.engine.writer_connection()
            if self.connection.in_transaction:
                # a holder cancelled mid-commit left its transaction open: it never committed, so roll it back
                await self.connection.rollback()
            await self.begin()
        except BaseException:
            self.engine.write_lock.release()
            raise
        self.context = self.engine.current_transaction.set(self)
        return self

    async def __aexit__(self, exception_type, exception, traceback) -> bool:
        if self._parent:
            return exception is None
        try:
            if exception is not None:
                if not self._rolled_back:
                    await self.rollback()
            elif not self._committed and not self._rolled_back:
                await self.commit()
        finally:
            self.engine.current_transaction.reset(self.context)
            self.engine.write_lock.release()
        return exception is None


class EmbeddedSQLiteEngine(SQLiteEngine):
    """SQLite with WAL, full sync, one reader and one writer connection reused for the process's life."""

    def __init__(self, path: str, **kwargs: Any) -> None:
        super().__init__(path=path, timeout=BUSY_TIMEOUT_MS / 1000, **kwargs)
        self._reader: aiosqlite.Connection | None = None
        self._writer: aiosqlite.Connection | None = None
        self._opening = asyncio.Lock()
        self.write_lock = asyncio.Lock()

    async def _open(self) -> aiosqlite.Connection:
        connection = await aiosqlite.connect(**self.connection_kwargs)
        connection.row_factory = dict_factory  # type: ignore[assignment]
        for pragma in (
            "PRAGMA journal_mode = WAL",
            # FULL: a 2xx promises the record survives a power cut, not only a process crash.
            "PRAGMA synchronous = FULL",
            "PRAGMA foreign_keys = ON",
            f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}",
        ):
            await connection.execute(pragma)
        return connection

    async def reader_connection(self) -> aiosqlite.Connection:
        """The shared autocommit connection for reads outside transactions."""
        if self._reader is None:
            async with self._opening:
                if self._reader is None:
                    self._reader = await self._open()
        return self._reader

    async def writer_connection(self) -> aiosqlite.Connection:
        """The connection transactions run on; only used while holding `write_lock`."""
        if self._writer is None:
            self._writer = await self._open()
        return self._writer

    async def get_connection(self) -> aiosqlite.Connection:
        # Piccolo calls this for batches; hand out a fresh connection so its cursor does not pin ours.
        return await self._open()

    async def start_connection_pool(self, **_: Any) -> None:
        """Open both connections now rather than on first use."""
        await self.reader_connection()
        async with self.write_lock:
            await self.writer_connection()

    async def close_connection_pool(self) -> None:
        """Close both connections (the app's lifespan and the CLI call this at exit)."""
        for connection in (self._reader, self._writer):
            if connection is not None:
                await connection.close()
        self._reader = self._writer = None

    async def _run_in_new_connection(self, query, args=None, query_type="generic", table=None):
        count_statement()
        connection = await self.reader_connection()
        async with connection.execute(query, args or []) as cursor:
            return await cursor.fetchall()

    async def _run_in_existing_connection(self, connection, query, args=None, query_type="generic", table=None):
        # Stock piccolo re-sends `PRAGMA foreign_keys` before every statement; ours is set once per connection.
        count_statement()
        async with connection.execute(query, args or []) as cursor:
            return await cursor.fetchall()

    def transaction(
        self,
        transaction_type: TransactionType = TransactionType.immediate,
        allow_nested: bool = True,
    ) -> SQLiteTransaction:
        """A transaction, `IMMEDIATE` unless asked otherwise: read-then-write transactions must not deadlock."""
        return _ReusedConnectionTransaction(engine=self, transaction_type=transaction_type, allow_nested=allow_nested)


class PooledPostgresEngine(PostgresEngine):
    """PostgreSQL through piccolo's asyncpg pool, counting the statements it runs (see domain/db/statements.py)."""

    async def run_querystring(self, querystring, in_pool: bool = True):
        count_statement()
        return await super().run_querystring(querystring, in_pool)

    async def run_ddl(self, ddl: str, in_pool: bool = True):
        count_statement()
        return await super().run_ddl(ddl, in_pool)


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
