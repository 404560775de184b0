"""Outlines of regions and grids as GeoJSON (RFC 7946) Polygon or MultiPolygon in lon/lat: checked before storing.

Pure rules, no I/O. An outline is refused (with the rule that failed, the polygon and ring it failed in) when it is not
a Polygon or MultiPolygon of closed rings of at least four positions, when a position is not a longitude in
[-180, 180] and latitude in [-90, 90], when a ring crosses itself, when it holds more positions than a map needs,
or — when the parent region has an outline — when it reaches out of its parent. Ring orientation is not enforced:
RFC 7946 asks parsers not to reject rings wound the other way.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from domain.errors import InvalidInput

MAX_POSITIONS = 20_000  # a district traced at ~50 m over its coast; the map is drawn at 1600 px
MAX_POLYGONS = 500  # 舟山 counts about 1,390 islands, a district's many rocks need not each be drawn
MAX_RINGS = 1_000
# How far (degrees, about 10 m) a child's vertex may lie outside its parent: borders traced at different times differ.
PARENT_TOLERANCE = 1e-4
MAX_EDGE_PAIRS = 400_000  # about a second of checking; traced borders need a few per edge

Position = tuple[float, float]
Ring = list[Position]


class OutlineInvalid(InvalidInput):
    """The outline is not a usable GeoJSON Polygon or MultiPolygon; params say which rule failed and where."""

    code = "REGION_OUTLINE_INVALID"


class OutlineOutsideParent(InvalidInput):
    """The outline reaches out of the outline of the region it lies in."""

    code = "REGION_OUTLINE_OUTSIDE_PARENT"


def checked_outline(geometry: Any) -> dict[str, Any]:
    """The outline as a clean GeoJSON dict (positions as [lon, lat] floats); raises OutlineInvalid."""
    if not isinstance(geometry, dict):
        raise OutlineInvalid("the outline is a GeoJSON object", reason="type")
    kind, coordinates = geometry.get("type"), geometry.get("coordinates")
    if kind not in ("Polygon", "MultiPolygon"):
        raise OutlineInvalid("the outline is a Polygon or a MultiPolygon", reason="type")
    if not isinstance(coordinates, list) or not coordinates:
        raise OutlineInvalid("the outline has coordinates", reason="empty")
    raw_polygons = [coordinates] if kind == "Polygon" else coordinates
    if len(raw_polygons) > MAX_POLYGONS:
        raise OutlineInvalid(f"at most {MAX_POLYGONS} polygons", reason="too_many_polygons", limit=MAX_POLYGONS)
    polygons: list[list[Ring]] = []
    positions = rings = 0
    for p, raw_polygon in enumerate(raw_polygons):
        if not isinstance(raw_polygon, list) or not raw_polygon:
            raise OutlineInvalid("a polygon is a non-empty list of rings", reason="empty", polygon=p)
        polygon = []
        for r, raw_ring in enumerate(raw_polygon):
            rings += 1
            if rings > MAX_RINGS:
                raise OutlineInvalid(f"at most {MAX_RINGS} rings", reason="too_many_rings", limit=MAX_RINGS)
            if not isinstance(raw_ring, list):
                raise OutlineInvalid("a ring is a list of positions", reason="ring_type", polygon=p, ring=r)
            positions += len(raw_ring)
            if positions > MAX_POSITIONS:
                raise OutlineInvalid(
                    f"at most {MAX_POSITIONS} positions", reason="too_many_positions", limit=MAX_POSITIONS
                )
            polygon.append(_ring(raw_ring, p, r))
        polygons.append(polygon)
    for p, polygon in enumerate(polygons):
        for r, ring in enumerate(polygon):
            if _crosses_itself(ring):
                raise OutlineInvalid("a ring crosses itself", reason="self_intersection", polygon=p, ring=r)
    coordinates_out = [[[list(pos) for pos in ring] for ring in polygon] for polygon in polygons]
    return {"type": kind, "coordinates": coordinates_out[0] if kind == "Polygon" else coordinates_out}


def _ring(raw: list, p: int, r: int) -> Ring:
    ring: Ring = []
    for position in raw:
        # [lon, lat] or [lon, lat, altitude]; booleans are ints to Python but never coordinates
        if (
            not isinstance(position, list)
            or len(position) not in (2, 3)
            or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in position)
        ):
            raise OutlineInvalid("a position is [longitude, latitude]", reason="position", polygon=p, ring=r)
        lon, lat = float(position[0]), float(position[1])
        if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
            raise OutlineInvalid(
                "longitude within ±180 and latitude within ±90", reason="out_of_range", polygon=p, ring=r
            )
        if not ring or ring[-1] != (lon, lat):  # a repeated position adds nothing (and no zero-length edge)
            ring.append((lon, lat))
    if len(ring) < 4:
        raise OutlineInvalid("a ring has at least four positions", reason="too_few_positions", polygon=p, ring=r)
    if ring[0] != ring[-1]:
        raise OutlineInvalid("a ring ends where it starts", reason="ring_not_closed", polygon=p, ring=r)
    doubled_area = sum(a[0] * b[1] - b[0] * a[1] for a, b in itertools.pairwise(ring))
    if len(set(ring)) < 3 or abs(doubled_area) < 1e-14:  # ~0.1 m²: a ring of points on one line encloses nothing
        raise OutlineInvalid("a ring encloses an area", reason="degenerate", polygon=p, ring=r)
    return ring


def _orientation(a: Position, b: Position, c: Position) -> float:
    return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])


def _on_segment(a: Position, b: Position, c: Position) -> bool:
    return min(a[0], b[0]) <= c[0] <= max(a[0], b[0]) and min(a[1], b[1]) <= c[1] <= max(a[1], b[1])


def _segments_meet(a: Position, b: Position, c: Position, d: Position) -> bool:
    o1, o2, o3, o4 = _orientation(a, b, c), _orientation(a, b, d), _orientation(c, d, a), _orientation(c, d, b)
    if ((o1 > 0 and o2 < 0) or (o1 < 0 and o2 > 0)) and ((o3 > 0 and o4 < 0) or (o3 < 0 and o4 > 0)):
        return True
    return (
        (o1 == 0 and _on_segment(a, b, c))
        or (o2 == 0 and _on_segment(a, b, d))
        or (o3 == 0 and _on_segment(c, d, a))
        or (o4 == 0 and _on_segment(c, d, b))
    )


def _crosses_itself(ring: Ring) -> bool:
    """Whether two edges of the ring that are not neighbours touch or cross.

    Edges go into grid cells about two average edges wide, so only edges sharing a cell are compared (near-linear for
    any traced border); an edge spanning many cells is compared with every edge instead. A ring needing more than
    `MAX_EDGE_PAIRS` comparisons is refused as too complex rather than tying up the server.
    """
    edges = [(ring[i], ring[i + 1]) for i in range(len(ring) - 1)]
    count = len(edges)
    x0, y0 = min(p[0] for p in ring), min(p[1] for p in ring)
    cell = max(2 * sum(math.dist(a, b) for a, b in edges) / count, 1e-9)
    buckets: dict[tuple[int, int], list[int]] = defaultdict(list)
    long_edges: list[int] = []
    for index, (a, b) in enumerate(edges):
        left, right = sorted((int((a[0] - x0) / cell), int((b[0] - x0) / cell)))
        low, high = sorted((int((a[1] - y0) / cell), int((b[1] - y0) / cell)))
        if (right - left + 1) * (high - low + 1) > 64:
            long_edges.append(index)
            continue
        for cx in range(left, right + 1):
            for cy in range(low, high + 1):
                buckets[(cx, cy)].append(index)
    budget = len(long_edges) * count + sum(len(members) ** 2 // 2 for members in buckets.values())
    if budget > MAX_EDGE_PAIRS:
        raise OutlineInvalid(
            "the ring is too complex to check; simplify it", reason="too_complex", limit=MAX_EDGE_PAIRS
        )
    pairs = {(i, j) for members in buckets.values() for n, i in enumerate(members) for j in members[n + 1 :]}
    pairs |= {(min(i, j), max(i, j)) for i in long_edges for j in range(count) if i != j}
    for i, j in pairs:
        # neighbours share a vertex by construction (the first and last edge too, the ring being closed)
        if j - i == 1 or (i == 0 and j == count - 1):
            continue
        if _segments_meet(*edges[i], *edges[j]):
            return True
    return False


def polygons(geometry: dict[str, Any]) -> list[list[Ring]]:
    """The polygons of a checked outline as lists of rings of (lon, lat)."""
    raw = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    return [[[(float(x), float(y)) for x, y, *_ in ring] for ring in polygon] for polygon in raw]


def _inside(point: Position, ring: Sequence[Position]) -> bool:
    x, y = point
    inside = False
    for (x1, y1), (x2, y2) in itertools.pairwise(ring):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def _near_border(point: Position, ring: Sequence[Position], tolerance: float) -> bool:
    px, py = point
    for (x1, y1), (x2, y2) in itertools.pairwise(ring):
        dx, dy = x2 - x1, y2 - y1
        length = dx * dx + dy * dy
        t = 0.0 if length == 0 else max(0.0, min(1.0, ((px - x1) * dx + (py - y1) * dy) / length))
        if math.hypot(px - (x1 + t * dx), py - (y1 + t * dy)) <= tolerance:
            return True
    return False


def require_inside(child: dict[str, Any], parent: dict[str, Any]) -> None:
    """Raise OutlineOutsideParent unless every vertex of `child` lies in `parent` (or on its border, within ~10 m).

    Holes of the parent are ignored: a town may lie in a district's lake. Vertices only, so an edge that cuts across a
    bay of the parent passes; that is the cheap check, and the map draws it the same either way.
    """
    outers = [polygon[0] for polygon in polygons(parent)]
    boxes = [(min(p[0] for p in r), min(p[1] for p in r), max(p[0] for p in r), max(p[1] for p in r)) for r in outers]
    for p, polygon in enumerate(polygons(child)):
        for position in polygon[0]:
            candidates = [
                ring
                for ring, (x0, y0, x1, y1) in zip(outers, boxes, strict=True)
                if x0 - PARENT_TOLERANCE <= position[0] <= x1 + PARENT_TOLERANCE
                and y0 - PARENT_TOLERANCE <= position[1] <= y1 + PARENT_TOLERANCE
            ]
            if not any(
                _inside(position, ring) or _near_border(position, ring, PARENT_TOLERANCE) for ring in candidates
            ):
                raise OutlineOutsideParent(
                    "the outline reaches out of its parent region's outline", polygon=p, position=list(position)
                )
