"""Every statement on the org area's tables: other modules call these functions and get typed records back."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from domain.access.model import Actor
from domain.access.scope import enterprise_condition
from domain.changes.services import Place, register_places, register_visible_enterprises
from domain.org.tables import Enterprise

# --- the change feed's lookups (it sits below this area, so it is handed them) ---------------------------------------


async def feed_places(enterprise_ids: Sequence[str]) -> dict[str, Place]:
    """Enterprise id → its place as the change feed keys rows, for those of the ids that exist."""
    rows = (
        await Enterprise.select(Enterprise.id, Enterprise.grid_id, Enterprise.region_path)
        .where(Enterprise.id.is_in(list(enterprise_ids)))
        .run()
    )
    return {row["id"]: Place(row["id"], row["grid_id"], row["region_path"]) for row in rows}


async def feed_visible(actor: Actor) -> set[str]:
    """The ids of the enterprises a binding sees, for the change feed's scope-changed rows."""
    return {row["id"] for row in await Enterprise.select(Enterprise.id).where(enterprise_condition(actor)).run()}


async def feed_enterprises(enterprise_ids: Sequence[str] | None, now: datetime) -> list[tuple[str, str]]:
    """(enterprise id, enterprise id) of the enterprises (of all when None), in id order: the change feed's list."""
    if enterprise_ids is not None:
        return [(enterprise_id, enterprise_id) for enterprise_id in sorted(enterprise_ids)]
    rows = await Enterprise.select(Enterprise.id).order_by(Enterprise.id).run()
    return [(row["id"], row["id"]) for row in rows]


register_places(feed_places)
register_visible_enterprises(feed_visible)
