"""Inspection tasks and inspections through the real API, on both engines."""

from __future__ import annotations

import asyncio
import itertools
from datetime import datetime, timedelta

from domain.clock import utcnow
from domain.hazards.tables import Hazard
from domain.history.chain import verify_chain
from domain.history.store import chain_rows, event_record
from domain.history.tables import HistoryEvent
from domain.inspections.model import LOCAL_TIME, Cycle, window_at, windows_between
from domain.inspections.services import DEFAULT_HORIZON, generate_tasks
from domain.inspections.tables import Inspection, InspectionResult, InspectionTask
from tests.conftest import login
from workers.jobs.inspections import generate_inspection_tasks

_serial = itertools.count(1)
CRITERION = "HC2017-05"  # 2017 chemical list: tank farms of major hazard sources without emergency cut-off


def at(delta: timedelta = timedelta()) -> str:
    """A time as a phone in Zhoushan writes it (+08:00); answers give it back in UTC."""
    return (utcnow().astimezone(LOCAL_TIME) + delta).isoformat()


async def new_point(client, officer) -> dict:
    """A fresh point of officer1's enterprise with two daily items, the first citing a major-hazard criterion."""
    enterprise_id = (await client.get("/v1/me", headers=officer)).json()["enterpriseId"]
    body = {"kind": "device", "name": f"{next(_serial)}号储罐紧急切断阀", "lat": 30.05, "lng": 121.95}
    point = (await client.post(f"/v1/enterprises/{enterprise_id}/risk-points", json=body, headers=officer)).json()
    items = []
    for fields in ({"content": "紧急切断阀处于投用状态", "criterionId": CRITERION}, {"content": "防火堤雨排阀关闭"}):
        response = await client.post(
            f"/v1/risk-points/{point['id']}/checklist", json=fields | {"cycleN": 1, "cycleUnit": "day"}, headers=officer
        )
        assert response.status_code == 201, response.text
        items.append(response.json())
    return point | {"items": items}


def inspection(point: dict, *, failed: tuple[int, ...] = (), **fields) -> dict:
    """A body inspecting every item of the point, failing the ones at the given positions."""
    results = [
        {"itemId": item["id"], "ok": n not in failed} | ({"note": "阀门处于手动旁路"} if n in failed else {})
        for n, item in enumerate(point["items"])
    ]
    return {
        "clientId": f"insp-{next(_serial)}",
        "riskPointId": point["id"],
        "startedAt": at(timedelta(minutes=-20)),
        "finishedAt": at(timedelta(seconds=-5)),
        "results": results,
    } | fields


async def stored() -> tuple[int, ...]:
    """How many inspections, results, hazards, events and done tasks there are."""
    done = await InspectionTask.count().where(InspectionTask.status == "done")
    return (
        await Inspection.count(),
        await InspectionResult.count(),
        await Hazard.count(),
        await HistoryEvent.count(),
        done,
    )


async def test_generating_tasks_twice_creates_nothing_more_and_missed_is_recomputed(client):
    point = await new_point(client, await login(client, "officer1"))
    now = utcnow()
    first = await generate_tasks(now=now)
    assert first.created >= 2
    assert (await generate_tasks(now=now)).created == 0
    assert (await generate_inspection_tasks({}))["created"] == 0  # the hourly job runs the same service
    tasks = await InspectionTask.select().where(InspectionTask.risk_point_id == point["id"]).run()
    windows = list(windows_between(Cycle(1, "day"), now, now + DEFAULT_HORIZON))
    assert sorted(t["window_key"] for t in tasks) == sorted(w.key(i["id"]) for w in windows for i in point["items"])
    assert {t["status"] for t in tasks} == {"open"}
    later = now + timedelta(days=3)
    assert (await generate_tasks(now=later)).missed >= 6
    again = await generate_tasks(now=later)
    assert (again.created, again.missed) == (0, 0)
    # the skipped days got their tasks too, and every ended one is missed
    ended = (
        await InspectionTask.select()
        .where(InspectionTask.risk_point_id == point["id"], InspectionTask.window_end <= later)
        .run()
    )
    assert len(ended) == 6 and {t["status"] for t in ended} == {"missed"}
    await generate_tasks(now=now)  # asked about now again, the windows not yet ended are open once more
    still = (
        await InspectionTask.select()
        .where(InspectionTask.risk_point_id == point["id"], InspectionTask.window_end > now)
        .run()
    )
    assert len(still) == 2 * len(list(windows_between(Cycle(1, "day"), now, later + DEFAULT_HORIZON)))
    assert {t["status"] for t in still} == {"open"}


async def test_an_officer_sees_the_due_tasks_of_their_enterprise_only(client):
    officer, stranger = await login(client, "officer1"), await login(client, "officer2")
    point = await new_point(client, officer)
    await generate_tasks()
    own = (await client.get("/v1/tasks", params={"due": "true", "limit": "1000"}, headers=officer)).json()
    enterprise_id = (await client.get("/v1/me", headers=officer)).json()["enterpriseId"]
    assert own["items"] and len(own["items"]) <= 100
    assert {t["enterpriseId"] for t in own["items"]} == {enterprise_id}
    now = utcnow()
    assert all(
        t["status"] == "open"
        and datetime.fromisoformat(t["windowStart"]) <= now < datetime.fromisoformat(t["windowEnd"])
        for t in own["items"]
    )
    mine = (await client.get("/v1/tasks", params={"due": "true", "riskPointId": point["id"]}, headers=officer)).json()
    assert sorted(t["content"] for t in mine["items"]) == sorted(item["content"] for item in point["items"])
    assert {t["riskPointName"] for t in mine["items"]} == {point["name"]}
    theirs = (await client.get("/v1/tasks", params={"due": "true", "limit": "100"}, headers=stranger)).json()
    assert not {t["id"] for t in theirs["items"]} & {t["id"] for t in own["items"]}
    assert enterprise_id not in {t["enterpriseId"] for t in theirs["items"]}
    peek = await client.get("/v1/tasks", params={"due": "true", "riskPointId": point["id"]}, headers=stranger)
    assert peek.status_code == 200 and peek.json()["items"] == []


async def test_the_task_list_pages_in_a_stable_order_to_the_end(client):
    officer = await login(client, "officer1")
    await new_point(client, officer)
    await generate_tasks()
    for due, key, reverse in (("true", "windowEnd", False), ("false", "windowStart", True)):
        seen, cursor = [], None
        while True:
            params = {"due": due, "limit": "7"} | ({"cursor": cursor} if cursor else {})
            page = (await client.get("/v1/tasks", params=params, headers=officer)).json()
            seen += page["items"]
            if not (cursor := page["nextCursor"]):
                break
        assert len({t["id"] for t in seen}) == len(seen) > 7
        order = [(t[key], t["id"]) for t in seen]
        assert order == sorted(order, reverse=reverse)
    refused = await client.get("/v1/tasks", params={"cursor": "abc"}, headers=officer)
    assert refused.status_code == 422 and refused.json()["code"] == "VALIDATION_FAILED"


async def test_an_inspection_sent_three_times_is_stored_once_with_one_major_hazard_and_one_event(client):
    officer = await login(client, "officer1")
    point = await new_point(client, officer)
    await generate_tasks()
    body = inspection(point, failed=(0,))
    before = await stored()
    first = await client.post("/v1/inspections", json=body, headers=officer)
    assert first.status_code == 201, first.text
    made = first.json()
    for _ in range(2):
        again = await client.post("/v1/inspections", json=body, headers=officer)
        assert again.status_code == 200 and again.json() == made
    inspections, results, hazards, events, done = await stored()
    assert (inspections, results, hazards, events, done) == (
        before[0] + 1,
        before[1] + 2,
        before[2] + 1,
        before[3] + 2,
        before[4] + 2,
    )  # the hazard's first link, and ours
    assert (made["itemsChecked"], made["itemsFailed"], made["inspectorRole"]) == (2, 1, "officer")
    failed, passed = made["results"]
    assert passed["hazardId"] is None and failed["hazardId"]
    events = await chain_rows(made["id"])
    assert [e["name"] for e in events] == ["InspectionRecorded"] and verify_chain(map(event_record, events)).ok
    hazard = (await client.get(f"/v1/hazards/{failed['hazardId']}", headers=officer)).json()
    assert (hazard["level"], hazard["levelConfirmed"], hazard["majorCriterionId"]) == ("major", False, CRITERION)
    assert (hazard["inspectionId"], hazard["riskPointId"], hazard["source"]) == (made["id"], point["id"], "daily")
    assert hazard["title"] == point["items"][0]["content"] and hazard["description"] == "阀门处于手动旁路"
    finished = datetime.fromisoformat(body["finishedAt"])
    for result, item in zip(made["results"], point["items"], strict=False):
        task = await InspectionTask.select().where(InspectionTask.id == result["taskId"]).first().run()
        window = window_at(Cycle(1, "day"), finished)
        assert (task["status"], task["inspection_id"], task["window_key"]) == (
            "done",
            made["id"],
            window.key(item["id"]),
        )


async def test_racing_retries_of_one_inspection_store_it_once(client):
    officer = await login(client, "officer1")
    body = inspection(await new_point(client, officer), failed=(1,))
    before = await stored()
    responses = await asyncio.gather(*[client.post("/v1/inspections", json=body, headers=officer) for _ in range(5)])
    assert sorted(r.status_code for r in responses) == [200, 200, 200, 200, 201], [r.text for r in responses]
    assert len({r.json()["id"] for r in responses}) == 1
    after = await stored()
    assert (after[0] - before[0], after[1] - before[1], after[2] - before[2]) == (1, 2, 1)


async def test_a_failed_item_without_a_criterion_opens_a_general_hazard_named_as_the_phone_asked(client):
    officer = await login(client, "officer1")
    point = await new_point(client, officer)
    body = inspection(point, failed=(1,))
    body["results"][1] |= {"hazardClientId": "phone-h-77", "hazardTitle": "雨排阀常开"}
    made = await client.post("/v1/inspections", json=body, headers=officer)
    assert made.status_code == 201, made.text
    hazard_id = made.json()["results"][1]["hazardId"]
    row = await Hazard.select().where(Hazard.id == hazard_id).first().run()
    assert (row["level"], row["level_confirmed"], row["title"]) == ("general", True, "雨排阀常开")
    assert row["client_key"].endswith(":phone-h-77")


async def test_an_inspector_proves_presence_with_a_scan_and_does_not_do_the_enterprises_tasks(client):
    officer, inspector = await login(client, "officer1"), await login(client, "inspector1")
    point = await new_point(client, officer)
    await generate_tasks()
    token = (await client.get(f"/v1/risk-points/{point['id']}", headers=officer)).json()["qr"]["token"]
    # at the point: the inspector's scan proves presence by place and time (tests/api/test_presence.py: the rules)
    card = (await client.get(f"/v1/scan/{token}", params={"lat": 30.05, "lng": 121.95}, headers=inspector)).json()
    assert card["dueTask"] is None  # the tasks are the enterprise's duty
    made = await client.post(
        "/v1/inspections", json=inspection(point, failed=(1,), scanId=card["scanId"]), headers=inspector
    )
    assert made.status_code == 201, made.text
    assert made.json()["presence"] == "proven"
    assert {r["taskId"] for r in made.json()["results"]} == {None}
    hazard = await Hazard.select().where(Hazard.id == made.json()["results"][1]["hazardId"]).first().run()
    assert (hazard["source"], hazard["side"], hazard["scan_id"]) == ("grid_inspection", "inspector", card["scanId"])
    assert (
        await InspectionTask.count().where(InspectionTask.risk_point_id == point["id"], InspectionTask.status == "done")
        == 0
    )
    seen = (await client.get("/v1/tasks", params={"riskPointId": point["id"]}, headers=inspector)).json()["items"]
    assert len(seen) == 2  # in scope, so visible for supervision


async def test_bad_inspections_get_clear_codes_and_store_nothing(client):
    officer, inspector = await login(client, "officer1"), await login(client, "inspector1")
    point, other = await new_point(client, officer), await new_point(client, officer)
    await generate_tasks()
    token = (await client.get(f"/v1/risk-points/{point['id']}", headers=officer)).json()["qr"]["token"]
    inspectors_scan = (await client.get(f"/v1/scan/{token}", headers=inspector)).json()["scanId"]
    other_token = (await client.get(f"/v1/risk-points/{other['id']}", headers=officer)).json()["qr"]["token"]
    scan_of_other_point = (await client.get(f"/v1/scan/{other_token}", headers=inspector)).json()["scanId"]
    good = inspection(point, failed=(0,))
    unknown = dict(good, results=[{"itemId": "01ZZZZZZZZZZZZZZZZZZZZZZZZ", "ok": True}])
    foreign_item = dict(good, results=[*good["results"], {"itemId": other["items"][0]["id"], "ok": False}])
    twice = dict(good, results=[good["results"][1], good["results"][1]])
    passed_with_hazard = dict(good, results=[{"itemId": point["items"][1]["id"], "ok": True, "hazardTitle": "x"}])
    cases = [
        ("officer1", unknown, 422, "INSPECTION_ITEM_INVALID"),
        ("officer1", foreign_item, 422, "INSPECTION_ITEM_INVALID"),
        ("officer1", twice, 422, "INSPECTION_ITEM_INVALID"),
        ("officer1", passed_with_hazard, 422, "INSPECTION_ITEM_INVALID"),
        ("officer1", dict(good, finishedAt=at(timedelta(minutes=-30))), 422, "INSPECTION_TIME_INVALID"),
        ("officer1", dict(good, finishedAt=at(timedelta(hours=1))), 422, "INSPECTION_TIME_INVALID"),
        ("officer1", dict(good, scanId=inspectors_scan), 422, "INSPECTION_SCAN_INVALID"),
        ("inspector1", dict(good, scanId=scan_of_other_point), 422, "INSPECTION_SCAN_INVALID"),
        ("inspector1", good, 422, "INSPECTION_SCAN_REQUIRED"),
        ("officer2", good, 404, "NOT_FOUND"),
        ("admin", good, 403, "FORBIDDEN"),
        ("officer1", dict(good, results=[]), 400, "REQUEST_MALFORMED"),
        ("officer1", dict(good, startedAt="2026-11-28T10:00:00"), 400, "REQUEST_MALFORMED"),  # no offset
        (
            "officer1",
            dict(good, results=[{"itemId": point["items"][0]["id"], "ok": "false"}]),
            400,
            "REQUEST_MALFORMED",
        ),
        (
            "officer1",
            dict(good, results=[{**good["results"][0], "photoIds": ["01ZZZZZZZZZZZZZZZZZZZZZZZZ"]}]),
            422,
            "HAZARD_INPUT_INVALID",
        ),  # the hazard service refused a photo: the inspection is not kept either
    ]
    before = await stored()
    for username, body, status, code in cases:
        response = await client.post("/v1/inspections", json=body, headers=await login(client, username))
        assert (response.status_code, response.json()["code"]) == (status, code), (username, body, response.text)
        assert await stored() == before, (username, body)


async def test_the_scan_card_shows_the_due_task_and_the_open_hazard(client):
    officer = await login(client, "officer1")
    point = await new_point(client, officer)
    await generate_tasks()
    token = (await client.get(f"/v1/risk-points/{point['id']}", headers=officer)).json()["qr"]["token"]
    card = (await client.get(f"/v1/scan/{token}", headers=officer)).json()
    due = card["dueTask"]
    assert sorted(i["itemId"] for i in due["items"]) == sorted(i["id"] for i in point["items"])
    assert due["id"] == due["items"][0]["taskId"] and due["windowEnd"] == due["items"][0]["windowEnd"]
    assert card["openHazards"] == []
    made = (
        await client.post(
            "/v1/inspections", json=inspection(point, failed=(0,), scanId=card["scanId"]), headers=officer
        )
    ).json()
    hazard_id = made["results"][0]["hazardId"]
    after = (await client.get(f"/v1/scan/{token}", headers=officer)).json()
    assert [(h["id"], h["level"], h["status"]) for h in after["openHazards"]] == [(hazard_id, "major", "reported")]
    now_window = window_at(Cycle(1, "day"), utcnow())
    if now_window.contains(datetime.fromisoformat(made["finishedAt"])):
        assert after["dueTask"] is None  # both items were done in today's window
    enterprise_id = point["enterpriseId"]
    code = (await client.get(f"/v1/enterprises/{enterprise_id}", headers=officer)).json()["safetyCode"]["token"]
    gate = (await client.get(f"/v1/scan/{code}", headers=officer)).json()
    assert gate["kind"] == "enterprise" and hazard_id in {h["id"] for h in gate["openHazards"]}
    assert len(gate["openHazards"]) <= 20
