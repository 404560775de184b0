"""Schematic outlines of Zhoushan's districts, towns and demo grids for the four-colour map, and the demo's colours.

No map tiles and no surveyed borders: each town is one hexagon of a regular lattice, on the free cell nearest its
rough real position (lon/lat of its seat), so the islands keep their places — 定海 west, 普陀 east and south, 岱山
north, 嵊泗 far north-east — and no two towns overlap. A district is the union of its towns' hexagons; a grid is a
small hexagon inside its town. Deterministic; seeding again replaces the same shapes.
"""

from __future__ import annotations

import math

from domain.org.store import store_shape
from domain.org.tables import Enterprise, Grid
from domain.safety_code.regions import GRID_LEVEL
from domain.safety_code.services import compute_missing
from seed import zhoushan

SOURCE = "schematic hexagons (seed/region_shapes.py)"
HEX_SIZE = 0.045  # centre to corner, in degrees of latitude (about 5 km)
GRID_SCALE = 0.42  # a grid's hexagon, as a share of its town's
_COS_LAT = math.cos(math.radians(30.2))  # a degree of longitude is this much shorter here than one of latitude

# Rough seats of the towns (lon, lat).
TOWN_SEATS: dict[str, tuple[float, float]] = {
    "330902001": (122.10, 30.02),
    "330902002": (122.11, 30.00),
    "330902003": (122.09, 29.99),
    "330902004": (122.14, 30.02),
    "330902005": (122.05, 30.03),
    "330902006": (122.20, 30.00),
    "330902007": (121.97, 30.07),
    "330902008": (122.04, 30.12),
    "330902009": (122.03, 30.06),
    "330902010": (121.99, 30.11),
    "330902100": (121.88, 30.03),
    "330902101": (122.15, 30.08),
    "330902102": (122.10, 30.11),
    "330903001": (122.30, 29.95),
    "330903002": (122.34, 29.97),
    "330903003": (122.38, 29.90),
    "330903004": (122.27, 30.01),
    "330903100": (122.15, 29.72),
    "330903101": (122.28, 29.81),
    "330903102": (122.27, 29.76),
    "330903103": (122.68, 30.18),
    "330903104": (122.39, 30.00),
    "330921100": (122.20, 30.25),
    "330921101": (122.13, 30.31),
    "330921102": (122.08, 30.27),
    "330921103": (122.26, 30.29),
    "330921104": (122.31, 30.24),
    "330921105": (122.36, 30.45),
    "330921200": (122.17, 30.18),
    "330922100": (122.45, 30.73),
    "330922101": (122.82, 30.72),
    "330922102": (122.06, 30.62),
    "330922200": (122.51, 30.71),
    "330922201": (122.58, 30.69),
    "330922202": (122.76, 30.71),
    "330922203": (122.67, 30.85),
}


def _centre(q: int, r: int) -> tuple[float, float]:
    """The lon/lat of axial lattice cell (q, r) of pointy-top hexagons."""
    x = HEX_SIZE * math.sqrt(3) * (q + r / 2)
    y = HEX_SIZE * 1.5 * r
    return 122.0 + x / _COS_LAT, 30.0 + y


def _cell_near(lon: float, lat: float) -> tuple[int, int]:
    x, y = (lon - 122.0) * _COS_LAT, lat - 30.0
    r = y / (HEX_SIZE * 1.5)
    q = x / (HEX_SIZE * math.sqrt(3)) - r / 2
    return round(q), round(r)


def town_cells() -> dict[str, tuple[int, int]]:
    """Each town's lattice cell: the free one nearest its seat, towns placed in code order."""
    taken: set[tuple[int, int]] = set()
    cells: dict[str, tuple[int, int]] = {}
    for code, (lon, lat) in sorted(TOWN_SEATS.items()):
        q0, r0 = _cell_near(lon, lat)
        ring = [(q0 + dq, r0 + dr) for dq in range(-3, 4) for dr in range(-3, 4)]
        free = [cell for cell in ring if cell not in taken]
        cell = min(free, key=lambda c: (math.dist(_centre(*c), (lon, lat)), c))
        taken.add(cell)
        cells[code] = cell
    return cells


def hexagon(lon: float, lat: float, size: float) -> list[list[float]]:
    """A closed ring of a pointy-top hexagon around (lon, lat), `size` degrees of latitude from centre to corner."""
    ring = []
    for corner in range(7):
        angle = math.radians(60 * (corner % 6) - 30)
        ring.append([round(lon + size * math.cos(angle) / _COS_LAT, 5), round(lat + size * math.sin(angle), 5)])
    return ring


def shapes() -> list[tuple[str, str, dict]]:
    """(kind, region code or grid code, GeoJSON geometry) of every district, town and demo grid."""
    cells = town_cells()
    towns = {code: hexagon(*_centre(*cell), HEX_SIZE) for code, cell in cells.items()}
    found: list[tuple[str, str, dict]] = []
    for district, _ in zhoushan.DISTRICTS:
        codes = [code for code, _ in zhoushan.TOWNS[district]]
        found.append(("region", district, {"type": "MultiPolygon", "coordinates": [[towns[c]] for c in codes]}))
        found += [("region", code, {"type": "Polygon", "coordinates": [towns[code]]}) for code in codes]
    for town in {town for _, _, town in zhoushan.GRIDS}:
        grids = [code for code, _, in_town in zhoushan.GRIDS if in_town == town]
        lon, lat = _centre(*cells[town])
        step = HEX_SIZE * GRID_SCALE * math.sqrt(3) / _COS_LAT * 1.1
        for n, code in enumerate(grids):
            offset = (n - (len(grids) - 1) / 2) * step
            found.append(
                (
                    GRID_LEVEL,
                    code,
                    {"type": "Polygon", "coordinates": [hexagon(lon + offset, lat, HEX_SIZE * GRID_SCALE)]},
                )
            )
    return sorted(found, key=lambda item: (item[0], item[1]))


async def seed_region_map() -> str:
    """Store the schematic shapes and compute every enterprise's safety code, so the demo map shows colours."""
    grid_ids = {row["code"]: row["id"] for row in await Grid.select(Grid.code, Grid.id).run()}
    stored = 0
    for kind, code, geometry in shapes():
        subject = grid_ids.get(code) if kind == GRID_LEVEL else code
        if subject is not None:
            stored += await store_shape(kind, subject, geometry, SOURCE)
    enterprise_ids = [row["id"] for row in await Enterprise.select(Enterprise.id).order_by(Enterprise.id).run()]
    computed = await compute_missing(enterprise_ids)
    return f"regional map: {stored} schematic shapes stored; {computed} safety codes computed"
