"""分级分类监管 on real databases: the demo city classified with reasons, the endpoints scoped like enterprises, and
a changed input (a confirmed listing, an open major hazard) moving the class once the job has run, chained."""

from __future__ import annotations

import json

from api.dependencies import services_of
from domain.evidence.services import verify_all
from domain.history.store import chain_rows, event_record
from domain.outbox.services import relay_outbox
from domain.outbox.tables import OutboxEntry
from domain.supervision.services import chain_id, reclassify
from tests.api.test_credit import enterprise_ids
from tests.api.test_safety_code import overdue_major_hazard
from tests.conftest import login
from workers.jobs.safety_code import recompute_safety_code
from workers.jobs.supervision import reclassify_all_enterprises, reclassify_enterprise

# what the demo's data gives under ZS-2026-1 (seed/supervision.py says why)
DEMO_CLASSES = {"E1": "A", "E2": "A", "E3": "B", "E4": "A", "E5": "C", "E6": "C", "E7": "D", "E8": "C", "E9": "C"}


def masked(response, asked: str) -> str:
    """The body with the id asked and the instance left out (they differ by construction)."""
    body = response.json()
    body.pop("instance", None)
    return json.dumps(body, sort_keys=True).replace(asked, "<id>")


async def all_classes(client, headers, **params) -> list[dict]:
    items, cursor = [], None
    while True:
        query = params | ({"cursor": cursor} if cursor else {})
        response = await client.get("/v1/supervision/classes", params=query, headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()
        items += page["items"]
        cursor = page["nextCursor"]
        if cursor is None:
            return items


async def test_every_demo_enterprise_has_a_class_with_its_reasons_and_visits(client):
    ids = await enterprise_ids()
    city = await login(client, "regulator_city")
    items = await all_classes(client, city, limit=2)  # paged through
    by_id = {item["enterpriseId"]: item for item in items}
    assert {key: by_id[ids[key]]["supervisionClass"] for key in ids} == DEMO_CLASSES
    for item in items:
        assert item["edition"] == "ZS-2026-1" and item["version"] >= 1 and item["label"]
        factors = [reason["factor"] for reason in item["reasons"]]
        assert factors[0] == "AFFILIATION" and factors[-1] == "POINTS_BAND"
        assert item["points"] == sum(reason["points"] for reason in item["reasons"])
        visits = item["visits"]
        assert visits["behind"] == (visits["done"] < visits["owedToDate"])
    e1 = by_id[ids["E1"]]
    assert {"LICENSED", "OPEN_MAJOR_HAZARDS", "SAFETY_CODE"} <= {r["factor"] for r in e1["reasons"]}
    assert (e1["visits"]["perYear"], e1["visits"]["owed"]) == ("4", 4)
    assert e1["visits"]["done"] == 1  # inspector1's inspection of a point of E1 today
    assert by_id[ids["E7"]]["visits"]["perYear"] == "0.5"
    # the filters
    assert {i["enterpriseId"] for i in await all_classes(client, city, **{"class": "A"})} == {
        ids[k] for k in ("E1", "E2", "E4")
    }
    behind = await all_classes(client, city, behind="true")
    assert behind and all(item["visits"]["behind"] for item in behind)
    not_behind = await all_classes(client, city, behind="false", limit=1)
    assert len(behind) + len(not_behind) == 9
    # the class code on the enterprise itself
    one = (await client.get(f"/v1/enterprises/{ids['E4']}", headers=city)).json()
    assert one["supervisionClass"] == "A"
    listed = (await client.get("/v1/enterprises", headers=city)).json()["items"]
    assert {e["id"]: e["supervisionClass"] for e in listed} == {ids[k]: c for k, c in DEMO_CLASSES.items()}


async def test_the_classes_are_scoped_like_the_enterprises(client):
    ids = await enterprise_ids()
    dinghai = await login(client, "regulator_dinghai")
    seen = await all_classes(client, dinghai)
    assert {item["enterpriseId"] for item in seen} == {ids[k] for k in ("E1", "E3", "E4", "E5")}
    assert all(item["regionCode"].startswith("330902") for item in seen)
    assert {i["enterpriseId"] for i in await all_classes(client, dinghai, regionCode="330902")} == {
        i["enterpriseId"] for i in seen
    }
    # another district's enterprise answers exactly like an unknown one
    other = await client.get(f"/v1/enterprises/{ids['E2']}/supervision-class", headers=dinghai)
    unknown = await client.get("/v1/enterprises/01ZZZZZZZZZZZZZZZZZZZZZZZZ/supervision-class", headers=dinghai)
    assert other.status_code == unknown.status_code == 404
    assert masked(other, ids["E2"]) == masked(unknown, "01ZZZZZZZZZZZZZZZZZZZZZZZZ")
    # another district's code as a filter: 404 like an unknown code
    assert (
        await client.get("/v1/supervision/classes", params={"regionCode": "330903"}, headers=dinghai)
    ).status_code == 404
    # a grid inspector sees the enterprises of their grid
    inspector = await login(client, "inspector1")
    assert {i["enterpriseId"] for i in await all_classes(client, inspector)} == {ids["E1"], ids["E4"]}
    # enterprise staff: no list, but their own enterprise's class (how they are supervised)
    officer = await login(client, "officer1")
    refused = await client.get("/v1/supervision/classes", headers=officer)
    assert refused.status_code == 403 and refused.json()["code"] == "FORBIDDEN"
    own = await client.get(f"/v1/enterprises/{ids['E1']}/supervision-class", headers=officer)
    assert own.status_code == 200 and own.json()["supervisionClass"] == "A"
    assert (await client.get(f"/v1/enterprises/{ids['E4']}/supervision-class", headers=officer)).status_code == 404
    assert (await client.get("/v1/supervision/classes")).status_code == 401


async def settle(app, enterprise_id: str, passes: int = 4) -> None:
    """Relay the outbox and run its jobs until nothing is pending (the code's recompute queues the reclassification)."""
    dispatcher = services_of(app).dispatcher
    for _ in range(passes):
        await relay_outbox(dispatcher)
        await dispatcher.drain()


async def test_a_confirmed_listing_moves_the_class_after_the_job_with_a_chained_event(client, app):
    ids = await enterprise_ids()
    e5 = ids["E5"]
    await services_of(app).relay.stop()  # the outbox is relayed by hand here, so "before the job" is observable
    regulator = await login(client, "regulator_dinghai")
    url = f"/v1/enterprises/{e5}/supervision-class"
    before = (await client.get(url, headers=regulator)).json()
    assert (before["supervisionClass"], before["version"]) == ("C", 1)
    # the last page of the sync feed, to see the enterprise come back with its new class
    cursor = None
    while True:
        page = (
            await client.get("/v1/sync/changes", params={"since": cursor} if cursor else {}, headers=regulator)
        ).json()
        cursor = page["nextCursor"]
        if not page["hasMore"]:
            break

    [candidate] = (await client.get("/v1/blacklist/candidates", headers=regulator)).json()["items"]
    assert candidate["enterpriseId"] == e5
    confirmed = await client.post(f"/v1/blacklist/{candidate['id']}/confirm", json={}, headers=regulator)
    assert confirmed.status_code == 200, confirmed.text
    assert (await client.get(url, headers=regulator)).json()["supervisionClass"] == "C"  # the job has not run yet

    await settle(app, e5)
    after = (await client.get(url, headers=regulator)).json()
    assert (after["supervisionClass"], after["version"]) == ("A", 2)
    vetoes = [r for r in after["reasons"] if r["atLeast"] == "A"]
    assert [r["factor"] for r in vetoes] == ["CREDIT_LISTED"]
    events = await chain_rows(chain_id(e5))
    assert len(events) == 2
    payload = event_record(events[-1])["payload"]
    assert (payload["from"], payload["to"], payload["edition"]) == ("C", "A", "ZS-2026-1")
    assert (await verify_all(services_of(app).settings.var_dir)).ok

    # recomputing to the same class with the same reasons writes nothing
    ctx = {"settings": services_of(app).settings, "engine": services_of(app).engine}
    assert (await reclassify_enterprise(ctx, e5))["changed"] is False
    assert (await reclassify_all_enterprises(ctx))["changed"] == 0
    assert len(await chain_rows(chain_id(e5))) == 2
    # the phone hears of it through the enterprise in the sync feed
    changes = (await client.get("/v1/sync/changes", params={"since": cursor}, headers=regulator)).json()["changes"]
    mine = [c for c in changes if c["kind"] == "enterprise" and c["id"] == e5]
    assert mine and mine[-1]["data"]["supervisionClass"] == "A"


async def queued_reclassifications(enterprise_id: str) -> int:
    return await OutboxEntry.count().where(
        OutboxEntry.job_name == "reclassify_enterprise",
        OutboxEntry.args == f'["{enterprise_id}"]',
        OutboxEntry.relayed_at.is_null(),
    )


async def test_an_open_major_hazard_moves_the_class_through_the_safety_code_hook(db):
    settings, engine = db
    e5 = (await enterprise_ids())["E5"]
    assert (await reclassify(e5)).changed is False  # the seed classified it already
    await overdue_major_hazard(settings, e5)
    ctx = {"settings": settings, "engine": engine}
    queued = await queued_reclassifications(e5)
    # the hazard's follow-up recomputes the safety code, whose changed figures queue the reclassification
    await recompute_safety_code(ctx, e5)
    assert await queued_reclassifications(e5) == queued + 1
    result = await reclassify_enterprise(ctx, e5)
    assert (result["class"], result["changed"], result["class_changed"]) == ("A", True, True)
    record = (await reclassify(e5)).record
    reasons = {reason["factor"]: reason for reason in record.reasons}
    assert reasons["OPEN_MAJOR_HAZARDS"]["atLeast"] == "A" and reasons["SAFETY_CODE"]["value"] == "红码"
    assert (await reclassify_enterprise(ctx, e5))["changed"] is False
    events = await chain_rows(chain_id(e5))
    assert [event_record(row)["payload"]["to"] for row in events] == ["C", "A"]
    assert (await verify_all(settings.var_dir)).ok
