"""Soak the real server with a mixed day's traffic at a steady rate, and watch its errors, latency and memory.

    .venv/bin/python -m bench.soak [--minutes 10] [--rate 20] [--warmup 60] [--engine sqlite|postgres] [--json]

Starts `shuangfang serve` (as `python -m api.cli serve`) on a fresh demo database, migrated and seeded as
`shuangfang demo` does (SQLite in a temporary folder, or with `--engine postgres` a fresh database on
`BENCH_POSTGRES_DSN`'s server, dropped after; `--seeded-database FILE` copies a seeded SQLite file instead, which is
how the smoke test skips the seed). It signs in the demo's enterprise officer and principal, a grid inspector and a
district regulator, then starts operations open-loop at `--rate` per second (each at its own tick, whether or not
the earlier ones have answered, as independent phones would; an inspection and a fix on the spot are two requests,
so about 1.2 requests go out per operation), the kind of each drawn from `MIX` with a
fixed seed: code scans, inspections (a scan then the whole checklist), photo uploads (a real JPEG drawn anew each
time, so every one is stored), hazard reports, workflow transitions (a reported hazard fixed on the spot by the
officer with a photo, then accepted by the principal), sync batches (an offline scan and the report it names) and
delta pulls, and the regulator's reads (figures, risk map, lists). After `--warmup` seconds of the same traffic,
unmeasured, it reads the resident memory of the server's processes from /proc, then measures for `--minutes` and
reads it again. It prints per kind the requests, errors and p50 / p99 latency, the memory at both ends and its
growth, the server's CPU use (its share of a core), the load average before and after, and how late the generator started requests against their ticks (the
evidence that the generator, one asyncio loop of httpx, was not the bottleneck). Exit 1 when any request failed
(a transport error or an unexpected status) or memory grew by 10 % or more.

Bounded: new requests stop at the end of the window, those in flight get `--drain` seconds, the server is stopped,
and the temporary folder (and database) removed. At most `--max-in-flight` requests are outstanding; a tick that
finds that many waiting counts as an error of its kind (`skipped`), so an overloaded server shows as errors rather
than as a generator that quietly slows down.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx
from PIL import Image, ImageDraw

from bench.http import (
    ROOT,
    _app_command,
    _code_origin,
    _create_database,
    _drop_database,
    _free_port,
    _prepare_database,
    _server_env,
    start_server,
    stop_server,
)

DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "Demo@2026")
OFFICER, PRINCIPAL, INSPECTOR, REGULATOR = "officer1", "principal1", "inspector1", "regulator_dinghai"
GROWTH_LIMIT_PCT = 10.0
# The day's writes come from thousands of phones; here they come from the demo's few accounts, ~500 a minute from
# the officer alone, which the per-user write limit (issue 16: `SF_WRITE_LIMIT`, 120 a minute) would refuse. The soak
# measures the server under that work, so the limit is off unless `--server-env SF_WRITE_LIMIT=...` sets it.
SERVER_SETTINGS = {"SF_WRITE_LIMIT": "0"}

# The day's mix: kind → share of requests, in %. Field work (scans, inspections, photos, reports, the workflow, sync)
# is three quarters of it; the regulator's desk reads the rest. An inspection is two requests (the scan proving
# presence, then the record), counted under `scan` and `inspection`; a transition cycle's first step uploads its
# after photo first (counted under `photo`).
MIX = {
    "scan": 22,
    "inspection": 10,
    "photo": 8,
    "hazard": 8,
    "transition": 12,
    "sync-batch": 5,
    "sync-pull": 10,
    "stats": 7,
    "risk-map": 5,
    "list": 13,
}


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (`share` in 0–1) of `values`; 0 for none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(share * len(ordered))))
    return ordered[rank - 1]


def growth_pct(start: int, end: int) -> float:
    """How much `end` exceeds `start`, in % of `start` (negative when it shrank)."""
    return (end - start) * 100.0 / start if start else 0.0


def draw_kinds(count: int, seed: int = 1, mix: dict[str, int] = MIX) -> list[str]:
    """`count` kinds drawn from the mix with a fixed seed: the same schedule every run."""
    rng = random.Random(seed)
    kinds, weights = list(mix), list(mix.values())
    return rng.choices(kinds, weights=weights, k=count)


@dataclass
class Tally:
    """What one kind of request did in the measured window."""

    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    skipped: int = 0
    examples: list[str] = field(default_factory=list)  # the first few failures, for the report

    def fail(self, what: str) -> None:
        """Count a failure and keep the first few descriptions."""
        self.errors += 1
        if len(self.examples) < 3:
            self.examples.append(what)

    def row(self) -> dict:
        """The figures of the kind."""
        requests = len(self.latencies_ms) + self.errors
        return {
            "requests": requests,
            "errors": self.errors,
            "skipped": self.skipped,
            "error_rate_pct": round(self.errors * 100.0 / requests, 3) if requests else 0.0,
            "p50_ms": round(percentile(self.latencies_ms, 0.50), 1),
            "p99_ms": round(percentile(self.latencies_ms, 0.99), 1),
            "examples": self.examples,
        }


def format_report(result: dict) -> str:
    """The human-readable report of a run."""
    load, memory, lag = result["load_average"], result["memory"], result["generator_lag_ms"]
    lines = [
        f"bench.soak on {result['engine']}, {result['date']}: code {result['code']}",
        f"{result['rate']:g} operations/s open-loop for {result['minutes']:g} min after {result['warmup_s']:g} s warm-up; "
        f"{result['cpus']} cores; load average {load['before'][0]:.2f} before, {load['after'][0]:.2f} after "
        f"(1-min; 5-min {load['before'][1]:.2f} / {load['after'][1]:.2f})",
        f"{'kind':<12}{'share':>6}{'requests':>10}{'errors':>8}{'skipped':>9}{'err %':>8}{'p50 ms':>9}{'p99 ms':>9}",
    ]
    total = sum(row["requests"] for row in result["kinds"].values())
    for kind, row in result["kinds"].items():
        lines.append(
            f"{kind:<12}{MIX.get(kind, 0):>5}%{row['requests']:>10,}{row['errors']:>8}{row['skipped']:>9}"
            f"{row['error_rate_pct']:>8.2f}"
            f"{row['p50_ms']:>9.1f}{row['p99_ms']:>9.1f}"
        )
        lines.extend(f"    e.g. {example}" for example in row["examples"] if not example.startswith("skipped"))
    errors = sum(row["errors"] for row in result["kinds"].values())
    skipped = sum(row["skipped"] for row in result["kinds"].values())
    lines.append(
        f"{'all':<12}{'':>6}{total:>10,}{errors:>8}{skipped:>9}{(errors * 100.0 / total if total else 0):>8.2f}"
        f"   answered {result['achieved_rate']:.1f} req/s; the server used {result['server_cpu_pct']:.0f} % of a core"
    )
    lines.append(
        f"resident memory of the server ({memory['processes']} process(es)): {memory['start_kib'] / 1024:.1f} MiB "
        f"after warm-up, {memory['end_kib'] / 1024:.1f} MiB at the end, growth {memory['growth_pct']:+.1f} % "
        f"(goal < {GROWTH_LIMIT_PCT:g} %); samples (MiB): "
        + " ".join(f"{kib / 1024:.0f}" for kib in memory["samples_kib"])
    )
    lines.append(
        f"generator: requests started p50 {lag['p50']:.1f} ms, p99 {lag['p99']:.1f} ms, max {lag['max']:.1f} ms "
        f"after their tick; at most {result['max_in_flight_seen']} in flight (skipped: a tick that found "
        f"--max-in-flight requests unanswered, counted as errors)"
    )
    lines.append(f"verdict: {'PASS' if result['passed'] else 'FAIL'}")
    return "\n".join(lines)


# ---- the server's memory (Linux /proc) ----


def process_tree(root: int) -> list[int]:
    """`root` and every process descending from it (the server may hand work to child processes)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat[stat.rindex(")") + 2 :].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def cpu_seconds(pids: list[int]) -> float:
    """The user + system CPU time the processes have used so far, in seconds (those gone count 0)."""
    ticks = 0
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of proc(5))
    return ticks / os.sysconf("SC_CLK_TCK")


def resident_kib(pids: list[int]) -> int:
    """The summed VmRSS of the processes, in KiB (those gone meanwhile count 0)."""
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total


# ---- the traffic ----


def site_jpeg(label: str, size: tuple[int, int] = (960, 720)) -> bytes:
    """A real JPEG of a made-up site, different for every `label` (so each upload stores a new photo)."""
    rng = random.Random(label)
    width, height = size
    image = Image.new("RGB", size, (rng.randint(150, 200), rng.randint(190, 220), rng.randint(220, 250)))
    draw = ImageDraw.Draw(image)
    horizon = rng.randint(height // 2, 2 * height // 3)
    draw.rectangle((0, horizon, width, height), fill=(rng.randint(90, 130), rng.randint(90, 120), 90))
    for _ in range(6):
        x, y = rng.randrange(width), rng.randrange(height)
        draw.rectangle((x, y, x + rng.randint(20, 200), y + rng.randint(20, 120)), fill=(rng.randrange(256),) * 3)
    draw.text((16, height - 28), label, fill=(255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=82)
    return buffer.getvalue()


def _now() -> str:
    return datetime.now(UTC).isoformat()


class Refused(Exception):
    """An answer that was not the one expected."""


class Traffic:
    """The signed-in users, the demo's ids, and one coroutine per kind of request."""

    def __init__(self, client: httpx.AsyncClient, run_id: str) -> None:
        self.client, self.run_id = client, run_id
        self.headers: dict[str, dict[str, str]] = {}
        self.counter = 0
        self.tallies: dict[str, Tally] = {kind: Tally() for kind in MIX}
        self.measuring = False
        self.points: list[dict] = []  # the officer's risk points with a code: {id, token, items}
        self.enterprise_id = ""
        self.fresh_hazards: list[tuple[str, int]] = []  # reported, not yet fixed: (id, version)
        self.fixed_hazards: list[tuple[str, int]] = []  # fixed on the spot, awaiting the principal's acceptance
        self.cursors: dict[str, str | None] = {OFFICER: None, INSPECTOR: None}
        self.rng = random.Random(7)

    def key(self, kind: str) -> str:
        """A client id / opId of this run."""
        self.counter += 1
        return f"soak-{self.run_id}-{kind}{self.counter}"

    async def call(
        self, kind: str, user: str, method: str, url: str, expect: tuple[int, ...] = (200,), **kwargs
    ) -> httpx.Response:
        """One timed request of `kind` as `user`; a failure is tallied and raised as Refused."""
        headers = self.headers[user] | kwargs.pop("headers", {})
        counted = self.measuring  # a request started in the warm-up stays out of the figures
        started = time.perf_counter()
        try:
            response = await self.client.request(method, url, headers=headers, **kwargs)
        except httpx.HTTPError as error:
            if counted:
                self.tallies[kind].fail(f"{method} {url}: {type(error).__name__} {error}")
            raise Refused(str(error)) from error
        elapsed_ms = (time.perf_counter() - started) * 1000
        if response.status_code not in expect:
            if counted:
                self.tallies[kind].fail(f"{method} {url.split('?')[0]}: {response.status_code} {response.text[:160]}")
            raise Refused(f"{response.status_code}")
        if counted:
            self.tallies[kind].latencies_ms.append(elapsed_ms)
        return response

    async def sign_in(self) -> None:
        """Sign each user in; read the officer's enterprise, its coded risk points and their checklists."""
        for user in (OFFICER, PRINCIPAL, INSPECTOR, REGULATOR):
            login = await self.client.post("/v1/auth/login", json={"username": user, "password": DEMO_PASSWORD})
            if login.status_code != 200:
                raise RuntimeError(f"sign-in of {user}: {login.status_code} {login.text[:300]}")
            self.headers[user] = {"Authorization": f"Bearer {login.json()['accessToken']}"}
        officer = self.headers[OFFICER]
        me = (await self.client.get("/v1/me", headers=officer)).json()
        self.enterprise_id = me["enterpriseId"]
        points = await self.client.get(f"/v1/enterprises/{self.enterprise_id}/risk-points", headers=officer)
        for point in points.json()["items"]:
            if not point.get("qr"):
                continue
            checklist = await self.client.get(f"/v1/risk-points/{point['id']}/checklist", headers=officer)
            items = [item["id"] for item in checklist.json()]
            place = (point["lat"], point["lng"]) if point.get("lat") is not None else None
            self.points.append({"id": point["id"], "token": point["qr"]["token"], "items": items, "place": place})
        if not any(point["items"] and point["place"] for point in self.points):
            raise RuntimeError(f"{OFFICER}'s enterprise has no coded and placed risk point with a checklist")
        for user in self.cursors:  # the first, full sync is the phone's install, not the day's traffic
            while True:
                params = {"since": self.cursors[user]} if self.cursors[user] else {}
                page = (await self.client.get("/v1/sync/changes", params=params, headers=self.headers[user])).json()
                self.cursors[user] = page["nextCursor"]
                if not page["hasMore"]:
                    break

    def point(self) -> dict:
        """A risk point with a checklist and a position (an inspection proves presence by the scan's), drawn."""
        return self.rng.choice([point for point in self.points if point["items"] and point["place"]])

    async def scan(self, point: dict | None = None) -> str:
        """Scan a point's code as the officer, standing at it; the scan id."""
        point = point or self.point()
        lat, lng = point["place"]
        params = {"deviceId": "soak-phone", "clientTime": _now(), "lat": lat, "lng": lng, "accuracy": 8}
        response = await self.call("scan", OFFICER, "GET", f"/v1/scan/{point['token']}", params=params)
        return response.json()["scanId"]

    async def inspection(self) -> None:
        """Scan a point, then record an inspection of its whole checklist, every item fine."""
        point = self.point()
        started = _now()
        scan_id = await self.scan(point)
        body = {
            "clientId": self.key("i"),
            "riskPointId": point["id"],
            "scanId": scan_id,
            "startedAt": started,
            "finishedAt": _now(),
            "results": [{"itemId": item, "ok": True} for item in point["items"]],
        }
        await self.call("inspection", OFFICER, "POST", "/v1/inspections", (201,), json=body)

    async def photo(self, user: str = OFFICER) -> str:
        """Upload a new real JPEG; its id."""
        client_id = self.key("p")
        data = await asyncio.to_thread(site_jpeg, client_id)  # drawn off the loop: ~10 ms of pillow
        response = await self.call(
            "photo",
            user,
            "POST",
            "/v1/photos",
            (201,),
            data={"clientId": client_id, "takenAt": _now()},
            files={"file": (f"{client_id}.jpg", data, "image/jpeg")},
        )
        return response.json()["id"]

    def _new_hazard(self) -> dict:
        return {
            "clientId": self.key("h"),
            "enterpriseId": self.enterprise_id,
            "source": "daily",
            "category": self.rng.choice(("unsafe_condition", "unsafe_act", "management_defect")),
            "title": "消防通道被货物堵塞",
            "description": "日常巡查发现",
            "foundAt": _now(),
        }

    async def hazard(self) -> None:
        """Report a hazard as the officer; it joins the hazards the transitions work on."""
        response = await self.call("hazard", OFFICER, "POST", "/v1/hazards", (201,), json=self._new_hazard())
        made = response.json()
        self.fresh_hazards.append((made["id"], made["version"]))

    async def transition(self) -> None:
        """The next step of a hazard's short life: fixed on the spot with a photo (officer), then accepted
        (principal); with none waiting, report one first."""
        if self.fixed_hazards and (not self.fresh_hazards or self.rng.random() < 0.5):
            hazard_id, version = self.fixed_hazards.pop(0)
            body, user = {"action": "accept", "note": "复查：整改到位"}, PRINCIPAL
        else:
            if not self.fresh_hazards:
                await self.hazard()
            hazard_id, version = self.fresh_hazards.pop(0)
            body = {"action": "rectifyOnSpot", "afterPhotoIds": [await self.photo()], "note": "当场整改"}
            user = OFFICER
        response = await self.call(
            "transition",
            user,
            "POST",
            f"/v1/hazards/{hazard_id}/transitions",
            json=body,
            headers={"If-Match": f'"{version}"'},
        )
        if body["action"] == "rectifyOnSpot":
            self.fixed_hazards.append((hazard_id, response.json()["version"]))

    async def sync_batch(self) -> None:
        """An offline scan and the hazard reported at it, replayed through the batch: both must apply."""
        point, scan_op = self.point(), self.key("op")
        ops = [
            {
                "opId": scan_op,
                "kind": "scan",
                "payload": {
                    "token": point["token"],
                    "clientTime": _now(),
                    "lat": point["place"][0],
                    "lng": point["place"][1],
                },
            },
            {
                "opId": self.key("op"),
                "kind": "hazardCreate",
                "payload": self._new_hazard() | {"riskPointId": point["id"], "scanOpId": scan_op},
            },
        ]
        response = await self.call("sync-batch", OFFICER, "POST", "/v1/sync/batch", json={"ops": ops})
        refused = [r for r in response.json()["results"] if r["status"] != "ok"]
        if refused and self.measuring:
            self.tallies["sync-batch"].fail(f"batch results not ok: {json.dumps(refused)[:200]}")

    async def sync_pull(self) -> None:
        """A phone's delta pull from its cursor (the officer's or the inspector's, in turn)."""
        user = self.rng.choice(list(self.cursors))
        params = {"since": self.cursors[user]}
        response = await self.call("sync-pull", user, "GET", "/v1/sync/changes", params=params)
        self.cursors[user] = response.json()["nextCursor"]

    async def stats(self) -> None:
        """The district regulator's hazard figures."""
        await self.call("stats", REGULATOR, "GET", "/v1/stats/hazards")

    async def risk_map(self) -> None:
        """The four-colour risk map of the regulator's regions."""
        await self.call("risk-map", REGULATOR, "GET", "/v1/risk-map/regions")

    async def listing(self) -> None:
        """A page of a regulator's list: hazards, open hazards or enterprises."""
        url, params = self.rng.choice(
            (
                ("/v1/hazards", {"limit": 20}),
                ("/v1/hazards", {"limit": 20, "openOnly": "true"}),
                ("/v1/enterprises", {"limit": 20}),
            )
        )
        await self.call("list", REGULATOR, "GET", url, params=params)

    def action(self, kind: str) -> Callable[[], Awaitable[None]]:
        """The coroutine function of a kind."""
        return {
            "scan": self.scan,
            "inspection": self.inspection,
            "photo": self.photo,
            "hazard": self.hazard,
            "transition": self.transition,
            "sync-batch": self.sync_batch,
            "sync-pull": self.sync_pull,
            "stats": self.stats,
            "risk-map": self.risk_map,
            "list": self.listing,
        }[kind]


async def drive(
    base_url: str,
    server_pid: int,
    *,
    rate: float,
    seconds: float,
    warmup: float,
    drain: float,
    max_in_flight: int,
    sample_every: float = 30.0,
) -> dict:
    """Sign in, send the mix at `rate` for `warmup` + `seconds`, and return the tallies, lags and memory."""
    limits = httpx.Limits(max_connections=max_in_flight, max_keepalive_connections=max_in_flight)
    async with httpx.AsyncClient(base_url=base_url, timeout=httpx.Timeout(30.0), limits=limits) as client:
        traffic = Traffic(client, run_id=str(int(time.time())))
        await traffic.sign_in()
        kinds = draw_kinds(int((warmup + seconds) * rate) + 1)
        in_flight: set[asyncio.Task] = set()
        lags_ms: list[float] = []
        most_in_flight = 0
        samples: list[int] = []
        memory_start, cpu_start = 0, 0.0
        started = time.perf_counter()
        measured_from = started + warmup
        ends = measured_from + seconds
        next_sample = measured_from

        async def one(kind: str) -> None:
            try:
                await traffic.action(kind)()
            except Refused:
                pass  # tallied by `call`
            except Exception as error:  # an answer of the wrong shape: the server broke its contract
                if traffic.measuring:
                    traffic.tallies[kind].fail(f"{type(error).__name__}: {error}")

        for number, kind in enumerate(kinds):
            tick = started + number / rate
            if tick >= ends:
                break
            delay = tick - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            now = time.perf_counter()
            if not traffic.measuring and now >= measured_from:
                memory_start = resident_kib(process_tree(server_pid))
                cpu_start = cpu_seconds(process_tree(server_pid))
                samples.append(memory_start)
                next_sample = now + sample_every
                traffic.measuring = True
            elif traffic.measuring and now >= next_sample:
                samples.append(resident_kib(process_tree(server_pid)))
                next_sample += sample_every
            if traffic.measuring:
                lags_ms.append((now - tick) * 1000)
            if len(in_flight) >= max_in_flight:
                if traffic.measuring:
                    traffic.tallies[kind].skipped += 1
                    traffic.tallies[kind].fail(f"skipped: {max_in_flight} requests still in flight")
                continue
            task = asyncio.create_task(one(kind))
            in_flight.add(task)
            task.add_done_callback(in_flight.discard)
            most_in_flight = max(most_in_flight, len(in_flight))
        window = time.perf_counter() - measured_from
        cpu_window = cpu_seconds(process_tree(server_pid)) - cpu_start
        if in_flight:
            _, pending = await asyncio.wait(in_flight, timeout=drain)
            for task in pending:
                task.cancel()
            if pending:
                traffic.tallies["drain"] = Tally()
                traffic.tallies["drain"].fail(f"{len(pending)} requests unanswered {drain:g} s after the window")
        memory_end = resident_kib(process_tree(server_pid))
        samples.append(memory_end)
        processes = len(process_tree(server_pid))
    rows = {kind: tally.row() for kind, tally in traffic.tallies.items()}
    measured = sum(row["requests"] - row["skipped"] for row in rows.values())
    return {
        "kinds": rows,
        "achieved_rate": measured / window if window > 0 else 0.0,
        "generator_lag_ms": {
            "p50": round(percentile(lags_ms, 0.5), 2),
            "p99": round(percentile(lags_ms, 0.99), 2),
            "max": round(max(lags_ms, default=0.0), 2),
        },
        "max_in_flight_seen": most_in_flight,
        # The server's share of a core over the window: near 100 % (or more, with threads) means it was busy; far
        # below while latency climbs means it waited for a core the rest of the machine held.
        "server_cpu_pct": round(cpu_window * 100.0 / window, 1) if window > 0 else 0.0,
        "memory": {
            "processes": processes,
            "start_kib": memory_start,
            "end_kib": memory_end,
            "growth_pct": round(growth_pct(memory_start, memory_end), 2),
            "samples_kib": samples,
        },
    }


def _uncommitted() -> str:
    """A note when the tree measured has uncommitted changes to tracked files (the commit is not the whole story)."""
    changed = subprocess.run(
        ["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True
    ).stdout.strip()
    return f" + uncommitted changes to {len(changed.splitlines())} file(s)" if changed else ""


def _tail(path: Path) -> str:
    return path.read_text(errors="replace")[-3000:] if path.exists() else ""


def run(
    *,
    engine: str = "sqlite",
    minutes: float = 10.0,
    rate: float = 20.0,
    warmup: float = 60.0,
    drain: float = 30.0,
    max_in_flight: int = 64,
    seeded_database: Path | None = None,
    server_env: dict[str, str] | None = None,
) -> dict:
    """Prepare the database, start the server, drive the traffic, stop everything; the whole result."""
    folder = Path(tempfile.mkdtemp(prefix="sf-bench-soak-"))
    database = f"sf_bench_soak_{os.getpid()}"
    database_url = asyncio.run(_create_database(database)) if engine == "postgres" else ""
    load_before = os.getloadavg()
    server = None
    server_stderr = folder / "server-stderr.log"
    try:
        env = _server_env(folder / "var", database_url) | SERVER_SETTINGS | (server_env or {})
        origin = _code_origin(env) + _uncommitted()
        if seeded_database is not None and engine == "sqlite":
            (folder / "var").mkdir(parents=True)
            shutil.copy(seeded_database, folder / "var" / "shuangfang.sqlite3")
        else:
            _prepare_database(env)
        port = _free_port()
        server = start_server(
            _app_command("serve", "--port", str(port)), port, "/health", env, log=server_stderr, core=None
        )
        try:
            figures = asyncio.run(
                drive(
                    f"http://127.0.0.1:{port}",
                    server.pid,
                    rate=rate,
                    seconds=minutes * 60,
                    warmup=warmup,
                    drain=drain,
                    max_in_flight=max_in_flight,
                )
            )
        except RuntimeError as error:  # the set-up failed: what the server said is the useful part
            raise RuntimeError(f"{error}\n--- the server's standard error ---\n{_tail(server_stderr)}") from error
    finally:
        if server is not None:
            stop_server(server)
        stderr_tail = _tail(server_stderr)
        shutil.rmtree(folder, ignore_errors=True)
        if engine == "postgres":
            asyncio.run(_drop_database(database))
    errors = sum(row["errors"] for row in figures["kinds"].values())
    return figures | {
        "engine": engine,
        "code": origin,
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "rate": rate,
        "minutes": minutes,
        "warmup_s": warmup,
        "cpus": os.cpu_count(),
        "load_average": {"before": [round(x, 2) for x in load_before], "after": [round(x, 2) for x in os.getloadavg()]},
        "errors": errors,
        "passed": errors == 0 and figures["memory"]["growth_pct"] < GROWTH_LIMIT_PCT,
        "server_stderr_tail": stderr_tail if errors else "",
    }


def main() -> int:
    """Parse the options, run, print the report (and the JSON with --json); 1 unless it passed."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engine", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--minutes", type=float, default=10.0, help="the measured window")
    parser.add_argument("--rate", type=float, default=20.0, help="operations started per second (~1.2 requests each)")
    parser.add_argument("--warmup", type=float, default=60.0, help="seconds of the same traffic before measuring")
    parser.add_argument("--drain", type=float, default=30.0, help="seconds the last requests get to answer")
    parser.add_argument("--max-in-flight", type=int, default=64)
    parser.add_argument("--seeded-database", type=Path, help="copy this seeded SQLite file instead of seeding")
    parser.add_argument(
        "--server-env", action="append", default=[], metavar="NAME=VALUE", help="a setting for the server (repeat)"
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON on stdout (the report on stderr)")
    args = parser.parse_args()
    if not Path("/proc/self/status").exists():
        print("bench.soak reads resident memory from /proc (Linux)", file=sys.stderr)
        return 2
    result = run(
        engine=args.engine,
        minutes=args.minutes,
        rate=args.rate,
        warmup=args.warmup,
        drain=args.drain,
        max_in_flight=args.max_in_flight,
        seeded_database=args.seeded_database,
        server_env=dict(setting.split("=", 1) for setting in args.server_env),
    )
    print(format_report(result), file=sys.stderr if args.json else sys.stdout)
    if result["server_stderr_tail"]:
        print("--- the server's standard error, last lines ---\n" + result["server_stderr_tail"], file=sys.stderr)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
