"""Benchmark `GET /v1/scan/{token}` against a bare Litestar JSON endpoint, on SQLite and on PostgreSQL.

    .venv/bin/python -m bench.scan [--seconds 10] [--concurrency 32] [--no-postgres]

Each server runs as its own uvicorn process on loopback; the load generator is an httpx client in this process
with `concurrency` connections. The printed ratio (scan rate ÷ bare rate) is what matters: both sides share the
machine and the load generator, so the ratio holds across machines where absolute figures do not.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN = os.environ.get("BENCH_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/test")


async def _load(url: str, headers: dict, seconds: float, concurrency: int) -> tuple[float, float, float, int]:
    """Requests/s, p50 ms, p99 ms and non-200 answers for `seconds` of closed-loop load.

    A minimal keep-alive HTTP/1.1 client on raw asyncio streams: httpx tops out near 500 requests/s here and
    would measure itself, not the servers.
    """
    parts = httpx.URL(url)
    request = (
        f"GET {parts.raw_path.decode()} HTTP/1.1\r\nHost: {parts.host}:{parts.port}\r\n"
        + "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        + "\r\n"
    ).encode()
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds

    async def connection() -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection(parts.host, parts.port)
        try:
            while time.perf_counter() < deadline:
                start = time.perf_counter()
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(
                    int(line.split(b":", 1)[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                )
                await reader.readexactly(length)
                latencies.append(time.perf_counter() - start)
                errors += not head.startswith(b"HTTP/1.1 200")
        finally:
            writer.close()

    began = time.perf_counter()
    await asyncio.gather(*[connection() for _ in range(concurrency)])
    elapsed = time.perf_counter() - began
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99) - 1]
    return len(latencies) / elapsed, statistics.median(latencies) * 1000, p99 * 1000, errors


def _serve(target: list[str], port: int, env: dict) -> subprocess.Popen:
    process = subprocess.Popen(
        [*target, "--port", str(port)], env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    for _ in range(100):
        try:
            httpx.get(
                f"http://127.0.0.1:{port}/health" if "shuangfang" in target[0] else f"http://127.0.0.1:{port}/bare",
                timeout=0.5,
            )
            return process
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"server on port {port} did not start: {process.stderr.read().decode()[-2000:]}")


async def _scan_target(port: int) -> tuple[str, dict]:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
        login = await client.post("/v1/auth/login", json={"username": "officer1", "password": "Demo@2026"})
        headers = {"Authorization": f"Bearer {login.json()['accessToken']}"}
        enterprise = (await client.get("/v1/enterprises", headers=headers)).json()["items"][0]["id"]
        points = (await client.get(f"/v1/enterprises/{enterprise}/risk-points", headers=headers)).json()["items"]
    return f"http://127.0.0.1:{port}/v1/scan/{points[0]['qr']['token']}", headers


def _prepare(env: dict) -> None:
    shuangfang = str(Path(sys.executable).with_name("shuangfang"))
    subprocess.run([shuangfang, "migrate"], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    subprocess.run([shuangfang, "seed", "--demo"], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)


async def _postgres_url() -> str | None:
    try:
        connection = await asyncpg.connect(PG_ADMIN, timeout=3)
    except (TimeoutError, OSError, asyncpg.PostgresError):
        return None
    await connection.execute("DROP DATABASE IF EXISTS sf_bench")
    await connection.execute("CREATE DATABASE sf_bench")
    await connection.close()
    return PG_ADMIN.rsplit("/", 1)[0] + "/sf_bench"


def main() -> int:
    """Run the comparison and print one line per engine."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    uvicorn = [str(Path(sys.executable).with_name("uvicorn")), "--log-level", "warning", "--no-access-log"]
    shuangfang = str(Path(sys.executable).with_name("shuangfang"))
    folder = Path(tempfile.mkdtemp(prefix="sf-bench-"))
    bare = _serve([*uvicorn, "bench.bare:app"], 8790, dict(os.environ))
    try:
        base_rps, base_p50, base_p99, _ = asyncio.run(
            _load("http://127.0.0.1:8790/bare", {}, args.seconds, args.concurrency)
        )
        print(f"bare litestar   {base_rps:8.0f} req/s   p50 {base_p50:6.1f} ms   p99 {base_p99:6.1f} ms")
        engines = [("sqlite", "")]
        if not args.no_postgres:
            url = asyncio.run(_postgres_url())
            engines.append(("postgresql", url)) if url else print("postgresql      skipped: no server answers")
        for index, (name, database_url) in enumerate(engines):
            env = dict(os.environ, SF_VAR_DIR=str(folder / name), DATABASE_URL=database_url or "")
            _prepare(env)
            server = _serve([shuangfang, "serve"], 8791 + index, env)
            try:
                target, headers = asyncio.run(_scan_target(8791 + index))
                rps, p50, p99, errors = asyncio.run(_load(target, headers, args.seconds, args.concurrency))
            finally:
                server.terminate()
                server.wait()
            print(
                f"scan on {name:<10}{rps:8.0f} req/s   p50 {p50:6.1f} ms   p99 {p99:6.1f} ms   errors {errors}   "
                f"ratio {rps / base_rps:.2f} of bare (goal ≥ 0.40, p99 < 50 ms)"
            )
    finally:
        bare.terminate()
        bare.wait()
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
