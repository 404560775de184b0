"""双随机一公开 over HTTP on both engines: the seed's hash is public before the draw, the draw recomputes from the
public document alone, a draw happens once (also racing), scopes, results and their validation, and the public
endpoints need no account, never show a draft and leak nothing private."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import datetime

from domain.access.model import SYSTEM
from domain.evidence.services import verify_all
from domain.random_checks import services as random_checks
from domain.random_checks.model import local_day, recompute
from tests.conftest import login

PHONE = "13912345678"


async def _officer_ids(client, admin, extra: int = 3) -> list[str]:
    """The 定海区 enforcement officers of the seed, plus `extra` fresh regulators (so every enterprise keeps two
    officers free of conflict whatever the seeded draw picked)."""
    for n in range(extra):
        created = await client.post(
            "/v1/admin/users",
            headers=admin,
            json={
                "username": f"rc_regulator_{n}",
                "name": f"测试执法{n}",
                "password": "Demo@2026x",
                "role": "regulator",
                "regionCode": "330902",
                "phone": PHONE,
            },
        )
        assert created.status_code in (201, 409), created.text  # 409: made by an earlier call of this test
    users = (await client.get("/v1/admin/users?limit=1000", headers=admin)).json()
    items = users["items"] if isinstance(users, dict) else users
    wanted = {"regulator_dinghai", "regulator_dinghai2", "regulator_dinghai3", "inspector1", "inspector_jintang"}
    return sorted(u["id"] for u in items if u["username"] in wanted or u["username"].startswith("rc_regulator_"))


def _plan_body(officer_ids: list[str], **over) -> dict:
    return {
        "name": "测试抽查计划",
        "year": 2026,
        "period": "第四季度",
        "regionCode": "330902",
        "rates": {"A": 1, "B": 1, "C": 1, "D": 1},
        "officerIds": officer_ids,
    } | over


async def _approved_plan(client, regulator, admin) -> dict:
    created = await client.post(
        "/v1/random-checks", headers=regulator, json=_plan_body(await _officer_ids(client, admin))
    )
    assert created.status_code == 201, created.text
    assert created.json()["status"] == "draft" and created.json()["seedHash"] is None
    approved = await client.post(f"/v1/random-checks/{created.json()['id']}/approve", headers=regulator)
    assert approved.status_code == 200, approved.text
    return approved.json()


async def test_the_draw_recomputes_from_the_public_document_and_happens_once(client, db):
    regulator, admin = await login(client, "regulator_dinghai"), await login(client, "admin")
    plan = await _approved_plan(client, regulator, admin)
    assert plan["status"] == "approved" and plan["seed"] is None and len(plan["seedHash"]) == 64

    before = await client.get(f"/v1/public/random-checks/{plan['id']}")  # no token
    assert before.status_code == 200, before.text
    assert before.json()["seedHash"] == plan["seedHash"] and before.json()["seed"] is None
    assert before.json()["pools"] is None and before.json()["picks"] == []

    drawn = await client.post(f"/v1/random-checks/{plan['id']}/draw", headers=regulator)
    assert drawn.status_code == 200, drawn.text
    assert drawn.json()["status"] == "drawn"

    public = (await client.get(f"/v1/public/random-checks/{plan['id']}")).json()
    seed = public["seed"]
    assert hashlib.sha256(bytes.fromhex(seed)).hexdigest() == plan["seedHash"]  # the hash published before
    picks = [
        {"enterpriseId": p["enterpriseId"], "classCode": p["classCode"], "officerIds": [o["id"] for o in p["officers"]]}
        for p in public["picks"]
    ]
    assert picks and recompute(public) == picks
    # every rate is 1: every eligible enterprise is picked, with two distinct officers
    assert {p["enterpriseId"] for p in picks} == {e["id"] for e in public["pools"]["enterprises"]}
    assert all(len(set(p["officerIds"])) == 2 for p in picks)

    again = await client.post(f"/v1/random-checks/{plan['id']}/draw", headers=regulator)
    assert (again.status_code, again.json()["code"]) == (409, "RANDOM_CHECK_ALREADY_DRAWN")
    report = await verify_all(db[0].var_dir)
    assert report.ok, report.first_problem()


async def test_two_racing_draws_one_wins(client):
    regulator, admin = await login(client, "regulator_dinghai"), await login(client, "admin")
    plan = await _approved_plan(client, regulator, admin)
    draws = [random_checks.draw_plan(actor=SYSTEM, plan_id=plan["id"]) for _ in range(2)]
    outcomes = await asyncio.gather(*draws, return_exceptions=True)
    won = [o for o in outcomes if not isinstance(o, BaseException)]
    lost = [o for o in outcomes if isinstance(o, BaseException)]
    assert len(won) == 1 and len(lost) == 1
    assert getattr(lost[0], "code", None) == "RANDOM_CHECK_ALREADY_DRAWN", repr(lost[0])


async def test_scope_and_roles(client):
    admin = await login(client, "admin")
    city, district = await login(client, "regulator_city"), await login(client, "regulator_dinghai")
    officers = await _officer_ids(client, admin)
    city_plan = await client.post("/v1/random-checks", headers=city, json=_plan_body(officers, regionCode="330900"))
    assert city_plan.status_code == 201, city_plan.text
    hidden = await client.get(f"/v1/random-checks/{city_plan.json()['id']}", headers=district)
    unknown = await client.get("/v1/random-checks/01UNKNOWNPLAN0000000000000", headers=district)
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.json()["code"] == unknown.json()["code"] == "NOT_FOUND"
    refused = await client.post(f"/v1/random-checks/{city_plan.json()['id']}/approve", headers=district)
    assert refused.status_code == 404
    assert city_plan.json()["id"] not in {
        p["id"] for p in (await client.get("/v1/random-checks", headers=district)).json()
    }

    officer = await login(client, "officer1")
    for response in (
        await client.get("/v1/random-checks", headers=officer),
        await client.post("/v1/random-checks", headers=officer, json=_plan_body(officers)),
    ):
        assert (response.status_code, response.json()["code"]) == (403, "FORBIDDEN")
    other_district = await client.post(
        "/v1/random-checks", headers=district, json=_plan_body(officers, regionCode="330903")
    )
    assert other_district.status_code == 404
    # an officer outside the plan's region (a 普陀区 regulator) is refused
    users = (await client.get("/v1/admin/users?limit=1000", headers=admin)).json()
    items = users["items"] if isinstance(users, dict) else users
    putuo = next(u["id"] for u in items if u["username"] == "regulator_putuo")
    bad = await client.post("/v1/random-checks", headers=district, json=_plan_body([*officers, putuo]))
    assert (bad.status_code, bad.json()["code"]) == (422, "RANDOM_CHECK_PLAN_INVALID")
    bad_rate = await client.post("/v1/random-checks", headers=district, json=_plan_body(officers, rates={"A": 1.5}))
    assert bad_rate.status_code in (400, 422)


async def test_results_are_validated_versioned_and_published(client, db):
    regulator, admin = await login(client, "regulator_dinghai"), await login(client, "admin")
    plan = await _approved_plan(client, regulator, admin)
    drawn = (await client.post(f"/v1/random-checks/{plan['id']}/draw", headers=regulator)).json()
    pick = drawn["picks"][0]
    url = f"/v1/random-checks/{plan['id']}/results/{pick['enterpriseId']}"
    drawn_at = datetime.fromisoformat(drawn["drawnAt"].replace("Z", "+00:00"))
    body = {"inspectedOn": local_day(drawn_at).isoformat(), "findings": "未发现重大事故隐患"}  # Zhoushan's day

    missing = await client.put(url, headers=regulator, json=body)
    assert (missing.status_code, missing.json()["code"]) == (428, "IF_MATCH_REQUIRED")
    stale = await client.put(url, headers=regulator | {"If-Match": '"7"'}, json=body)
    assert (stale.status_code, stale.json()["code"]) == (412, "RANDOM_CHECK_RESULT_STALE")

    hazards = (await client.get("/v1/hazards?limit=1000", headers=admin)).json()["items"]
    foreign = next(h["id"] for h in hazards if h["enterpriseId"] != pick["enterpriseId"])
    wrong = await client.put(
        url, headers=regulator | {"If-Match": f'"{pick["version"]}"'}, json=body | {"hazardIds": [foreign]}
    )
    assert (wrong.status_code, wrong.json()["code"]) == (422, "RANDOM_CHECK_RESULT_INVALID")
    unknown_penalty = await client.put(
        url, headers=regulator | {"If-Match": f'"{pick["version"]}"'}, json=body | {"penaltyIds": ["01NOSUCHPENALTY"]}
    )
    assert unknown_penalty.json()["code"] == "RANDOM_CHECK_RESULT_INVALID"
    future = await client.put(
        url, headers=regulator | {"If-Match": f'"{pick["version"]}"'}, json=body | {"inspectedOn": "2100-01-01"}
    )
    assert future.json()["code"] == "RANDOM_CHECK_RESULT_INVALID"

    own = [h["id"] for h in hazards if h["enterpriseId"] == pick["enterpriseId"]][:1]
    drawn_officer = next(o for o in pick["officers"])
    officer_user = (await client.get(f"/v1/admin/users/{drawn_officer['id']}", headers=admin)).json()
    by = await login(
        client, officer_user["username"], "Demo@2026x" if officer_user["username"].startswith("rc_") else "Demo@2026"
    )
    recorded = await client.put(url, headers=by | {"If-Match": f'"{pick["version"]}"'}, json=body | {"hazardIds": own})
    assert recorded.status_code == 200, recorded.text
    assert recorded.headers["etag"] == f'"{pick["version"] + 1}"'
    assert recorded.json()["result"]["hazardIds"] == own

    # an inspector not drawn for it cannot record it
    inspector = await login(client, "inspector1")
    if officer_user["username"] != "inspector1" and all(o["name"] != "张网格" for o in pick["officers"]):
        refused = await client.put(url, headers=inspector | {"If-Match": '"2"'}, json=body)
        assert refused.status_code in (403, 404)

    public = (await client.get(f"/v1/public/random-checks/{plan['id']}")).json()
    shown = next(p for p in public["picks"] if p["enterpriseId"] == pick["enterpriseId"])
    assert shown["result"]["findings"] == "未发现重大事故隐患"
    report = await verify_all(db[0].var_dir)
    assert report.ok, report.first_problem()


async def test_public_endpoints_need_no_account_show_no_draft_and_leak_nothing(client):
    regulator, admin = await login(client, "regulator_dinghai"), await login(client, "admin")
    officers = await _officer_ids(client, admin)
    draft = await client.post("/v1/random-checks", headers=regulator, json=_plan_body(officers, name="草稿计划"))
    assert draft.status_code == 201
    listing = await client.get("/v1/public/random-checks")
    assert listing.status_code == 200
    assert draft.json()["id"] not in {p["id"] for p in listing.json()}
    assert all(p["status"] != "draft" for p in listing.json())
    hidden = await client.get(f"/v1/public/random-checks/{draft.json()['id']}")
    assert (hidden.status_code, hidden.json()["code"]) == (404, "NOT_FOUND")
    html_list = await client.get("/public/random-checks")
    assert html_list.status_code == 200 and "草稿计划" not in html_list.text and "双随机" in html_list.text
    plan = await _approved_plan(client, regulator, admin)
    await client.post(f"/v1/random-checks/{plan['id']}/draw", headers=regulator)
    for url in (
        "/v1/public/random-checks",
        f"/v1/public/random-checks/{plan['id']}",
        "/public/random-checks",
        f"/public/random-checks/{plan['id']}",
    ):
        response = await client.get(url)
        assert response.status_code == 200, (url, response.text)
        for secret in (PHONE, "13800000000", "password", "argon2"):
            assert secret not in response.text, (url, secret)
    page = await client.get(f"/public/random-checks/{plan['id']}")
    assert plan["seedHash"] in page.text and "text/html" in page.headers["content-type"]
    assert "http://" not in page.text.replace("http://testserver", "") and "https://" not in page.text
