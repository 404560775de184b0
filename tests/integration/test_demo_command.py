"""The demo from a phone: `shuangfang demo --port N` prints codes and links for port N (or for `SF_PUBLIC_BASE_URL`),
and serves there; `--host 0.0.0.0` names the machine's LAN address. The command runs as a real process on a copy of
the seeded SQLite template; the only traffic is to loopback."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from api.cli import lan_address
from domain.config import served_base_url

BIN = Path(sys.executable).parent / "shuangfang"
REPO = Path(__file__).resolve().parents[2]
STARTUP_S = 240


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def demo_env(tmp_path: Path, template: Path, photos: Path, **extra: str) -> dict[str, str]:
    """The environment of a demo on its own copy of the seeded database and photos."""
    shutil.copy(template, tmp_path / "demo.sqlite3")
    shutil.copytree(photos, tmp_path / "photos")
    env = {key: value for key, value in os.environ.items() if not key.startswith(("SF_", "DATABASE_URL", "REDIS_URL"))}
    return (
        env
        | {
            "SF_VAR_DIR": str(tmp_path / "var"),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
            "SF_PHOTO_DIR": str(tmp_path / "photos"),
            "SF_JWT_SECRET": "test-jwt-secret-that-is-long-enough-for-hs256",
            "SF_QR_KEYS": json.dumps({"1": "test-qr-key-0123456789abcdef"}),
            "SF_PASSWORD_HASH_COST": "fast",
            "SF_RUN_SCHEDULE": "0",
            "PYTHONUNBUFFERED": "1",
        }
        | extra
    )


def run_demo(port: int, env: dict[str, str]) -> tuple[subprocess.Popen, list[str]]:
    """Start the demo and read its output up to the line saying it listens (the process keeps running)."""
    process = subprocess.Popen(
        [str(BIN), "demo", "--port", str(port)],
        cwd=REPO,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    lines: list[str] = []
    deadline = time.monotonic() + STARTUP_S
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line.rstrip("\n"))
        if line.startswith("listening on"):
            return process, lines
    stop(process)
    pytest.fail("the demo did not start:\n" + "\n".join(lines[-40:]))


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def printed_code(lines: list[str], kind: str) -> str:
    found = [re.search(r"(HTTP\S+/Q/\S+)", line, re.IGNORECASE) for line in lines if kind in line]
    assert found and found[0], f"no {kind} printed"
    return found[0].group(1)


def served_safety_code(base: str) -> str:
    """The safety code URL the running server hands a signed-in admin for an enterprise."""
    token = httpx.post(f"{base}/v1/auth/login", json={"username": "admin", "password": "Demo@2026"}, timeout=30)
    headers = {"Authorization": f"Bearer {token.json()['accessToken']}"}
    first = httpx.get(f"{base}/v1/enterprises", params={"limit": 1}, headers=headers, timeout=30).json()["items"][0]
    return httpx.get(f"{base}/v1/enterprises/{first['id']}", headers=headers, timeout=30).json()["safetyCode"]["url"]


def get_until_up(url: str) -> httpx.Response:
    deadline = time.monotonic() + 30
    while True:
        try:
            return httpx.get(url, timeout=5)
        except httpx.ConnectError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_the_demo_on_another_port_prints_and_serves_codes_for_that_port(tmp_path, sqlite_template, seeded_photos):
    port = free_port()
    process, lines = run_demo(port, demo_env(tmp_path, sqlite_template, seeded_photos))
    try:
        base = f"http://127.0.0.1:{port}"
        assert f"open the demo at {base} (API docs: {base}/schema/swagger)" in "\n".join(lines)
        console = next(line for line in lines if "supervision console" in line)
        assert f"{base}/console/" in console and "regulator_dinghai" in console
        assert "登录监管控制台" in get_until_up(f"{base}/console/login").text
        urls = [url for line in lines for url in re.findall(r"https?://[^\s)]+", line, re.IGNORECASE)]
        # every link to the demo carries its port (the demo webhook's target, where nothing answers, is no such link)
        links = [url for url in urls if not url.endswith("/shuangfang/webhook")]
        assert len(links) >= 5 and all(url.lower().startswith(base) for url in links), urls
        assert ":8000" not in "\n".join(lines)
        for kind in ("risk point code", "enterprise safety code"):
            code = printed_code(lines, kind)
            assert code.startswith(f"HTTP://127.0.0.1:{port}/Q/"), code
            # the code leads to this very server (loopback only)
            landing = get_until_up(f"{base}/Q/{code.rsplit('/', 1)[1]}")
            assert landing.status_code == 200 and "双防" in landing.text
        assert served_safety_code(base).startswith(f"HTTP://127.0.0.1:{port}/Q/")
    finally:
        stop(process)


def test_sf_public_base_url_wins_over_the_host_and_port(tmp_path, sqlite_template, seeded_photos):
    port = free_port()
    env = demo_env(tmp_path, sqlite_template, seeded_photos, SF_PUBLIC_BASE_URL="https://sf.example.cn")
    process, lines = run_demo(port, env)
    try:
        assert "open the demo at https://sf.example.cn (API docs: https://sf.example.cn/schema/swagger)" in "\n".join(
            lines
        )
        assert printed_code(lines, "risk point code").startswith("HTTPS://SF.EXAMPLE.CN/Q/")
        assert f":{port}" not in "\n".join(line for line in lines if not line.startswith("listening on"))
        # the served app hands out codes on the same base
        assert get_until_up(f"http://127.0.0.1:{port}/health").status_code == 200
        assert served_safety_code(f"http://127.0.0.1:{port}").startswith("HTTPS://SF.EXAMPLE.CN/Q/")
    finally:
        stop(process)


@pytest.mark.parametrize(
    ("host", "lan", "expected"),
    [
        ("127.0.0.1", "192.168.1.20", "http://127.0.0.1:8123"),
        ("0.0.0.0", "192.168.1.20", "http://192.168.1.20:8123"),
        ("0.0.0.0", None, "http://127.0.0.1:8123"),  # no network: the machine itself
        ("::", "192.168.1.20", "http://192.168.1.20:8123"),
        ("192.168.1.7", None, "http://192.168.1.7:8123"),
        ("fe80::1", None, "http://[fe80::1]:8123"),
    ],
)
def test_the_base_url_of_a_wildcard_host_is_the_lan_address(host, lan, expected):
    assert served_base_url(host, 8123, lan_address=lan) == expected


def test_the_lan_address_is_a_real_non_loopback_ipv4_address_or_none():
    address = lan_address()
    if address is not None:
        socket.inet_aton(address)
        assert not address.startswith("127.") and address != "0.0.0.0"
