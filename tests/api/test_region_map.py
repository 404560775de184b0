"""The regional four-colour map through the real API: colours agree with the enterprises' codes, scopes hold, the
drawing is a real PNG in the right colours."""

from __future__ import annotations

import io
from collections import Counter

from PIL import Image, ImageDraw, ImageFilter

from api.dependencies import services_of
from domain.printing.palette import COLOUR_RGB
from domain.printing.region_map import HEIGHT, WIDTH, MapArea, fill_rgb, layout_region_map, polygons_of
from domain.risk.model import Colour
from domain.safety_code.model import REGION_RULE_VERSION, region_colour
from tests.api.test_safety_code import E5, enterprise_id, overdue_major_hazard
from tests.conftest import login
from workers.jobs.safety_code import recompute_safety_code

COLOURS = ("red", "orange", "yellow", "blue")


async def expected_counts(client, headers) -> dict[str, Counter]:
    """Enterprises per colour for every grid code, town, district and the city, from each enterprise's own code."""
    grids = {g["id"]: g["code"] for g in (await client.get("/v1/grids", headers=headers)).json()}
    tallies: dict[str, Counter] = {}
    enterprises = (await client.get("/v1/enterprises", params={"limit": 100}, headers=headers)).json()["items"]
    for enterprise in enterprises:
        code = (await client.get(f"/v1/enterprises/{enterprise['id']}/safety-code", headers=headers)).json()
        town = enterprise["regionCode"]
        for key in (grids[enterprise["gridId"]], town, town[:6], town[:4] + "00"):
            tallies.setdefault(key, Counter())[code["color"]] += 1
    return tallies


def features_by_code(collection: dict) -> dict[str, dict]:
    return {feature["properties"]["code"]: feature for feature in collection["features"]}


async def test_every_regions_colour_follows_the_rule_from_its_enterprises_codes(client):
    admin = await login(client, "admin")
    response = await client.get("/v1/risk-map/regions", headers=admin)
    assert response.status_code == 200
    collection = response.json()
    assert (collection["type"], collection["regionCode"], collection["ruleVersion"]) == (
        "FeatureCollection",
        "330900",
        REGION_RULE_VERSION,
    )
    features = features_by_code(collection)
    levels = Counter(f["properties"]["level"] for f in collection["features"])
    assert levels == {"city": 1, "district": 4, "town": 36, "grid": 10}
    tallies = await expected_counts(client, admin)
    assert sum(tallies["330900"].values()) == 9
    for code, feature in features.items():
        props = feature["properties"]
        expected = tallies.get(code, Counter())
        assert props["counts"] == {colour: expected[colour] for colour in COLOURS}, code
        assert props["enterprises"] == sum(expected.values())
        colour = region_colour({Colour(c): n for c, n in expected.items()})
        assert props["color"] == (colour.value if colour else None), code
        assert props["ruleVersion"] == REGION_RULE_VERSION and feature["id"] == f"{props['level']}:{code}"
    # the demo tells a story: 岑港's two enterprises are red (open majors, a listing), 嵊泗's only one is blue
    assert (features["DH-CG-01"]["properties"]["color"], features["330922"]["properties"]["color"]) == ("red", "blue")
    assert features["330902001"]["properties"]["color"] is None  # a town without enterprises has no colour


async def test_shapes_are_schematic_lon_lat_polygons_inside_zhoushan(client):
    collection = (await client.get("/v1/risk-map/regions", headers=await login(client, "regulator_city"))).json()
    for feature in collection["features"]:
        geometry, level = feature["geometry"], feature["properties"]["level"]
        if level == "city":
            assert geometry is None
            continue
        assert geometry["type"] == ("MultiPolygon" if level == "district" else "Polygon")
        polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        for polygon in polygons:
            ring = polygon[0]
            assert ring[0] == ring[-1] and len(ring) == 7
            assert all(121.5 < lon < 123.2 and 29.5 < lat < 31.1 for lon, lat in ring)


async def test_a_colour_change_shows_on_the_map_after_the_job(client, app):
    admin = await login(client, "admin")
    before = features_by_code((await client.get("/v1/risk-map/regions", headers=admin)).json())
    assert before["DH-JT-01"]["properties"]["color"] == "blue"  # E5, 金塘港务物流, alone in its grid
    enterprise = await enterprise_id(E5)
    await overdue_major_hazard(services_of(app).settings, enterprise)
    await recompute_safety_code({"settings": services_of(app).settings, "engine": services_of(app).engine}, enterprise)
    after = features_by_code((await client.get("/v1/risk-map/regions", headers=admin)).json())
    for code in ("DH-JT-01", "330902100"):
        assert after[code]["properties"]["color"] == "red"
        assert after[code]["properties"]["counts"] == {"red": 1, "orange": 0, "yellow": 0, "blue": 0}
    assert after["330902"]["properties"]["counts"]["red"] == before["330902"]["properties"]["counts"]["red"] + 1


async def test_a_regulator_sees_their_subtree_only_and_an_inspector_their_grids(client):
    dinghai = await login(client, "regulator_dinghai")
    own = (await client.get("/v1/risk-map/regions", headers=dinghai)).json()
    assert own["regionCode"] == "330902"
    codes = set(features_by_code(own))
    assert "330902" in codes and not {"330900", "330903", "PT-LH-01"} & codes
    assert all(code.startswith(("330902", "DH-")) for code in codes)
    town = (await client.get("/v1/risk-map/regions", params={"regionCode": "330902007"}, headers=dinghai)).json()
    assert set(features_by_code(town)) == {"330902007", "DH-CG-01", "DH-CG-02"}
    for outside in ("330903", "330900", "999999"):
        refused = await client.get("/v1/risk-map/regions", params={"regionCode": outside}, headers=dinghai)
        assert (refused.status_code, refused.json()["code"]) == (404, "NOT_FOUND")

    inspector = await login(client, "inspector1")
    grids = (await client.get("/v1/risk-map/regions", headers=inspector)).json()
    assert [
        (f["properties"]["code"], f["properties"]["level"], f["properties"]["color"]) for f in grids["features"]
    ] == [("DH-CG-01", "grid", "red")]
    assert grids["features"][0]["properties"]["enterprises"] == 2
    # an inspector holds grids, no whole region: any region code answers as an unknown one
    for code in ("330903", "330902007"):
        elsewhere = await client.get("/v1/risk-map/regions", params={"regionCode": code}, headers=inspector)
        assert (elsewhere.status_code, elsewhere.json()["code"]) == (404, "NOT_FOUND")

    for username in ("officer1", "principal2"):
        headers = await login(client, username)
        for path in ("/v1/risk-map/regions", "/v1/risk-map/regions.png"):
            refused = await client.get(path, headers=headers)
            assert (refused.status_code, refused.json()["code"]) == (403, "FORBIDDEN")


def colours_in(png: bytes) -> set[str]:
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.size == (WIDTH, HEIGHT)
    # the map area only (the legend shows every colour), sampled every 4 px
    pixels = image.convert("RGB").crop((40, 150, WIDTH - 40, HEIGHT - 130))
    present = set(pixels.resize((pixels.width // 4, pixels.height // 4), Image.Resampling.NEAREST).getdata())
    return {name for name, rgb in COLOUR_RGB.items() if rgb in present}


async def test_the_drawn_map_is_a_png_of_the_expected_size_in_the_colours_of_its_regions(client):
    for username, params in (("regulator_city", {}), ("admin", {"regionCode": "330922"}), ("inspector1", {})):
        headers = await login(client, username)
        drawn = await client.get("/v1/risk-map/regions.png", params=params, headers=headers)
        assert drawn.status_code == 200 and drawn.headers["content-type"] == "image/png"
        collection = (await client.get("/v1/risk-map/regions", params=params, headers=headers)).json()
        shown = {f["properties"]["color"] for f in collection["features"] if f["geometry"] and f["properties"]["color"]}
        assert shown, username
        assert colours_in(drawn.content) == shown, username


async def listed(client, headers, code: str, **params) -> list[dict]:
    """Every enterprise the drill-down lists for a feature, following the cursor with small pages."""
    items, cursor = [], None
    while True:
        response = await client.get(
            f"/v1/risk-map/regions/{code}/enterprises",
            params={"limit": 2, **params, **({"cursor": cursor} if cursor else {})},
            headers=headers,
        )
        assert response.status_code == 200, response.text
        page = response.json()
        items += page["items"]
        if not (cursor := page["nextCursor"]):
            return items


async def test_every_colour_count_of_every_feature_is_reproduced_by_the_enterprises_listed_behind_it(client):
    for username in ("admin", "regulator_dinghai", "inspector1"):
        headers = await login(client, username)
        collection = (await client.get("/v1/risk-map/regions", headers=headers)).json()
        assert collection["features"]
        for feature in collection["features"]:
            props = feature["properties"]
            everyone = await listed(client, headers, props["code"])
            assert len(everyone) == props["enterprises"] == len({e["enterpriseId"] for e in everyone})
            for colour in COLOURS:
                of_colour = await listed(client, headers, props["code"], color=colour)
                assert len(of_colour) == props["counts"][colour], (username, props["code"], colour)
                assert {e["color"] for e in of_colour} <= {colour}
                assert {e["enterpriseId"] for e in of_colour} <= {e["enterpriseId"] for e in everyone}
            for enterprise in everyone:  # each listed colour is the enterprise's own code
                code = (
                    await client.get(f"/v1/enterprises/{enterprise['enterpriseId']}/safety-code", headers=headers)
                ).json()
                assert (code["color"], code["score"]) == (enterprise["color"], enterprise["score"])


async def test_the_drill_down_keeps_the_map_scopes(client):
    dinghai = await login(client, "regulator_dinghai")
    for outside in ("330903", "330900", "PT-LH-01", "999999"):
        refused = await client.get(f"/v1/risk-map/regions/{outside}/enterprises", headers=dinghai)
        assert (refused.status_code, refused.json()["code"]) == (404, "NOT_FOUND"), outside
    inspector = await login(client, "inspector1")
    assert len(await listed(client, inspector, "DH-CG-01")) == 2
    for outside in ("DH-CG-02", "330902", "330902007"):
        refused = await client.get(f"/v1/risk-map/regions/{outside}/enterprises", headers=inspector)
        assert (refused.status_code, refused.json()["code"]) == (404, "NOT_FOUND"), outside
    officer = await login(client, "officer1")
    refused = await client.get("/v1/risk-map/regions/330902/enterprises", headers=officer)
    assert (refused.status_code, refused.json()["code"]) == (403, "FORBIDDEN")
    bad = await client.get("/v1/risk-map/regions/330902/enterprises", params={"color": "purple"}, headers=dinghai)
    assert (bad.status_code, bad.json()["code"]) == (400, "REQUEST_MALFORMED")


def drawn_areas(collection: dict) -> list[MapArea]:
    """The areas the PNG is drawn from, as the service builds them: grids by their short codes, regions by name."""
    return [
        MapArea(
            f["properties"]["code"] if f["properties"]["level"] == "grid" else f["properties"]["name"],
            f["properties"]["level"],
            Colour(f["properties"]["color"]) if f["properties"]["color"] else None,
            polygons_of(f["geometry"]),
        )
        for f in collection["features"]
    ]


def own_pixels(layout, index: int) -> Image.Image:
    """A mask of the pixels where area `index` shows its own paint: inside it, off what is drawn over it, eroded."""
    mask = Image.new("L", (WIDTH, HEIGHT), 0)
    draw = ImageDraw.Draw(mask)
    for ring in layout.areas[index].rings:
        draw.polygon(ring, fill=255)
    for later in layout.areas[index + 1 :]:
        for ring in later.rings:
            draw.polygon(ring, fill=0 if later.fill is not None else None)
            draw.line([*ring, ring[0]], fill=0, width=10)  # an unpainted town still has its outline
    for label in layout.labels:
        draw.rectangle(label.box, fill=0)
        if label.leader_to is not None:
            draw.line(
                (((label.box[0] + label.box[2]) / 2, (label.box[1] + label.box[3]) / 2), label.leader_to),
                fill=0,
                width=12,
            )
    return mask.filter(ImageFilter.MinFilter(9))  # off the outlines, which are at most 4 px wide


async def painted_areas(client, headers, params: dict) -> tuple[dict, object, Counter]:
    """The map's features, its layout, and per level how many areas were checked to show their own paint."""
    collection = (await client.get("/v1/risk-map/regions", params=params, headers=headers)).json()
    layout = layout_region_map(drawn_areas(collection))
    drawn = await client.get("/v1/risk-map/regions.png", params=params, headers=headers)
    image = Image.open(io.BytesIO(drawn.content)).convert("RGB")
    checked = Counter()
    for index, area in enumerate(layout.areas):
        if area.area.colour is None:
            continue
        assert area.fill == fill_rgb(area.area.colour, area.area.level)
        mask = own_pixels(layout, index)
        rgb_bytes, inside = image.tobytes(), mask.tobytes()
        pixels = [tuple(rgb_bytes[3 * i : 3 * i + 3]) for i, v in enumerate(inside) if v]
        if len(pixels) < 30:
            continue  # a town of the city map is mostly covered by its grid and the names
        share = sum(rgb == area.fill for rgb in pixels) / len(pixels)
        assert share > 0.99, (area.area.name, share)
        checked[area.area.level] += 1
    return collection, (layout, image), checked


async def test_the_drawn_maps_paint_each_area_in_its_colour_and_set_every_name_clear_of_the_others(client):
    dinghai = await login(client, "regulator_dinghai")
    collection, _, checked = await painted_areas(client, dinghai, {})
    coloured = Counter(f["properties"]["level"] for f in collection["features"] if f["properties"]["color"])
    assert checked == coloured and coloured["town"] >= 3 and coloured["grid"] >= 3  # every coloured area shows

    headers = await login(client, "regulator_city")
    collection, (layout, image), checked = await painted_areas(client, headers, {})
    districts = {f["properties"]["name"] for f in collection["features"] if f["properties"]["level"] == "district"}
    assert checked["district"] == len(districts) == 4  # every district's own colour shows around its towns
    # the three strengths of a colour differ: a district is never mistaken for the town or grid inside it
    assert len({fill_rgb(Colour.RED, level) for level in ("district", "town", "grid")}) == 3

    named = {label.name for label in layout.labels}
    grids = {f["properties"]["code"] for f in collection["features"] if f["properties"]["level"] == "grid"}
    assert districts | grids <= named and not layout.unplaced
    for n, label in enumerate(layout.labels):
        assert label.size >= 16
        assert (
            (label.box[2] <= WIDTH - 40)
            and (label.box[0] >= 40)
            and (label.box[1] >= 150)
            and (label.box[3] <= HEIGHT - 130)
        )
        for other in layout.labels[n + 1 :]:
            a, b = label.box, other.box
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (label.name, other.name)
        # the halo: the label's box holds white around dark letters, whatever it is drawn on
        crop = image.crop(tuple(round(v) for v in label.box)).convert("L")
        lightest, darkest = crop.getextrema()[1], crop.getextrema()[0]
        assert lightest == 255 and darkest < 80, label.name
