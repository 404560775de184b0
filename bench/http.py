"""Benchmark the hot HTTP paths with wrk: a bare Litestar endpoint, `/health`, me, a hazard, a page and the scan.

    .venv/bin/python -m bench.http [--engine sqlite|postgres] [--duration 10] [--warmup 3] [--rounds 1]
                                   [--connections 32] [--json]

Starts two real server processes pinned to core 0 (`taskset -c 0`): the bare Litestar JSON endpoint of
`bench/bare.py` under uvicorn, and the app (`shuangfang serve`, i.e. `python -m api.cli serve`) on a fresh demo
database, migrated and seeded as `shuangfang demo` does (SQLite in a temporary folder, or a fresh PostgreSQL
database on `BENCH_POSTGRES_DSN`'s server, dropped after). It signs in as `officer1` through `POST /v1/auth/login`,
takes a hazard id and a risk point's scan token from the seeded data, and loads each target with wrk pinned to
core 1 (`taskset -c 1 wrk -t1 -c32`; a Lua script sets the bearer token and reports the figures), after a warm-up
of each target. Prints requests/s, p50 and p99 per target and the issue-14 ratios, each with its goal and
PASS/MISS. Ratios are measured in one run on one machine, so they hold where absolute figures do not; with
`--rounds N` the targets are measured N times in turn and the median round counts (fairer on a loaded machine).

The servers run the code of the tree this file sits in (PYTHONPATH is set to it and checked), so the same file
copied into an older worktree measures that tree. The in-process cron schedule is off (`SF_RUN_SCHEDULE=0`) so
that no job runs during a measurement.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN = os.environ.get("BENCH_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")
SERVER_CORE, WRK_CORE = "0", "1"
RESULT_MARK = "WRK_RESULT "
DEMO_USER = "officer1"

# (name, label, path template, signed in)
TARGETS = (
    ("bare", "bare Litestar /bare", "/bare", False),
    ("health", "GET /health", "/health", False),
    ("me", "GET /v1/me", "/v1/me", True),
    ("hazard", "GET /v1/hazards/{id}", "/v1/hazards/{hazard_id}", True),
    ("page", "GET /v1/hazards?limit=20", "/v1/hazards?limit=20", True),
    ("scan", "GET /v1/scan/{token}", "/v1/scan/{scan_token}", True),
)


@dataclass(frozen=True)
class Ratio:
    """A goal of issue 14: `target`'s requests/s over `baseline`'s, at least `minimum`."""

    target: str
    baseline: str
    minimum: float


@dataclass(frozen=True)
class Latency:
    """A goal of issue 14: `target`'s p99 below `below_ms`."""

    target: str
    below_ms: float


GOALS = (
    Ratio("scan", "bare", 0.40),
    Latency("scan", 50.0),
    Ratio("me", "health", 0.6),
    Ratio("hazard", "health", 0.4),
    Ratio("page", "health", 0.25),
)


@dataclass(frozen=True)
class Measure:
    """One wrk run of one target."""

    requests: int
    seconds: float
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    bad_status: int  # answers that were not 2xx or 3xx
    socket_errors: int

    @property
    def errors(self) -> int:
        """Every answer that failed or was not a success: a run with any is not a valid figure."""
        return self.bad_status + self.socket_errors


@dataclass(frozen=True)
class Verdict:
    """A goal checked against the measures of one run."""

    goal: str
    measured: str
    wanted: str
    passed: bool
    valid: bool  # False when a target involved had error answers

    @property
    def mark(self) -> str:
        """PASS or MISS (INVALID when the figure rests on error answers)."""
        if not self.valid:
            return "INVALID"
        return "PASS" if self.passed else "MISS"


# wrk calls `done` once at the end; the line it writes is what `parse_wrk` reads (exact microseconds, unlike the
# rounded text summary).
LUA_DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '%s{"requests":%.0f,"duration_us":%.0f,"p50_us":%.0f,"p99_us":%.0f,"status":%.0f,"socket":%.0f}\\n',
    "RESULT_MARK", summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout))
end
""".replace("RESULT_MARK", RESULT_MARK)


def lua_script(bearer: str | None) -> str:
    """The wrk script: the Authorization header when signed in, and the result line."""
    header = f'wrk.headers["Authorization"] = "Bearer {bearer}"\n' if bearer else ""
    return header + LUA_DONE


def parse_wrk(output: str) -> Measure:
    """The figures of a wrk run from its standard output (the line our `done` wrote)."""
    for line in output.splitlines():
        if line.startswith(RESULT_MARK):
            data = json.loads(line[len(RESULT_MARK) :])
            seconds = data["duration_us"] / 1e6
            return Measure(
                requests=int(data["requests"]),
                seconds=round(seconds, 3),
                requests_per_s=data["requests"] / seconds if seconds else 0.0,
                p50_ms=data["p50_us"] / 1000,
                p99_ms=data["p99_us"] / 1000,
                bad_status=int(data["status"]),
                socket_errors=int(data["socket"]),
            )
    raise ValueError(f"no {RESULT_MARK.strip()} line in wrk's output:\n{output[-2000:]}")


def median_measure(rounds: list[Measure]) -> Measure:
    """The median of each figure over rounds (one round: itself); errors add up."""
    if len(rounds) == 1:
        return rounds[0]
    return Measure(
        requests=sum(m.requests for m in rounds),
        seconds=round(sum(m.seconds for m in rounds), 3),
        requests_per_s=statistics.median(m.requests_per_s for m in rounds),
        p50_ms=statistics.median(m.p50_ms for m in rounds),
        p99_ms=statistics.median(m.p99_ms for m in rounds),
        bad_status=sum(m.bad_status for m in rounds),
        socket_errors=sum(m.socket_errors for m in rounds),
    )


def evaluate(measures: dict[str, Measure], goals=GOALS) -> list[Verdict]:
    """Each goal whose targets were measured, with its figure and PASS/MISS."""
    verdicts = []
    for goal in goals:
        if isinstance(goal, Ratio):
            if goal.target not in measures or goal.baseline not in measures:
                continue
            target, baseline = measures[goal.target], measures[goal.baseline]
            ratio = target.requests_per_s / baseline.requests_per_s if baseline.requests_per_s else 0.0
            verdicts.append(
                Verdict(
                    goal=f"{goal.target} / {goal.baseline}",
                    measured=f"{ratio:.2f}",
                    wanted=f">= {goal.minimum:.2f}",
                    passed=ratio >= goal.minimum,
                    valid=not (target.errors or baseline.errors),
                )
            )
        else:
            if goal.target not in measures:
                continue
            target = measures[goal.target]
            verdicts.append(
                Verdict(
                    goal=f"{goal.target} p99",
                    measured=f"{target.p99_ms:.1f} ms",
                    wanted=f"< {goal.below_ms:g} ms",
                    passed=target.p99_ms < goal.below_ms,
                    valid=not target.errors,
                )
            )
    return verdicts


def format_report(header: str, labels: dict[str, str], measures: dict[str, Measure], verdicts: list[Verdict]) -> str:
    """The human-readable table of a run."""
    lines = [header, f"{'target':<26}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'errors':>8}"]
    for name, measure in measures.items():
        lines.append(
            f"{labels[name]:<26}{measure.requests_per_s:>10,.0f}{measure.p50_ms:>10.2f}{measure.p99_ms:>10.2f}"
            f"{measure.errors:>8}"
        )
    lines.append(f"{'goal':<26}{'measured':>10}{'wanted':>12}  verdict")
    lines.extend(f"{v.goal:<26}{v.measured:>10}{v.wanted:>12}  {v.mark}" for v in verdicts)
    return "\n".join(lines)


# ---- the servers and the load (not pure: processes, sockets, wrk) ----


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _server_env(var_dir: Path, database_url: str) -> dict[str, str]:
    """The environment of the app's commands: this tree's code, a fresh var folder, no Redis, no schedule."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("SF_TEST_")}
    env.update(
        PYTHONPATH=str(ROOT),
        SF_VAR_DIR=str(var_dir),
        DATABASE_URL=database_url,
        REDIS_URL="",
        SF_RUN_SCHEDULE="0",
        SF_ACCESS_TOKEN_TTL="86400",  # a long run must not outlive the token
    )
    return env


def _code_origin(env: dict[str, str]) -> str:
    """Where the servers' modules come from (checked to be this tree) and its commit."""
    probe = "import api.cli, domain.config, bench.bare; print(api.cli.__file__, domain.config.__file__, bench.bare.__file__)"
    files = subprocess.run(
        [sys.executable, "-c", probe], env=env, cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.split()
    strays = [path for path in files if not Path(path).resolve().is_relative_to(ROOT)]
    if strays:
        raise RuntimeError(f"the servers would import code from outside {ROOT}: {strays}")
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    return f"{ROOT} @ {commit or 'unknown commit'}"


def _app_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "api.cli", *args]


def _prepare_database(env: dict[str, str]) -> None:
    """Migrate and seed the demo, as `shuangfang demo` does before it serves."""
    for step in (("migrate",), ("seed", "--demo")):
        done = subprocess.run(_app_command(*step), env=env, cwd=ROOT, capture_output=True, text=True)
        if done.returncode:
            raise RuntimeError(f"shuangfang {' '.join(step)} failed:\n{done.stderr[-3000:]}")


def start_server(
    command: list[str], port: int, probe: str, env: dict[str, str], *, log: Path, core: str | None = SERVER_CORE
) -> subprocess.Popen:
    """A server (pinned to `core` unless None), once it answers `probe`; its standard error goes to `log` (a pipe
    nobody reads would fill up and stall it), its standard output nowhere (a JSON line a request: the bench would
    measure its own logging)."""
    import httpx

    pinned = ["taskset", "-c", core] if core is not None else []
    with log.open("wb") as sink:
        process = subprocess.Popen([*pinned, *command], env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=sink)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            httpx.get(f"http://127.0.0.1:{port}{probe}", timeout=0.5)
            return process
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    process.wait()
    raise RuntimeError(f"server on port {port} did not start: {log.read_text(errors='replace')[-2000:]}")


def stop_server(process: subprocess.Popen) -> None:
    """Stop a server gracefully (killed after 15 s)."""
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _demo_targets(base: str) -> dict[str, str]:
    """A real bearer token, a hazard id and a scan token from the seeded demo, each target checked to answer 200."""
    import httpx

    password = os.environ.get("DEMO_PASSWORD", "Demo@2026")
    with httpx.Client(base_url=base, timeout=30) as client:
        login = client.post("/v1/auth/login", json={"username": DEMO_USER, "password": password})
        login.raise_for_status()
        bearer = login.json()["accessToken"]
        headers = {"Authorization": f"Bearer {bearer}"}
        page = client.get("/v1/hazards", params={"limit": 20}, headers=headers)
        page.raise_for_status()
        items = page.json()["items"]
        enterprise = client.get("/v1/enterprises", headers=headers).json()["items"][0]["id"]
        points = client.get(f"/v1/enterprises/{enterprise}/risk-points", headers=headers).json()["items"]
    return {
        "bearer": bearer,
        "hazard_id": items[0]["id"],
        "scan_token": points[0]["qr"]["token"],
        "page_items": str(len(items)),
    }


def _wrk(url: str, script: Path, seconds: float, connections: int) -> Measure:
    command = [
        "taskset",
        "-c",
        WRK_CORE,
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
        url,
    ]
    finished = subprocess.run(command, capture_output=True, text=True, check=True)
    return parse_wrk(finished.stdout)


async def _create_database(name: str) -> str:
    import asyncpg

    connection = await asyncpg.connect(PG_ADMIN, timeout=5)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + name


async def _drop_database(name: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(PG_ADMIN, timeout=5)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


PROFILE_TOP = 14


def profile_summary(path: Path, top: int = PROFILE_TOP) -> str:
    """The functions a profiled server spent most of its own time in, with their callers' cumulative share."""
    import io
    import pstats

    out = io.StringIO()
    stats = pstats.Stats(str(path), stream=out)
    stats.strip_dirs().sort_stats("tottime").print_stats(top)
    return out.getvalue()


def _profile_targets(
    urls: dict[str, tuple[str, Path]], env: dict[str, str], port: int, folder: Path, duration: float, connections: int
) -> dict[str, str]:
    """Each app target again, alone, against a fresh app server under cProfile: where its time goes."""
    summaries = {}
    for name, (url, script) in urls.items():
        if name == "bare":
            continue
        output = folder / f"{name}.prof"
        command = [sys.executable, "-m", "bench.profiled_serve", str(output), str(port)]
        server = start_server(command, port, "/health", env, log=folder / f"{name}.stderr")
        try:
            _wrk(url, script, duration, connections)
        finally:
            stop_server(server)  # a graceful stop: cProfile writes its file as the server returns
        summaries[name] = profile_summary(output)
    return summaries


def run(engine: str, duration: float, warmup: float, rounds: int, connections: int, profile: bool = False) -> dict:
    """Start the servers, measure every target, and return the whole result (measures, verdicts, context)."""
    folder = Path(tempfile.mkdtemp(prefix="sf-bench-http-"))
    database = f"sf_bench_http_{os.getpid()}"
    database_url = asyncio.run(_create_database(database)) if engine == "postgres" else ""
    servers: list[subprocess.Popen] = []
    load_before = os.getloadavg()
    try:
        env = _server_env(folder / "var", database_url)
        origin = _code_origin(env)
        _prepare_database(env)
        bare_port, app_port = _free_port(), _free_port()
        uvicorn = [sys.executable, "-m", "uvicorn", "--log-level", "warning", "--no-access-log"]
        bare = [*uvicorn, "--port", str(bare_port), "bench.bare:app"]
        servers.append(start_server(bare, bare_port, "/bare", env, log=folder / "bare.stderr"))
        app = _app_command("serve", "--port", str(app_port))
        servers.append(start_server(app, app_port, "/health", env, log=folder / "app.stderr"))
        demo = _demo_targets(f"http://127.0.0.1:{app_port}")
        scripts = {}
        for signed_in in (False, True):
            script = folder / f"wrk-{'bearer' if signed_in else 'open'}.lua"
            script.write_text(lua_script(demo["bearer"] if signed_in else None))
            scripts[signed_in] = script
        urls, labels = {}, {}
        for name, label, template, signed_in in TARGETS:
            port = bare_port if name == "bare" else app_port
            urls[name] = (f"http://127.0.0.1:{port}{template.format(**demo)}", scripts[signed_in])
            labels[name] = label
        rounds_of: dict[str, list[Measure]] = {name: [] for name in urls}
        for round_number in range(rounds):
            for name, (url, script) in urls.items():
                if round_number == 0 and warmup > 0:
                    _wrk(url, script, warmup, connections)
                rounds_of[name].append(_wrk(url, script, duration, connections))
        profiles = {}
        if profile:
            stop_server(servers.pop())  # the app's port is handed to each profiled server in turn
            profiles = _profile_targets(urls, env, app_port, folder, duration, connections)
    finally:
        for server in servers:
            stop_server(server)
        shutil.rmtree(folder, ignore_errors=True)
        if engine == "postgres":
            asyncio.run(_drop_database(database))
    measures = {name: median_measure(measured) for name, measured in rounds_of.items()}
    return {
        "engine": engine,
        "code": origin,
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "duration_s": duration,
        "warmup_s": warmup,
        "rounds": rounds,
        "connections": connections,
        "page_items": int(demo["page_items"]),
        "load_average": {"before": [round(x, 2) for x in load_before], "after": [round(x, 2) for x in os.getloadavg()]},
        "labels": labels,
        "measures": {name: asdict(measure) | {"errors": measure.errors} for name, measure in measures.items()},
        "verdicts": [asdict(v) | {"mark": v.mark} for v in evaluate(measures)],
        "profiles": profiles,
    }


def main() -> int:
    """Parse the options, run, print the table (and the JSON with --json)."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engine", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--duration", type=float, default=10, help="seconds measured per target and round")
    parser.add_argument("--warmup", type=float, default=3, help="seconds of load before each target's first round")
    parser.add_argument("--rounds", type=int, default=1, help="measure every target this many times in turn")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--json", action="store_true", help="print the results as JSON on stdout (the table on stderr)")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="then load each app target alone against a server under cProfile and print where its time goes",
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None or shutil.which("taskset") is None:
        print("bench.http needs wrk and taskset (apt-get install wrk util-linux)", file=sys.stderr)
        return 2
    result = run(args.engine, args.duration, args.warmup, args.rounds, args.connections, args.profile)
    measures = {
        name: Measure(**{k: v for k, v in m.items() if k != "errors"}) for name, m in result["measures"].items()
    }
    load = result["load_average"]
    header = (
        f"bench.http on {result['engine']}, {result['date']}: code {result['code']}\n"
        f"servers on core {SERVER_CORE}, wrk -t1 -c{args.connections} on core {WRK_CORE}, {args.duration:g} s per "
        f"target after {args.warmup:g} s warm-up, {args.rounds} round(s); signed in as {DEMO_USER}; "
        f"page of {result['page_items']} hazards; load average {load['before'][0]:.2f} before, "
        f"{load['after'][0]:.2f} after"
    )
    report = format_report(header, result["labels"], measures, evaluate(measures))
    print(report, file=sys.stderr if args.json else sys.stdout)
    for name, summary in result["profiles"].items():
        heading = f"\n--- profile of {result['labels'][name]} (cProfile, the server's own time per function) ---"
        print(heading, summary, sep="\n", file=sys.stderr if args.json else sys.stdout)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
