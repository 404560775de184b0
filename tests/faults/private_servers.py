"""Private PostgreSQL clusters, Redis servers and app servers that a fault test may stop, kill and restart.

Never the machine's shared PostgreSQL (5432) or Redis (6379): other tests use them. Each instance here lives in a
temporary folder of its own, on a free port, and is removed when the test ends.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pytest

from domain.clock import utcnow
from tests.conftest import REQUIRE_SERVICES
from tests.integration.test_demo_command import free_port, stop

BIN = Path(sys.executable).parent / "shuangfang"
REPO = Path(__file__).resolve().parents[2]
STARTUP_S = 90


def _skip_or_fail(reason: str):
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (REQUIRE_SERVICES=1, so this is a failure, not a skip)")
    pytest.skip(reason)


def postgres_bin(name: str) -> str:
    """A PostgreSQL server program (initdb, pg_ctl): on PATH, else in Debian's versioned folder."""
    found = shutil.which(name) or next(iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None)
    if found is None:
        _skip_or_fail(f"{name} is not installed: a private PostgreSQL cluster cannot be made")
    return found


class PrivatePostgres:
    """A throwaway PostgreSQL cluster (trust authentication, no fsync) that the test may stop and restart."""

    def __init__(self) -> None:
        # Not pytest's tmp_path: the server runs as `postgres`, which cannot enter root's private folders.
        self.folder = Path(tempfile.mkdtemp(prefix="sf-private-pg-"))
        self.data = self.folder / "data"
        self.port = free_port()
        self.log = self.folder / "server.log"
        as_root = os.geteuid() == 0
        self._as = ["runuser", "-u", "postgres", "--"] if as_root else []
        if as_root:
            shutil.chown(self.folder, "postgres")
        self._run(postgres_bin("initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(
                f"port = {self.port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{self.folder}'\n"
                "fsync = off\nfull_page_writes = off\n"
            )

    def _run(self, *command: str) -> None:
        subprocess.run([*self._as, *command], check=True, capture_output=True, timeout=120)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def pg_ctl(self, *args: str) -> None:
        self._run(postgres_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w", *args)

    def start(self) -> None:
        self.pg_ctl("start")

    def stop(self) -> None:
        """Stop at once, as a crash or an operator's fast restart would: open connections are cut."""
        self.pg_ctl("stop", "-m", "immediate")

    def restart(self) -> None:
        self.pg_ctl("restart", "-m", "immediate")

    def remove(self) -> None:
        subprocess.run(
            [*self._as, postgres_bin("pg_ctl"), "-D", str(self.data), "stop", "-m", "immediate"],
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(self.folder, ignore_errors=True)


class PrivateRedis:
    """A throwaway redis-server that the test may stop and start again on the same port.

    Its append-only file is on (in its own folder) so that a stop and start keeps what was queued, as a production
    Redis for jobs must: with persistence off a restart would drop queued jobs whatever the app does.
    """

    def __init__(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            _skip_or_fail("redis-server is not installed: a private Redis cannot be made")
        self.binary = binary
        self.folder = Path(tempfile.mkdtemp(prefix="sf-private-redis-"))
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        command = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.folder)]
        command += ["--save", "", "--appendonly", "yes", "--appendfsync", "always"]
        log = (self.folder / "server.log").open("a")
        self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + STARTUP_S
        while (
            subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True, text=True).stdout.strip()
            != "PONG"
        ):
            if time.monotonic() > deadline or self.process.poll() is not None:
                pytest.fail("the private redis-server did not start")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)  # SIGTERM: Redis closes its append-only file and exits
            self.process = None

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def server_env(var_dir: Path, photo_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a `shuangfang` process of a test: fixed secrets, the suite's clock, no schedule."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("SF_", "DATABASE_URL", "REDIS_URL"))}
    return (
        env
        | {
            "SF_VAR_DIR": str(var_dir),
            "SF_PHOTO_DIR": str(photo_dir),
            "SF_JWT_SECRET": "test-jwt-secret-that-is-long-enough-for-hs256",
            "SF_QR_KEYS": json.dumps({"1": "test-qr-key-0123456789abcdef"}),
            "SF_PASSWORD_HASH_COST": "fast",
            "SF_RUN_SCHEDULE": "0",
            "SF_TEST_CLOCK": utcnow().isoformat(),
            "PYTHONUNBUFFERED": "1",
        }
        | extra
    )


class AppServer:
    """`shuangfang serve` in a process of its own, on a free port."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.process = subprocess.Popen(
            [str(BIN), "serve", "--port", str(self.port)],
            cwd=REPO,
            env=env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + STARTUP_S
        while True:
            try:
                if httpx.get(f"{self.base}/health", timeout=5).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.stop()
                pytest.fail("the server did not start:\n" + log.read_text(errors="replace")[-4000:])
            time.sleep(0.2)

    def text(self) -> str:
        """What the server printed so far."""
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        stop(self.process)
