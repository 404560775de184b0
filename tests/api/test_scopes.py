"""Nobody sees what is not theirs: scopes through the real API."""

from seed.zhoushan import ENTERPRISES, GRIDS
from tests.conftest import login


async def _all_enterprises(client, headers) -> list[dict]:
    items, cursor = [], None
    while True:
        query = "/v1/enterprises?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = (await client.get(query, headers=headers)).json()
        items += page["items"]
        cursor = page["nextCursor"]
        if not cursor:
            return items


def _names_where(predicate) -> set[str]:
    towns = {code: town for code, _, town in GRIDS}
    return {name for _, name, _, grid, *_ in ENTERPRISES if predicate(grid, towns[grid])}


async def test_officer1_gets_404_for_enterprise_2_exactly_like_a_missing_id(client):
    officer1 = await login(client, "officer1")
    officer2 = await login(client, "officer2")
    enterprise2 = (await client.get("/v1/enterprises", headers=officer2)).json()["items"][0]
    hidden = await client.get(f"/v1/enterprises/{enterprise2['id']}", headers=officer1)
    missing = await client.get("/v1/enterprises/01ZZZZZZZZZZZZZZZZZZZZZZZZ", headers=officer1)
    assert hidden.status_code == missing.status_code == 404
    assert set(hidden.json()) == set(missing.json())
    assert hidden.json()["code"] == missing.json()["code"] == "NOT_FOUND"


async def test_officer1_lists_only_enterprise_1(client):
    names = {item["name"] for item in await _all_enterprises(client, await login(client, "officer1"))}
    assert names == {ENTERPRISES[0][1]}


async def test_inspector1_lists_only_its_grids_enterprises(client):
    names = {item["name"] for item in await _all_enterprises(client, await login(client, "inspector1"))}
    assert names == _names_where(lambda grid, town: grid == "DH-CG-01")
    assert len(names) == 2


async def test_regulator_dinghai_lists_only_dinghai_enterprises(client):
    names = {item["name"] for item in await _all_enterprises(client, await login(client, "regulator_dinghai"))}
    assert names == _names_where(lambda grid, town: town.startswith("330902"))
    assert len(names) == 4


async def test_regulator_city_lists_all_enterprises_across_pages(client):
    items = await _all_enterprises(client, await login(client, "regulator_city"))
    assert len(items) == len({item["id"] for item in items}) == len(ENTERPRISES)
    assert [item["id"] for item in items] == sorted(item["id"] for item in items)


async def test_a_regulator_cannot_use_admin_endpoints(client):
    regulator = await login(client, "regulator_city")
    response = await client.get("/v1/admin/users", headers=regulator)
    assert response.status_code == 403 and response.json()["code"] == "FORBIDDEN"
