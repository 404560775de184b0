"""Every statement on the risk area's tables: other modules call these functions and get typed records back."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from domain.changes.services import RISK_POINT, register_entities
from domain.risk.tables import RiskPoint

# --- the change feed's snapshot of an enterprise ---------------------------------------------------------------------


async def feed_risk_points(enterprise_ids: Sequence[str] | None, now: datetime) -> list[tuple[str, str]]:
    """(risk point id, enterprise id) of the enterprises' risk points (of all when None), in id order: the feed's list."""
    query = RiskPoint.select(RiskPoint.id, RiskPoint.enterprise_id).order_by(RiskPoint.id)
    if enterprise_ids is not None:
        query = query.where(RiskPoint.enterprise_id.is_in(list(enterprise_ids)))
    return [(row["id"], row["enterprise_id"]) for row in await query.run()]


register_entities(RISK_POINT, feed_risk_points)


async def post_item_counts(enterprise_id: str) -> dict[str, int]:
    """Each post the enterprise's active checklist items and risk points name, with its number of active items."""
    from piccolo.query.functions.aggregate import Count

    from domain.risk.tables import ChecklistItem

    items = (
        await ChecklistItem.select(ChecklistItem.responsible_post.as_alias("post"), Count(alias="n"))
        .where(
            ChecklistItem.enterprise_id == enterprise_id,
            ChecklistItem.active.eq(True),
            ChecklistItem.responsible_post != "",
        )
        .group_by(ChecklistItem.responsible_post)
        .run()
    )
    points = (
        await RiskPoint.select(RiskPoint.responsible_post)
        .where(RiskPoint.enterprise_id == enterprise_id, RiskPoint.status == "active", RiskPoint.responsible_post != "")
        .distinct()
        .run()
    )
    counts = {row["post"]: int(row["n"]) for row in items}
    for row in points:
        counts.setdefault(row["responsible_post"], 0)
    return counts


# --- asked by the hazards and photos areas ---------------------------------------------------------------------------


async def risk_point_names(point_ids: Sequence[str]) -> dict[str, str]:
    """Risk point id → name, for those of the ids that exist."""
    ids = sorted(set(point_ids))
    if not ids:
        return {}
    rows = await RiskPoint.select(RiskPoint.id, RiskPoint.name).where(RiskPoint.id.is_in(ids)).run()
    return {row["id"]: row["name"] for row in rows}


async def risk_point_in_enterprise(point_id: str, enterprise_id: str) -> bool:
    """True when the risk point exists and belongs to the enterprise."""
    return await RiskPoint.exists().where(RiskPoint.id == point_id, RiskPoint.enterprise_id == enterprise_id).run()


async def scan_by_user_in_enterprise(scan_id: str, user_id: str, enterprise_id: str) -> bool:
    """True when the scan exists, was the user's, and was of the enterprise."""
    from domain.risk.tables import ScanRecord

    return (
        await ScanRecord.exists()
        .where(ScanRecord.id == scan_id, ScanRecord.user_id == user_id, ScanRecord.enterprise_id == enterprise_id)
        .run()
    )


async def active_point_levels(enterprise_id: str) -> dict[str, int]:
    """Level → how many of the enterprise's active, assessed risk points have it (the safety code's input)."""
    from piccolo.query.functions.aggregate import Count

    rows = (
        await RiskPoint.select(RiskPoint.level, Count())
        .where(RiskPoint.enterprise_id == enterprise_id, RiskPoint.status == "active", RiskPoint.level.is_not_null())
        .group_by(RiskPoint.level)
        .run()
    )
    return {row["level"]: row["count"] for row in rows}
