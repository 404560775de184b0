"""Recomputing the dynamic safety codes: one enterprise when its inputs change, every enterprise hourly."""

from __future__ import annotations

from typing import Any

from domain.safety_code.services import recompute, recompute_all


async def recompute_safety_code(ctx: dict[str, Any], enterprise_id: str) -> dict[str, Any]:
    """Re-read one enterprise's inputs and overwrite its code; a colour change is logged once, however often it runs."""
    result = await recompute(enterprise_id)
    return {"enterprise_id": enterprise_id, "colour": result.code.colour.value, "changed": result.changed}


async def recompute_all_safety_codes(ctx: dict[str, Any]) -> dict[str, int]:
    """Recompute every enterprise's code: deadlines pass, task windows close and listings expire without an event."""
    report = await recompute_all()
    return {"enterprises": report.enterprises, "changed": report.changed}
