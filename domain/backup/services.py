"""Back up and restore: the database copied consistently while the service runs, the evidence files, the chain heads.

SQLite is copied with its online backup API (one step, so the copy is one snapshot, and WAL lets writers go on);
PostgreSQL with `pg_dump -Fc` inside an exported snapshot, the same snapshot the row counts are read in. The chain
heads are exported first, so the copy holds them and every chain has grown past them; files are copied after the
database, so every photo row of the copy finds its file (an original is on disk before its row commits).
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import asyncpg

from domain.backup.model import (
    DATABASE_NAMES,
    FILES_FOLDER,
    HEADS_FOLDER,
    MANIFEST_NAME,
    PHOTOS_FOLDER,
    SECRETS_FILE,
    SECRETS_FOLDER,
    BackupFailed,
    BackupRefused,
    ChainHeadsExport,
    Manifest,
    ManifestError,
    count_problems,
    file_problems,
    is_backed_up_photo,
)
from domain.clock import utcnow
from domain.config import Settings
from domain.history.store import export_chain_heads, heads_dir

_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class RestoreReport:
    """What a restore put back, all of it checked against the manifest."""

    engine: str
    tables: int
    rows: int
    files: int
    created_at: str


def tool_version() -> str:
    """The installed shuangfang version, written into each manifest."""
    try:
        return metadata.version("shuangfang")
    except metadata.PackageNotFoundError:
        return "unknown"


def _engine_name(settings: Settings) -> str:
    return "sqlite" if settings.is_sqlite else "postgresql"


async def back_up(settings: Settings, destination: Path) -> Manifest:
    """Write a backup into `destination` (absent or an empty folder) while the service runs; the engine is bound."""
    destination = Path(destination)
    if destination.exists() and (not destination.is_dir() or any(destination.iterdir())):
        raise BackupRefused(f"{destination} is not an empty folder: a backup never writes over anything")
    destination.mkdir(parents=True, exist_ok=True)
    exported = await export_chain_heads(settings.var_dir)
    engine = _engine_name(settings)
    database = destination / DATABASE_NAMES[engine]
    if engine == "sqlite":
        tables = await asyncio.to_thread(_copy_sqlite, settings.sqlite_path, database)
    else:
        tables = await _dump_postgres(settings.database_url, database)
    files = await asyncio.to_thread(_copy_evidence, settings, destination / FILES_FOLDER)
    manifest = Manifest(
        engine=engine,
        tool_version=tool_version(),
        created_at=utcnow().isoformat(),
        database_file=database.name,
        database_sha256=_sha256(database),
        tables=tables,
        files=files,
        chain_heads=ChainHeadsExport(day=exported["day"], chains=exported["chains"], digest=exported["digest"]),
    )
    # The manifest comes last and whole: a folder without one is a backup that did not finish.
    draft = destination / f".{MANIFEST_NAME}.part"
    draft.write_bytes(manifest.to_json())
    draft.replace(destination / MANIFEST_NAME)
    return manifest


def check_backup(source: Path) -> Manifest:
    """The manifest of the backup in `source`, once every byte there matches it (else ManifestError)."""
    source = Path(source)
    path = source / MANIFEST_NAME
    if not path.exists():
        raise ManifestError(f"{source} holds no {MANIFEST_NAME}: not a backup, or one that did not finish")
    manifest = Manifest.from_json(path.read_bytes())
    database = source / manifest.database_file
    problems = []
    if not database.exists():
        problems.append(f"missing database file {manifest.database_file}")
    elif (digest := _sha256(database)) != manifest.database_sha256:
        problems.append(f"database file changed (sha256 {digest}, manifest says {manifest.database_sha256})")
    problems += file_problems(manifest.files, _hash_tree(source / FILES_FOLDER))
    if problems:
        raise ManifestError(_summary("the backup does not match its manifest", problems))
    return manifest


async def restore(settings: Settings, source: Path) -> RestoreReport:
    """Restore the backup in `source` into the empty database and folders of `settings`, then check it restored whole.

    Nothing is written before the backup has been checked against its manifest and the target found empty.
    """
    manifest = check_backup(source)
    engine = _engine_name(settings)
    if manifest.engine != engine:
        raise BackupRefused(f"the backup is of a {manifest.engine} database, the settings name a {engine} one")
    for folder in (settings.photo_dir, heads_dir(settings.var_dir)):
        if folder.exists() and any(folder.iterdir()):
            raise BackupRefused(f"{folder} is not empty: a restore only writes into an empty place")
    database = Path(source) / manifest.database_file
    if engine == "sqlite":
        target = settings.sqlite_path
        if any(Path(f"{target}{suffix}").exists() for suffix in ("", "-wal", "-journal")):
            raise BackupRefused(f"{target} exists: a restore only writes into an empty place")
        target.parent.mkdir(parents=True, exist_ok=True)
        draft = target.with_name(f".{target.name}.restoring")
        shutil.copyfile(database, draft)
        draft.replace(target)
        tables = await asyncio.to_thread(_sqlite_counts, target)
    else:
        if await _postgres_table_count(settings.database_url):
            raise BackupRefused("the database already holds tables: a restore only writes into an empty database")
        await _run("pg_restore", "--no-owner", "--exit-on-error", "-d", settings.database_url, str(database))
        tables = await _postgres_counts(settings.database_url)
    restored = await asyncio.to_thread(_restore_files, Path(source) / FILES_FOLDER, settings)
    problems = count_problems(manifest.tables, tables) + file_problems(manifest.files, restored)
    if problems:
        raise ManifestError(_summary("the restored copy does not match the manifest", problems))
    return RestoreReport(engine, len(tables), sum(tables.values()), len(restored), manifest.created_at)


def _summary(what: str, problems: list[str]) -> str:
    shown = "; ".join(problems[:10])
    more = f" (and {len(problems) - 10} more)" if len(problems) > 10 else ""
    return f"{what}: {shown}{more}"


# SQLite


def _copy_sqlite(source: Path, target: Path) -> dict[str, int]:
    """SQLite's online backup in one step (a single snapshot), then the row counts of the copy."""
    reader, copy = sqlite3.connect(source), sqlite3.connect(target)
    try:
        reader.backup(copy)
        # A rollback-journal file stays one file at rest (no -wal beside it); the engine turns WAL on when it opens it.
        copy.execute("PRAGMA journal_mode = DELETE")
    finally:
        reader.close()
        copy.close()
    return _sqlite_counts(target)


def _sqlite_counts(path: Path) -> dict[str, int]:
    connection = sqlite3.connect(path)
    try:
        names = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        return {name: connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names}
    finally:
        connection.close()  # `with` would only end a transaction, not close the file


# PostgreSQL


_PUBLIC_TABLES = "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"


async def _dump_postgres(url: str, target: Path) -> dict[str, int]:
    """pg_dump inside an exported snapshot, the row counts read in that same snapshot: the two agree."""
    connection = await asyncpg.connect(url)
    try:
        async with connection.transaction(isolation="repeatable_read", readonly=True):
            snapshot = await connection.fetchval("SELECT pg_export_snapshot()")
            counts = await _counts_on(connection)
            await _run("pg_dump", "-Fc", f"--snapshot={snapshot}", "-f", str(target), "-d", url)
    finally:
        await connection.close()
    return counts


async def _counts_on(connection: asyncpg.Connection) -> dict[str, int]:
    names = [row["tablename"] for row in await connection.fetch(_PUBLIC_TABLES)]
    return {name: await connection.fetchval(f'SELECT count(*) FROM public."{name}"') for name in names}


async def _postgres_counts(url: str) -> dict[str, int]:
    connection = await asyncpg.connect(url)
    try:
        return await _counts_on(connection)
    finally:
        await connection.close()


async def _postgres_table_count(url: str) -> int:
    connection = await asyncpg.connect(url)
    try:
        return await connection.fetchval("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
    finally:
        await connection.close()


async def _run(*command: str) -> None:
    try:
        process = await asyncio.create_subprocess_exec(
            *command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
        )
    except FileNotFoundError:
        raise BackupFailed(
            f"{command[0]} is not installed (or not on PATH); it comes with PostgreSQL's client tools"
        ) from None
    _, errors = await process.communicate()
    if process.returncode != 0:
        raise BackupFailed(f"{command[0]} failed ({process.returncode}): {errors.decode(errors='replace')[-2000:]}")


# Files


def _copy_evidence(settings: Settings, target: Path) -> dict[str, str]:
    """Copy the evidence folder and the heads exports under `target`, hashing as they are copied."""
    files: dict[str, str] = {}
    sources = ((settings.photo_dir, PHOTOS_FOLDER), (heads_dir(settings.var_dir), HEADS_FOLDER))
    for root, name in sources:
        for path in _walk(root):
            relative = path.relative_to(root)
            if name == PHOTOS_FOLDER and not is_backed_up_photo(relative.parts):
                continue
            try:
                files[f"{name}/{relative.as_posix()}"] = _copy_hashing(path, target / name / relative)
            except FileNotFoundError:
                continue  # removed meanwhile (a sweep of a file no row names): not part of the copy
    secrets = settings.var_dir / SECRETS_FILE  # absent when the secrets come from the environment
    if secrets.exists():
        files[f"{SECRETS_FOLDER}/{SECRETS_FILE}"] = _copy_hashing(secrets, target / SECRETS_FOLDER / SECRETS_FILE)
    return files


def _restore_files(source: Path, settings: Settings) -> dict[str, str]:
    """Copy the backup's files into the evidence folder and the heads folder; the hashes of what was written."""
    targets = {
        PHOTOS_FOLDER: settings.photo_dir,
        HEADS_FOLDER: heads_dir(settings.var_dir),
        SECRETS_FOLDER: settings.var_dir,
    }
    restored: dict[str, str] = {}
    for path in _walk(source):
        relative = path.relative_to(source)
        root = targets.get(relative.parts[0])
        if root is None:
            raise ManifestError(f"unexpected file {relative.as_posix()} in the backup")
        # The secrets replace any this process generated at start (the database they belong to was empty).
        target = root.joinpath(*relative.parts[1:])
        restored[relative.as_posix()] = _copy_hashing(path, target)
        if relative.parts[0] == SECRETS_FOLDER:
            target.chmod(0o600)
    return restored


def _walk(root: Path) -> Iterator[Path]:
    if not root.exists():
        return
    for folder, _, names in os.walk(root):
        for name in sorted(names):
            yield Path(folder) / name


def _copy_hashing(source: Path, target: Path) -> str:
    """Copy one file (written beside and renamed into place) and return the SHA-256 of the bytes written."""
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    draft = target.with_name(f".{target.name}.part")
    with source.open("rb") as reader, draft.open("wb") as writer:
        while chunk := reader.read(_CHUNK):
            digest.update(chunk)
            writer.write(chunk)
    shutil.copystat(source, draft)
    draft.replace(target)
    return digest.hexdigest()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as reader:
        while chunk := reader.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _hash_tree(root: Path) -> dict[str, str]:
    return {path.relative_to(root).as_posix(): _sha256(path) for path in _walk(root)}
