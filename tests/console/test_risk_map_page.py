"""四色动态风险图 on both engines: the same colours as `/v1/risk-map/regions`, drilling down by links, scopes held."""

from __future__ import annotations

import re

from tests.conftest import login

AREA = re.compile(r'<a href="(/console/map\?region=[^"]+)" data-region="([^"]+)" data-colour="([a-z]+)"')


def areas_of(page: str) -> dict[str, tuple[str, str]]:
    """The polygons drawn: code → (link, colour)."""
    return {code: (href, colour) for href, code, colour in AREA.findall(page)}


async def api_colours(client, headers, code: str) -> dict[str, str]:
    collection = (await client.get("/v1/risk-map/regions", headers=headers, params={"regionCode": code})).json()
    return {f["properties"]["code"]: f["properties"]["color"] or "none" for f in collection["features"]}


async def test_the_city_regulator_drills_from_the_city_to_a_district_and_a_town(console_as, client):
    browser = await console_as("regulator_city")
    headers = await login(client, "regulator_city")
    city = await browser.get("/console/map")
    assert city.status_code == 200, city.text[:500]
    drawn = areas_of(city.text)
    assert "330902" in drawn, "定海区 is drawn as a polygon"
    expected = await api_colours(client, headers, "330900")
    for code, (_, colour) in drawn.items():
        assert colour == expected[code], code
    assert "图例" in city.text and "红色" in city.text and "蓝色" in city.text
    district = await browser.get(drawn["330902"][0])
    assert district.status_code == 200 and "定海区" in district.text
    towns = areas_of(district.text)
    assert towns and all(code.startswith("330902") for code in towns)
    expected = await api_colours(client, headers, "330902")
    for code, (_, colour) in towns.items():
        assert colour == expected[code], code
    coloured = next(code for code, (_, colour) in towns.items() if colour != "none")
    town = await browser.get(towns[coloured][0])
    assert town.status_code == 200
    assert 'data-child="' in town.text or "网格" in town.text


async def test_the_side_list_groups_the_regions_enterprises_by_colour(console_as, client):
    browser = await console_as("regulator_dinghai")
    page = await browser.get("/console/map")
    assert page.status_code == 200
    headers = await login(client, "regulator_dinghai")
    listed = (
        await client.get("/v1/risk-map/regions/330902/enterprises", headers=headers, params={"limit": 1000})
    ).json()
    for item in listed["items"]:
        block = re.search(rf'<ul class="enterprise-list" data-colour="{item["color"]}">(.*?)</ul>', page.text, re.S)
        assert block and f'data-enterprise="{item["enterpriseId"]}"' in block.group(1), item["name"]


async def test_a_grid_opens_its_enterprises(console_as):
    browser = await console_as("regulator_dinghai")
    grid = await browser.get("/console/map", params={"region": "DH-CG-01"})
    assert grid.status_code == 200, grid.text[:300]
    assert "DH-CG-01" in grid.text


async def test_another_district_is_the_same_404_as_an_unknown_code(console_as):
    browser = await console_as("regulator_dinghai")
    other = await browser.get("/console/map", params={"region": "330903"})
    unknown = await browser.get("/console/map", params={"region": "330999"})
    assert other.status_code == unknown.status_code == 404
    assert other.text == unknown.text
    city = await browser.get("/console/map", params={"region": "330900"})
    assert city.status_code == 404 and city.text == unknown.text


async def test_an_inspector_sees_their_grids(console_as):
    browser = await console_as("inspector1")
    page = await browser.get("/console/map")
    assert page.status_code == 200
    assert "DH-CG-01" in page.text
