"""Presence is proven, not just recorded (issue 13, acceptance 2), through the real API on both engines.

An inspector's inspection citing a scan 40 km away or three hours old is refused with the rule that failed; an
officer's inspection of a 一般 point without a scan is accepted with `presence: none`, of a 重大 point refused; a
point's own radius is honoured; the offline sync batch applies the same rules; and the regulator sees task
completion beside completion with presence proven, each reproduced by the list behind it.
"""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest

from domain.clock import utcnow
from domain.codes.model import distance_m
from domain.inspections.services import generate_tasks
from domain.inspections.tables import Inspection
from domain.risk.tables import ScanRecord
from domain.stats.services import refresh_rollups
from tests.api.test_inspections import inspection, new_point, stored
from tests.api.test_stats import assert_reproduced
from tests.conftest import login

PLACE = (30.05, 121.95)  # where tests/api/test_inspections.py's new points stand
METRES_PER_DEGREE_LAT = distance_m(0.0, 0.0, 1.0, 0.0)
_serial = itertools.count(1)
# LEC factors of each grade (scheme lec-usual): 6×6×15 = 540 重大, 3×6×7 = 126 一般
LEC = {"major": {"l": 6, "e": 6, "c": 15}, "general": {"l": 3, "e": 6, "c": 7}}


def north(metres: float) -> float:
    """The latitude `metres` due north of the test point."""
    return PLACE[0] + metres / METRES_PER_DEGREE_LAT


async def graded_point(client, officer, level: str | None = None, **fields) -> dict:
    """A fresh point of officer1's enterprise, assessed to `level` when given, with point `fields` patched in."""
    point = await new_point(client, officer)
    if level:
        assessed = await client.post(
            f"/v1/risk-points/{point['id']}/assessments", json={"method": "LEC", **LEC[level]}, headers=officer
        )
        assert assessed.status_code == 201 and assessed.json()["level"] == level, assessed.text
    if fields:
        patched = await client.patch(f"/v1/risk-points/{point['id']}", json=fields, headers=officer)
        assert patched.status_code == 200, patched.text
    token = (await client.get(f"/v1/risk-points/{point['id']}", headers=officer)).json()["qr"]["token"]
    return point | {"token": token}


async def scan(client, headers, point: dict, metres: float | None = 0.0, **params) -> dict:
    """Scan the point's code `metres` north of it (None: without a fix); the card."""
    place = {} if metres is None else {"lat": north(metres), "lng": PLACE[1]}
    response = await client.get(f"/v1/scan/{point['token']}", params=place | params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def post(client, headers, body: dict):
    return await client.post("/v1/inspections", json=body, headers=headers)


async def test_an_inspectors_inspection_citing_a_scan_40_km_away_or_3_hours_old_is_refused_with_its_code(client):
    officer, inspector = await login(client, "officer1"), await login(client, "inspector1")
    point = await graded_point(client, officer)
    far = await scan(client, inspector, point, 40_000, accuracy=10)
    assert far["distanceM"] == pytest.approx(40_000, abs=1) and far["presenceRadiusM"] == 100
    old_time = (utcnow() - timedelta(hours=3)).isoformat()
    old = await scan(client, inspector, point, 5, clientTime=old_time)  # queued offline, sent now
    before = await stored()
    refused_far = await post(client, inspector, inspection(point, scanId=far["scanId"]))
    assert (refused_far.status_code, refused_far.json()["code"]) == (422, "PRESENCE_TOO_FAR"), refused_far.text
    problem = refused_far.json()
    assert problem["params"]["reason"] == "too_far" and problem["params"]["distanceM"] == pytest.approx(40_000, abs=1)
    assert problem["params"]["radiusM"] == 100
    refused_old = await post(client, inspector, inspection(point, scanId=old["scanId"]))
    assert (refused_old.status_code, refused_old.json()["code"]) == (422, "PRESENCE_SCAN_STALE"), refused_old.text
    assert refused_old.json()["params"]["reason"] == "too_old" and refused_old.json()["params"]["maxAgeMinutes"] == 120
    assert await stored() == before
    near = await scan(client, inspector, point, 30, accuracy=8)
    made = await post(client, inspector, inspection(point, scanId=near["scanId"]))
    assert made.status_code == 201, made.text
    assert made.json()["presence"] == "proven" and made.json()["presenceDistanceM"] == pytest.approx(30, abs=0.2)


async def test_a_scan_without_a_fix_or_with_a_poor_one_does_not_prove_presence(client):
    officer, inspector = await login(client, "officer1"), await login(client, "inspector1")
    point = await graded_point(client, officer)
    cases = [
        ((None, {}), "no_position"),
        ((10, {"accuracy": 500}), "inaccurate"),
        ((131, {"accuracy": 30}), "too_far"),  # 131 − 30 > 100
    ]
    for (metres, params), reason in cases:
        card = await scan(client, inspector, point, metres, **params)
        refused = await post(client, inspector, inspection(point, scanId=card["scanId"]))
        assert (refused.status_code, refused.json()["code"], refused.json()["params"]["reason"]) == (
            422,
            "PRESENCE_TOO_FAR",
            reason,
        )
    within = await scan(client, inspector, point, 129, accuracy=30)  # the phone may have been 99 m away
    assert (await post(client, inspector, inspection(point, scanId=within["scanId"]))).json()["presence"] == "proven"


async def test_an_officers_inspection_of_a_general_point_without_a_scan_is_accepted_with_presence_none(client):
    officer = await login(client, "officer1")
    general = await graded_point(client, officer, "general")
    await generate_tasks()
    made = await post(client, officer, inspection(general))
    assert made.status_code == 201, made.text
    assert (made.json()["presence"], made.json()["presenceDistanceM"], made.json()["scanId"]) == ("none", None, None)
    assert all(result["taskId"] for result in made.json()["results"])  # it still does the enterprise's tasks
    far = await scan(client, officer, general, 250)
    recorded = await post(client, officer, inspection(general, scanId=far["scanId"]))
    assert recorded.status_code == 201 and recorded.json()["presence"] == "far"
    row = await Inspection.select().where(Inspection.id == recorded.json()["id"]).first().run()
    assert row["presence"] == "far" and row["presence_distance_m"] == pytest.approx(250, abs=0.2)


async def test_an_officers_inspection_of_a_major_point_needs_a_scan_that_proves_presence(client):
    officer = await login(client, "officer1")
    major = await graded_point(client, officer, "major")
    before = await stored()
    refused = await post(client, officer, inspection(major))
    assert (refused.status_code, refused.json()["code"]) == (422, "INSPECTION_SCAN_REQUIRED")
    far = await scan(client, officer, major, 400)
    refused = await post(client, officer, inspection(major, scanId=far["scanId"]))
    assert (refused.status_code, refused.json()["code"]) == (422, "PRESENCE_TOO_FAR")
    assert await stored() == before
    near = await scan(client, officer, major, 20)
    made = await post(client, officer, inspection(major, scanId=near["scanId"]))
    assert made.status_code == 201 and made.json()["presence"] == "proven"


async def test_a_points_own_radius_is_honoured_and_bounded(client):
    officer, inspector = await login(client, "officer1"), await login(client, "inspector1")
    point = await graded_point(client, officer)
    at_300 = await scan(client, inspector, point, 300)
    refused = await post(client, inspector, inspection(point, scanId=at_300["scanId"]))
    assert refused.json()["code"] == "PRESENCE_TOO_FAR" and refused.json()["params"]["radiusM"] == 100
    for bad in (0, -5, 9, 5001, 10**9, "500", 12.5):
        response = await client.patch(f"/v1/risk-points/{point['id']}", json={"presenceRadiusM": bad}, headers=officer)
        assert (response.status_code, response.json()["code"]) == (400, "REQUEST_MALFORMED"), bad
    patched = await client.patch(f"/v1/risk-points/{point['id']}", json={"presenceRadiusM": 500}, headers=officer)
    assert patched.status_code == 200 and patched.json()["presenceRadiusM"] == 500
    assert (await scan(client, inspector, point, 10))["presenceRadiusM"] == 500
    made = await post(client, inspector, inspection(point, scanId=at_300["scanId"]))
    assert made.status_code == 201 and made.json()["presence"] == "proven", made.text
    at_600 = await scan(client, inspector, point, 600)
    assert (await post(client, inspector, inspection(point, scanId=at_600["scanId"]))).json()[
        "code"
    ] == "PRESENCE_TOO_FAR"
    cleared = await client.patch(f"/v1/risk-points/{point['id']}", json={"presenceRadiusM": None}, headers=officer)
    assert cleared.status_code == 200 and cleared.json()["presenceRadiusM"] is None
    enterprise_id = point["enterpriseId"]
    created = await client.post(
        f"/v1/enterprises/{enterprise_id}/risk-points",
        headers=officer,
        json={"kind": "place", "name": f"{next(_serial)}号大型罐区", "presenceRadiusM": 800},
    )
    assert created.status_code == 201 and created.json()["presenceRadiusM"] == 800
    for bad in (0, -1, 100_000):
        refused = await client.post(
            f"/v1/enterprises/{enterprise_id}/risk-points",
            headers=officer,
            json={"kind": "place", "name": "超大半径", "presenceRadiusM": bad},
        )
        assert (refused.status_code, refused.json()["code"]) == (400, "REQUEST_MALFORMED"), bad


async def test_bad_accuracy_and_anothers_scan_are_refused_and_store_nothing(client):
    officer, inspector = await login(client, "officer1"), await login(client, "inspector1")
    stranger = await login(client, "officer2")
    point = await graded_point(client, officer)
    scans_before = await ScanRecord.count()
    for accuracy in ("-1", "abc", "nan", "10001"):
        response = await client.get(
            f"/v1/scan/{point['token']}",
            params={"lat": PLACE[0], "lng": PLACE[1], "accuracy": accuracy},
            headers=inspector,
        )
        assert response.status_code == 400 and response.json()["code"] == "REQUEST_MALFORMED", (accuracy, response.text)
    assert await ScanRecord.count() == scans_before
    # officer2's own point and scan, in another enterprise: citing its id is like citing no scan of yours
    other_enterprise = (await client.get("/v1/me", headers=stranger)).json()["enterpriseId"]
    theirs = (
        await client.post(
            f"/v1/enterprises/{other_enterprise}/risk-points",
            headers=stranger,
            json={"kind": "place", "name": "船坞", "lat": PLACE[0], "lng": PLACE[1]},
        )
    ).json()
    foreign_scan = await scan(client, stranger, theirs | {"token": theirs["qr"]["token"]}, 0)
    officers_scan = await scan(client, officer, point, 0)
    before = await stored()
    for body in (inspection(point, scanId=foreign_scan["scanId"]), inspection(point, scanId=officers_scan["scanId"])):
        refused = await post(client, inspector, body)
        assert (refused.status_code, refused.json()["code"]) == (422, "INSPECTION_SCAN_INVALID"), refused.text
    assert await stored() == before


async def test_the_sync_batch_applies_the_same_rules(client):
    officer, inspector = await login(client, "officer1"), await login(client, "inspector1")
    point = await graded_point(client, officer)
    scanned_at = (utcnow() - timedelta(minutes=25)).isoformat()
    ops = [
        {
            "opId": "far-scan",
            "kind": "scan",
            "payload": {
                "token": point["token"],
                "clientTime": scanned_at,
                "lat": north(40_000),
                "lng": PLACE[1],
                "accuracy": 12,
            },
        },
        {"opId": "far-insp", "kind": "inspectionCreate", "payload": inspection(point) | {"scanOpId": "far-scan"}},
        {
            "opId": "near-scan",
            "kind": "scan",
            "payload": {
                "token": point["token"],
                "clientTime": scanned_at,
                "lat": north(15),
                "lng": PLACE[1],
                "accuracy": 12,
            },
        },
        {"opId": "near-insp", "kind": "inspectionCreate", "payload": inspection(point) | {"scanOpId": "near-scan"}},
        {"opId": "no-scan", "kind": "inspectionCreate", "payload": inspection(point)},
    ]
    response = await client.post("/v1/sync/batch", json={"ops": ops}, headers=inspector)
    assert response.status_code == 200, response.text
    results = {r["opId"]: r for r in response.json()["results"]}
    assert (results["far-insp"]["status"], results["far-insp"]["error"]["code"]) == ("error", "PRESENCE_TOO_FAR")
    assert results["no-scan"]["error"]["code"] == "INSPECTION_SCAN_REQUIRED"
    assert results["near-insp"]["status"] == "ok" and results["near-insp"]["data"]["presence"] == "proven"
    assert results["near-insp"]["data"]["presenceDistanceM"] == pytest.approx(15, abs=0.2)
    for op_id in ("far-insp", "no-scan"):
        assert not results[op_id]["retryable"]


async def test_the_regulator_sees_completion_and_completion_with_presence_proven_each_reproduced(client):
    officer, regulator = await login(client, "officer1"), await login(client, "regulator_dinghai")
    enterprise_id = (await client.get("/v1/me", headers=officer)).json()["enterpriseId"]
    await refresh_rollups()
    before = await _task_figures(client, regulator, enterprise_id)
    proven_point, unproven_point = (
        await graded_point(client, officer, "general"),
        await graded_point(client, officer, "general"),
    )
    await generate_tasks()
    near = await scan(client, officer, proven_point, 10)
    assert (await post(client, officer, inspection(proven_point, scanId=near["scanId"]))).json()["presence"] == "proven"
    assert (await post(client, officer, inspection(unproven_point))).json()["presence"] == "none"
    # the windows of today's tasks end tomorrow: count them as of then
    await refresh_rollups(now=utcnow() + timedelta(days=2))
    after = await _task_figures(client, regulator, enterprise_id)
    done, proven = after["taskCompletionRate"], after["taskCompletionRateWithPresence"]
    assert done["denominator"] == proven["denominator"] >= before["taskCompletionRate"]["denominator"] + 4
    assert done["numerator"] - before["taskCompletionRate"]["numerator"] >= 4
    assert proven["numerator"] - before["taskCompletionRateWithPresence"]["numerator"] == 2  # only the scanned point's
    assert proven["numerator"] < done["numerator"]
    assert await assert_reproduced(client, regulator, {"enterpriseId": enterprise_id}, "year") > 0


async def _task_figures(client, headers, enterprise_id: str) -> dict[str, dict]:
    """The task figures of the enterprise, summed over the years listed."""
    body = (
        await client.get("/v1/stats/hazards", params={"enterpriseId": enterprise_id, "period": "year"}, headers=headers)
    ).json()
    totals = {
        name: {"numerator": 0, "denominator": 0} for name in ("taskCompletionRate", "taskCompletionRateWithPresence")
    }
    for period in body["periods"]:
        for figure in period["figures"]:
            if figure["metric"] in totals:
                totals[figure["metric"]]["numerator"] += figure["numerator"]
                totals[figure["metric"]]["denominator"] += figure["denominator"]
    return totals
