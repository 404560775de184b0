"""The hazard roll-ups, refreshed every 10 minutes (incremental) or in full on demand."""

from __future__ import annotations

from typing import Any

from domain.stats.services import BATCH_SIZE
from domain.stats.services import refresh_rollups as refresh


async def refresh_rollups(
    ctx: dict[str, Any], full: bool = False, batch_size: int = BATCH_SIZE, pause: float = 0.0
) -> dict[str, Any]:
    """Re-aggregate the cells touched since the last run (every cell when `full`); a second run writes nothing.
    `batch_size` and `pause` (seconds after each batch) exist for the kill-mid-run test only; pass them by
    position (the resilient wrapper forwards positional arguments)."""
    report = await refresh(full=full, batch_size=batch_size, pause=pause)
    return {
        "full": report.full,
        "enterprises": report.enterprises,
        "written": report.written,
        "deleted": report.deleted,
    }
