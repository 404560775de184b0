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
