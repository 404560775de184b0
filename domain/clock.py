"""Time: one function to ask for now, timezone-aware, and one place to move it.

Every date the service computes (deadlines, overdue, local days and months, windows) comes from `utcnow()`.
`start_clock_at(instant)` makes `utcnow()` read that instant from now on and tick on at the real rate (or stay
there). The test session sets it (`SF_TEST_CLOCK`, see tests/conftest.py), so the seed and every test read one
clock and a run never crosses midnight in Zhoushan by accident, or crosses it on purpose. Without it the clock is
the real one.

Access tokens are not on this clock: Litestar signs and checks their `exp` and `iat` with the real time, on both
sides, so an offset clock neither expires nor extends them. arq and Redis expiries are real time too, and are
never given a time from here.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

# The wall clock of the region served (Zhoushan, UTC+8): local days, months and printed dates are read on it.
LOCAL_TIME = ZoneInfo("Asia/Shanghai")

_offset = timedelta(0)
_stopped: datetime | None = None


def utcnow() -> datetime:
    """The current time in UTC with its offset (moved by `start_clock_at`, if it was called)."""
    return _stopped if _stopped is not None else datetime.now(UTC) + _offset


def start_clock_at(instant: datetime, *, ticking: bool = True) -> None:
    """From now on `utcnow()` reads `instant`, then ticks on at the real rate (or stays there: `ticking=False`)."""
    global _offset, _stopped
    if instant.tzinfo is None:
        raise ValueError("the clock's start needs an offset, e.g. 2026-12-02T15:59:50+00:00")
    _offset = instant - datetime.now(UTC)
    _stopped = None if ticking else instant.astimezone(UTC)


def real_clock() -> None:
    """Back to the real time."""
    global _offset, _stopped
    _offset, _stopped = timedelta(0), None


def parse_instant(text: str) -> datetime:
    """An RFC 3339 instant with its offset (`Z` allowed), as `SF_TEST_CLOCK` is written."""
    instant = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    if instant.tzinfo is None:
        raise ValueError(f"{text!r} has no offset; write e.g. 2026-12-02T15:59:50Z")
    return instant.astimezone(UTC)
