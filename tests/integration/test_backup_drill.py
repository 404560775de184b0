"""The backup drill (issue 16): back up while hazards with photos are being reported, restore into a fresh database
and folders, and find every chain verified, every table and file as the manifest says, and every answered report
there; a tampered backup, or a target that is not empty, is refused before anything is written.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import re
import shutil
import subprocess
from pathlib import Path

import asyncpg
import pytest

from domain.backup.model import DATABASE_NAMES, FILES_FOLDER, MANIFEST_NAME, BackupRefused, Manifest, ManifestError
from domain.backup.services import back_up, restore
from domain.db.engine import EmbeddedSQLiteEngine, PooledPostgresEngine, bind_engine, close_engine, open_engine
from domain.evidence.services import verify_all
from domain.hazards.tables import Hazard
from domain.photos.storage import original_path
from domain.photos.tables import Photo
from tests.api.test_hazards import me, report, upload
from tests.conftest import PG_ADMIN_DSN, login
from tests.faults.private_servers import BIN, server_env

WRITES_BEFORE = 4  # reports answered before the backup starts, so the copy must hold them
WRITES_AFTER = 2  # reports answered after it ended: the writer kept going through the backup


class Writer:
    """Reports hazards, each with a new photo, one after another until stopped; keeps the ids answered 201."""

    def __init__(self, client, headers: dict[str, str], enterprise_id: str) -> None:
        self.client, self.headers, self.enterprise_id = client, headers, enterprise_id
        self.answered: list[str] = []
        self.running = True
        self.progress = asyncio.Condition()

    async def run(self) -> None:
        while self.running:
            photo_id = await upload(self.client, self.headers)
            hazard = await report(self.client, self.headers, enterprise_id=self.enterprise_id, photoIds=[photo_id])
            async with self.progress:
                self.answered.append(hazard["id"])
                self.progress.notify_all()

    async def wait_for(self, count: int) -> None:
        async with self.progress:
            await self.progress.wait_for(lambda: len(self.answered) >= count)


@dataclasses.dataclass
class FreshPlace:
    """Empty settings to restore into: a new SQLite file, or a new PostgreSQL database, and new folders."""

    settings: object
    drop: str | None = None


async def _admin(sql: str) -> None:
    connection = await asyncpg.connect(PG_ADMIN_DSN, timeout=5)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


async def fresh_place(settings, folder: Path) -> FreshPlace:
    if settings.is_sqlite:
        url = f"sqlite:///{folder / 'restored.sqlite3'}"
        return FreshPlace(dataclasses.replace(settings, var_dir=folder, database_url=url, photo_dir=folder / "photos"))
    name = f"sf_restore_{os.getpid()}"
    await _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    await _admin(f"CREATE DATABASE {name}")
    url = PG_ADMIN_DSN.rsplit("/", 1)[0] + "/" + name
    place = dataclasses.replace(settings, var_dir=folder, database_url=url, photo_dir=folder / "photos")
    return FreshPlace(place, drop=f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def engine_for(settings):
    if settings.is_sqlite:
        return EmbeddedSQLiteEngine(path=str(settings.sqlite_path))
    return PooledPostgresEngine(config={"dsn": settings.database_url})


async def test_a_backup_under_writes_restores_into_a_fresh_place_with_every_chain_verified(db, client, tmp_path):
    settings, engine = db
    officer = await login(client, "officer1")
    writer = Writer(client, officer, (await me(client, officer))["enterpriseId"])
    writing = asyncio.create_task(writer.run())
    try:
        await writer.wait_for(WRITES_BEFORE)
        answered_before = list(writer.answered)
        manifest = await back_up(settings, tmp_path / "backup")
        await writer.wait_for(len(writer.answered) + WRITES_AFTER)
    finally:
        writer.running = False
        await writing
    assert manifest.tables["hazard"] >= len(answered_before) and manifest.files and manifest.chain_heads.chains > 0
    assert Manifest.from_json((tmp_path / "backup" / MANIFEST_NAME).read_bytes()) == manifest

    place = await fresh_place(settings, tmp_path / "restored")
    restored_engine = engine_for(place.settings)
    try:
        restored = await restore(place.settings, tmp_path / "backup")
        assert (restored.tables, restored.rows) == (len(manifest.tables), sum(manifest.tables.values()))
        bind_engine(restored_engine)
        await open_engine(restored_engine)
        verified = await verify_all(place.settings.var_dir)
        assert verified.ok, verified.first_problem()
        assert verified.heads_day == manifest.chain_heads.day and verified.heads_problem is None
        ids = {row["id"] for row in await Hazard.select(Hazard.id).where(Hazard.id.is_in(answered_before)).run()}
        assert ids == set(answered_before)
        for photo in await Photo.select(Photo.sha256).run():  # every photo row has its file in the restored folder
            assert original_path(place.settings.photo_dir, photo["sha256"]).exists(), photo
    finally:
        await close_engine(restored_engine)
        bind_engine(engine)
        if place.drop:
            await _admin(place.drop)


async def test_a_tampered_backup_or_a_target_that_is_not_empty_is_refused_before_anything_is_written(db, tmp_path):
    settings, _ = db
    await back_up(settings, tmp_path / "backup")
    with pytest.raises(BackupRefused, match="not an empty folder"):
        await back_up(settings, tmp_path / "backup")
    with pytest.raises(BackupRefused, match=r"not empty|exists|already holds tables"):
        await restore(settings, tmp_path / "backup")  # onto the live database and folders

    files = tmp_path / "backup" / FILES_FOLDER
    photo = next(path for path in sorted(files.rglob("*")) if path.is_file() and "originals" in path.parts)
    photo.write_bytes(photo.read_bytes()[:-1] + b"\x00")
    place = await fresh_place(settings, tmp_path / "restored")
    try:
        with pytest.raises(ManifestError, match=re.escape(f"file {photo.relative_to(files).as_posix()} changed")):
            await restore(place.settings, tmp_path / "backup")
        assert not place.settings.photo_dir.exists()
        if place.settings.is_sqlite:
            assert not place.settings.sqlite_path.exists()
        else:
            connection = await asyncpg.connect(place.settings.database_url)
            try:
                assert await connection.fetchval("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == 0
            finally:
                await connection.close()
    finally:
        if place.drop:
            await _admin(place.drop)

    database = tmp_path / "backup" / DATABASE_NAMES["sqlite" if settings.is_sqlite else "postgresql"]
    database.write_bytes(database.read_bytes() + b"\x00")
    with pytest.raises(ManifestError, match="database file changed"):
        await restore(place.settings, tmp_path / "backup")


def test_the_backup_and_restore_commands_say_what_they_did_and_refuse_with_exit_code_1(
    tmp_path, sqlite_template, seeded_photos
):
    shutil.copy(sqlite_template, tmp_path / "live.sqlite3")
    shutil.copytree(seeded_photos, tmp_path / "live-photos")
    live = server_env(
        tmp_path / "live-var", tmp_path / "live-photos", DATABASE_URL=f"sqlite:///{tmp_path / 'live.sqlite3'}"
    )
    fresh = server_env(tmp_path / "fresh", tmp_path / "fresh" / "photos")

    def shuangfang(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(BIN), *args], env=env, capture_output=True, text=True, timeout=300)

    backup = tmp_path / "backup"
    done = shuangfang(live, "backup", str(backup))
    assert done.returncode == 0 and "backed up sqlite" in done.stdout, done.stderr
    again = shuangfang(live, "backup", str(backup))
    assert again.returncode == 1 and "backup refused" in again.stderr and "not an empty folder" in again.stderr
    onto_live = shuangfang(live, "restore", str(backup))
    assert onto_live.returncode == 1 and "restore refused" in onto_live.stderr
    restored = shuangfang(fresh, "restore", str(backup))
    assert restored.returncode == 0 and "all matching the manifest" in restored.stdout, restored.stderr
    verified = shuangfang(fresh, "verify")
    assert verified.returncode == 0 and verified.stdout.strip().endswith("OK"), verified.stdout

    heads = next((backup / FILES_FOLDER / "chain-heads").iterdir())
    heads.write_bytes(heads.read_bytes() + b"\n")
    tampered = shuangfang(server_env(tmp_path / "other", tmp_path / "other" / "photos"), "restore", str(backup))
    assert tampered.returncode == 1 and f"file chain-heads/{heads.name} changed" in tampered.stderr
    assert not (tmp_path / "other" / "shuangfang.sqlite3").exists()
