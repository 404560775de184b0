"""The dynamic safety code on real databases: recomputed by its job when inputs change, logged once per change,
shown by the enterprise endpoints, the scan card and the printed code."""

from __future__ import annotations

import asyncio
import io
import json
from datetime import timedelta

from PIL import Image

from api.dependencies import services_of
from domain.access.model import SYSTEM, Role
from domain.accounts.services import AccountService
from domain.clock import utcnow
from domain.codes.services import Codes
from domain.codes.tokens import SubjectKind
from domain.hazards import model as hazard_model
from domain.hazards.services import NewHazard, create_hazard, transition
from domain.history.chain import verify_chain
from domain.history.store import chain_rows, event_record
from domain.org.tables import Enterprise
from domain.printing.palette import COLOUR_RGB
from domain.printing.safety_code import BORDER, FRAME_BOX, HEIGHT, WIDTH
from domain.safety_code.services import chain_id, recompute
from domain.safety_code.tables import SafetyCode, SafetyCodeChange
from seed import zhoushan
from seed.inspections import actor_named
from seed.scenario import demo_credit_code
from tests.conftest import login
from workers.jobs.safety_code import recompute_all_safety_codes, recompute_safety_code

E5 = next(name for key, name, *_ in zhoushan.ENTERPRISES if key == "E5")  # 金塘港务物流: blue in the demo, 定海区


async def enterprise_id(name: str) -> str:
    return (await Enterprise.select(Enterprise.id).where(Enterprise.name == name).first().run())["id"]


async def overdue_major_hazard(settings, enterprise: str) -> str:
    """Through the hazard service: an officer of the enterprise reports a major hazard ten days ago and reports it to
    the regulator, who supervises it with a deadline two days later; so it is overdue now. Returns its id."""
    accounts = AccountService(settings)
    await accounts.create_user(
        actor=SYSTEM,
        username="officer5",
        name="孙安全",
        password="Safety2026x",
        role=Role.OFFICER,
        enterprise_id=enterprise,
    )
    officer, regulator = await actor_named(accounts, "officer5"), await actor_named(accounts, "regulator_dinghai")
    then = utcnow() - timedelta(days=10)
    new = NewHazard(
        client_id="sc-major-1",
        enterprise_id=enterprise,
        source="daily",
        category="unsafe_condition",
        title="装卸码头输油臂紧急脱离装置失效",
        level="major",
        expert_reason="外聘专家认定为重大事故隐患",
        found_at=then,
    )
    hazard, _ = await create_hazard(actor=officer, new=new, now=then)
    report = hazard_model.ReportToRegulator(
        "紧急脱离装置失效", "泄漏后无法快速脱离，整改需停用泊位", "更换紧急脱离装置", then
    )
    hazard = await transition(
        actor=officer,
        hazard_id=hazard.id,
        expected_version=hazard.version,
        command=report,
        now=then + timedelta(hours=1),
    )
    supervise = hazard_model.Supervise(then + timedelta(days=2), "挂牌督办")
    await transition(
        actor=regulator,
        hazard_id=hazard.id,
        expected_version=hazard.version,
        command=supervise,
        now=then + timedelta(hours=2),
    )
    return hazard.id


async def change_rows(enterprise: str) -> list[dict]:
    return (
        await SafetyCodeChange.select()
        .where(SafetyCodeChange.enterprise_id == enterprise)
        .order_by(SafetyCodeChange.seq)
        .run()
    )


async def test_an_overdue_major_hazard_turns_a_blue_enterprise_red_with_one_logged_change_however_often_the_job_runs(
    db,
):
    settings, engine = db
    enterprise = await enterprise_id(E5)
    assert (await recompute(enterprise)).code.colour == "blue"  # the demo's colour, unchanged by a recompute
    before = await change_rows(enterprise)
    chain_before = await chain_rows(chain_id(enterprise))
    assert [row["new_colour"] for row in before] == ["blue"] and len(chain_before) == 1  # the seed's first computation

    await overdue_major_hazard(settings, enterprise)
    assert len(await change_rows(enterprise)) == 1  # nothing recomputes by itself here: the job does

    ctx = {"settings": settings, "engine": engine}
    result = await recompute_safety_code(ctx, enterprise)
    assert (result["colour"], result["changed"]) == ("red", True)
    changes = await change_rows(enterprise)
    assert len(changes) == 2
    latest = changes[-1]
    assert (latest["old_colour"], latest["new_colour"], latest["seq"], latest["scheme_version"]) == (
        "blue",
        "red",
        2,
        1,
    )
    reasons = {reason["rule"]: reason for reason in json.loads(latest["reasons"])}
    assert reasons["OVERDUE_MAJOR_HAZARDS"] == {
        "rule": "OVERDUE_MAJOR_HAZARDS",
        "value": "1",
        "points": 0,
        "atLeast": "red",
    }
    assert reasons["OPEN_MAJOR_HAZARDS"]["value"] == "1" and reasons["OVERDUE_HAZARDS"]["value"] == "1"
    assert json.loads(latest["inputs"])["overdue_major_hazards"] == 1

    for _ in range(2):
        again = await recompute_safety_code(ctx, enterprise)
        assert (again["colour"], again["changed"]) == ("red", False)
    await recompute_all_safety_codes(ctx)
    assert len(await change_rows(enterprise)) == 2
    events = await chain_rows(chain_id(enterprise))
    assert len(events) == 2 and verify_chain(event_record(row) for row in events).ok
    payload = event_record(events[-1])["payload"]
    assert (payload["from"], payload["to"], payload["schemeVersion"]) == ("blue", "red", 1)
    stored = await SafetyCode.select().where(SafetyCode.enterprise_id == enterprise).first().run()
    assert (stored["colour"], stored["colour_since"]) == ("red", latest["changed_at"])


async def test_the_endpoints_show_the_dynamic_colour_its_reasons_and_its_changes(client, app):
    settings = services_of(app).settings
    enterprise = await enterprise_id(E5)
    await overdue_major_hazard(settings, enterprise)
    await recompute_safety_code({"settings": settings, "engine": services_of(app).engine}, enterprise)
    regulator = await login(client, "regulator_dinghai")

    code = (await client.get(f"/v1/enterprises/{enterprise}/safety-code", headers=regulator)).json()
    assert (code["enterpriseId"], code["color"], code["schemeVersion"]) == (enterprise, "red", 1)
    assert code["score"] == sum(reason["points"] for reason in code["reasons"])
    assert {"OVERDUE_MAJOR_HAZARDS", "OPEN_MAJOR_HAZARDS", "SCORE_BAND"} <= {r["rule"] for r in code["reasons"]}
    assert code["inputs"]["overdueMajorHazards"] == 1 and code["computedAt"] and code["colorSince"]
    changes = (await client.get(f"/v1/enterprises/{enterprise}/safety-code/changes", headers=regulator)).json()
    newest = changes["items"][0]
    assert (newest["newColor"], newest["seq"]) == ("red", len(changes["items"]))
    assert changes["items"][-1]["oldColor"] is None and changes["nextCursor"] is None
    first_page = (
        await client.get(f"/v1/enterprises/{enterprise}/safety-code/changes", params={"limit": 1}, headers=regulator)
    ).json()
    assert [item["id"] for item in first_page["items"]] == [newest["id"]] and first_page["nextCursor"]
    rest = (
        await client.get(
            f"/v1/enterprises/{enterprise}/safety-code/changes",
            params={"cursor": first_page["nextCursor"]},
            headers=regulator,
        )
    ).json()
    assert [item["id"] for item in rest["items"]] == [item["id"] for item in changes["items"][1:]]

    profile = (await client.get(f"/v1/enterprises/{enterprise}", headers=regulator)).json()
    assert profile["safetyCode"]["color"] == "red"
    card = (await client.get(f"/v1/scan/{profile['safetyCode']['token']}", headers=regulator)).json()
    assert card["enterprise"]["safetyCodeColor"] == "red"
    assert card["enterprise"]["safetyCodeSchemeVersion"] == 1
    # jobs the hazard changes queued may have recomputed it meanwhile: the card shows the latest computation
    assert card["enterprise"]["safetyCodeComputedAt"] >= code["computedAt"]

    image = await client.get(f"/v1/enterprises/{enterprise}/code.png", headers=regulator)
    assert image.status_code == 200 and image.headers["content-type"] == "image/png"
    poster = Image.open(io.BytesIO(image.content))
    assert poster.format == "PNG" and poster.size == (WIDTH, HEIGHT)
    frame = poster.convert("RGB").getpixel((FRAME_BOX[0] + BORDER // 2, (FRAME_BOX[1] + FRAME_BOX[3]) // 2))
    assert frame == COLOUR_RGB["red"]


async def test_an_enterprise_never_computed_is_computed_and_stored_on_first_read(client):
    admin, inspector = await login(client, "admin"), await login(client, "inspector1")
    grid = next(g for g in (await client.get("/v1/grids", headers=admin)).json() if g["code"] == "DH-JT-01")
    created = await client.post(
        "/v1/admin/enterprises",
        headers=admin,
        json={
            "creditCode": demo_credit_code("330902", 98),
            "name": "金塘新建物流有限公司",
            "industry": "port_logistics",
            "gridId": grid["id"],
        },
    )
    assert created.status_code == 201, created.text
    enterprise = created.json()["id"]
    assert not await SafetyCode.exists().where(SafetyCode.enterprise_id == enterprise).run()
    # outside inspector1's grid: 404, and nothing computed
    assert (await client.get(f"/v1/enterprises/{enterprise}/safety-code", headers=inspector)).status_code == 404
    assert not await SafetyCode.exists().where(SafetyCode.enterprise_id == enterprise).run()
    code = (await client.get(f"/v1/enterprises/{enterprise}/safety-code", headers=admin)).json()
    stored = await SafetyCode.select().where(SafetyCode.enterprise_id == enterprise).first().run()
    assert (code["color"], code["score"], stored["colour"]) == ("blue", 0, "blue")
    assert [r["rule"] for r in code["reasons"]] == ["SCORE_BAND"]
    again = (await client.get(f"/v1/enterprises/{enterprise}/safety-code", headers=admin)).json()
    assert again["computedAt"] == code["computedAt"]  # read, not computed again
    changes = (await client.get(f"/v1/enterprises/{enterprise}/safety-code/changes", headers=admin)).json()["items"]
    assert [(c["oldColor"], c["newColor"]) for c in changes] == [(None, "blue")]


async def test_every_demo_enterprise_has_a_code_and_the_enterprise_card_matches_it(client, app):
    assert await SafetyCode.count().run() == len(zhoushan.ENTERPRISES)
    inspector = await login(client, "inspector1")
    codes = Codes(services_of(app).settings)
    visible = (await client.get("/v1/enterprises", headers=inspector)).json()["items"]
    assert len(visible) == 2  # E1 and E4 share grid DH-CG-01
    for enterprise in visible:
        token = codes.printed(SubjectKind.ENTERPRISE, enterprise["id"], 1).token
        card = (await client.get(f"/v1/scan/{token}", headers=inspector)).json()
        code = (await client.get(f"/v1/enterprises/{enterprise['id']}/safety-code", headers=inspector)).json()
        assert card["enterprise"]["safetyCodeColor"] == code["color"] == "red"  # E1: open majors; E4: listed
        # read before the code: a recompute the outbox runs meanwhile can only make the code's time later
        assert card["enterprise"]["safetyCodeComputedAt"] <= code["computedAt"]


async def test_racing_recomputes_after_a_change_log_it_once(db):
    settings, _engine = db
    enterprise = await enterprise_id(E5)
    await overdue_major_hazard(settings, enterprise)
    results = await asyncio.gather(*[recompute(enterprise) for _ in range(4)])
    assert sorted(r.changed for r in results) == [False, False, False, True]
    assert {r.code.colour for r in results} == {"red"}
    assert [(row["old_colour"], row["new_colour"]) for row in await change_rows(enterprise)] == [
        (None, "blue"),
        ("blue", "red"),
    ]
    assert verify_chain(event_record(row) for row in await chain_rows(chain_id(enterprise))).ok


async def test_racing_first_recomputes_of_an_enterprise_store_one_code_and_log_one_change(db):
    enterprise = await enterprise_id(E5)
    # as before the enterprise's first recompute: no code and no change logged (its chain was never started)
    await SafetyCodeChange.delete().where(SafetyCodeChange.enterprise_id == enterprise).run()
    await SafetyCode.delete().where(SafetyCode.enterprise_id == enterprise).run()
    results = await asyncio.gather(*[recompute(enterprise) for _ in range(4)])
    assert sorted(r.changed for r in results) == [False, False, False, True]
    assert await SafetyCode.count().where(SafetyCode.enterprise_id == enterprise).run() == 1
    assert [(row["old_colour"], row["new_colour"]) for row in await change_rows(enterprise)] == [(None, "blue")]
