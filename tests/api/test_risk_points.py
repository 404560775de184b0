"""Risk points, assessment, checklists, codes, the scan and the printables, through the real API."""

import io

import pytest
from PIL import Image

from domain.risk.tables import ScanRecord
from tests.conftest import login

POINT = {
    "kind": "place",
    "name": "2号柴油储罐",
    "area": "储罐区",
    "lat": 30.05,
    "lng": 121.95,
    "planX": 0.3,
    "planY": 0.4,
    "responsiblePost": "罐区班长",
    "hazardSources": ["柴油泄漏", "静电"],
    "controlMeasures": [{"type": "engineering", "content": "液位高高联锁", "controlLevel": "workshop"}],
    "emergencyMeasures": ["关闭进出料阀门"],
    "emergencyPhone": "0580-1234567",
}


async def _enterprise_id(client, headers) -> str:
    return (await client.get("/v1/enterprises", headers=headers)).json()["items"][0]["id"]


async def _new_point(client, headers) -> dict:
    enterprise_id = await _enterprise_id(client, headers)
    response = await client.post(f"/v1/enterprises/{enterprise_id}/risk-points", json=POINT, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def _png(size=(400, 300)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "#dde").save(buffer, "PNG")
    return buffer.getvalue()


async def test_an_officer_registers_and_assesses_a_point_and_every_assessment_is_kept(client):
    officer = await login(client, "officer1")
    point = await _new_point(client, officer)
    assert point["level"] is None and point["qr"]["token"]
    url = f"/v1/risk-points/{point['id']}/assessments"
    first = await client.post(url, json={"method": "LEC", "l": 6, "e": 6, "c": 15}, headers=officer)
    assert first.status_code == 201, first.text
    assert first.json() | {} == first.json() and first.json()["score"] == "540"
    assert (first.json()["level"], first.json()["color"], first.json()["controlLevel"]) == ("major", "red", "company")
    assert first.json()["controlledAt"] == ["company", "department", "workshop", "team", "post"]
    second = await client.post(url, json={"method": "LEC", "l": "0.5", "e": 0.5, "c": "1"}, headers=officer)
    assert second.json()["score"] == "0.25" and second.json()["level"] == "low"
    third = await client.post(url, json={"method": "LS", "l": 3, "s": 4}, headers=officer)
    assert (third.json()["score"], third.json()["level"]) == ("12", "general")
    kept = (await client.get(url, headers=officer)).json()
    assert [a["score"] for a in kept] == ["12", "0.25", "540"]
    now = (await client.get(f"/v1/risk-points/{point['id']}", headers=officer)).json()
    assert (now["level"], now["color"], now["controlLevel"]) == ("general", "yellow", "workshop")


@pytest.mark.parametrize(
    "body",
    [
        {"method": "LEC", "l": 4, "e": 6, "c": 15},
        {"method": "LEC", "l": 6, "e": 6, "c": 15, "schemeId": "ls-usual"},
        {"method": "LS", "l": 6, "s": 1},
        {"method": "LS", "l": "abc", "s": 1},
        {"method": "XYZ", "l": 1},
        {"method": "LS", "l": True, "s": 1},
    ],
)
async def test_a_factor_outside_the_schemes_table_is_refused_and_nothing_is_kept(client, body):
    officer = await login(client, "officer1")
    point = await _new_point(client, officer)
    response = await client.post(f"/v1/risk-points/{point['id']}/assessments", json=body, headers=officer)
    assert response.status_code in (400, 422), response.text
    assert response.json()["code"] in ("ASSESSMENT_FACTOR_INVALID", "VALIDATION_FAILED", "REQUEST_MALFORMED")
    assert (await client.get(f"/v1/risk-points/{point['id']}/assessments", headers=officer)).json() == []


async def test_only_the_enterprises_people_write_and_other_scopes_do_not_see(client):
    officer = await login(client, "officer1")
    point = await _new_point(client, officer)
    regulator = await login(client, "regulator_dinghai")
    assert (await client.get(f"/v1/risk-points/{point['id']}", headers=regulator)).status_code == 200
    refused = await client.patch(f"/v1/risk-points/{point['id']}", json={"name": "x"}, headers=regulator)
    assert refused.status_code == 403 and refused.json()["code"] == "FORBIDDEN"
    officer2 = await login(client, "officer2")
    for path in ("", "/assessments", "/checklist", "/card.png", "/qr.png"):
        hidden = await client.get(f"/v1/risk-points/{point['id']}{path}", headers=officer2)
        assert hidden.status_code == 404 and hidden.json()["code"] == "NOT_FOUND", path


async def test_officer1_scans_its_point_and_gets_the_card_and_a_recorded_scan(client):
    officer = await login(client, "officer1")
    point = await _new_point(client, officer)
    await client.post(
        f"/v1/risk-points/{point['id']}/checklist",
        json={"content": "检查液位计", "cycleN": 2, "cycleUnit": "hour"},
        headers=officer,
    )
    response = await client.get(
        f"/v1/scan/{point['qr']['token']}?lat=30.0501&lng=121.9501&deviceId=phone-1", headers=officer
    )
    assert response.status_code == 200, response.text
    card = response.json()
    assert card["kind"] == "riskPoint" and card["riskPoint"]["id"] == point["id"]
    assert card["riskPoint"]["enterpriseName"] and card["openHazards"] == []
    assert [item["cycle"] for item in card["checklist"]] == [{"n": 2, "unit": "hour"}]
    record = await ScanRecord.select().where(ScanRecord.id == card["scanId"]).first().run()
    assert record["device_id"] == "phone-1" and 0 < record["distance_m"] < 30


async def test_officer2_scanning_enterprise_1s_code_gets_403_with_no_data(client):
    point = await _new_point(client, await login(client, "officer1"))
    response = await client.get(f"/v1/scan/{point['qr']['token']}", headers=await login(client, "officer2"))
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "SCAN_OUT_OF_SCOPE" and body.get("params") == {"kind": "p"}
    assert point["name"] not in response.text


async def test_a_rotated_code_stops_working_at_once_and_the_new_one_works(client):
    officer = await login(client, "officer1")
    point = await _new_point(client, officer)
    rotated = await client.post(f"/v1/risk-points/{point['id']}/qr/rotate", headers=officer)
    assert rotated.status_code == 201
    old = await client.get(f"/v1/scan/{point['qr']['token']}", headers=officer)
    assert old.status_code == 404 and old.json()["code"] == "QR_INVALID"
    assert (await client.get(f"/v1/scan/{rotated.json()['token']}", headers=officer)).status_code == 200


@pytest.mark.parametrize("token", ["garbage", "A" * 60, "a" * 5000, "%00"])
async def test_a_forged_or_unknown_token_is_qr_invalid(client, token):
    response = await client.get(f"/v1/scan/{token}", headers=await login(client, "officer1"))
    assert response.status_code in (400, 404)
    assert response.json()["code"] in ("QR_INVALID", "REQUEST_MALFORMED")


async def test_an_inspector_scans_an_enterprise_code_at_the_gate(client):
    inspector = await login(client, "inspector1")
    enterprise_id = await _enterprise_id(client, inspector)
    enterprise = (await client.get(f"/v1/enterprises/{enterprise_id}", headers=inspector)).json()
    assert enterprise["safetyCode"]["color"] in ("red", "orange", "yellow", "blue")
    assert enterprise["safetyCode"]["url"].endswith("/Q/" + enterprise["safetyCode"]["token"])
    card = (await client.get(f"/v1/scan/{enterprise['safetyCode']['token']}", headers=inspector)).json()
    assert card["kind"] == "enterprise" and card["enterprise"]["id"] == enterprise_id
    assert card["enterprise"]["safetyCodeColor"] == enterprise["safetyCode"]["color"]


async def test_the_printables_render_for_a_caller_in_scope(client):
    officer = await login(client, "officer1")
    point = await _new_point(client, officer)
    enterprise_id = point["enterpriseId"]
    for path, magic in (
        (f"/v1/risk-points/{point['id']}/qr.png", b"\x89PNG"),
        (f"/v1/risk-points/{point['id']}/qr.svg", b"<svg"),
        (f"/v1/risk-points/{point['id']}/card.png", b"\x89PNG"),
        (f"/v1/enterprises/{enterprise_id}/code.png", b"\x89PNG"),
        (f"/v1/enterprises/{enterprise_id}/qr-sheet.pdf", b"%PDF"),
        (f"/v1/enterprises/{enterprise_id}/risk-map.png", b"\x89PNG"),
    ):
        response = await client.get(path, headers=officer)
        assert response.status_code == 200, (path, response.text[:200])
        assert response.content.startswith(magic), path


async def test_a_site_plan_upload_is_validated_and_drawn_on_the_map(client):
    officer = await login(client, "officer1")
    enterprise_id = await _enterprise_id(client, officer)
    url = f"/v1/enterprises/{enterprise_id}/site-plan"
    stored = await client.put(url, content=_png(), headers=officer | {"content-type": "image/png"})
    assert stored.status_code == 200, stored.text
    assert (stored.json()["width"], stored.json()["height"]) == (400, 300)
    for bad in (b"", b"<html><script>alert(1)</script></html>", b"%PDF-1.4\n%%EOF"):
        refused = await client.put(url, content=bad, headers=officer | {"content-type": "image/png"})
        assert refused.status_code == 422 and refused.json()["code"] == "PHOTO_NOT_AN_IMAGE"
    assert (await client.put(url, content=_png(), headers=await login(client, "regulator_city"))).status_code == 403


async def test_a_checklist_item_may_cite_a_known_criterion_only(client):
    officer = await login(client, "officer1")
    point = await _new_point(client, officer)
    url = f"/v1/risk-points/{point['id']}/checklist"
    bad = await client.post(
        url, json={"content": "检查紧急切断", "cycleN": 1, "cycleUnit": "day", "criterionId": "NOPE"}, headers=officer
    )
    assert bad.status_code == 422 and bad.json()["code"] == "VALIDATION_FAILED"
    criteria = (await client.get("/v1/criteria?industry=hazardous_chemicals", headers=officer)).json()
    assert len(criteria) == 20
    good = await client.post(
        url,
        json={"content": "检查紧急切断", "cycleN": 1, "cycleUnit": "day", "criterionId": criteria[4]["id"]},
        headers=officer,
    )
    assert good.status_code == 201 and good.json()["criterionId"] == criteria[4]["id"]


async def test_a_printed_codes_url_opens_a_plain_page_that_names_nothing(client):
    point = await _new_point(client, await login(client, "officer1"))
    path = "/" + point["qr"]["url"].split("/", 3)[3]
    page = await client.get(path)
    assert page.status_code == 200 and "双防" in page.text
    assert point["name"] not in page.text
