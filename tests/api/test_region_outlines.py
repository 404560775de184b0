"""Admins draw regions and grids on the four-colour map through the API: outlines are checked (422 with the rule),
stored with the region in one transaction, and then served by /v1/risk-map/regions and drawn on its PNG."""

from __future__ import annotations

import io
import itertools

import pytest
from PIL import Image

from domain.printing.region_map import layout_region_map
from tests.api.test_region_map import drawn_areas, features_by_code
from tests.conftest import login

NEW_TOWN = "330902120"


def square(lon: float, lat: float, half: float) -> list[list[float]]:
    return [
        [lon - half, lat - half],
        [lon + half, lat - half],
        [lon + half, lat + half],
        [lon - half, lat + half],
        [lon - half, lat - half],
    ]


async def town_centre(client, headers, code: str) -> tuple[float, float]:
    """The centre of a demo town's schematic hexagon."""
    collection = (await client.get("/v1/risk-map/regions", params={"regionCode": code}, headers=headers)).json()
    ring = features_by_code(collection)[code]["geometry"]["coordinates"][0][:-1]
    return sum(p[0] for p in ring) / len(ring), sum(p[1] for p in ring) / len(ring)


async def test_a_town_created_with_an_outline_is_served_on_the_map_and_drawn_on_its_png(client):
    admin = await login(client, "admin")
    lon, lat = await town_centre(client, admin, "330902007")
    lat -= 0.028  # in the lower part of 岑港's hexagon, inside 定海区's outline and clear of 岑港's grids
    outline = {"type": "Polygon", "coordinates": [square(lon, lat, 0.006)]}
    created = await client.post(
        "/v1/admin/regions",
        json={"code": NEW_TOWN, "name": "新建街道", "level": "town", "parentCode": "330902", "outline": outline},
        headers=admin,
    )
    assert created.status_code == 201, created.text
    dinghai = await login(client, "regulator_dinghai")
    collection = (await client.get("/v1/risk-map/regions", headers=dinghai)).json()
    feature = features_by_code(collection)[NEW_TOWN]
    assert feature["geometry"] == outline and feature["properties"]["parentCode"] == "330902"
    assert feature["properties"]["color"] is None  # no enterprises yet

    layout = layout_region_map(drawn_areas(collection))
    (drawn,) = [area for area in layout.areas if area.area.name == "新建街道"]
    assert "新建街道" in {label.name for label in layout.labels}  # 14 towns in 定海: named
    png = (await client.get("/v1/risk-map/regions.png", headers=dinghai)).content
    image = Image.open(io.BytesIO(png)).convert("RGB")
    # its outline is drawn: dark pixels all along the square's edges, where no label covers them
    ring = drawn.rings[0]
    samples = [
        (a[0] + (b[0] - a[0]) * t / 20, a[1] + (b[1] - a[1]) * t / 20)
        for a, b in itertools.pairwise(ring)
        for t in range(21)
    ]
    clear = [
        (x, y)
        for x, y in samples
        if not any(
            label.box[0] - 2 <= x <= label.box[2] + 2 and label.box[1] - 2 <= y <= label.box[3] + 2
            for label in layout.labels
        )
    ]
    assert len(clear) > 20
    darkest = [
        image.convert("L").crop((round(x) - 1, round(y) - 1, round(x) + 2, round(y) + 2)).getextrema()[0]
        for x, y in clear
    ]  # a 1 px line lands on one of the neighbouring pixels
    assert max(darkest) < 90

    # redrawn through PUT: the same key, no new feature
    again = await client.put(
        f"/v1/admin/regions/{NEW_TOWN}/outline",
        json={"type": "MultiPolygon", "coordinates": [[square(lon, lat, 0.004)], [square(lon + 0.009, lat, 0.003)]]},
        headers=admin,
    )
    assert again.status_code == 200, again.text
    assert (again.json()["kind"], again.json()["code"], again.json()["created"]) == ("region", NEW_TOWN, False)
    redrawn = features_by_code((await client.get("/v1/risk-map/regions", headers=dinghai)).json())[NEW_TOWN]
    assert redrawn["geometry"]["type"] == "MultiPolygon" and len(redrawn["geometry"]["coordinates"]) == 2


async def test_a_grid_is_drawn_inside_its_town_and_refused_outside_it(client):
    admin = await login(client, "admin")
    grids = {grid["code"]: grid["id"] for grid in (await client.get("/v1/grids", headers=admin)).json()}
    lon, lat = await town_centre(client, admin, "330902007")
    inside = await client.put(
        f"/v1/admin/grids/{grids['DH-CG-02']}/outline",
        json={"type": "Polygon", "coordinates": [square(lon + 0.01, lat, 0.004)]},
        headers=admin,
    )
    assert inside.status_code == 200, inside.text
    assert (inside.json()["kind"], inside.json()["code"]) == ("grid", "DH-CG-02")
    feature = features_by_code((await client.get("/v1/risk-map/regions", headers=admin)).json())["DH-CG-02"]
    assert feature["geometry"]["coordinates"] == [square(lon + 0.01, lat, 0.004)]
    outside = await client.put(
        f"/v1/admin/grids/{grids['DH-CG-02']}/outline",
        json={"type": "Polygon", "coordinates": [square(lon + 0.3, lat, 0.004)]},
        headers=admin,
    )
    assert (outside.status_code, outside.json()["code"]) == (422, "REGION_OUTLINE_OUTSIDE_PARENT")
    kept = features_by_code((await client.get("/v1/risk-map/regions", headers=admin)).json())["DH-CG-02"]
    assert kept["geometry"] == feature["geometry"]  # a refused outline changes nothing


SQUARE = square(122.1, 30.02, 0.005)
BAD_OUTLINES = {
    "a point": ({"type": "Point", "coordinates": [122.1, 30.02]}, 422, "REGION_OUTLINE_INVALID", "type"),
    "an open ring": (
        {"type": "Polygon", "coordinates": [SQUARE[:-1]]},
        422,
        "REGION_OUTLINE_INVALID",
        "ring_not_closed",
    ),
    "three positions": (
        {"type": "Polygon", "coordinates": [[SQUARE[0], SQUARE[1], SQUARE[0]]]},
        422,
        "REGION_OUTLINE_INVALID",
        "too_few_positions",
    ),
    "lat and lon swapped": (
        {"type": "Polygon", "coordinates": [[[p[1], p[0]] for p in SQUARE]]},
        422,
        "REGION_OUTLINE_INVALID",
        "out_of_range",
    ),
    "a bow tie": (
        {
            "type": "Polygon",
            "coordinates": [[[122.09, 30.01], [122.11, 30.02], [122.11, 30.01], [122.09, 30.03], [122.09, 30.01]]],
        },
        422,
        "REGION_OUTLINE_INVALID",
        "self_intersection",
    ),
    "positions as strings": (
        {"type": "Polygon", "coordinates": [[["122.1", "30"]] * 4]},
        422,
        "REGION_OUTLINE_INVALID",
        "position",
    ),
    "too many positions": (
        {"type": "Polygon", "coordinates": [[[122.1 + k * 1e-7, 30.02] for k in range(20_001)]]},
        422,
        "REGION_OUTLINE_INVALID",
        "too_many_positions",
    ),
    "outside 定海区": (
        {"type": "Polygon", "coordinates": [square(122.9, 30.9, 0.01)]},
        422,
        "REGION_OUTLINE_OUTSIDE_PARENT",
        None,
    ),
    "an unknown member": (
        {"type": "Polygon", "coordinates": [SQUARE], "crs": "EPSG:4326"},
        400,
        "REQUEST_MALFORMED",
        None,
    ),
    "coordinates not a list": ({"type": "Polygon", "coordinates": "0,0"}, 400, "REQUEST_MALFORMED", None),
}


@pytest.mark.parametrize(("outline", "status", "code", "reason"), BAD_OUTLINES.values(), ids=BAD_OUTLINES.keys())
async def test_a_bad_outline_is_refused_and_the_region_is_not_created(client, outline, status, code, reason):
    admin = await login(client, "admin")
    refused = await client.post(
        "/v1/admin/regions",
        json={"code": NEW_TOWN, "name": "新建街道", "level": "town", "parentCode": "330902", "outline": outline},
        headers=admin,
    )
    assert (refused.status_code, refused.json()["code"]) == (status, code), refused.text
    if reason:
        assert refused.json()["params"]["reason"] == reason
    assert NEW_TOWN not in {region["code"] for region in (await client.get("/v1/regions", headers=admin)).json()}
    put = await client.put("/v1/admin/regions/330902007/outline", json=outline, headers=admin)
    assert (put.status_code, put.json()["code"]) == (status, code)


async def test_outline_endpoints_are_for_admins_and_known_subjects_only_and_bodies_are_bounded(client):
    admin = await login(client, "admin")
    outline = {"type": "Polygon", "coordinates": [SQUARE]}
    for username in ("regulator_city", "inspector1", "officer1"):
        refused = await client.put(
            "/v1/admin/regions/330902007/outline", json=outline, headers=await login(client, username)
        )
        assert (refused.status_code, refused.json()["code"]) == (403, "FORBIDDEN"), username
    for path in ("/v1/admin/regions/330902999/outline", "/v1/admin/grids/NO-SUCH-GRID/outline"):
        missing = await client.put(path, json=outline, headers=admin)
        assert (missing.status_code, missing.json()["code"]) == (404, "NOT_FOUND"), path
    huge = b'{"type": "Polygon", "coordinates": [[' + b",".join([b"[122.1, 30.02]"] * 200_000) + b"]]}"
    too_large = await client.put(
        "/v1/admin/regions/330902007/outline", content=huge, headers={**admin, "Content-Type": "application/json"}
    )
    assert (too_large.status_code, too_large.json()["code"]) == (413, "BODY_TOO_LARGE")
