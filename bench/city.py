"""The scale city the PostgreSQL benches load by COPY: 舟山市, 4 districts, 40 towns and 400 grids."""

from __future__ import annotations

from datetime import datetime

from domain.ids import new_id

GRIDS = 400


async def load_regions_and_grids(connection, now: datetime) -> list[tuple]:
    """COPY the region tree and the grids; returns the grid rows (id, code, name, region_code, region_path, at)."""
    regions = [("330900", "舟山市", "city", None, "/330900/", now)]
    towns = []
    for d in range(4):
        district = f"3309{d + 2:02d}"
        regions.append((district, f"区{d}", "district", "330900", f"/330900/{district}/", now))
        for t in range(10):
            town = f"{district}{t + 1:03d}"
            towns.append((town, f"/330900/{district}/{town}/"))
            regions.append((town, f"镇{d}{t}", "town", district, f"/330900/{district}/{town}/", now))
    await connection.copy_records_to_table(
        "region", records=regions, columns=["code", "name", "level", "parent_code", "path", "created_at"]
    )
    grids = [(new_id(), f"G{n:04d}", f"网格{n}", *towns[n % len(towns)], now) for n in range(GRIDS)]
    await connection.copy_records_to_table(
        "grid", records=grids, columns=["id", "code", "name", "region_code", "region_path", "created_at"]
    )
    return grids
