"""Administrators build the organisation tree and the accounts through the API."""

from seed.scenario import demo_credit_code
from tests.conftest import login


async def test_an_admin_builds_a_town_grid_enterprise_and_officer_who_then_sees_it(client):
    admin = await login(client, "admin")
    town = await client.post(
        "/v1/admin/regions",
        json={"code": "330902011", "name": "测试街道", "level": "town", "parentCode": "330902"},
        headers=admin,
    )
    assert town.status_code == 201, town.text
    grid = await client.post(
        "/v1/admin/grids", json={"code": "DH-TEST-01", "name": "测试网格", "regionCode": "330902011"}, headers=admin
    )
    assert grid.status_code == 201, grid.text
    enterprise = await client.post(
        "/v1/admin/enterprises",
        json={
            "creditCode": demo_credit_code("330902", 77),
            "name": "测试液氨冷库",
            "industry": "aquatic_processing",
            "gridId": grid.json()["id"],
            "lat": 30.0,
            "lng": 122.1,
        },
        headers=admin,
    )
    assert enterprise.status_code == 201, enterprise.text
    body = enterprise.json()
    assert body["regionCode"] == "330902011" and body["highRisk"] is True
    user = await client.post(
        "/v1/admin/users",
        json={
            "username": "officer_test",
            "name": "测试安全员",
            "password": "Zhoushan#Safety7",
            "role": "officer",
            "enterpriseId": body["id"],
        },
        headers=admin,
    )
    assert user.status_code == 201, user.text
    officer = await login(client, "officer_test", "Zhoushan#Safety7")
    listed = (await client.get("/v1/enterprises", headers=officer)).json()["items"]
    assert [item["id"] for item in listed] == [body["id"]]
    dinghai = await login(client, "regulator_dinghai")
    assert (await client.get(f"/v1/enterprises/{body['id']}", headers=dinghai)).status_code == 200


async def test_moving_an_enterprise_to_another_grid_moves_it_out_of_the_old_scope(client):
    admin = await login(client, "admin")
    officer1 = await login(client, "officer1")
    enterprise = (await client.get("/v1/enterprises", headers=officer1)).json()["items"][0]
    grids = {grid["code"]: grid["id"] for grid in (await client.get("/v1/grids", headers=admin)).json()}
    moved = await client.patch(
        f"/v1/admin/enterprises/{enterprise['id']}", json={"gridId": grids["PT-LH-01"]}, headers=admin
    )
    assert moved.status_code == 200
    assert moved.json()["regionCode"] == "330903100"
    assert moved.json()["version"] == enterprise["version"] + 1
    dinghai = await login(client, "regulator_dinghai")
    assert (await client.get(f"/v1/enterprises/{enterprise['id']}", headers=dinghai)).status_code == 404


async def test_messages_follow_accept_language(client):
    admin = await login(client, "admin")
    body = {"creditCode": "91330100716105852G", "name": "x", "industry": "trade", "gridId": "01ABC"}
    english = await client.post(
        "/v1/admin/enterprises", json=body, headers=admin | {"Accept-Language": "en-US,en;q=0.9"}
    )
    chinese = await client.post(
        "/v1/admin/enterprises", json=body, headers=admin | {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}
    )
    assert english.status_code == chinese.status_code == 422
    assert english.json()["code"] == chinese.json()["code"] == "ENTERPRISE_CREDIT_CODE_INVALID"
    assert english.json()["title"] == "The unified social credit code is invalid"
    assert chinese.json()["title"] == "统一社会信用代码无效"
    assert chinese.headers["content-language"] == "zh-CN"


async def test_the_region_tree_is_listed_parents_first(client):
    regions = (await client.get("/v1/regions", headers=await login(client, "officer1"))).json()
    assert regions[0]["code"] == "330900"
    seen = set()
    for region in regions:
        assert region["parentCode"] is None or region["parentCode"] in seen
        seen.add(region["code"])
    assert {"330902", "330903", "330921", "330922"} <= seen
