"""Redis stopped and started under load: writes go on, readiness reports it, and the outbox hands every job over
once Redis is back, none lost and none twice (issue 16, faults).

`shuangfang serve` runs on a copy of the seeded SQLite file with REDIS_URL naming a private redis-server, while
threads report hazards and upload photos. Each hazard's follow-up job is written to the outbox in the hazard's own
transaction; the relay hands it to arq under the job id `outbox:<entry id>`. No worker consumes the queue here, so
after the outage the queue itself shows what was handed over: every entry once.
"""

from __future__ import annotations

import io
import shutil
import sqlite3
import threading
import time
import uuid
from collections import Counter

import httpx
import pytest
from PIL import Image
from redis import Redis

from domain.clock import utcnow
from tests.conftest import DEMO_PASSWORD
from tests.faults.private_servers import AppServer, PrivateRedis, server_env

LOAD_THREADS = 3
REQUEST_TIMEOUT_S = 30
WAIT_S = 120
QUEUE_KEY = "arq:queue"


@pytest.fixture
def private_redis():
    server = PrivateRedis()
    try:
        server.start()
        yield server
    finally:
        server.remove()


def photo_bytes(n: int) -> bytes:
    """A small JPEG different for each n (photos are stored by hash)."""
    image = Image.new("RGB", (32, 24), (n % 256, (n // 256) % 256, 128))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG")
    return buffer.getvalue()


class Load:
    """Threads reporting hazards and uploading photos until stopped; every answer kept."""

    def __init__(self, base: str, headers: dict[str, str], enterprise_id: str) -> None:
        self.base, self.headers, self.enterprise_id = base, headers, enterprise_id
        self.answers: list[tuple[str, int]] = []
        self.stop = threading.Event()
        self.lock = threading.Lock()

    def run(self, worker: int) -> None:
        with httpx.Client(base_url=self.base, headers=self.headers, timeout=REQUEST_TIMEOUT_S) as http:
            n = 0
            while not self.stop.is_set():
                n += 1
                if n % 3 == 0:
                    answer = http.post(
                        "/v1/photos",
                        files={"file": ("p.jpg", photo_bytes(worker * 100_000 + n), "image/jpeg")},
                        data={"clientId": f"redis-photo-{worker}-{n}-{uuid.uuid4().hex[:6]}"},
                    )
                    self._keep("photo", answer.status_code)
                    continue
                body = {
                    "clientId": f"redis-fault-{worker}-{n}-{uuid.uuid4().hex[:8]}",
                    "enterpriseId": self.enterprise_id,
                    "source": "daily",
                    "category": "unsafe_condition",
                    "title": "Redis 停机期间上报的隐患",
                    "foundAt": utcnow().isoformat().replace("+00:00", "Z"),
                }
                self._keep("hazard", http.post("/v1/hazards", json=body).status_code)

    def _keep(self, kind: str, status: int) -> None:
        with self.lock:
            self.answers.append((kind, status))

    def written(self) -> int:
        with self.lock:
            return sum(1 for kind, status in self.answers if kind == "hazard" and status == 201)

    def wait_for_writes(self, more: int) -> None:
        target, deadline = self.written() + more, time.monotonic() + WAIT_S
        while self.written() < target:
            assert time.monotonic() < deadline, f"waited in vain for writes: {Counter(self.answers)}"
            time.sleep(0.05)


def until(what: str, condition) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition():
        assert time.monotonic() < deadline, f"waited in vain: {what}"
        time.sleep(0.1)


def redis_readiness(base: str) -> str:
    return httpx.get(f"{base}/health/ready", timeout=REQUEST_TIMEOUT_S).json()["redis"]


def test_redis_stopped_and_started_under_load_loses_and_doubles_no_job(
    private_redis, tmp_path, sqlite_template, seeded_photos
):
    database = tmp_path / "served.sqlite3"
    shutil.copy(sqlite_template, database)
    shutil.copytree(seeded_photos, tmp_path / "photos")  # its own copy: uploads land there, never in the suite's

    def outbox(sql: str) -> int:
        with sqlite3.connect(database, timeout=30) as connection:
            return connection.execute(sql).fetchone()[0]

    last_seeded = outbox("SELECT coalesce(max(id), '') FROM outbox_entry")
    pending_sql = "SELECT count(*) FROM outbox_entry WHERE relayed_at IS NULL"
    env = server_env(
        tmp_path / "var", tmp_path / "photos", DATABASE_URL=f"sqlite:///{database}", REDIS_URL=private_redis.url()
    )
    server = AppServer(env, tmp_path / "serve.log")
    load, threads, pending_during_outage = None, [], 0
    try:
        signed_in = httpx.post(
            f"{server.base}/v1/auth/login", json={"username": "officer1", "password": DEMO_PASSWORD}, timeout=30
        )
        assert signed_in.status_code == 200, signed_in.text
        headers = {"Authorization": f"Bearer {signed_in.json()['accessToken']}"}
        enterprise_id = httpx.get(f"{server.base}/v1/me", headers=headers, timeout=30).json()["enterpriseId"]
        assert redis_readiness(server.base) == "ok"
        load = Load(server.base, headers, enterprise_id)
        threads = [threading.Thread(target=load.run, args=(n,), daemon=True) for n in range(LOAD_THREADS)]
        for thread in threads:
            thread.start()
        load.wait_for_writes(10)

        private_redis.stop()
        until("readiness to report Redis down", lambda: redis_readiness(server.base) == "down")
        load.wait_for_writes(15)  # writes go on while Redis is away
        pending_during_outage = outbox(pending_sql)

        private_redis.start()
        until("readiness to report Redis up", lambda: redis_readiness(server.base) == "ok")
        load.wait_for_writes(10)
        load.stop.set()
        for thread in threads:
            thread.join(REQUEST_TIMEOUT_S * 2)
        until("the outbox to drain", lambda: outbox(pending_sql) == 0)  # the relay's timed pass, every 5 s
    finally:
        if load is not None:
            load.stop.set()
        server.stop()

    assert not any(thread.is_alive() for thread in threads), "a request hung"
    statuses = Counter(load.answers)
    assert all(status in (200, 201) for _, status in statuses), statuses
    assert pending_during_outage > 0, "the outbox never held anything back: Redis was not missed"
    with sqlite3.connect(database) as connection:
        entries = [row[0] for row in connection.execute("SELECT id FROM outbox_entry WHERE id > ?", (last_seeded,))]
    assert len(entries) >= load.written()
    queued = [member.decode() for member in Redis.from_url(private_redis.url()).zrange(QUEUE_KEY, 0, -1)]
    handed = Counter(member for member in queued if member.startswith("outbox:"))
    # Every entry written during the test is queued exactly once: none lost in the outage, none handed twice.
    assert handed == Counter(f"outbox:{entry}" for entry in entries)
