"""The `shuangfang` command: serve, migrate, seed, worker, contract and the maintenance jobs."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import sys
import time

from domain.config import WILDCARD_HOSTS, Settings, load_settings, served_base_url


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run one subcommand."""
    parser = argparse.ArgumentParser(prog="shuangfang", description="Shuangfang 双防 backend")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--workers", type=int, default=1, help="API processes; more than one needs PostgreSQL (DATABASE_URL)"
    )
    commands.add_parser("migrate", help="apply the database migrations")
    seed = commands.add_parser("seed", help="load the Zhoushan reference data")
    seed.add_argument("--demo", action="store_true", help="also the demo enterprises and accounts")
    commands.add_parser("worker", help="run the arq worker on REDIS_URL")
    commands.add_parser("verify", help="verify every hash chain of the history against itself and the exported heads")
    backup = commands.add_parser(
        "backup", help="back up the database, evidence files and chain heads (with a manifest) while the service runs"
    )
    backup.add_argument("destination", help="an absent or empty folder to write the backup into")
    restore = commands.add_parser(
        "restore", help="restore a backup into an empty database and empty folders, then check it against its manifest"
    )
    restore.add_argument("source", help="the backup folder (with its manifest.json)")
    export = commands.add_parser("export-heads", help="export every chain's head now (the daily job does this too)")
    export.add_argument("--day", help="the day to file it under (default: today, UTC)")
    tasks = commands.add_parser("tasks", help="inspection tasks")
    tasks.add_subparsers(dest="tasks_command", required=True).add_parser(
        "generate",
        help="create the tasks of the current checklist windows and mark ended undone ones missed (hourly job too)",
    )
    commands.add_parser("safety-codes", help="recompute every enterprise's dynamic safety code now (hourly job too)")
    statistics = commands.add_parser("statistics", help="statutory hazard statistics")
    statistics.add_subparsers(dest="statistics_command", required=True).add_parser(
        "freeze", help="freeze every due quarterly and annual snapshot still missing (daily job too)"
    )
    rollups = commands.add_parser("rollups", help="refresh the hazard roll-ups (incremental; job every 10 min too)")
    rollups.add_argument("--full", action="store_true", help="recompute every cell from scratch")
    notify = commands.add_parser("notifications", help="webhook notifications and the overdue sweep")
    notify_commands = notify.add_subparsers(dest="notifications_command", required=True)
    notify_commands.add_parser(
        "sweep", help="escalate overdue hazards and missed task days not escalated yet (job every 15 min too)"
    )
    notify_commands.add_parser("deliver", help="send the webhook deliveries whose try is due (job every minute too)")
    credit = commands.add_parser("credit", help="the serious-dishonesty list and credit grades (daily jobs too)")
    credit.add_argument(
        "credit_command",
        choices=["candidates", "expire", "grades"],
        help="compute blacklist candidates, lift listings whose 3 years ended, or recompute grades",
    )
    contract = commands.add_parser(
        "contract", help="the committed contract files mobile_contract/openapi.json and errors.json"
    )
    contract_mode = contract.add_mutually_exclusive_group(required=True)
    contract_mode.add_argument("--write", action="store_true", help="regenerate them from the code")
    contract_mode.add_argument(
        "--check", action="store_true", help="exit 1 when they differ from what the code generates"
    )
    contract_mode.add_argument(
        "--freeze", action="store_true", help="at a release: keep openapi.json as the snapshot of CONTRACT_VERSION"
    )
    storage = commands.add_parser("storage", help="photo and document storage: move the folder to a bucket, verify")
    storage_commands = storage.add_subparsers(dest="storage_command", required=True)
    storage_migrate = storage_commands.add_parser(
        "migrate", help="copy the photo folder into the SF_S3_* bucket and verify every object's SHA-256 (resumable)"
    )
    storage_migrate.add_argument("--to", choices=["s3"], required=True, help="where to: the bucket of SF_S3_*")
    storage_commands.add_parser("verify", help="read back every object of the bucket and check its SHA-256")
    demo = commands.add_parser("demo", help="migrate, seed the demo and serve (what README command 1 runs)")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8000)
    simulate = commands.add_parser("simulate", help="play a grid inspector's day against a running server")
    simulate.add_argument("--base-url", default="http://127.0.0.1:8000")
    simulate.add_argument("--user", default="inspector1")
    simulate.add_argument("--password", default=os.environ.get("DEMO_PASSWORD", "Demo@2026"))
    simulate.add_argument("--seed", type=int, default=1, help="the seed of every choice the day makes")
    simulate.add_argument("--points", type=int, default=3, help="risk points inspected online (one more offline)")
    simulate.add_argument("--queue", help="the offline queue file (default: a new temporary folder)")
    simulate.add_argument("--run-id", help="the day's id in its client ids and opIds (default: the start time)")
    args = parser.parse_args(argv)
    if args.command == "simulate":  # a client of a server anywhere: no settings, no var folder of its own
        return _simulate(args)
    if args.command == "contract":  # made from the code alone: no settings, no var folder
        return _contract(write=args.write, check=args.check)
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
        case "backup":
            return asyncio.run(_with_engine(settings, lambda s: _backup(s, args.destination)))
        case "restore":
            return asyncio.run(_restore(settings, args.source))
        case "export-heads":
            asyncio.run(_with_engine(settings, lambda s: _export_heads(s, args.day)))
        case "tasks":
            asyncio.run(_with_engine(settings, _generate_tasks))
        case "safety-codes":
            asyncio.run(_with_engine(settings, _recompute_safety_codes))
        case "statistics":
            asyncio.run(_with_engine(settings, _freeze_statistics))
        case "rollups":
            asyncio.run(_with_engine(settings, lambda s: _rollups(s, args.full)))
        case "notifications":
            asyncio.run(_with_engine(settings, lambda s: _notifications(s, args.notifications_command)))
        case "credit":
            asyncio.run(_with_engine(settings, lambda s: _credit(s, args.credit_command)))
        case "storage":
            return _storage(settings, args.storage_command)
        case "demo":
            settings = _demo_settings(settings, args.host, args.port)
            asyncio.run(_migrate(settings))
            asyncio.run(_seed(settings, demo=True))
            asyncio.run(_with_engine(settings, _demo_links))
            return _serve(settings, args.host, args.port, 1)
    return 0


def lan_address() -> str | None:
    """This machine's IPv4 address on its local network, or None; found without sending anything: connecting a UDP
    socket only asks the kernel for the route (and so the source address) to a private address, no packet leaves."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 1))  # never `send`: this must stay a routing-table lookup
            address = probe.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") or address == "0.0.0.0" else address


def _demo_settings(settings: Settings, host: str, port: int) -> Settings:
    """The demo's codes and links point where it serves (the LAN address for `--host 0.0.0.0`), unless
    `SF_PUBLIC_BASE_URL` says otherwise."""
    if os.environ.get("SF_PUBLIC_BASE_URL"):
        return settings
    base = served_base_url(host, port, lan_address=lan_address() if host in WILDCARD_HOSTS else None)
    os.environ["SF_PUBLIC_BASE_URL"] = base  # the served app reads its settings from the environment
    return dataclasses.replace(settings, public_base_url=base)


async def _demo_links(settings: Settings) -> None:
    """Where to open the demo, and one printed code of each kind, all on the base the codes carry."""
    from domain.codes.services import Codes
    from domain.codes.tokens import SubjectKind
    from domain.org import store as org_store
    from domain.risk import store as risk_store

    codes, base = Codes(settings), settings.public_base_url
    print(f"open the demo at {base} (API docs: {base}/schema/swagger); codes and links carry this address")
    print(
        f"  supervision console (监管控制台): {base}/console/ — sign in as regulator_dinghai (定海区), "
        f"regulator_city (舟山市) or admin, password {settings.demo_password}"
    )
    point = await risk_store.first_point()
    if point is not None:
        printed = codes.printed(SubjectKind.RISK_POINT, point.id, point.qr_serial)
        print(f"  risk point code ({point.name}): {printed.url}")
    enterprise_ids = await org_store.all_enterprise_ids()
    enterprise = await org_store.enterprise(enterprise_ids[0]) if enterprise_ids else None
    if enterprise is not None:
        printed = codes.printed(SubjectKind.ENTERPRISE, enterprise.id, enterprise.qr_serial)
        print(f"  enterprise safety code ({enterprise.name}): {printed.url}")
        print(f"  its label sheet: {base}/v1/enterprises/{enterprise.id}/qr-sheet.pdf (signed in)")


async def _migrate(settings: Settings) -> None:
    from domain.db.engine import build_engine, close_engine, open_engine
    from domain.db.migrate import migrate
    from domain.evidence.services import backfill_bindings
    from domain.sync.changes import backfill

    engine = build_engine(settings)
    await open_engine(engine)
    try:
        await migrate(engine)
        # Data from before the change feed (an upgraded database) must reach a phone's first sync; adds nothing twice.
        added = await backfill()
        if added:
            print(f"change feed: {added} rows backfilled")
        # Events and rows from before the binding: anchor the events, bind each row to its chain's head (once).
        anchored, bound = await backfill_bindings()
        if anchored or bound:
            print(f"history: {anchored} events anchored, {bound} rows bound to their chains")
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
    from domain.evidence.services import verify_all

    started = time.perf_counter()
    report = await verify_all(settings.var_dir)
    against = f"the heads exported on {report.heads_day}" if report.heads_day else "no exported heads yet"
    print(
        f"checked {report.chains} chains, {report.events} events, {report.anchors} anchors and {report.rows} bound rows,"
        f" against {against}, in {time.perf_counter() - started:.2f} s"
    )
    if report.heads_problem:
        print(f"HEADS: {report.heads_problem}")
    if report.ledger_problem:
        print(f"LEDGER: {report.ledger_problem}")
    for broken in report.broken:
        print(f"BROKEN chain {broken.chain_id}: first broken link at seq {broken.seq} ({broken.reason})")
    for mismatch in report.mismatches:
        print(f"ROW {mismatch.describe()}")
    if not report.ok:
        print(f"FIRST: {report.first_problem()}")
    print("OK" if report.ok else "FAILED")
    return 0 if report.ok else 1


async def _backup(settings: Settings, destination: str) -> int:
    from pathlib import Path

    from domain.backup.model import BackupFailed, BackupRefused
    from domain.backup.services import back_up

    try:
        manifest = await back_up(settings, Path(destination))
    except BackupRefused as error:
        print(f"backup refused: {error}", file=sys.stderr)
        return 1
    except BackupFailed as error:
        print(f"backup FAILED: {error}", file=sys.stderr)
        return 1
    rows = sum(manifest.tables.values())
    print(
        f"backed up {manifest.engine}: {len(manifest.tables)} tables, {rows} rows, {len(manifest.files)} files,"
        f" {manifest.chain_heads.chains} chain heads, to {destination} (manifest.json)"
    )
    return 0


async def _restore(settings: Settings, source: str) -> int:
    from pathlib import Path

    from domain.backup.model import BackupFailed, BackupRefused, ManifestError
    from domain.backup.services import restore

    try:
        report = await restore(settings, Path(source))
    except BackupRefused as error:
        print(f"restore refused: {error}", file=sys.stderr)
        return 1
    except (ManifestError, BackupFailed) as error:
        print(f"restore FAILED: {error}", file=sys.stderr)
        return 1
    print(
        f"restored the {report.engine} backup of {report.created_at}: {report.tables} tables, {report.rows} rows,"
        f" {report.files} files, all matching the manifest; run `shuangfang verify` to check every chain"
    )
    return 0


async def _export_heads(settings: Settings, day: str | None) -> None:
    from domain.history.store import export_chain_heads

    exported = await export_chain_heads(settings.var_dir, day)
    print(f"exported {exported['chains']} chain heads to {exported['path']} (sha256 {exported['digest']})")


async def _generate_tasks(settings: Settings) -> None:
    from domain.inspections.services import generate_tasks

    report = await generate_tasks()
    print(f"inspection tasks: {report.created} created, {report.missed} marked missed")


async def _recompute_safety_codes(settings: Settings) -> None:
    from domain.safety_code.services import recompute_all

    report = await recompute_all()
    print(f"safety codes: {report.enterprises} enterprises recomputed, {report.changed} changed colour")


async def _freeze_statistics(settings: Settings) -> None:
    from domain.statutory.services import freeze_due_statistics

    report = await freeze_due_statistics()
    print(f"statutory statistics: {report.frozen} snapshots frozen, {report.already} already frozen")


async def _rollups(settings: Settings, full: bool) -> None:
    from domain.stats.services import refresh_rollups

    report = await refresh_rollups(full=full)
    kind = "full" if report.full else "incremental"
    print(
        f"roll-ups ({kind}): {report.enterprises} enterprises, {report.written} cells written, {report.deleted} removed"
    )


async def _notifications(settings: Settings, command: str) -> None:
    from workers.jobs.notifications import deliver_due_notifications, sweep_overdue

    job = sweep_overdue if command == "sweep" else deliver_due_notifications
    print(f"notifications {command}: {await job({'settings': settings})}")


async def _credit(settings: Settings, command: str) -> None:
    from workers.jobs.credit import compute_blacklist_candidates, compute_credit_grades, expire_blacklist_listings

    job = {
        "candidates": compute_blacklist_candidates,
        "expire": expire_blacklist_listings,
        "grades": compute_credit_grades,
    }[command]
    print(f"credit {command}: {await job({'settings': settings})}")


def _contract(*, write: bool, check: bool) -> int:
    from api import contract

    if check:
        stale, breaking = contract.stale_files(), contract.evolution_problems()
        for path in stale:
            print(f"stale: {path} differs from what the code generates; run `{contract.REGENERATE}`")
        for problem in breaking:
            print(f"breaking: {problem}")
        print("FAILED" if stale or breaking else "contract files up to date and add-only")
        return 1 if stale or breaking else 0
    if write:
        changed = contract.write()
        print("\n".join(f"wrote {path}" for path in changed) or "contract files already up to date")
        return 0
    print(f"froze {contract.freeze()}")
    return 0


def _simulate(args: argparse.Namespace) -> int:
    import tempfile
    from pathlib import Path

    import httpx

    from domain.clock import utcnow
    from mobile_contract.client import ApiError
    from mobile_contract.simulate import DayPlan, default_run_id, run

    queue = Path(args.queue) if args.queue else Path(tempfile.mkdtemp(prefix="sf-simulate-")) / "queue.json"
    plan = DayPlan(
        username=args.user,
        password=args.password,
        seed=args.seed,
        run_id=args.run_id or default_run_id(utcnow()),
        points=args.points,
        queue_path=queue,
        clock=utcnow,
    )
    try:
        summary = asyncio.run(run(args.base_url, plan, say=lambda line: print(line, flush=True)))
    except (ApiError, httpx.TransportError) as error:
        print(f"the day stopped: {error!r}", file=sys.stderr)
        return 1
    print(f"offline queue kept at {queue}")
    return 0 if summary.completed else 1


def _serve(settings: Settings, host: str, port: int, workers: int) -> int:
    import uvicorn

    if workers < 1:
        print("--workers must be at least 1", file=sys.stderr)
        return 2
    if workers > 1 and settings.is_sqlite:
        # Refused rather than quietly served with one: whoever asked for N processes would size and count on them.
        # The embedded SQLite mode is one process by design (one writer connection, its lock held in memory).
        print(
            f"--workers {workers} needs PostgreSQL: set DATABASE_URL to a postgresql:// database, or serve SQLite"
            " with one process (--workers 1)",
            file=sys.stderr,
        )
        return 2
    _sweep_evidence_before_serving(settings)
    print(f"listening on {host}:{port}; codes and links carry {settings.public_base_url}", flush=True)
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


def _storage(settings: Settings, command: str) -> int:
    """`storage migrate --to s3` and `storage verify`: counts on stdout, exit 1 when any object failed its check."""
    from domain.photos.buckets import bucket_store
    from domain.photos.migration import migrate_to_bucket, verify_bucket

    bucket = bucket_store(settings, settings.photo_dir, "")
    where = f"s3://{settings.s3_bucket}/{bucket.prefix}"
    started = time.perf_counter()
    if command == "migrate":
        report = migrate_to_bucket(settings.photo_dir, bucket)
        print(
            f"storage migrate {settings.photo_dir} → {where}: {report.copied} copied ({report.bytes_copied} bytes),"
            f" {report.already_there} already there, {report.replaced} replaced, {report.verified} verified by"
            f" SHA-256, {len(report.failed)} failed, in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
        return 1 if report.failed else 0
    checked = verify_bucket(bucket)
    print(
        f"storage verify {where}: {checked.checked} objects read back, {len(checked.mismatched)} mismatched,"
        f" {len(checked.unverifiable)} without a hash, in {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    return 1 if checked.mismatched or checked.unverifiable else 0


def _sweep_evidence_before_serving(settings: Settings) -> None:
    """Once, before serving: remove the photo and document files a crash left without their rows (and say so)."""
    from domain.documents.services import FOLDER as DOCUMENTS_FOLDER
    from domain.photos.sweep import leftovers

    folders = [settings.photo_dir, settings.photo_dir / DOCUMENTS_FOLDER]
    if settings.storage == "local" and not any(leftovers(folder) for folder in folders):
        return  # nothing to look up: a new installation's database need not exist yet
    try:
        asyncio.run(_with_engine(settings, _sweep_evidence))
    except Exception as error:  # serving matters more: the next start sweeps again
        print(f"evidence sweep skipped: {error!r}", flush=True)


async def _sweep_evidence(settings: Settings) -> None:
    from domain.documents import store as document_store
    from domain.documents.services import FOLDER as DOCUMENTS_FOLDER
    from domain.photos import store as photo_store
    from domain.photos.sweep import sweep_folder

    grace = settings.sweep_grace_s
    for root, kept in (
        (settings.photo_dir, photo_store.kept_sha256s),
        (settings.photo_dir / DOCUMENTS_FOLDER, document_store.kept_sha256s),
    ):
        report = await sweep_folder(root, kept, grace_s=grace)
        for path in report.removed:
            print(f"evidence sweep removed {path} (no row names it)", flush=True)
        print(
            f"evidence sweep of {root}: removed {len(report.removed)} files no row names,"
            f" spared {report.spared_young} younger than {grace:g} s",
            flush=True,
        )
    if settings.storage == "s3":  # the kept files are objects: the bucket is listed and swept by the same rule
        await _sweep_bucket(settings, grace)


async def _sweep_bucket(settings: Settings, grace: float) -> None:
    from domain.documents import store as document_store
    from domain.documents.services import FOLDER as DOCUMENTS_FOLDER
    from domain.photos import store as photo_store
    from domain.photos.storage import object_store
    from domain.photos.sweep import sweep_bucket

    for folder, kept in (("", photo_store.kept_sha256s), (DOCUMENTS_FOLDER, document_store.kept_sha256s)):
        bucket = object_store(settings, folder)
        report = await sweep_bucket(bucket, kept, grace_s=grace)
        for key in report.removed:
            print(f"evidence sweep removed s3 object {bucket.prefix}{key} (no row names it)", flush=True)
        print(
            f"evidence sweep of s3://{settings.s3_bucket}/{bucket.prefix}: removed {len(report.removed)} objects"
            f" no row names, spared {report.spared_young} younger than {grace:g} s",
            flush=True,
        )


def _clock_from_environment() -> None:
    """`SF_TEST_CLOCK` (an RFC 3339 instant), which tests that start real processes set, starts this process's clock
    there, so the process reads the same day as the suite and its seed (see domain/clock.py)."""
    from domain.clock import parse_instant, start_clock_at

    if instant := os.environ.get("SF_TEST_CLOCK"):
        start_clock_at(parse_instant(instant))


def app_from_environment():
    """The app for `uvicorn --factory`: settings from the environment, the clock from `SF_TEST_CLOCK` if set."""
    from api.app import create_app

    _clock_from_environment()
    return create_app(load_settings())


def run_command() -> int:
    """The `shuangfang` command: the process's clock from `SF_TEST_CLOCK` if set, then one subcommand.

    Every command of a process a test starts (serve, seed, rollups, simulate...) then reads the suite's day; `main`
    itself leaves the clock alone, since tests also call it inside their own process, whose clock already runs.
    """
    _clock_from_environment()
    return main()


if __name__ == "__main__":
    sys.exit(run_command())
