"""Time: one function to ask for now, timezone-aware, so tests can pass their own."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """The current time in UTC with its offset."""
    return datetime.now(UTC)
