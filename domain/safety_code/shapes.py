"""The stored outlines (GeoJSON, lon/lat) of regions and grids that the four-colour map draws."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from domain.clock import utcnow
from domain.db.transactions import transaction
from domain.safety_code.tables import RegionShape


def shape_id(kind: str, subject: str) -> str:
    """The key of a stored shape: `region:<code>` or `grid:<grid id>`."""
    return f"{kind}:{subject}"


async def store_shape(
    kind: str, subject: str, geometry: dict[str, Any], source: str, now: datetime | None = None
) -> bool:
    """Store or replace the outline of a region or grid; returns whether it was new."""
    key = shape_id(kind, subject)
    values = {
        "kind": kind,
        "subject": subject,
        "geometry": json.dumps(geometry),
        "source": source,
        "updated_at": now or utcnow(),
    }
    async with transaction():
        exists = await RegionShape.exists().where(RegionShape.id == key).run()
        if exists:
            await (
                RegionShape.update({getattr(RegionShape, k): v for k, v in values.items()})
                .where(RegionShape.id == key)
                .run()
            )
        else:
            await RegionShape.insert(RegionShape(id=key, **values)).run()
    return not exists


async def stored_shape(kind: str, subject: str) -> dict[str, Any] | None:
    """The stored outline of a region or grid, or None."""
    row = await RegionShape.select(RegionShape.geometry).where(RegionShape.id == shape_id(kind, subject)).first().run()
    return json.loads(row["geometry"]) if row else None
