"""The hourly generation of inspection tasks from checklist cycles."""

from __future__ import annotations

from typing import Any

from domain.inspections.services import generate_tasks


async def generate_inspection_tasks(ctx: dict[str, Any]) -> dict[str, int]:
    """Create the tasks of the current and coming windows and mark the ended undone ones missed; idempotent."""
    report = await generate_tasks()
    return {"created": report.created, "missed": report.missed}
