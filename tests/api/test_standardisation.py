"""Safety standardisation through the real API, on both engines: grades and their chain, frozen scope lists, and the
compliance rate reproduced by the member lists behind it."""

from __future__ import annotations

from datetime import timedelta

from domain.clock import utcnow
from domain.history.chain import verify_chain
from domain.history.store import chain_rows, event_record
from domain.org.tables import Enterprise
from domain.standardisation.model import GradeTerm, default_valid_to, is_valid_on
from domain.standardisation.store import grade_holders_on
from domain.standardisation.tables import StandardisationGrade, StandardisationScopeMember
from domain.statutory.model import local_date
from seed import zhoushan
from seed.standardisation import SCOPE_NAME
from tests.conftest import login


async def enterprise_ids() -> dict[str, str]:
    """The demo enterprises' ids by key (E1…E9)."""
    by_name = {row["name"]: row["id"] for row in await Enterprise.select(Enterprise.name, Enterprise.id).run()}
    return {key: by_name[name] for key, name, *_ in zhoushan.ENTERPRISES}


def today():
    return local_date(utcnow())


async def all_members(client, headers, link: str) -> list[dict]:
    """Every member behind a figure, following the cursor one member at a time."""
    items, url = [], f"{link}&limit=1"
    while url:
        response = await client.get(url, headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()
        items += page["items"]
        url = f"{link}&limit=1&cursor={page['nextCursor']}" if page["nextCursor"] else None
    return items


async def test_anyone_who_sees_the_enterprise_sees_its_grades_and_the_valid_one(client):
    ids = await enterprise_ids()
    for user in ("officer1", "principal1", "inspector1", "regulator_dinghai", "regulator_city", "admin"):
        response = await client.get(f"/v1/enterprises/{ids['E1']}/standardisation", headers=await login(client, user))
        assert response.status_code == 200, (user, response.text)
        body = response.json()
        assert body["current"]["grade"] == "second" and body["current"]["status"] == "valid"
    officer = await login(client, "officer1")
    for key in ("E2", "E4"):
        response = await client.get(f"/v1/enterprises/{ids[key]}/standardisation", headers=officer)
        assert response.status_code == 404 and response.json()["code"] == "NOT_FOUND"
    revoked = (
        await client.get(f"/v1/enterprises/{ids['E4']}/standardisation", headers=await login(client, "regulator_city"))
    ).json()
    assert revoked["current"] is None and [g["status"] for g in revoked["grades"]] == ["revoked"]
    expired = (
        await client.get(f"/v1/enterprises/{ids['E3']}/standardisation", headers=await login(client, "admin"))
    ).json()
    assert expired["current"] is None and [g["status"] for g in expired["grades"]] == ["expired"]
    # asked about a day inside the term, the expired grade was valid then
    day = expired["grades"][0]["validTo"]
    then = (
        await client.get(
            f"/v1/enterprises/{ids['E3']}/standardisation?date={day}", headers=await login(client, "admin")
        )
    ).json()
    assert then["current"]["status"] == "valid"


async def test_a_regulator_records_and_revokes_grades_in_scope_and_each_change_is_a_chained_event(client):
    ids = await enterprise_ids()
    dinghai = await login(client, "regulator_dinghai")
    start = today() - timedelta(days=30)
    body = {
        "grade": "first",
        "certificateNo": "浙AQBⅠ(2026)0100",
        "authority": "浙江省应急管理厅",
        "validFrom": start.isoformat(),
    }
    created = await client.post(f"/v1/enterprises/{ids['E1']}/standardisation", json=body, headers=dinghai)
    assert created.status_code == 201, created.text
    grade = created.json()
    assert grade["validTo"] == default_valid_to(start).isoformat()  # three years less a day
    assert grade["status"] == "valid"
    view = (await client.get(f"/v1/enterprises/{ids['E1']}/standardisation", headers=dinghai)).json()
    assert view["current"]["id"] == grade["id"]  # 一级 outranks the 二级 it also holds
    again = await client.post(f"/v1/enterprises/{ids['E1']}/standardisation", json=body, headers=dinghai)
    assert again.status_code == 409 and again.json()["code"] == "ALREADY_EXISTS"
    # outside the district, and roles that do not record grades
    elsewhere = await client.post(f"/v1/enterprises/{ids['E2']}/standardisation", json=body, headers=dinghai)
    assert elsewhere.status_code == 404
    for user in ("officer1", "principal1", "inspector1"):
        refused = await client.post(
            f"/v1/enterprises/{ids['E1']}/standardisation",
            json=body | {"certificateNo": user},
            headers=await login(client, user),
        )
        assert refused.status_code == 403 and refused.json()["code"] == "FORBIDDEN", user

    revoke = {"revokedOn": today().isoformat(), "reason": "复评不合格"}
    path = f"/v1/enterprises/{ids['E1']}/standardisation/{grade['id']}/revoke"
    revoked = await client.post(path, json=revoke, headers=dinghai)
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["status"] == "revoked" and revoked.json()["revocationReason"] == "复评不合格"
    twice = await client.post(path, json=revoke, headers=dinghai)
    assert twice.status_code == 409 and twice.json()["code"] == "STANDARDISATION_GRADE_REVOKED"
    view = (await client.get(f"/v1/enterprises/{ids['E1']}/standardisation", headers=dinghai)).json()
    assert view["current"]["grade"] == "second"  # the revoked 一级 no longer counts; the 二级 still does
    assert await StandardisationGrade.count().where(StandardisationGrade.id == grade["id"]) == 1  # kept, not deleted

    rows = await chain_rows(f"std:{ids['E1']}")
    assert [row["name"] for row in rows][-2:] == ["StandardisationGradeRecorded", "StandardisationGradeRevoked"]
    assert verify_chain(event_record(row) for row in rows).ok


async def test_the_seeded_rate_is_reproduced_by_the_lists_behind_it(client):
    ids = await enterprise_ids()
    city = await login(client, "regulator_city")
    response = await client.get("/v1/stats/standardisation", params={"regionCode": "330900"}, headers=city)
    assert response.status_code == 200, response.text
    figure = response.json()
    assert figure["scopeName"] == SCOPE_NAME and figure["date"] == today().isoformat()
    # above-size enterprises of high-risk industries: E1–E4; E3's grade expired, E4's was revoked
    assert (figure["numerator"], figure["denominator"], figure["rate"]) == (2, 4, "0.5000")
    numerator = await all_members(client, city, figure["links"]["numerator"])
    denominator = await all_members(client, city, figure["links"]["denominator"])
    assert len(numerator) == figure["numerator"] and len(denominator) == figure["denominator"]
    assert {m["enterpriseId"] for m in numerator} == {ids["E1"], ids["E2"]}
    assert {m["enterpriseId"] for m in denominator} == {ids[k] for k in ("E1", "E2", "E3", "E4")}
    assert {m["enterpriseId"] for m in numerator} <= {m["enterpriseId"] for m in denominator}
    assert sorted(m["grade"] or "" for m in denominator) == ["", "", "second", "third"]

    # before E4's revocation and E3's expiry, every member was compliant; the same list, another day
    earlier = (today() - timedelta(days=100)).isoformat()
    back = (
        await client.get(
            "/v1/stats/standardisation", params={"scopeId": figure["scopeId"], "date": earlier}, headers=city
        )
    ).json()
    assert (back["numerator"], back["denominator"], back["rate"]) == (4, 4, "1.0000")
    assert len(await all_members(client, city, back["links"]["numerator"])) == 4


async def test_a_district_regulator_sees_the_city_list_narrowed_to_the_district_and_nothing_outside(client):
    ids = await enterprise_ids()
    dinghai = await login(client, "regulator_dinghai")
    figure = (await client.get("/v1/stats/standardisation", headers=dinghai)).json()
    # 定海 holds E1 (valid), E3 (expired) and E4 (revoked) of the city list
    assert (figure["regionCode"], figure["numerator"], figure["denominator"]) == ("330902", 1, 3)
    members = await all_members(client, dinghai, figure["links"]["denominator"])
    assert {m["enterpriseId"] for m in members} == {ids["E1"], ids["E3"], ids["E4"]}
    # the city as a whole, a sibling district, an unknown list: all answer like missing
    for params in ({"regionCode": "330900"}, {"regionCode": "330903"}, {"scopeId": "01ZZZZZZZZZZZZZZZZZZZZZZZZ"}):
        refused = await client.get("/v1/stats/standardisation", params=params, headers=dinghai)
        assert refused.status_code == 404 and refused.json()["code"] == "NOT_FOUND", params
        listed = await client.get(
            "/v1/stats/standardisation/members", params=params | {"part": "denominator"}, headers=dinghai
        )
        assert listed.status_code == 404, params
    for user in ("officer1", "principal1", "inspector1"):
        refused = await client.get("/v1/stats/standardisation", headers=await login(client, user))
        assert refused.status_code == 403, user


async def test_a_frozen_list_keeps_its_members_when_enterprises_change_later(client):
    ids = await enterprise_ids()
    dinghai, admin = await login(client, "regulator_dinghai"), await login(client, "admin")
    body = {
        "name": "定海区危化及油品储运企业",
        "asOf": today().isoformat(),
        "regionCode": "330902",
        "industries": ["oil_storage", "hazardous_chemicals"],
    }
    created = await client.post("/v1/stats/standardisation/scopes", json=body, headers=dinghai)
    assert created.status_code == 201, created.text
    scope = created.json()
    assert scope["memberCount"] == 2 and scope["criteria"]["industries"] == ["hazardous_chemicals", "oil_storage"]
    listed = (await client.get("/v1/stats/standardisation/scopes", headers=dinghai)).json()
    assert scope["id"] in [s["id"] for s in listed]
    assert (await client.get(f"/v1/stats/standardisation/scopes/{scope['id']}", headers=dinghai)).status_code == 200
    # the city's regulator sees a list of one of its districts
    assert (
        await client.get(
            f"/v1/stats/standardisation/scopes/{scope['id']}", headers=await login(client, "regulator_city")
        )
    ).status_code == 200

    changed = await client.patch(f"/v1/admin/enterprises/{ids['E4']}", json={"industry": "machinery"}, headers=admin)
    assert changed.status_code == 200, changed.text
    figure = (await client.get("/v1/stats/standardisation", params={"scopeId": scope["id"]}, headers=dinghai)).json()
    assert (figure["numerator"], figure["denominator"]) == (1, 2)  # E4 stays on the list it was frozen onto
    members = await StandardisationScopeMember.select().where(StandardisationScopeMember.scope_id == scope["id"]).run()
    assert {m["enterprise_id"]: m["industry"] for m in members}[ids["E4"]] == "hazardous_chemicals"
    rows = await chain_rows(f"std-scope:{scope['id']}")
    assert len(rows) == 1 and event_record(rows[0])["payload"]["members"] == sorted([ids["E1"], ids["E4"]])

    # without a scopeId the newest list covering the district answers: this one
    latest = (await client.get("/v1/stats/standardisation", headers=dinghai)).json()
    assert latest["scopeId"] == scope["id"]
    for refused_body, status in [
        (body | {"regionCode": "330903"}, 404),
        (body | {"asOf": (today() + timedelta(days=2)).isoformat()}, 422),
    ]:
        refused = await client.post("/v1/stats/standardisation/scopes", json=refused_body, headers=dinghai)
        assert refused.status_code == status, refused.text


async def test_the_sql_validity_rule_agrees_with_the_pure_rule_on_every_boundary_day(client):
    rows = await StandardisationGrade.select().run()
    days = {today()}
    for row in rows:
        for day in (row["valid_from"], row["valid_to"], row["revoked_on"]):
            if day is not None:
                days |= {day - timedelta(days=1), day, day + timedelta(days=1)}
    assert len(rows) >= 7
    for day in sorted(days):
        holders = await grade_holders_on(day)
        expected = {
            row["enterprise_id"]
            for row in rows
            if is_valid_on(GradeTerm(row["valid_from"], row["valid_to"], row["revoked_on"]), day)
        }
        assert holders == expected, day
