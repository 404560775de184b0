"""The demo's hazard roll-ups, computed once the seeded hazards and tasks are in."""

from __future__ import annotations

from domain.stats.services import refresh_rollups


async def seed_rollups() -> str:
    """Run the roll-up (in full the first time, incremental after): a second seeding writes nothing."""
    report = await refresh_rollups()
    return f"roll-ups: {report.written} cells written, {report.deleted} removed ({'full' if report.full else 'incremental'})"
