"""Shared fixtures: settings, a migrated and seeded database on each engine, the real app over ASGI.

SQLite tests copy a migrated, seeded template file; PostgreSQL tests share one database per run, emptied and
re-seeded before each test. Without a PostgreSQL server those tests skip, unless `REQUIRE_SERVICES=1` (CI), where
they fail instead.

One clock (domain.clock): `SF_TEST_CLOCK` (an RFC 3339 instant; default noon in Zhoushan of the real day) is read
at import, and set into the environment when absent, so every pytest-xdist worker inherits the same value. The
seeds are taken at that instant (the clock stands still while they run, so a seed is one snapshot, never half on
one day and half on the next), and every test starts at it, the clock ticking on from there. So the seed and the
test always see the same day, whatever the hour of the run; tests marked `clock` are run again with the instant
just before midnight in Zhoushan and the clock running on from test to test (`SF_TEST_CLOCK_MODE=continuous`: the
seed of one day, the tests on the next), and just after, by tests/integration/test_clock_midnight.py.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import json
import os
import shutil
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import asyncpg
import httpx
import pytest

os.environ.setdefault("SF_PASSWORD_HASH_COST", "fast")


def _noon_in_zhoushan() -> str:
    """Noon (UTC+8) of the real day in Zhoushan: the default start, twelve hours from either midnight."""
    zhoushan = timezone(timedelta(hours=8))
    noon = datetime.now(zhoushan).replace(hour=12, minute=0, second=0, microsecond=0)
    return noon.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


os.environ.setdefault("SF_TEST_CLOCK", _noon_in_zhoushan())

from api.app import create_app  # noqa: E402
from domain.clock import parse_instant, start_clock_at, utcnow  # noqa: E402
from domain.config import Settings  # noqa: E402
from domain.db.engine import (  # noqa: E402
    EmbeddedSQLiteEngine,
    PooledPostgresEngine,
    bind_engine,
    close_engine,
    open_engine,
)
from domain.db.migrate import migrate  # noqa: E402
from domain.db.tables import ALL_TABLES  # noqa: E402
from seed.scenario import seed_demo  # noqa: E402

PG_ADMIN_DSN = os.environ.get("TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/test")
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
DEMO_PASSWORD = "Demo@2026"
SESSION_START = parse_instant(os.environ["SF_TEST_CLOCK"])
# `SF_TEST_CLOCK_MODE=continuous`: the clock runs on from test to test instead of starting each at the instant.
CONTINUOUS = os.environ.get("SF_TEST_CLOCK_MODE") == "continuous"
start_clock_at(SESSION_START)
_seed_instant = SESSION_START


def stop_clock_for_seed() -> None:
    """A seed is one snapshot: the clock stands still at the session's instant (or, continuous, where it is)."""
    global _seed_instant
    _seed_instant = utcnow() if CONTINUOUS else SESSION_START
    start_clock_at(_seed_instant, ticking=False)


def restart_clock() -> None:
    """A test starts at the session's instant; continuous, the clock just ticks on (from a seed's instant)."""
    start_clock_at(_seed_instant if CONTINUOUS else SESSION_START)


# Where the one clock stood as each test ended (reported with SF_TEST_CLOCK_REPORT).
TESTS_ENDED: list[str] = []


def make_settings(var_dir: Path, database_url: str = "", photo_dir: Path | None = None) -> Settings:
    """Settings for a test: its own folder, fixed secrets, the cheap password hash."""
    return Settings(
        var_dir=var_dir,
        database_url=database_url,
        photo_dir=photo_dir or var_dir / "photos",
        jwt_secret="test-jwt-secret-that-is-long-enough-for-hs256",
        qr_keys={"1": "test-qr-key-0123456789abcdef"},
        qr_active_key="1",
        demo_password=DEMO_PASSWORD,
        password_hash_cost="fast",
        # Cron jobs firing mid-test would change tables under the tests' feet; tests run jobs themselves.
        run_schedule=False,
    )


def run_blocking(coroutine):
    """Run a coroutine to completion on a fresh loop in another thread (session fixtures are built mid-test)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def _skip_or_fail(reason: str):
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (REQUIRE_SERVICES=1, so this is a failure, not a skip)")
    pytest.skip(f"{reason}; start PostgreSQL on 127.0.0.1:5432 or set TEST_POSTGRES_DSN to run these tests")


def pytest_sessionfinish(session):
    """With `SF_TEST_CLOCK_REPORT` set, write where the clock started and stood as each test ended (JSON)."""
    if report := os.environ.get("SF_TEST_CLOCK_REPORT"):
        Path(report).write_text(json.dumps({"start": SESSION_START.isoformat(), "testsEnded": TESTS_ENDED}))


@pytest.fixture(autouse=True)
def one_clock():
    """Every test starts at the session's instant, the one its database's seed was taken at."""
    if not CONTINUOUS:
        restart_clock()
    yield
    TESTS_ENDED.append(utcnow().isoformat())


@pytest.fixture(scope="session")
def seeded_photos(tmp_path_factory) -> Path:
    """The photo folder of the seeded databases: files are named by their hash, so tests may share it."""
    return tmp_path_factory.mktemp("photos")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory, seeded_photos) -> Path:
    """A migrated SQLite file with the demo seed, copied by each SQLite test."""
    folder = tmp_path_factory.mktemp("template")
    settings = make_settings(folder, photo_dir=seeded_photos)

    async def build() -> None:
        engine = EmbeddedSQLiteEngine(path=str(folder / "template.sqlite3"))
        await open_engine(engine)
        try:
            await migrate(engine)
            await seed_demo(settings)
        finally:
            await close_engine(engine)

    stop_clock_for_seed()
    try:
        run_blocking(build())
    finally:
        restart_clock()
    return folder / "template.sqlite3"


@pytest.fixture(scope="session")
def postgres_url(tmp_path_factory, seeded_photos) -> str:
    """A fresh database for this test run, migrated and seeded once, with a copy of the seed to restore from."""
    name = f"sf_test_{os.getpid()}"

    async def admin(sql: str) -> None:
        connection = await asyncpg.connect(PG_ADMIN_DSN, timeout=3)
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    try:
        run_blocking(admin(f"DROP DATABASE IF EXISTS {name}"))
        run_blocking(admin(f"CREATE DATABASE {name}"))
    except (TimeoutError, OSError, asyncpg.PostgresError) as error:
        _skip_or_fail(f"PostgreSQL is not reachable at {PG_ADMIN_DSN}: {error!r}")
    url = PG_ADMIN_DSN.rsplit("/", 1)[0] + "/" + name

    async def prepare() -> None:
        engine = PooledPostgresEngine(config={"dsn": url})
        await migrate(engine)
        bind_engine(engine)
        # With its pool open: without one, each of the seed's ~28,000 queries opened a connection (58 s, not 12 s).
        await open_engine(engine)
        try:
            await seed_demo(make_settings(tmp_path_factory.mktemp("pg"), url, seeded_photos))
            # Restoring the seed from a copy in the same database takes milliseconds; seeding again takes seconds.
            await engine.run_ddl("CREATE SCHEMA seed_copy")
            for table in ALL_TABLES:
                name = table._meta.tablename
                await engine.run_ddl(f"CREATE TABLE seed_copy.{name} AS SELECT * FROM public.{name}")
        finally:
            await close_engine(engine)

    stop_clock_for_seed()
    try:
        run_blocking(prepare())
    finally:
        restart_clock()
    yield url
    run_blocking(admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


# Back to the seed in one round trip. DELETE, not TRUNCATE: on these small tables TRUNCATE's new files cost 0.35 s a
# test, DELETE 0.07 s. The replica role skips foreign-key and append-only triggers while the copy is put back.
RESTORE_SEED_SQL = (
    "BEGIN; SET LOCAL session_replication_role = replica;"
    + "".join(f"DELETE FROM public.{table._meta.tablename};" for table in ALL_TABLES)
    + "".join(
        f"INSERT INTO public.{t._meta.tablename} SELECT * FROM seed_copy.{t._meta.tablename};" for t in ALL_TABLES
    )
    + "COMMIT;"
)


# Each restore leaves the seed's rows dead. PostgreSQL's autovacuum is off on the project's machines, and without
# a VACUUM now and then the worker's database held 4,000 live rows and 490,000 dead ones an eighth of the way through a
# run: every scan read them, and the matrix test's snapshots (a count of every table) took 432 s, not 26 s.
VACUUM_EVERY = 20
_restores = itertools.count(1)


@pytest.fixture(scope="session")
def worker_dir(tmp_path_factory) -> Path:
    """This worker's database file and var folders, the same for every test (so its app can be reused)."""
    return tmp_path_factory.mktemp("worker")


# One settings and one engine per engine kind in each worker, and one app per (database, counting statements):
# building an app takes ~0.3 s, and 1,800 tests use one. A test still gets its own copy of the seed, an emptied
# var folder, a fresh event loop and its own pass through the app's lifespan (relay, dispatcher, engine pool).
_WORKER_DATABASES: dict[str, tuple[Settings, object]] = {}
_WORKER_APPS: dict[tuple[str, bool], object] = {}


def _emptied(folder: Path) -> Path:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def db(request, worker_dir) -> AsyncIterator[tuple[Settings, object]]:
    """(settings, engine) on a migrated database holding the demo seed, bound and open."""
    kind = request.param
    var_dir = _emptied(worker_dir / f"{kind}-var")  # chain heads and exports of the test before are gone
    if kind == "sqlite":
        path = worker_dir / "test.sqlite3"
        for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            leftover.unlink(missing_ok=True)
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        if kind not in _WORKER_DATABASES:
            settings = make_settings(var_dir, f"sqlite:///{path}", request.getfixturevalue("seeded_photos"))
            _WORKER_DATABASES[kind] = settings, EmbeddedSQLiteEngine(path=str(path))
        settings, engine = _WORKER_DATABASES[kind]
        bind_engine(engine)
        await open_engine(engine)
        if not CONTINUOUS:
            restart_clock()  # again: the template may have just been built
    else:
        url = request.getfixturevalue("postgres_url")
        if not CONTINUOUS:
            restart_clock()
        if kind not in _WORKER_DATABASES:
            settings = make_settings(var_dir, url, request.getfixturevalue("seeded_photos"))
            _WORKER_DATABASES[kind] = settings, PooledPostgresEngine(config={"dsn": url})
        settings, engine = _WORKER_DATABASES[kind]
        bind_engine(engine)
        await open_engine(engine)
        async with engine.pool.acquire() as connection:
            await connection.execute(RESTORE_SEED_SQL)  # asyncpg's simple protocol: many statements, one trip
            if next(_restores) % VACUUM_EVERY == 0:
                await connection.execute("VACUUM")
    try:
        yield settings, engine
    finally:
        await close_engine(engine)


@pytest.fixture
async def app(request, db):
    """The real app on the test database, inside its lifespan (marked `count_statements`: with X-Statements)."""
    settings, engine = db
    counting = bool(request.node.get_closest_marker("count_statements")) or os.environ.get("SF_COUNT_STATEMENTS") == "1"
    built = dataclasses.replace(settings, count_statements=True) if counting else settings
    # Reused only on the worker's own settings: a module that overrides `db` with settings of its own gets a new app.
    reusable = any(settings is worker_settings for worker_settings, _ in _WORKER_DATABASES.values())
    application = _WORKER_APPS.get((settings.database_url, counting)) if reusable else None
    if application is None:
        application = create_app(built, engine)
        if reusable:
            _WORKER_APPS[settings.database_url, counting] = application
    # Enter and leave the lifespan in one task of its own: pytest-asyncio may tear a fixture down in another
    # task, and the lifespan's cancel scope must be exited where it was entered.
    started, stop = asyncio.Event(), asyncio.Event()

    async def hold_lifespan() -> None:
        async with application.lifespan():
            started.set()
            await stop.wait()

    holder = asyncio.create_task(hold_lifespan())
    await asyncio.wait([holder, asyncio.create_task(started.wait())], return_when=asyncio.FIRST_COMPLETED)
    if holder.done():
        holder.result()
    yield application
    stop.set()
    await holder


async def settle_jobs(app) -> None:
    """Run every job the writes so far left in the app's outbox (photo derivatives, follow-ups), so that none of them
    runs, and writes, while a test compares the tables before and after a request."""
    from api.dependencies import services_of
    from domain.outbox.services import relay_outbox

    dispatcher = services_of(app).dispatcher
    while (await relay_outbox(dispatcher)).relayed:
        await dispatcher.drain()
    await dispatcher.drain()


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client talking to the real app through ASGI."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as http:
        yield http


async def login(client: httpx.AsyncClient, username: str, password: str = DEMO_PASSWORD) -> dict[str, str]:
    """Sign in and return the Authorization header."""
    response = await client.post("/v1/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['accessToken']}"}


def _redis_test_url() -> str:
    """Redis DB 15, 14, ... one per pytest-xdist worker (gw0, gw1, ...), so parallel workers never flush each other."""
    if "TEST_REDIS_URL" in os.environ:
        return os.environ["TEST_REDIS_URL"]
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    return f"redis://127.0.0.1:6379/{15 - int(worker or 0) % 12}"


REDIS_URL = _redis_test_url()


@pytest.fixture
async def redis_url() -> str:
    """A Redis database for this test, flushed before use; skipped without a server unless REQUIRE_SERVICES=1."""
    from redis.asyncio import Redis

    client = Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        await client.flushdb()
    except Exception as error:  # any connection failure means "no Redis here"
        _skip_or_fail(f"Redis is not reachable at {REDIS_URL}: {error!r}")
    finally:
        await client.aclose()
    return REDIS_URL
