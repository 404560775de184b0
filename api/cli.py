"""The `shuangfang` command: serve, migrate, seed, worker."""

from __future__ import annotations

import argparse
import asyncio
import sys

from domain.config import Settings, load_settings


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run one subcommand."""
    parser = argparse.ArgumentParser(prog="shuangfang", description="Shuangfang 双防 backend")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1, help="API processes (PostgreSQL deployments)")
    commands.add_parser("migrate", help="apply the database migrations")
    seed = commands.add_parser("seed", help="load the Zhoushan reference data")
    seed.add_argument("--demo", action="store_true", help="also the demo enterprises and accounts")
    commands.add_parser("worker", help="run the arq worker on REDIS_URL")
    commands.add_parser("verify", help="verify every hash chain of the history against itself and the exported heads")
    export = commands.add_parser("export-heads", help="export every chain's head now (the daily job does this too)")
    export.add_argument("--day", help="the day to file it under (default: today, UTC)")
    tasks = commands.add_parser("tasks", help="inspection tasks")
    tasks.add_subparsers(dest="tasks_command", required=True).add_parser(
        "generate", help="create the tasks of the current checklist windows and mark ended undone ones missed (hourly job too)"
    )
    demo = commands.add_parser("demo", help="migrate, seed the demo and serve (what README command 1 runs)")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    settings = load_settings()

    match args.command:
        case "serve":
            return _serve(settings, args.host, args.port, args.workers)
        case "migrate":
            asyncio.run(_migrate(settings))
            print("migrations applied")
        case "seed":
            asyncio.run(_seed(settings, demo=args.demo))
        case "worker":
            from workers.settings import run_worker

            return run_worker(settings)
        case "verify":
            return asyncio.run(_with_engine(settings, _verify))
        case "export-heads":
            asyncio.run(_with_engine(settings, lambda s: _export_heads(s, args.day)))
        case "tasks":
            asyncio.run(_with_engine(settings, _generate_tasks))
        case "demo":
            asyncio.run(_migrate(settings))
            asyncio.run(_seed(settings, demo=True))
            return _serve(settings, args.host, args.port, 1)
    return 0


async def _migrate(settings: Settings) -> None:
    from domain.db.engine import build_engine, close_engine, open_engine
    from domain.db.migrate import migrate

    engine = build_engine(settings)
    await open_engine(engine)
    try:
        await migrate(engine)
    finally:
        await close_engine(engine)


async def _seed(settings: Settings, *, demo: bool) -> None:
    from domain.db.engine import bind_engine, build_engine, close_engine, open_engine
    from seed.scenario import seed_demo, seed_reference

    engine = build_engine(settings)
    bind_engine(engine)
    await open_engine(engine)
    try:
        report = await (seed_demo(settings) if demo else seed_reference())
    finally:
        await close_engine(engine)
    print(report)


async def _with_engine(settings: Settings, work):
    """Run `work(settings)` with the database engine bound and open, and close it after."""
    from domain.db.engine import bind_engine, build_engine, close_engine, open_engine

    engine = build_engine(settings)
    bind_engine(engine)
    await open_engine(engine)
    try:
        return await work(settings)
    finally:
        await close_engine(engine)


async def _verify(settings: Settings) -> int:
    from domain.history.store import verify_all

    report = await verify_all(settings.var_dir)
    against = f"the heads exported on {report.heads_day}" if report.heads_day else "no exported heads yet"
    print(f"checked {report.chains} chains, {report.events} events, against {against}")
    if report.heads_problem:
        print(f"HEADS: {report.heads_problem}")
    for broken in report.broken:
        print(f"BROKEN chain {broken.chain_id}: first broken link at seq {broken.seq} ({broken.reason})")
    print("OK" if report.ok else "FAILED")
    return 0 if report.ok else 1


async def _export_heads(settings: Settings, day: str | None) -> None:
    from domain.history.store import export_chain_heads

    exported = await export_chain_heads(settings.var_dir, day)
    print(f"exported {exported['chains']} chain heads to {exported['path']} (sha256 {exported['digest']})")


async def _generate_tasks(settings: Settings) -> None:
    from domain.inspections.services import generate_tasks

    report = await generate_tasks()
    print(f"inspection tasks: {report.created} created, {report.missed} marked missed")


def _serve(settings: Settings, host: str, port: int, workers: int) -> int:
    import uvicorn

    print(f"serving on http://{host}:{port} (API docs: http://{host}:{port}/schema/swagger)", flush=True)
    if workers > 1 and settings.is_sqlite:
        print("several API processes need PostgreSQL (set DATABASE_URL); serving with one", file=sys.stderr)
        workers = 1
    uvicorn.run(
        "api.cli:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
    )
    return 0


def app_from_environment():
    """The app for `uvicorn --factory`: settings from the environment."""
    from api.app import create_app

    return create_app(load_settings())


if __name__ == "__main__":
    sys.exit(main())
