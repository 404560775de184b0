"""Region and grid outlines are checked as GeoJSON before they are stored: each broken rule answers with its reason."""

from __future__ import annotations

import math

import pytest

from domain.org.outlines import (
    MAX_POSITIONS,
    OutlineInvalid,
    OutlineOutsideParent,
    checked_outline,
    require_inside,
)
from mobile_contract.errors import CATALOGUE

SQUARE = [[122.0, 30.0], [122.1, 30.0], [122.1, 30.1], [122.0, 30.1], [122.0, 30.0]]


def polygon(*rings) -> dict:
    return {"type": "Polygon", "coordinates": [list(ring) for ring in rings]}


def circle(n: int, lon: float = 122.05, lat: float = 30.05, radius: float = 0.04) -> list[list[float]]:
    ring = [
        [lon + radius * math.cos(2 * math.pi * k / n), lat + radius * math.sin(2 * math.pi * k / n)] for k in range(n)
    ]
    return [*ring, ring[0]]


def test_a_closed_square_polygon_and_a_multipolygon_are_accepted_as_clean_geojson():
    assert checked_outline(polygon(SQUARE)) == {"type": "Polygon", "coordinates": [SQUARE]}
    multi = {"type": "MultiPolygon", "coordinates": [[SQUARE], [circle(12, 122.3, 30.3)]]}
    assert checked_outline(multi)["type"] == "MultiPolygon" and len(checked_outline(multi)["coordinates"]) == 2
    # altitude is dropped, a repeated position collapses, either winding is accepted (RFC 7946 asks not to reject)
    with_altitude = [[*p, 5.0] for p in SQUARE]
    assert checked_outline(polygon(with_altitude)) == {"type": "Polygon", "coordinates": [SQUARE]}
    assert checked_outline(polygon([SQUARE[0], *SQUARE])) == {"type": "Polygon", "coordinates": [SQUARE]}
    assert checked_outline(polygon(list(reversed(SQUARE))))["coordinates"] == [list(reversed(SQUARE))]
    # a hole is a second ring
    assert len(checked_outline(polygon(SQUARE, circle(8, radius=0.01)))["coordinates"]) == 2


BAD = {
    "not an object": ([SQUARE], "type"),
    "a point": ({"type": "Point", "coordinates": [122.0, 30.0]}, "type"),
    "a line string": ({"type": "LineString", "coordinates": SQUARE}, "type"),
    "no coordinates": ({"type": "Polygon"}, "empty"),
    "empty coordinates": ({"type": "Polygon", "coordinates": []}, "empty"),
    "an empty polygon in a multipolygon": ({"type": "MultiPolygon", "coordinates": [[]]}, "empty"),
    "a ring that is a number": ({"type": "Polygon", "coordinates": [5]}, "ring_type"),
    "a position of strings": (polygon([["122", "30"], *SQUARE[1:]]), "position"),
    "a position of booleans": (polygon([[True, False], *SQUARE[1:]]), "position"),
    "a position of one number": (polygon([[122.0], *SQUARE[1:]]), "position"),
    "three positions": (polygon([SQUARE[0], SQUARE[1], SQUARE[0]]), "too_few_positions"),
    "an open ring": (polygon([*SQUARE[:-1], [122.0, 30.05]]), "ring_not_closed"),
    "longitude past 180": (polygon([[181.0, 30.0], [122.1, 30.0], [122.1, 30.1], [181.0, 30.0]]), "out_of_range"),
    "latitude past 90": (polygon([[122.0, 91.0], [122.1, 30.0], [122.1, 30.1], [122.0, 91.0]]), "out_of_range"),
    "lat and lon swapped": (polygon([[30.0, 122.0], [30.1, 122.0], [30.1, 122.1], [30.0, 122.0]]), "out_of_range"),
    "a bow tie": (
        polygon([[122.0, 30.0], [122.3, 30.1], [122.3, 30.0], [122.0, 30.2], [122.0, 30.0]]),
        "self_intersection",
    ),
    "a ring touching itself": (
        polygon(
            [[122.0, 30.0], [122.2, 30.0], [122.1, 30.1], [122.2, 30.2], [122.0, 30.2], [122.1, 30.1], [122.0, 30.0]]
        ),
        "self_intersection",
    ),
    "a ring folding back on itself": (
        polygon([[122.0, 30.0], [122.2, 30.0], [122.1, 30.0], [122.1, 30.1], [122.0, 30.0]]),
        "self_intersection",
    ),
    "all positions on a line": (polygon([[122.0, 30.0], [122.1, 30.0], [122.2, 30.0], [122.0, 30.0]]), "degenerate"),
    "too many positions": (polygon(circle(MAX_POSITIONS + 1)), "too_many_positions"),
}


@pytest.mark.parametrize(("geometry", "reason"), BAD.values(), ids=BAD.keys())
def test_a_broken_outline_is_refused_with_the_rule_it_breaks(geometry, reason):
    with pytest.raises(OutlineInvalid) as refused:
        checked_outline(geometry)
    assert refused.value.params["reason"] == reason
    assert refused.value.code == "REGION_OUTLINE_INVALID"


def test_a_ring_of_many_long_spikes_is_refused_as_too_complex_rather_than_checked_for_minutes():
    spikes = []
    for k in range(2000):  # a star: every other vertex far out, so every edge spans the whole ring
        angle = 2 * math.pi * k / 2000
        radius = 0.5 if k % 2 else 0.001
        spikes.append([122.0 + radius * math.cos(angle), 30.0 + radius * math.sin(angle)])
    with pytest.raises(OutlineInvalid) as refused:
        checked_outline(polygon([*spikes, spikes[0]]))
    assert refused.value.params["reason"] == "too_complex"


def test_the_failing_polygon_and_ring_are_named():
    multi = {"type": "MultiPolygon", "coordinates": [[SQUARE], [SQUARE, [*SQUARE[:-1], [122.05, 30.0]]]]}
    with pytest.raises(OutlineInvalid) as refused:
        checked_outline(multi)
    assert refused.value.params == {"reason": "ring_not_closed", "polygon": 1, "ring": 1}


def test_a_large_ring_is_checked_for_crossings_quickly_and_a_crossing_among_thousands_is_found():
    smooth = circle(MAX_POSITIONS - 1)
    assert checked_outline(polygon(smooth))  # near-linear: no 10^8 pairs of edges
    crossed = [*smooth[:5000], smooth[5001], smooth[5000], *smooth[5002:]]  # two neighbours swapped: a tiny knot
    with pytest.raises(OutlineInvalid) as refused:
        checked_outline(polygon(crossed))
    assert refused.value.params["reason"] == "self_intersection"


def test_a_child_inside_its_parent_or_on_its_border_passes_and_one_reaching_out_is_refused():
    parent = checked_outline({"type": "MultiPolygon", "coordinates": [[SQUARE], [circle(6, 122.5, 30.5, 0.1)]]})
    require_inside(checked_outline(polygon(circle(8, radius=0.02))), parent)
    require_inside(checked_outline(polygon(SQUARE)), parent)  # the same border as the parent
    require_inside(checked_outline(polygon(circle(6, 122.5, 30.5, 0.05))), parent)  # in the second island
    outside = checked_outline(polygon([[122.05, 30.05], [122.15, 30.05], [122.15, 30.08], [122.05, 30.05]]))
    with pytest.raises(OutlineOutsideParent) as refused:
        require_inside(outside, parent)
    assert refused.value.params["polygon"] == 0 and refused.value.code == "REGION_OUTLINE_OUTSIDE_PARENT"


def test_both_outline_errors_are_catalogued_as_422():
    assert CATALOGUE["REGION_OUTLINE_INVALID"].status == CATALOGUE["REGION_OUTLINE_OUTSIDE_PARENT"].status == 422
