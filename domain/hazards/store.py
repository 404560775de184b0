"""Every statement on the hazards area's tables: other modules call these functions and get typed records back."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from domain.changes.services import HAZARD, register_entities
from domain.hazards.tables import Hazard

# --- the change feed's snapshot of an enterprise ---------------------------------------------------------------------


async def feed_hazards(enterprise_ids: Sequence[str] | None, now: datetime) -> list[tuple[str, str]]:
    """(hazard id, enterprise id) of the enterprises' hazards (of all when None), in id order: the feed's list."""
    query = Hazard.select(Hazard.id, Hazard.enterprise_id).order_by(Hazard.id)
    if enterprise_ids is not None:
        query = query.where(Hazard.enterprise_id.is_in(list(enterprise_ids)))
    return [(row["id"], row["enterprise_id"]) for row in await query.run()]


register_entities(HAZARD, feed_hazards)
