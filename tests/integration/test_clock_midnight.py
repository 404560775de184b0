"""The date-dependent tests (marked `clock`) pass with the clock set a minute before midnight in Zhoushan and a
second after it: the suite reads one clock, never the hour of the machine running it.

Both runs go in subprocesses at once (SQLite only, to stay cheap: under a minute on two cores), each with its own
`SF_TEST_CLOCK`; the conftest reports where the clock stood as each test ended, which shows each run stayed on its
side of midnight.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from domain.clock import parse_instant

ROOT = Path(__file__).resolve().parents[2]
ZHOUSHAN = timezone(timedelta(hours=8))

# Not inside the runs it starts (they select `clock` tests only, and this one is not marked, but be sure).
pytestmark = pytest.mark.skipif(os.environ.get("SF_TEST_CLOCK_REPORT") is not None, reason="inside a clock run")


def nearest_midnight_in_zhoushan(now: datetime) -> datetime:
    """The midnight (UTC+8) closest to `now`: the smallest move of the clock from the real time."""
    local = now.astimezone(ZHOUSHAN)
    last = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return (last if local - last < timedelta(hours=12) else last + timedelta(days=1)).astimezone(UTC)


def marked_files() -> list[str]:
    """The test files holding `clock`-marked tests (looked up by text: collecting the whole suite costs more)."""
    return sorted(
        str(path.relative_to(ROOT))
        for path in (ROOT / "tests").rglob("test_*.py")
        if "mark.clock" in path.read_text(encoding="utf-8") and path.name != Path(__file__).name
    )


def test_nearest_midnight_is_within_twelve_hours_and_is_a_local_midnight():
    for hour in (0, 3, 11, 12, 15, 16, 17, 23):
        now = datetime(2026, 12, 2, hour, 30, tzinfo=UTC)
        midnight = nearest_midnight_in_zhoushan(now)
        assert abs(midnight - now) <= timedelta(hours=12)
        assert midnight.astimezone(ZHOUSHAN).time() == datetime.min.time()


def test_the_clock_marked_tests_pass_across_midnight_in_zhoushan_and_just_after(tmp_path):
    files = marked_files()
    assert "tests/integration/test_rollups.py" in files and "tests/integration/test_webhook_delivery.py" in files
    midnight = nearest_midnight_in_zhoushan(datetime.now(UTC))  # the real time only picks which midnight to use
    # Each test starts at the instant (the seed is taken there too), a minute before midnight or a second after it:
    # the same tests pass on either side. A run whose seed is of one day and whose tests run on the next is not a
    # state the suite can be in any more (one clock); it was tried, and figures that truly depend on the time, such
    # as daily task windows ending at midnight, then rightly differ from the seed's.
    starts = {"before": midnight - timedelta(seconds=60), "after": midnight + timedelta(seconds=1)}
    runs = {}
    for name, start in starts.items():
        env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST_", "SF_TEST_CLOCK"))}
        env |= {
            "SF_TEST_CLOCK": start.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "SF_TEST_CLOCK_REPORT": str(tmp_path / f"{name}.json"),
            "SF_TEST_CLOCK_MODE": "per-test",
        }
        command = [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-n",
            "0",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:randomly",
            "-m",
            "clock and not postgres",
            *files,
        ]
        runs[name] = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
    for name, run in runs.items():
        output, _ = run.communicate(timeout=600)
        assert run.returncode == 0, f"the run started {starts[name]:%H:%M:%S}Z failed:\n{output[-6000:]}"
        assert " passed" in output and " failed" not in output, output[-2000:]
        report = json.loads((tmp_path / f"{name}.json").read_text())
        assert parse_instant(report["start"]) == starts[name]
        ended = [parse_instant(at) for at in report["testsEnded"]]
        assert len(ended) >= 5 and min(ended) > starts[name], report
        if name == "before":  # every test ran wholly on the last day of the two
            assert max(ended) < midnight, report
        else:
            assert min(ended) > midnight, report
