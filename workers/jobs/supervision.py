"""Reclassifying enterprises (分级分类监管): one when its inputs change (queued by the safety-code recompute through
the outbox), every enterprise daily (the enterprise record's size, department and industry change without an event)."""

from __future__ import annotations

from typing import Any

from domain.supervision.services import reclassify, reclassify_all


async def reclassify_enterprise(ctx: dict[str, Any], enterprise_id: str) -> dict[str, Any]:
    """Re-read one enterprise's inputs and overwrite its class; a change is chained once, however often it runs."""
    result = await reclassify(enterprise_id)
    return {
        "enterprise_id": enterprise_id,
        "class": result.record.supervision_class.value,
        "changed": result.changed,
        "class_changed": result.class_changed,
    }


async def reclassify_all_enterprises(ctx: dict[str, Any]) -> dict[str, int]:
    """Reclassify every enterprise (the safety net behind the outbox hook)."""
    report = await reclassify_all()
    return {"enterprises": report.enterprises, "changed": report.changed}
