"""Several API processes on one PostgreSQL database behave as one (issue 14: `shuangfang serve --workers N`).

Two real servers share the suite's migrated and seeded PostgreSQL database, with no Redis: `shuangfang serve
--workers 2` on one port and `shuangfang serve` on another, so three API processes, each with its own outbox relay
loop and in-process schedule. Each request names the server it goes to; anything kept in one process's memory
(an idempotency key, a count of failed sign-ins, a rate-limit window, the entries a relay took, the tick a
schedule ran) would show as a difference between them. The servers start on the suite's clock (`SF_TEST_CLOCK`).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import asyncpg
import httpx
import pytest

from domain.clock import utcnow
from domain.db.tables import ALL_TABLES
from tests.api.test_risk_points import POINT
from tests.conftest import DEMO_PASSWORD, run_blocking
from tests.integration.test_demo_command import free_port, stop

pytestmark = pytest.mark.postgres

BIN = Path(sys.executable).parent / "shuangfang"
REPO = Path(__file__).resolve().parents[2]
STARTUP_S = 90
LOCKOUT_FAILURES = 3
RELAY_PROOF_ENTRIES = 300  # more than one relay batch (200), so both relays find work at once
SCHEDULE_LINE = re.compile(r"in-process schedule runs in (\S+?)\"")
CRON_LINE = re.compile(r"cron (\w+) of (\S+) runs in")
RELAY_LINE = re.compile(r"outbox relay handed (\d+) entries")


async def _sql(url: str, *statements: str) -> list:
    connection = await asyncpg.connect(url)
    try:
        async with connection.transaction():
            results = [await connection.fetch(statement) for statement in statements]
    finally:
        await connection.close()
    return results


def sql(url: str, *statements: str) -> list:
    """Run statements in one transaction on the servers' database; the rows of each."""
    return run_blocking(_sql(url, *statements))


def restore_seed(url: str) -> None:
    names = [table._meta.tablename for table in ALL_TABLES]
    sql(
        url,
        f"TRUNCATE {', '.join(names)}",
        *(f"INSERT INTO public.{name} SELECT * FROM seed_copy.{name}" for name in names),
    )


def relayed_count(url: str) -> int:
    return sql(url, "SELECT count(*) AS n FROM outbox_entry WHERE relayed_at IS NOT NULL")[0][0]["n"]


class Servers:
    """The two servers: their base URLs, and the log every process of both writes."""

    def __init__(self, url: str, tmp_path: Path, seeded_photos: Path) -> None:
        self.url = url
        self.relayed_at_start = relayed_count(url)  # what the seed left pending is relayed from now on
        env = {
            key: value for key, value in os.environ.items() if not key.startswith(("SF_", "DATABASE_URL", "REDIS_URL"))
        }
        self.env = env | {
            "DATABASE_URL": url,
            "SF_VAR_DIR": str(tmp_path / "var"),
            "SF_PHOTO_DIR": str(seeded_photos),
            "SF_JWT_SECRET": "test-jwt-secret-that-is-long-enough-for-hs256",
            "SF_QR_KEYS": json.dumps({"1": "test-qr-key-0123456789abcdef"}),
            "SF_PASSWORD_HASH_COST": "fast",
            "SF_LOCKOUT_FAILURES": str(LOCKOUT_FAILURES),
            "SF_RUN_SCHEDULE": "1",
            "SF_TEST_CLOCK": utcnow().isoformat(),
            "PYTHONUNBUFFERED": "1",
        }
        self.logs = [tmp_path / "a.log", tmp_path / "b.log"]
        ports = [free_port(), free_port()]
        self.bases = [f"http://127.0.0.1:{port}" for port in ports]
        commands = [["serve", "--port", str(ports[0]), "--workers", "2"], ["serve", "--port", str(ports[1])]]
        self.processes = [
            subprocess.Popen(
                [str(BIN), *command], cwd=REPO, env=self.env, stdout=log.open("w"), stderr=subprocess.STDOUT
            )
            for command, log in zip(commands, self.logs, strict=True)
        ]

    def text(self) -> str:
        return "".join(log.read_text(errors="replace") for log in self.logs)

    def wait_until_up(self) -> None:
        """Until all three processes run their schedule (their lifespan has started) and both ports answer."""
        deadline = time.monotonic() + STARTUP_S
        while len(set(SCHEDULE_LINE.findall(self.text()))) < 3:
            if time.monotonic() > deadline or any(process.poll() is not None for process in self.processes):
                pytest.fail("the servers did not start:\n" + self.text()[-4000:])
            time.sleep(0.2)
        for base in self.bases:
            while True:
                try:
                    if httpx.get(f"{base}/health", timeout=5).status_code == 200:
                        break
                except httpx.TransportError:
                    if time.monotonic() > deadline:
                        raise
                time.sleep(0.2)

    def stop(self) -> None:
        for process in self.processes:  # all at once: each finishes its running jobs before it exits
            process.terminate()
        for process in self.processes:
            stop(process)


@pytest.fixture(scope="module")
def servers(postgres_url, tmp_path_factory, seeded_photos):
    restore_seed(postgres_url)
    running = Servers(postgres_url, tmp_path_factory.mktemp("procs"), seeded_photos)
    try:
        running.wait_until_up()
        yield running
    finally:
        running.stop()


def sign_in(base: str, username: str = "officer1") -> dict[str, str]:
    response = httpx.post(f"{base}/v1/auth/login", json={"username": username, "password": DEMO_PASSWORD}, timeout=30)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['accessToken']}"}


def at_once(*calls):
    """Run the calls at the same time (one thread each); their results in order."""
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return [future.result() for future in [pool.submit(call) for call in calls]]


def test_serve_refuses_several_processes_on_sqlite(tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith(("SF_", "DATABASE_URL", "REDIS_URL"))}
    env |= {"SF_VAR_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'one.sqlite3'}"}
    done = subprocess.run([str(BIN), "serve", "--workers", "2"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "--workers 2 needs PostgreSQL" in done.stderr


def test_a_key_answered_by_one_process_is_replayed_by_another_and_racing_keys_run_once(servers):
    a, b = servers.bases
    officer = sign_in(a)
    enterprise_id = httpx.get(f"{a}/v1/enterprises", headers=officer, timeout=30).json()["items"][0]["id"]
    path = f"/v1/enterprises/{enterprise_id}/risk-points"
    points_before = sql(servers.url, "SELECT count(*) AS n FROM risk_point")[0][0]["n"]

    def create(base: str, key: str) -> httpx.Response:
        return httpx.post(f"{base}{path}", json=POINT, headers=officer | {"Idempotency-Key": key}, timeout=30)

    first, again = create(a, "several-1"), create(b, "several-1")
    assert first.status_code == 201 and "idempotent-replayed" not in first.headers
    assert again.status_code == 201 and again.headers["idempotent-replayed"] == "true"
    assert again.content == first.content

    keys = [f"race-{n}" for n in range(6)]
    for key in keys:
        answers = at_once(lambda key=key: create(a, key), lambda key=key: create(b, key))
        ran = [
            answer for answer in answers if answer.status_code == 201 and "idempotent-replayed" not in answer.headers
        ]
        assert len(ran) == 1, [(answer.status_code, answer.text) for answer in answers]
        [other] = [answer for answer in answers if answer is not ran[0]]
        if other.status_code == 409:  # the first still ran: the documented refusal, with when to try again
            assert other.json()["code"] == "IDEMPOTENCY_REQUEST_IN_FLIGHT" and "retry-after" in other.headers
        else:  # the first had finished: its answer, replayed
            assert other.headers["idempotent-replayed"] == "true" and other.content == ran[0].content
    points_after = sql(servers.url, "SELECT count(*) AS n FROM risk_point")[0][0]["n"]
    assert points_after == points_before + 1 + len(keys)


def test_failed_sign_ins_in_two_processes_lock_the_account_in_both(servers):
    a, b = servers.bases
    for base in [a, b, a][:LOCKOUT_FAILURES]:
        wrong = httpx.post(f"{base}/v1/auth/login", json={"username": "inspector2", "password": "wrong"}, timeout=30)
        assert wrong.status_code == 401, wrong.text
    for base in (b, a):  # the right password now: locked, whichever process is asked
        locked = httpx.post(
            f"{base}/v1/auth/login", json={"username": "inspector2", "password": DEMO_PASSWORD}, timeout=30
        )
        assert locked.status_code == 423 and locked.json()["code"] == "AUTH_ACCOUNT_LOCKED", locked.text


def test_a_devices_report_limit_counts_its_reports_in_every_process(servers):
    a, b = servers.bases
    phone = "phone-" + uuid.uuid4().hex[:16]

    def report(base: str, n: int) -> httpx.Response:
        body = {"clientId": f"c{n}", "deviceId": phone, "description": "消防通道被堵塞", "regionCode": "330902"}
        return httpx.post(f"{base}/v1/public/reports", json=body, timeout=30)

    answers = [report(base, n) for n, base in enumerate([a, b, a, b, a, b, a])]
    assert [answer.status_code for answer in answers] == [201] * 5 + [429] * 2  # five an hour, in all processes
    assert {answer.json()["code"] for answer in answers[5:]} == {"PUBLIC_REPORT_RATE_LIMITED"}


def test_two_relays_hand_each_outbox_entry_over_once(servers):
    a, b = servers.bases
    # Work for the relays, all at once: more than a batch, for a job that finds nothing to send (no such delivery).
    created = utcnow().isoformat()
    sql(
        servers.url,
        "INSERT INTO outbox_entry (id, job_name, args, created_at, relay_attempts, last_error)"
        f" SELECT 'PROOF' || lpad(n::text, 21, '0'), 'deliver_notification', '[\"no-such-delivery\"]',"
        f" '{created}'::timestamptz, 0, '' FROM generate_series(1, {RELAY_PROOF_ENTRIES}) AS n",
    )
    at_once(lambda: sign_in(a, "admin"), lambda: sign_in(b, "admin"))  # a write in each wakes its relay now

    # the loop ends as soon as every entry is relayed; the bound only stops a hang (a loaded CI machine needed over 20 s)
    deadline, handed, relayed = time.monotonic() + 90, 0, -1
    while time.monotonic() < deadline:
        relayed = relayed_count(servers.url) - servers.relayed_at_start
        handed = sum(int(count) for count in RELAY_LINE.findall(servers.text()))
        pending = sql(servers.url, "SELECT count(*) AS n FROM outbox_entry WHERE relayed_at IS NULL")[0][0]["n"]
        if pending == 0 and handed >= relayed:
            break
        time.sleep(0.2)
    # Every entry stamped relayed was handed over by exactly one relay: two relays taking the same entry would have
    # logged more hand-overs than there are relayed entries.
    assert relayed >= RELAY_PROOF_ENTRIES and handed == relayed


def test_each_cron_tick_runs_in_one_process_only(servers):
    deadline = time.monotonic() + 25
    # `seal_chain_anchors` runs every 10 s: wait for two of its ticks, each raced for by all three processes
    while len({tick for name, tick in CRON_LINE.findall(servers.text()) if name == "seal_chain_anchors"}) < 2:
        assert time.monotonic() < deadline, "no two ticks of seal_chain_anchors:\n" + servers.text()[-3000:]
        time.sleep(0.5)
    runs = Counter(CRON_LINE.findall(servers.text()))
    assert runs and set(runs.values()) == {1}, [run for run, count in runs.items() if count > 1]
    claims = sql(servers.url, "SELECT job_name, tick, claimed_by FROM cron_claim")[0]
    assert {row["job_name"] for row in claims} >= {"seal_chain_anchors"}
