"""`bench.soak`: its pure parts, and a few seconds of the real thing against a real server so that it cannot rot."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter

import pytest

from bench.soak import (
    MIX,
    cpu_seconds,
    draw_kinds,
    format_report,
    growth_pct,
    percentile,
    process_tree,
    resident_kib,
    run,
)


def test_percentile_is_the_nearest_rank():
    values = [float(n) for n in range(1, 101)]
    assert percentile(values, 0.50) == 50.0
    assert percentile(values, 0.99) == 99.0
    assert percentile([3.0, 1.0, 2.0], 0.99) == 3.0
    assert percentile([], 0.5) == 0.0


def test_growth_is_in_percent_of_the_start():
    assert growth_pct(100_000, 109_999) == pytest.approx(9.999)
    assert growth_pct(100_000, 95_000) == pytest.approx(-5.0)
    assert growth_pct(0, 5) == 0.0


def test_the_drawn_schedule_is_fixed_and_follows_the_mix():
    kinds = draw_kinds(20_000)
    assert kinds == draw_kinds(20_000)
    assert draw_kinds(50, seed=2) != draw_kinds(50)
    counted = Counter(kinds)
    assert sum(MIX.values()) == 100
    for kind, share in MIX.items():
        assert counted[kind] / 200 == pytest.approx(share, abs=1.5), kind


def test_the_memory_of_a_process_tree_counts_its_children():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        tree = process_tree(os.getpid())
        assert {os.getpid(), child.pid} <= set(tree)
        assert resident_kib([child.pid]) > 1000  # a Python interpreter holds megabytes
        assert resident_kib(tree) > resident_kib([os.getpid()])
    finally:
        child.kill()
        child.wait()
    assert resident_kib([child.pid]) == 0  # gone: counts nothing


def test_the_cpu_time_of_a_process_grows_as_it_works():
    before = cpu_seconds([os.getpid()])
    total = 0
    while cpu_seconds([os.getpid()]) < before + 0.05:  # clock ticks are 10 ms: spin until a few have passed
        total += sum(range(10_000))
    assert cpu_seconds([os.getpid()]) > before > 0
    assert cpu_seconds([2**22 + 1]) == 0.0  # no such process


def test_a_few_seconds_of_the_soak_against_a_real_server_answer_every_kind_without_error(sqlite_template):
    # The template was seeded with the test settings: the server must verify its codes with the same QR key.
    server_env = {
        "SF_QR_KEYS": json.dumps({"1": "test-qr-key-0123456789abcdef"}),
        "SF_QR_ACTIVE_KEY": "1",
        "SF_PASSWORD_HASH_COST": "fast",
    }
    result = run(minutes=0.06, rate=15, warmup=1, drain=10, seeded_database=sqlite_template, server_env=server_env)
    report = format_report(result)
    assert result["errors"] == 0, report
    assert {kind for kind, row in result["kinds"].items() if row["requests"]} == set(MIX), report
    memory = result["memory"]
    assert memory["start_kib"] > 10_000 and memory["end_kib"] > 10_000, report  # a served Litestar app: > 10 MiB
    assert memory["processes"] >= 1
    assert "resident memory" in report and "verdict:" in report
    assert result["load_average"]["before"] and result["achieved_rate"] > 0 and result["server_cpu_pct"] > 0
