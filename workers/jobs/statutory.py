"""The daily freezing of the statutory hazard statistics that have fallen due."""

from __future__ import annotations

from typing import Any

from domain.statutory.services import freeze_due_statistics


async def freeze_statutory_statistics(ctx: dict[str, Any]) -> dict[str, int]:
    """Freeze every due snapshot still missing (backfilling any a stopped worker skipped); a frozen one is never
    recomputed, so a second run freezes nothing."""
    report = await freeze_due_statistics()
    return {"frozen": report.frozen, "already": report.already}
