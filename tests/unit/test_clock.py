"""The one clock: moved to an instant it ticks on from (or stands at), and read the same by every caller."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta

import pytest

from domain import clock
from tests.conftest import SESSION_START


def test_the_session_clock_is_the_instant_of_sf_test_clock_and_ticks_from_it():
    assert clock.parse_instant(os.environ["SF_TEST_CLOCK"]) == SESSION_START
    first = clock.utcnow()
    assert timedelta(0) <= first - SESSION_START < timedelta(seconds=30)  # this test started there
    time.sleep(0.01)
    assert clock.utcnow() > first and clock.utcnow().tzinfo is UTC


def test_a_clock_started_just_before_midnight_in_zhoushan_crosses_it_and_a_stopped_one_does_not():
    just_before = datetime(2026, 12, 2, 15, 59, 59, 990000, tzinfo=UTC)
    clock.start_clock_at(just_before)
    time.sleep(0.02)
    assert (clock.utcnow() + timedelta(hours=8)).date().isoformat() == "2026-12-03"
    clock.start_clock_at(just_before, ticking=False)
    time.sleep(0.02)
    assert clock.utcnow() == just_before
    clock.start_clock_at(SESSION_START)
    assert clock.utcnow() - SESSION_START < timedelta(seconds=1)


def test_instants_need_an_offset():
    assert clock.parse_instant("2026-12-02T15:59:50Z") == datetime(2026, 12, 2, 15, 59, 50, tzinfo=UTC)
    assert clock.parse_instant("2026-12-02T23:59:50+08:00") == datetime(2026, 12, 2, 15, 59, 50, tzinfo=UTC)
    with pytest.raises(ValueError):
        clock.parse_instant("2026-12-02T15:59:50")
    with pytest.raises(ValueError):
        clock.start_clock_at(datetime(2026, 12, 2, 15, 59, 50))
