"""Hazards through the real API: report, the workflows, If-Match, scope, idempotent creates and the history."""

from __future__ import annotations

import asyncio
import io
import itertools
from datetime import timedelta

from PIL import Image

from domain.clock import utcnow
from domain.hazards.tables import Hazard
from domain.history.chain import GENESIS_HASH, verify_chain
from domain.history.store import chain_rows, event_record
from domain.history.tables import HistoryEvent
from tests.conftest import login

_colours = itertools.count(1)


def now_text(delta: timedelta = timedelta()) -> str:
    return (utcnow() + delta).isoformat()


def distinct_jpeg() -> bytes:
    """A small real JPEG whose bytes differ from every other one this run makes."""
    n = next(_colours)
    image = Image.new("RGB", (64, 48), ((n * 37) % 256, (n * 91) % 256, (n * 53) % 256))
    image.putpixel((n % 64, (n // 64) % 48), (255 - (n % 256), 0, 0))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


async def upload(client, headers) -> str:
    """Upload a fresh photo and return its id."""
    response = await client.post(
        "/v1/photos",
        files={"file": ("p.jpg", distinct_jpeg(), "image/jpeg")},
        data={"clientId": f"ph-{next(_colours)}"},
        headers=headers,
    )
    assert response.status_code in (200, 201), response.text
    return response.json()["id"]


async def me(client, headers) -> dict:
    return (await client.get("/v1/me", headers=headers)).json()


async def report(client, headers, *, enterprise_id: str, client_id: str | None = None, **fields) -> dict:
    body = {
        "clientId": client_id or f"c-{next(_colours)}",
        "enterpriseId": enterprise_id,
        "source": "daily",
        "category": "unsafe_condition",
        "title": "配电箱门未关闭",
        "description": "3号车间配电箱门敞开，无警示标识",
        "foundAt": now_text(),
    } | fields
    response = await client.post("/v1/hazards", json=body, headers=headers)
    assert response.status_code in (200, 201), response.text
    return response.json()


async def act(client, headers, hazard: dict, body: dict, version: int | None = None):
    """POST a transition with If-Match set to the hazard's (or the given) version."""
    match = version if version is not None else hazard["version"]
    return await client.post(
        f"/v1/hazards/{hazard['id']}/transitions", json=body, headers=headers | {"If-Match": f'"{match}"'}
    )


async def chain_ok(hazard_id: str) -> bool:
    return verify_chain(event_record(row) for row in await chain_rows(hazard_id)).ok


async def test_a_report_is_created_once_per_client_id_with_the_first_link_of_its_history(client):
    officer = await login(client, "officer1")
    enterprise_id = (await me(client, officer))["enterpriseId"]
    first = await client.post(
        "/v1/hazards",
        json={
            "clientId": "phone-1-0001",
            "enterpriseId": enterprise_id,
            "source": "daily",
            "category": "unsafe_act",
            "title": "未佩戴安全帽",
            "foundAt": now_text(),
            "lat": 29.98,
            "lng": 122.2,
        },
        headers=officer,
    )
    assert first.status_code == 201, first.text
    hazard = first.json()
    assert (hazard["status"], hazard["level"], hazard["version"], hazard["side"]) == (
        "reported",
        "general",
        1,
        "enterprise",
    )
    assert first.headers["etag"] == '"1"'
    assert set(hazard["allowedActions"]) == {"assign", "rectifyOnSpot", "void"}
    for _ in range(2):
        again = await client.post(
            "/v1/hazards",
            json={
                "clientId": "phone-1-0001",
                "enterpriseId": enterprise_id,
                "source": "daily",
                "category": "unsafe_act",
                "title": "未佩戴安全帽",
                "foundAt": now_text(),
                "lat": 29.98,
                "lng": 122.2,
            },
            headers=officer,
        )
        assert again.status_code == 200 and again.json()["id"] == hazard["id"]
    assert await Hazard.count().where(Hazard.client_key.like("%:phone-1-0001")) == 1
    history = (await client.get(f"/v1/hazards/{hazard['id']}/history", headers=officer)).json()
    assert [e["name"] for e in history] == ["HazardReported"]
    assert history[0]["prevHash"] == GENESIS_HASH and len(history[0]["hash"]) == 64
    assert history[0]["payload"]["lat"] == "29.98" and history[0]["role"] == "officer"
    assert await chain_ok(hazard["id"])


async def test_a_create_and_a_transition_sent_three_times_under_one_key_make_one_record_and_one_event_each(client):
    officer, principal = await login(client, "officer1"), await login(client, "principal1")
    enterprise_id, officer_id = (await me(client, officer))["enterpriseId"], (await me(client, officer))["id"]
    body = {
        "clientId": "retry-1",
        "enterpriseId": enterprise_id,
        "source": "daily",
        "category": "unsafe_condition",
        "title": "消防通道堵塞",
        "foundAt": now_text(),
    }
    created = [
        await client.post("/v1/hazards", json=body, headers=officer | {"Idempotency-Key": "k-create"}) for _ in range(3)
    ]
    assert [r.status_code for r in created] == [201, 201, 201]  # the replays answer exactly as the first did
    assert [r.headers.get("idempotent-replayed") for r in created] == [None, "true", "true"]
    assert len({r.text for r in created}) == 1
    hazard = created[0].json()
    assign = {
        "action": "assign",
        "assigneeId": officer_id,
        "measures": "清理通道",
        "deadline": now_text(timedelta(days=3)),
    }
    moved = [
        await client.post(
            f"/v1/hazards/{hazard['id']}/transitions",
            json=assign,
            headers=principal | {"If-Match": '"1"', "Idempotency-Key": "k-assign"},
        )
        for _ in range(3)
    ]
    # the second and third are not stale-version refusals: they are the first answer again
    assert [r.status_code for r in moved] == [200, 200, 200] and len({r.text for r in moved}) == 1
    assert await Hazard.count().where(Hazard.client_key.like("%:retry-1")) == 1
    history = (await client.get(f"/v1/hazards/{hazard['id']}/history", headers=officer)).json()
    assert [e["action"] for e in history] == ["report", "assign"] and await chain_ok(hazard["id"])
    assert (
        len(await chain_rows(hazard["id"]))
        == 2
        == (await client.get(f"/v1/hazards/{hazard['id']}", headers=officer)).json()["version"]
    )


async def test_the_general_workflow_runs_to_closure_and_every_change_is_one_linked_event(client):
    officer, principal = await login(client, "officer1"), await login(client, "principal1")
    enterprise_id = (await me(client, officer))["enterpriseId"]
    hazard = await report(client, officer, enterprise_id=enterprise_id, photoIds=[await upload(client, officer)])
    assert [p["stage"] for p in hazard["photos"]] == ["before"]
    officer_id = (await me(client, officer))["id"]
    assigned = await act(
        client,
        principal,
        hazard,
        {
            "action": "assign",
            "assigneeId": officer_id,
            "measures": "关闭箱门并张贴警示",
            "deadline": now_text(timedelta(days=3)),
        },
    )
    assert assigned.status_code == 200, assigned.text
    hazard = assigned.json()
    assert (hazard["status"], hazard["version"], hazard["governanceType"]) == ("rectifying", 2, "with_deadline")
    fixed = await act(
        client,
        officer,
        hazard,
        {"action": "submitRectification", "afterPhotoIds": [await upload(client, officer)], "note": "已整改"},
    )
    assert fixed.status_code == 200, fixed.text
    hazard = fixed.json()
    assert hazard["status"] == "awaiting_acceptance" and "accept" not in hazard["allowedActions"]  # the rectifier
    own = await act(client, officer, hazard, {"action": "accept"})
    assert own.status_code == 422 and own.json()["params"]["guard"] == "acceptor_is_not_rectifier"
    accepted = await act(client, principal, hazard, {"action": "accept", "note": "复查合格"})
    assert accepted.status_code == 200, accepted.text
    assert (
        accepted.json()["status"] == "closed"
        and accepted.json()["closedAt"]
        and accepted.json()["allowedActions"] == []
    )
    history = (await client.get(f"/v1/hazards/{hazard['id']}/history", headers=officer)).json()
    assert [e["name"] for e in history] == [
        "HazardReported",
        "HazardAssigned",
        "HazardRectificationSubmitted",
        "HazardAccepted",
    ]
    assert [e["prevHash"] for e in history[1:]] == [e["hash"] for e in history[:-1]]
    assert len(history[2]["photoHashes"]) == 1
    assert await chain_ok(hazard["id"])


async def test_if_match_is_required_and_a_stale_version_is_refused_without_an_event(client):
    officer = await login(client, "officer1")
    hazard = await report(client, officer, enterprise_id=(await me(client, officer))["enterpriseId"])
    url = f"/v1/hazards/{hazard['id']}/transitions"
    missing = await client.post(url, json={"action": "void", "reason": "重复"}, headers=officer)
    assert missing.status_code == 428 and missing.json()["code"] == "IF_MATCH_REQUIRED"
    garbled = await client.post(url, json={"action": "void", "reason": "重复"}, headers=officer | {"If-Match": "abc"})
    assert garbled.status_code == 400
    stale = await act(client, officer, hazard, {"action": "void", "reason": "重复"}, version=7)
    assert stale.status_code == 412 and stale.json()["code"] == "HAZARD_VERSION_STALE"
    weak = await client.post(
        url, json={"action": "void", "reason": "重复登记"}, headers=officer | {"If-Match": 'W/"1"'}
    )
    assert weak.status_code == 200 and weak.json()["status"] == "voided"
    again = await act(client, officer, hazard, {"action": "void", "reason": "重复登记"})
    assert again.status_code == 412
    assert await HistoryEvent.count().where(HistoryEvent.chain_id == hazard["id"]) == 2


async def test_another_enterprise_never_sees_or_moves_a_hazard_and_the_regulator_in_scope_does(client):
    officer, stranger = await login(client, "officer1"), await login(client, "officer2")
    hazard = await report(client, officer, enterprise_id=(await me(client, officer))["enterpriseId"])
    assert (await client.get(f"/v1/hazards/{hazard['id']}", headers=stranger)).status_code == 404
    assert (await client.get(f"/v1/hazards/{hazard['id']}/history", headers=stranger)).status_code == 404
    moved = await act(client, stranger, hazard, {"action": "void", "reason": "x"})
    assert moved.status_code == 404
    listed = (await client.get("/v1/hazards", headers=stranger)).json()["items"]
    assert hazard["id"] not in {h["id"] for h in listed}
    forged = await client.post(
        "/v1/hazards",
        json={
            "clientId": "x-1",
            "enterpriseId": hazard["enterpriseId"],
            "source": "daily",
            "category": "unsafe_act",
            "title": "t",
            "foundAt": now_text(),
        },
        headers=stranger,
    )
    assert forged.status_code == 404
    regulator = await login(client, "regulator_city")
    seen = await client.get(f"/v1/hazards/{hazard['id']}", headers=regulator)
    assert seen.status_code == 200 and seen.json()["allowedActions"] == []


async def test_reports_are_checked_against_the_reporters_role_scan_risk_point_and_photos(client):
    officer, inspector = await login(client, "officer1"), await login(client, "inspector1")
    enterprise_id = (await me(client, officer))["enterpriseId"]
    base = {"enterpriseId": enterprise_id, "category": "unsafe_condition", "title": "t", "foundAt": now_text()}
    cases = [
        (officer, {"source": "grid_inspection"}, "source"),
        (inspector, {"source": "daily"}, "source"),
        (officer, {"source": "daily", "scanId": "01ARZ3NDEKTSV4RRFFQ69G5FAV"}, "scanId"),
        (officer, {"source": "daily", "riskPointId": "01ARZ3NDEKTSV4RRFFQ69G5FAV"}, "riskPointId"),
        (officer, {"source": "daily", "photoIds": ["01ARZ3NDEKTSV4RRFFQ69G5FAV"]}, "photoIds"),
        (officer, {"source": "daily", "level": "major"}, "majorCriterionId"),
        (officer, {"source": "daily", "majorCriterionId": "x"}, "level"),
        (officer, {"source": "daily", "foundAt": now_text(timedelta(days=1))}, "foundAt"),
    ]
    before = await Hazard.count()
    for who, fields, field in cases:
        response = await client.post("/v1/hazards", json=base | {"clientId": f"bad-{field}"} | fields, headers=who)
        assert response.status_code == 422, (fields, response.text)
        assert response.json()["code"] == "HAZARD_INPUT_INVALID" and response.json()["params"]["field"] == field
    assert await Hazard.count() == before
    raised = await report(client, inspector, enterprise_id=enterprise_id, source="grid_inspection")
    assert raised["side"] == "inspector"


async def test_a_major_hazard_walks_to_write_off_with_the_regulator_and_principal_steps_theirs_alone(client):
    officer, principal = await login(client, "officer1"), await login(client, "principal1")
    regulator = await login(client, "regulator_dinghai")
    enterprise_id = (await me(client, officer))["enterpriseId"]
    hazard = await report(
        client,
        officer,
        enterprise_id=enterprise_id,
        level="major",
        expertReason="储罐区无紧急切断阀，专家判定为重大事故隐患",
    )
    steps = [
        (
            officer,
            {
                "action": "reportToRegulator",
                "currentStateAndCause": "无紧急切断阀",
                "harmAndDifficulty": "泄漏风险高",
                "governancePlanSummary": "加装切断阀",
                "workersAssemblyNotifiedAt": now_text(-timedelta(hours=1)),
            },
        ),
        (regulator, {"action": "supervise", "deadline": now_text(timedelta(days=30)), "note": "挂牌督办"}),
        (
            officer,
            {
                "action": "submitPlan",
                "goalsAndTasks": "消除隐患",
                "methodsAndMeasures": "加装切断阀",
                "fundsAndMaterials": "20万元",
                "organisationAndPeople": "设备部",
                "timeLimitAndRequirements": "30日",
                "safetyMeasuresAndEmergencyPlan": "停用储罐",
                "stoppageScope": "罐区局部停产",
                "deadline": now_text(timedelta(days=25)),
            },
        ),
        (principal, {"action": "approvePlan"}),
        (officer, {"action": "extendDeadline", "newDeadline": now_text(timedelta(days=45)), "reason": "设备到货延迟"}),
        (regulator, {"action": "decideExtension", "approved": True}),
        (officer, {"action": "submitRectification", "afterPhotoIds": ["AFTER"]}),
        (
            officer,
            {
                "action": "submitEvaluation",
                "evaluatorKind": "qualified_firm",
                "evaluatorName": "某评价公司",
                "reportDocumentIds": ["REPORT"],
                "conclusion": "隐患已消除",
            },
        ),
        (principal, {"action": "applyResume"}),
        (regulator, {"action": "writeOff", "note": "核销"}),
    ]
    for who, body in steps:
        for field in ("afterPhotoIds", "reportDocumentIds"):
            if field in body:
                body[field] = [await upload(client, who)]
        if who is regulator:
            # a regulator's step is theirs alone: the enterprise is refused for its role
            refused = await act(client, principal, hazard, body)
            assert refused.status_code == 403 and refused.json()["code"] == "HAZARD_ROLE_NOT_ALLOWED"
        response = await act(client, who, hazard, body)
        assert response.status_code == 200, (body["action"], response.text)
        hazard = response.json()
    assert hazard["status"] == "written_off" and hazard["supervised"] and hazard["stoppageScope"] == "罐区局部停产"
    assert [p["stage"] for p in hazard["photos"]] == ["after", "evaluation"]
    assert set(hazard["details"]) >= {"reportToRegulator", "submitPlan", "submitEvaluation"}
    history = (await client.get(f"/v1/hazards/{hazard['id']}/history", headers=regulator)).json()
    assert len(history) == len(steps) + 1 and await chain_ok(hazard["id"])


async def test_the_list_filters_by_status_level_and_overdue_and_pages_in_a_stable_order(client):
    officer = await login(client, "officer1")
    enterprise_id = (await me(client, officer))["enterpriseId"]
    made = [await report(client, officer, enterprise_id=enterprise_id, title=f"隐患{i}") for i in range(5)]
    officer_id = (await me(client, officer))["id"]
    already_overdue = {h["id"] for h in (await client.get("/v1/hazards?overdue=true", headers=officer)).json()["items"]}
    late = await act(
        client,
        officer,
        made[0],
        {"action": "assign", "assigneeId": officer_id, "measures": "m", "deadline": now_text(timedelta(seconds=1))},
    )
    assert late.status_code == 200
    await asyncio.sleep(1.1)
    overdue = (await client.get("/v1/hazards?overdue=true", headers=officer)).json()["items"]
    assert {h["id"] for h in overdue} == already_overdue | {made[0]["id"]} and all(h["overdue"] for h in overdue)
    seen, cursor = [], None
    while True:
        query = "/v1/hazards?status=reported&limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = (await client.get(query, headers=officer)).json()
        seen += [h["id"] for h in page["items"]]
        assert all(h["status"] == "reported" for h in page["items"])
        cursor = page["nextCursor"]
        if not cursor:
            break
    assert seen == sorted(seen, reverse=True) and len(seen) == len(set(seen))
    assert {h["id"] for h in made[1:]} <= set(seen) and made[0]["id"] not in seen
    reported_here = Hazard.count().where(Hazard.enterprise_id == enterprise_id, Hazard.status == "reported")
    assert len(seen) == await reported_here
    majors = (await client.get("/v1/hazards?level=major", headers=officer)).json()["items"]
    majors_here = Hazard.count().where(Hazard.enterprise_id == enterprise_id, Hazard.level == "major")
    assert majors and all(h["level"] == "major" for h in majors) and len(majors) == await majors_here
    capped = await client.get("/v1/hazards?limit=500", headers=officer)
    assert capped.status_code == 200 and len(capped.json()["items"]) <= 100
