"""The server killed with SIGKILL in the middle of a load of writes, on each engine: nothing acknowledged is lost,
nothing is half there, and the start-up sweep leaves every photo file named by a row and every row with its file.

A real `shuangfang serve` runs on its own copy of the seed (a SQLite file, or the run's PostgreSQL database restored
to the seed) and its own copy of the seeded photo folder. Threads send photo uploads, hazard reports carrying them,
assignments (transitions) and sync batches of two reports, and remember every answer that was 2xx. Once enough
have been answered the process gets SIGKILL, with requests still in flight. A kill rarely lands between an
original's rename and its row's commit, so that leftover is also made by hand (a file no row names, an upload's
`.part`, and a file of a kept hash) before the restart. Then, on the same data: every 2xx write is there, in full;
`shuangfang verify` replays every chain; every photo row has its original and every original has its row.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import threading
from datetime import timedelta
from pathlib import Path

import asyncpg
import httpx
import pytest

from domain.clock import utcnow
from domain.photos import storage
from tests.conftest import DEMO_PASSWORD, RESTORE_SEED_SQL, run_blocking
from tests.faults.private_servers import BIN, REPO, AppServer
from tests.integration.test_demo_command import stop
from tests.unit.test_photo_images import camera_jpeg

WRITERS = 4
ACKNOWLEDGED_BEFORE_KILL = 40  # 2xx answers before the kill: enough of each kind, well under a minute
BOUNDARY = "sf-kill-form"


class Data:
    """Where the servers' data is: the database (either engine) and the photo folder, with a way to query it."""

    def __init__(self, kind: str, url: str, photos: Path) -> None:
        self.kind, self.url, self.photos = kind, url, photos

    def rows(self, sql: str) -> list[tuple]:
        if self.kind == "sqlite":
            with sqlite3.connect(self.url.removeprefix("sqlite:///")) as connection:
                return connection.execute(sql).fetchall()

        async def fetch() -> list[tuple]:
            connection = await asyncpg.connect(self.url)
            try:
                return [tuple(row) for row in await connection.fetch(sql)]
            finally:
                await connection.close()

        return run_blocking(fetch())


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def data(request, tmp_path, seeded_photos) -> Data:
    photos = tmp_path / "photos"
    if request.param == "sqlite":
        database = tmp_path / "killed.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), database)  # the seed's photos are written by now
        shutil.copytree(seeded_photos, photos)  # the sweep removes files: never in the folder other tests share
        return Data("sqlite", f"sqlite:///{database}", photos)
    url = request.getfixturevalue("postgres_url")
    shutil.copytree(seeded_photos, photos)

    async def restore() -> None:
        connection = await asyncpg.connect(url)
        try:
            await connection.execute(RESTORE_SEED_SQL)
        finally:
            await connection.close()

    run_blocking(restore())
    return Data("postgres", url, photos)


def server_env(data: Data, var_dir: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("SF_", "DATABASE_URL", "REDIS_URL"))}
    return env | {
        "DATABASE_URL": data.url,
        "SF_VAR_DIR": str(var_dir),
        "SF_PHOTO_DIR": str(data.photos),
        "SF_JWT_SECRET": "test-jwt-secret-that-is-long-enough-for-hs256",
        "SF_QR_KEYS": json.dumps({"1": "test-qr-key-0123456789abcdef"}),
        "SF_PASSWORD_HASH_COST": "fast",
        "SF_RUN_SCHEDULE": "0",
        "SF_WRITE_LIMIT": "0",  # one user's burst of writes is the load here, not what is measured
        # Only this test's server uses these files: no other process can be mid-upload when it starts again.
        "SF_PHOTO_SWEEP_GRACE": "0",
        "SF_TEST_CLOCK": utcnow().isoformat(),
        "PYTHONUNBUFFERED": "1",
    }


class Acknowledged:
    """Every write the server answered with a 2xx, by kind (shared by the writer threads)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.photos: dict[str, str] = {}  # id -> sha256 of the bytes sent
        self.hazards: dict[str, int] = {}  # id -> the version the last 2xx answered
        self.hazard_photos: dict[str, str] = {}  # hazard id -> the photo it carries
        self.count = 0
        self.enough = threading.Event()

    def add(self, kind: str, key: str, value) -> None:
        with self.lock:
            getattr(self, kind)[key] = value
            self.count += 1
            if self.count >= ACKNOWLEDGED_BEFORE_KILL:
                self.enough.set()


def photo_form(data: bytes, client_id: str) -> bytes:
    head = f"--{BOUNDARY}\r\nContent-Disposition: form-data; name="
    return (
        f'{head}"clientId"\r\n\r\n{client_id}\r\n'.encode()
        + f'{head}"file"; filename="p.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'.encode()
        + data
        + f"\r\n--{BOUNDARY}--\r\n".encode()
    )


def hazard_body(client_id: str, enterprise_id: str, **fields) -> dict:
    return {
        "clientId": client_id,
        "enterpriseId": enterprise_id,
        "source": "daily",
        "category": "unsafe_condition",
        "title": "配电箱门未关闭",
        "description": "3号车间配电箱门敞开，无警示标识",
        "foundAt": utcnow().isoformat(),
    } | fields


def write_load(base: str, writer: int, officer: dict, principal: dict, who: dict, seen: Acknowledged) -> None:
    """One phone's writes in a loop until the server goes away: upload, report with it, assign, a sync batch."""
    with httpx.Client(base_url=base, timeout=30) as http:
        for n in range(10_000):
            tag = f"k{writer}-{n}"
            try:
                photo = camera_jpeg(size=(320, 240), seed=writer * 100_000 + n)
                uploaded = http.post(
                    "/v1/photos",
                    content=photo_form(photo, f"ph-{tag}"),
                    headers=officer | {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
                )
                if uploaded.status_code not in (200, 201):
                    continue
                seen.add("photos", uploaded.json()["id"], hashlib.sha256(photo).hexdigest())
                made = http.post(
                    "/v1/hazards",
                    json=hazard_body(f"hz-{tag}", who["enterpriseId"], photoIds=[uploaded.json()["id"]]),
                    headers=officer,
                )
                if made.status_code not in (200, 201):
                    continue
                hazard = made.json()
                seen.add("hazards", hazard["id"], hazard["version"])
                seen.add("hazard_photos", hazard["id"], uploaded.json()["id"])
                assign = {
                    "action": "assign",
                    "assigneeId": who["id"],
                    "measures": "关闭箱门并张贴警示",
                    "deadline": (utcnow() + timedelta(days=3)).isoformat(),
                }
                moved = http.post(
                    f"/v1/hazards/{hazard['id']}/transitions",
                    json=assign,
                    headers=principal | {"If-Match": f'"{hazard["version"]}"'},
                )
                if moved.status_code == 200:
                    seen.add("hazards", hazard["id"], moved.json()["version"])
                ops = [
                    {
                        "opId": f"op-{tag}-{k}",
                        "kind": "hazardCreate",
                        "payload": hazard_body(f"sy-{tag}-{k}", who["enterpriseId"]),
                    }
                    for k in range(2)
                ]
                synced = http.post("/v1/sync/batch", json={"ops": ops}, headers=officer)
                if synced.status_code == 200:
                    for result in synced.json()["results"]:
                        if result["status"] == "ok":
                            seen.add("hazards", result["id"], result["version"])
            except httpx.TransportError:
                return  # killed: whatever was in flight got no answer, so promised nothing


def sign_in(base: str, username: str) -> dict[str, str]:
    response = httpx.post(f"{base}/v1/auth/login", json={"username": username, "password": DEMO_PASSWORD}, timeout=30)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['accessToken']}"}


def leave_crash_leftovers(photos: Path, kept_sha256: str) -> dict[str, Path]:
    """What a kill between an original's rename and its row's commit leaves, made by hand (and a kept file)."""
    orphan_bytes = b"an original whose row never committed"
    orphan = storage.original_path(photos, hashlib.sha256(orphan_bytes).hexdigest())
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(orphan_bytes)
    arriving = photos / "incoming" / "01KILLEDWHILEARRIVING00000.part"
    arriving.parent.mkdir(parents=True, exist_ok=True)
    arriving.write_bytes(b"half an upload")
    thumb = storage.derivative_path(photos, "thumb", hashlib.sha256(orphan_bytes).hexdigest())
    thumb.parent.mkdir(parents=True, exist_ok=True)
    thumb.write_bytes(b"a derivative of it")
    return {"orphan": orphan, "arriving": arriving, "thumb": thumb, "kept": storage.original_path(photos, kept_sha256)}


def test_a_server_killed_mid_load_keeps_every_acknowledged_write_whole(data, tmp_path):
    env = server_env(data, tmp_path / "var")
    server = AppServer(env, tmp_path / "first.log")
    seen = Acknowledged()
    try:
        officer, principal = sign_in(server.base, "officer1"), sign_in(server.base, "principal1")
        who = httpx.get(f"{server.base}/v1/me", headers=officer, timeout=30).json()
        writers = [
            threading.Thread(target=write_load, args=(server.base, n, officer, principal, who, seen), daemon=True)
            for n in range(WRITERS)
        ]
        for writer in writers:
            writer.start()
        assert seen.enough.wait(timeout=120), f"only {seen.count} writes acknowledged:\n{server.text()[-3000:]}"
        server.process.kill()  # SIGKILL: no shutdown, requests in flight
        server.process.wait()
        for writer in writers:
            writer.join(timeout=60)
    finally:
        if server.process.poll() is None:
            server.process.kill()
    assert seen.photos and seen.hazards and seen.hazard_photos

    leftovers = leave_crash_leftovers(data.photos, next(iter(seen.photos.values())))
    restarted = AppServer(env, tmp_path / "second.log")
    try:
        officer = sign_in(restarted.base, "officer1")
        with httpx.Client(base_url=restarted.base, timeout=30, headers=officer) as http:
            for photo_id, sha256 in seen.photos.items():
                original = http.get(f"/v1/photos/{photo_id}")
                assert original.status_code == 200 and hashlib.sha256(original.content).hexdigest() == sha256
            for hazard_id, version in seen.hazards.items():
                hazard = http.get(f"/v1/hazards/{hazard_id}")
                assert hazard.status_code == 200, hazard.text
                assert hazard.json()["version"] >= version  # a later write may have landed without its answer
                events = http.get(f"/v1/hazards/{hazard_id}/history").json()
                assert len(events) == hazard.json()["version"]  # one chained event per version, none missing
            for hazard_id, photo_id in seen.hazard_photos.items():
                assert photo_id in [photo["id"] for photo in http.get(f"/v1/hazards/{hazard_id}").json()["photos"]]
    finally:
        stop(restarted.process)

    # the sweep at start-up: the leftovers without rows are gone and said so; the file of a kept hash stays
    log = restarted.text()
    assert not leftovers["orphan"].exists() and not leftovers["arriving"].exists() and not leftovers["thumb"].exists()
    assert leftovers["kept"].exists()
    assert f"evidence sweep removed {leftovers['orphan']}" in log and "evidence sweep of" in log

    verified = subprocess.run([str(BIN), "verify"], cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert verified.returncode == 0 and verified.stdout.rstrip().endswith("OK"), verified.stdout[-3000:]

    # every photo row has its original, and every original (and derivative) a row
    rows = {sha256 for (sha256,) in data.rows("SELECT sha256 FROM photo")}
    files = {
        path.name.split(".", 1)[0]
        for folder in ("originals", "display", "thumb")
        for path in (data.photos / folder).rglob("*")
        if path.is_file()
    }
    assert [sha256 for sha256 in rows if not storage.original_path(data.photos, sha256).exists()] == []
    assert files <= rows
    assert not list((data.photos / "incoming").glob("*"))
    # every reported hazard has its chain's first event and its outbox entry was not left behind half-written
    unchained = data.rows(
        "SELECT count(*) FROM hazard WHERE NOT EXISTS (SELECT 1 FROM history_event e WHERE e.chain_id = hazard.id)"
    )
    assert unchained == [(0,)]
