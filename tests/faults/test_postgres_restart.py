"""PostgreSQL restarted and stopped under load: requests fail fast with 503 STORAGE_UNAVAILABLE, and the app
recovers by itself (issue 16, faults).

The app (`shuangfang serve`) runs on a private PostgreSQL cluster holding a copy of the suite's seeded database,
while threads read and write through it. The cluster is restarted at once (`pg_ctl restart -m immediate`), then
stopped and started again. Every answer must be a 2xx or a 503 with the code and a Retry-After, none a 500 and none
left hanging; readiness says the database is down while it is, and a console page says to try again; and once it is back, reads and writes succeed again
without the app being restarted, and every hazard answered 201 is in the database.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

import asyncpg
import httpx
import pytest

from domain.clock import utcnow
from tests.conftest import DEMO_PASSWORD, RESTORE_SEED_SQL, run_blocking
from tests.faults.private_servers import AppServer, PrivatePostgres, server_env

pytestmark = pytest.mark.postgres

LOAD_THREADS = 4
REQUEST_TIMEOUT_S = 30  # far above any answer: a request still open this long is hanging
WAIT_S = 120  # the longest any phase may take to show what it waits for


async def _execute(url: str, sql: str) -> list:
    """The rows of one statement; several statements (no rows) go through the simple protocol in one trip."""
    connection = await asyncpg.connect(url)
    try:
        return await connection.fetch(sql) if sql.startswith("SELECT") else [await connection.execute(sql)]
    finally:
        await connection.close()


@pytest.fixture
def private_postgres(postgres_url):
    """A private cluster holding a copy of the suite's database (its seed put back), started."""
    cluster = PrivatePostgres()
    try:
        cluster.start()
        run_blocking(_execute(cluster.url(), "CREATE DATABASE sf"))
        dump = subprocess.run(["pg_dump", "-Fc", "-d", postgres_url], check=True, capture_output=True, timeout=300)
        subprocess.run(
            ["pg_restore", "--no-owner", "-d", cluster.url("sf")], input=dump.stdout, check=True, capture_output=True
        )
        run_blocking(_execute(cluster.url("sf"), RESTORE_SEED_SQL))
        yield cluster
    finally:
        cluster.remove()


@dataclass
class Load:
    """Threads that read the hazard list and report new hazards until stopped, keeping every answer."""

    base: str
    headers: dict[str, str]
    enterprise_id: str
    answers: list[tuple[str, int, str, str | None]] = field(default_factory=list)  # kind, status, code, retry-after
    created: list[str] = field(default_factory=list)  # client ids answered 201
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def run(self, worker: int) -> None:
        with httpx.Client(base_url=self.base, headers=self.headers, timeout=REQUEST_TIMEOUT_S) as http:
            n = 0
            while not self.stop.is_set():
                n += 1
                if n % 2:
                    self._keep("read", http.get("/v1/hazards", params={"limit": 5}))
                    continue
                client_id = f"pg-fault-{worker}-{n}-{uuid.uuid4().hex[:8]}"
                answer = http.post("/v1/hazards", json=self._hazard(client_id))
                self._keep("write", answer)
                if answer.status_code == 201:
                    with self.lock:
                        self.created.append(client_id)

    def _hazard(self, client_id: str) -> dict:
        return {
            "clientId": client_id,
            "enterpriseId": self.enterprise_id,
            "source": "daily",
            "category": "unsafe_condition",
            "title": "负载下上报的隐患",
            "foundAt": utcnow().isoformat().replace("+00:00", "Z"),
        }

    def _keep(self, kind: str, answer: httpx.Response) -> None:
        code = answer.json().get("code", "") if answer.headers.get("content-type", "").endswith("json") else ""
        with self.lock:
            self.answers.append((kind, answer.status_code, code, answer.headers.get("retry-after")))

    def count(self, predicate) -> int:
        with self.lock:
            return sum(1 for answer in self.answers if predicate(answer))

    def wait_for(self, what: str, predicate, at_least: int) -> None:
        """Until `at_least` more answers than now match `predicate`."""
        target = self.count(predicate) + at_least
        deadline = time.monotonic() + WAIT_S
        while self.count(predicate) < target:
            assert time.monotonic() < deadline, f"waited in vain for {what}: {Counter(self.answers).most_common(8)}"
            time.sleep(0.05)


def ok(answer) -> bool:
    return 200 <= answer[1] < 300


def unavailable(answer) -> bool:
    return answer[1] == 503


def ok_write(answer) -> bool:
    return answer[0] == "write" and answer[1] == 201


def readiness(base: str) -> tuple[int, str]:
    answer = httpx.get(f"{base}/health/ready", timeout=REQUEST_TIMEOUT_S)
    return answer.status_code, answer.json()["database"]


def test_a_postgres_restart_under_load_gives_503_with_a_code_and_the_app_recovers_by_itself(
    private_postgres, tmp_path, seeded_photos
):
    url = private_postgres.url("sf")
    shutil.copytree(seeded_photos, tmp_path / "photos")  # its own copy: the start-up sweep must not touch the suite's
    server = AppServer(server_env(tmp_path / "var", tmp_path / "photos", DATABASE_URL=url), tmp_path / "serve.log")
    load = None
    threads: list[threading.Thread] = []
    try:
        signed_in = httpx.post(
            f"{server.base}/v1/auth/login", json={"username": "officer1", "password": DEMO_PASSWORD}, timeout=30
        )
        assert signed_in.status_code == 200, signed_in.text
        headers = {"Authorization": f"Bearer {signed_in.json()['accessToken']}"}
        enterprise_id = httpx.get(f"{server.base}/v1/me", headers=headers, timeout=30).json()["enterpriseId"]
        load = Load(server.base, headers, enterprise_id)
        threads = [threading.Thread(target=load.run, args=(n,), daemon=True) for n in range(LOAD_THREADS)]
        for thread in threads:
            thread.start()
        load.wait_for("writes before any fault", ok_write, 20)

        private_postgres.restart()  # at once: connections in the pool are cut under running requests
        load.wait_for("writes after the restart", ok_write, 20)

        private_postgres.stop()
        load.wait_for("503 answers while the database is down", unavailable, 20)
        assert readiness(server.base) == (503, "down")
        # The console's pages too: the session is looked up in the database, so a page says "try again", not 500.
        console = httpx.get(f"{server.base}/console/", cookies={"sf_console": "a-session"}, timeout=REQUEST_TIMEOUT_S)
        assert console.status_code == 503 and "STORAGE_UNAVAILABLE" in console.text, console.text[-500:]
        assert int(console.headers["retry-after"]) > 0

        private_postgres.start()
        load.wait_for("writes after the database came back", ok_write, 20)
        load.wait_for("reads after the database came back", lambda a: a[0] == "read" and ok(a), 20)
        assert readiness(server.base) == (200, "ok")
    finally:
        if load is not None:
            load.stop.set()
        for thread in threads:
            thread.join(REQUEST_TIMEOUT_S * 2)
        server.stop()

    assert not any(thread.is_alive() for thread in threads), "a request hung"
    refused = [answer for answer in load.answers if not ok(answer)]
    assert refused, "the faults were never seen by a request"
    # Every refusal is the catalogued 503, with when to try again; nothing else (no 500, no other code).
    assert Counter((status, code) for _, status, code, _ in refused).keys() == {(503, "STORAGE_UNAVAILABLE")}
    assert all(retry_after and int(retry_after) > 0 for *_, retry_after in refused)
    log = (tmp_path / "serve.log").read_text(errors="replace")
    assert "unhandled error" not in log
    # A 201 is durable: every hazard answered so is in the database, once.
    stored = run_blocking(_execute(url, "SELECT client_key FROM hazard WHERE client_key LIKE '%:pg-fault-%'"))
    stored_ids = Counter(row["client_key"].split(":", 1)[1] for row in stored)
    assert set(load.created) <= set(stored_ids) and max(stored_ids.values()) == 1
