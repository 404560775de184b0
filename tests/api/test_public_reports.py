"""Public reports (12350 / 吹哨人) through the real app on both engines: routing to the right regulator, the contact
kept from enterprises everywhere, the receipt, photos, the regulator's actions, and the rate limits."""

from __future__ import annotations

import asyncio
import io
import itertools
import json
import re
import secrets
from datetime import timedelta

import httpx
import pytest
from PIL import Image

from api.dependencies import services_of
from domain.clock import utcnow
from domain.db.tables import ALL_TABLES
from domain.hazards.services import verify_hazard_chain
from domain.hazards.tables import Hazard
from domain.notifications.tables import Notification
from domain.org.tables import Enterprise
from domain.outbox.services import relay_outbox
from domain.photos.tables import Photo
from domain.public_reports.limits import count_request, purge_expired_counters
from domain.public_reports.model import REPORT_PER_DEVICE
from domain.public_reports.tables import PublicRateCounter, PublicReport, PublicReportContact
from mobile_contract.client import ApiError, Client
from mobile_contract.public_reports import PublicContact, PublicReportCreate, ReplyToReport
from seed import zhoushan
from seed.public_reports import grid_centre
from tests.conftest import login
from tests.unit.test_photo_images import camera_jpeg

CONTACT_NAME = "吹哨人测试甲"
CONTACT_PHONE = "13912345678"
BOUNDARY = "sf-public-form"
ENTERPRISE_USERS = ("officer1", "principal1")
# the regulator's own words for the enterprise: accepting requires them
WORDS = {
    "title": "消防通道占用（监管核实）",
    "description": "经核实存在消防通道被占用情况，请立即清理并落实通道管理制度。",
}


def device() -> str:
    return "phone-" + secrets.token_hex(8)


def form(file: bytes, **fields: str) -> bytes:
    head = f"--{BOUNDARY}\r\nContent-Disposition: form-data; name="
    parts = [f'{head}"{name}"\r\n\r\n{value}\r\n'.encode() for name, value in fields.items()]
    parts.append(f'{head}"file"; filename="p.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'.encode() + file + b"\r\n")
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


async def upload(client: httpx.AsyncClient, device_id: str, seed: int = 1, client_id: str = "p1") -> httpx.Response:
    return await client.post(
        "/v1/public/reports/photos",
        content=form(camera_jpeg(seed=seed), clientId=client_id, deviceId=device_id),
        headers={"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
    )


async def credit_code(key: str) -> str:
    name = next(name for k, name, *_ in zhoushan.ENTERPRISES if k == key)
    return (await Enterprise.select(Enterprise.credit_code).where(Enterprise.name == name).first().run())["credit_code"]


async def enterprise_id(key: str) -> str:
    name = next(name for k, name, *_ in zhoushan.ENTERPRISES if k == key)
    return (await Enterprise.select(Enterprise.id).where(Enterprise.name == name).first().run())["id"]


async def submit(client: httpx.AsyncClient, **fields) -> httpx.Response:
    body = {"clientId": "r1", "deviceId": device(), "description": "消防通道被堵塞"} | fields
    return await client.post("/v1/public/reports", json=body)


async def report_id_of(receipt: str) -> str:
    row = (
        await PublicReport.select(PublicReport.id).where(PublicReport.receipt == receipt.replace("-", "")).first().run()
    )
    return row["id"]


async def inbox(client: httpx.AsyncClient, headers: dict) -> list[str]:
    response = await client.get("/v1/public-reports", headers=headers)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


async def act(client, headers, report_id: str, body: dict, version: int | None = None) -> httpx.Response:
    if version is None:
        version = (await client.get(f"/v1/public-reports/{report_id}", headers=headers)).json()["version"]
    return await client.post(
        f"/v1/public-reports/{report_id}/transitions", json=body, headers=headers | {"If-Match": f'"{version}"'}
    )


# --- acceptance 4 ----------------------------------------------------------------------------------------------------


async def test_a_public_report_reaches_the_right_regulator_and_the_enterprise_never_sees_the_contact(client, app):
    phone = device()
    photo = await upload(client, phone)
    assert photo.status_code == 201, photo.text
    made = await submit(
        client,
        deviceId=phone,
        enterpriseCreditCode=await credit_code("E1"),
        lat=30.07,
        lng=121.97,
        photoIds=[photo.json()["id"]],
        contact={"name": CONTACT_NAME, "phone": CONTACT_PHONE},
        title="储罐区消防通道堵塞",
        occurredAt="2026-11-28T21:30:00+08:00",
    )
    assert made.status_code == 201, made.text
    receipt = made.json()["receipt"]
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}", receipt)
    assert set(made.json()) == {"receipt", "status", "submittedAt", "updatedAt", "replies"}
    report_id = await report_id_of(receipt)

    # the district of E1 and the city above it receive it, with the contact; E1's grid inspector without it
    dinghai, city, inspector = [
        await login(client, name) for name in ("regulator_dinghai", "regulator_city", "inspector1")
    ]
    for regulator in (dinghai, city):
        assert report_id in await inbox(client, regulator)
        detail = (await client.get(f"/v1/public-reports/{report_id}", headers=regulator)).json()
        assert detail["contact"] == {"name": CONTACT_NAME, "phone": CONTACT_PHONE}
        assert detail["routedBy"] == "credit_code" and detail["enterpriseId"] == await enterprise_id("E1")
        assert detail["regionCode"] == "330902007" and detail["allowedActions"] == [
            "accept",
            "dismiss",
            "forward",
            "reply",
        ]
    assert report_id in await inbox(client, inspector)
    seen_by_inspector = (await client.get(f"/v1/public-reports/{report_id}", headers=inspector)).json()
    assert seen_by_inspector["contact"] is None and seen_by_inspector["hasContact"] is True
    assert seen_by_inspector["allowedActions"] == []
    # a notification for the regulators' side was queued with the report (and carries no contact: see the scan below)
    await services_of(app).dispatcher.drain()

    # the regulator turns it into a hazard of E1, carrying the photo, and replies to the reporter
    accepted = await act(
        client,
        dinghai,
        report_id,
        {"action": "accept", "category": "unsafe_condition", "photoIds": [photo.json()["id"]], "reply": "已交企业整改"}
        | WORDS,
    )
    assert accepted.status_code == 200, accepted.text
    hazard_id = accepted.json()["hazardId"]
    assert accepted.json()["status"] == "accepted" and hazard_id
    assert await verify_hazard_chain(report_id) and await verify_hazard_chain(hazard_id)
    await services_of(app).dispatcher.drain()

    # the enterprise sees the hazard (source public report, its photo) and nothing of the report or its reporter
    for username in ENTERPRISE_USERS:
        headers = await login(client, username)
        hazard = await client.get(f"/v1/hazards/{hazard_id}", headers=headers)
        assert hazard.status_code == 200 and hazard.json()["source"] == "public_report"
        # its photo is the enterprise's own copy (another id and hash, no EXIF); the report's photo, whose EXIF
        # keeps the reporter's camera, time and place, is not theirs to fetch in any form
        [copy] = hazard.json()["photos"]
        assert copy["id"] != photo.json()["id"] and copy["sha256"] != photo.json()["sha256"]
        for path in (f"/v1/photos/{copy['id']}", f"/v1/photos/{copy['id']}/display", f"/v1/photos/{copy['id']}/thumb"):
            shown = await client.get(path, headers=headers)
            assert shown.status_code == 200 and not Image.open(io.BytesIO(shown.content)).getexif(), path
        original = f"/v1/photos/{photo.json()['id']}"
        for path in (original, f"{original}/display", f"{original}/thumb"):
            refused = await client.get(path, headers=headers)
            assert (refused.status_code, refused.json()["code"]) == (404, "NOT_FOUND"), path
        for path in (
            "/v1/public-reports",
            f"/v1/public-reports/{report_id}",
            f"/v1/public-reports/{report_id}/history",
        ):
            refused = await client.get(path, headers=headers)
            assert refused.status_code == 403 and refused.json()["code"] == "FORBIDDEN", path
        refused = await act(client, headers, report_id, {"action": "reply", "reply": "x"}, version=2)
        assert refused.status_code == 403
        for path in (
            f"/v1/hazards/{hazard_id}",
            f"/v1/hazards/{hazard_id}/history",
            "/v1/hazards?limit=100",
            "/v1/notifications",
            "/v1/sync/changes",
            f"/v1/enterprises/{await enterprise_id('E1')}",
        ):
            response = await client.get(path, headers=headers)
            assert response.status_code in (200, 404), (path, response.status_code)
            assert CONTACT_PHONE not in response.text and CONTACT_NAME not in response.text, path

    # the contact is in exactly one table: not in the hazard, its history, the outbox, notifications or sync changes
    holding = []
    for table in ALL_TABLES:
        text = json.dumps(await table.select().run(), ensure_ascii=False, default=str)
        if CONTACT_PHONE in text or CONTACT_NAME in text:
            holding.append(table._meta.tablename)
    assert holding == [PublicReportContact._meta.tablename]

    # the reporter follows it: the status and the reply, nothing else
    followed = await client.get(f"/v1/public/reports/{receipt.lower()}")
    assert followed.status_code == 200
    assert followed.json()["status"] == "accepted" and [r["text"] for r in followed.json()["replies"]] == [
        "已交企业整改"
    ]
    assert set(followed.json()) == {"receipt", "status", "submittedAt", "updatedAt", "replies"}


async def test_a_report_placed_in_another_district_is_not_seen_by_this_districts_regulator(client):
    lat, lng = grid_centre("PT-LH-01")  # 普陀区六横镇
    made = await submit(client, lat=lat, lng=lng)
    assert made.status_code == 201, made.text
    report_id = await report_id_of(made.json()["receipt"])
    dinghai, city, inspector = (
        await login(client, "regulator_dinghai"),
        await login(client, "regulator_city"),
        await login(client, "inspector1"),
    )
    for outsider in (dinghai, inspector):
        assert report_id not in await inbox(client, outsider)
        hidden = await client.get(f"/v1/public-reports/{report_id}", headers=outsider)
        assert hidden.status_code == 404 and hidden.json()["code"] == "NOT_FOUND"
        assert (await act(client, outsider, report_id, {"action": "reply", "reply": "x"}, version=1)).status_code == 404
    detail = (await client.get(f"/v1/public-reports/{report_id}", headers=city)).json()
    assert detail["routedBy"] == "location" and detail["regionCode"] == "330903100" and detail["gridId"]
    assert detail["enterpriseId"] is None and detail["hasContact"] is False and detail["contact"] is None


async def test_routing_by_enterprise_name_by_chosen_region_and_the_fallback_to_the_city(client):
    city = await login(client, "regulator_city")
    by_name = await submit(client, enterpriseName=" 舟山海鲜冷链食品有限公司 ")
    by_region = await submit(client, regionCode="330921")
    unmatched = await submit(client, enterpriseName="不存在的公司")
    routes = []
    for made in (by_name, by_region, unmatched):
        assert made.status_code == 201, made.text
        detail = (
            await client.get(f"/v1/public-reports/{await report_id_of(made.json()['receipt'])}", headers=city)
        ).json()
        routes.append((detail["routedBy"], detail["regionCode"], detail["enterpriseId"]))
    assert routes == [
        ("enterprise_name", "330902010", await enterprise_id("E3")),
        ("region", "330921", None),
        ("fallback", "330900", None),
    ]


async def test_the_same_device_and_client_id_again_answer_with_the_same_receipt(client):
    phone = device()
    first = await submit(client, deviceId=phone, clientId="same", regionCode="330902")
    again = await submit(client, deviceId=phone, clientId="same", regionCode="330902")
    other_phone = await submit(client, clientId="same", regionCode="330902")
    assert (first.status_code, again.status_code, other_phone.status_code) == (201, 200, 201)
    assert first.json()["receipt"] == again.json()["receipt"] != other_phone.json()["receipt"]
    assert await PublicReport.count() == 3 + 2  # the seed's three and the two new ones


# --- the receipt ------------------------------------------------------------------------------------------------------


async def test_the_receipt_reads_forgivingly_and_an_unknown_one_is_not_found(client):
    receipt = (await submit(client, regionCode="330902")).json()["receipt"]
    for typed in (receipt, receipt.lower(), receipt.replace("-", " "), receipt.replace("-", "").replace("0", "O")):
        response = await client.get(f"/v1/public/reports/{typed}")
        assert response.status_code == 200 and response.json()["receipt"] == receipt, typed
        assert response.json()["status"] == "received" and response.json()["replies"] == []
    for wrong in ("ZZZZ-ZZZZ-ZZZZ", "short", "UUUU-UUUU-UUUU", "x" * 40):
        response = await client.get(f"/v1/public/reports/{wrong}")
        assert response.status_code == 404 and response.json()["code"] == "NOT_FOUND", wrong


# --- photos -----------------------------------------------------------------------------------------------------------


async def test_photos_are_checked_kept_per_device_and_shown_to_the_regulators_alone(client):
    mine, theirs = device(), device()
    photo = await upload(client, mine, seed=3)
    assert photo.status_code == 201 and set(photo.json()) == {"id", "sha256", "width", "height"}
    assert (await upload(client, mine, seed=3)).json()["id"] == photo.json()["id"]  # a retry: the same photo
    not_image = await client.post(
        "/v1/public/reports/photos",
        content=form(b"<html>x</html>", clientId="p2", deviceId=mine),
        headers={"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
    )
    assert not_image.status_code == 422 and not_image.json()["code"] == "PHOTO_NOT_AN_IMAGE"

    # another device cannot put my photo in its report
    stolen = await submit(client, deviceId=theirs, regionCode="330902", photoIds=[photo.json()["id"]])
    assert stolen.status_code == 422 and stolen.json()["code"] == "PUBLIC_REPORT_INPUT_INVALID"
    made = await submit(
        client, deviceId=mine, enterpriseCreditCode=await credit_code("E1"), photoIds=[photo.json()["id"]]
    )
    assert made.status_code == 201, made.text
    report_id = await report_id_of(made.json()["receipt"])

    dinghai = await login(client, "regulator_dinghai")
    listed = (await client.get(f"/v1/public-reports/{report_id}", headers=dinghai)).json()["photos"]
    assert [p["id"] for p in listed] == [photo.json()["id"]]
    for path in (listed[0]["url"], listed[0]["thumbUrl"]):
        assert (await client.get(path, headers=dinghai)).status_code == 200, path
    # the enterprise does not see a report's photo until a hazard carries it (the regulator chooses which)
    for username in ENTERPRISE_USERS:
        assert (await client.get(listed[0]["url"], headers=await login(client, username))).status_code == 404
    accepted = await act(client, dinghai, report_id, {"action": "accept", "category": "unsafe_condition"} | WORDS)
    assert accepted.status_code == 200 and accepted.json()["hazardId"]
    officer = await login(client, "officer1")
    assert (await client.get(f"/v1/hazards/{accepted.json()['hazardId']}", headers=officer)).json()["photos"] == []
    assert (await client.get(listed[0]["url"], headers=officer)).status_code == 404


# --- the regulator's actions ------------------------------------------------------------------------------------------


async def test_the_regulators_actions_follow_the_table_with_versions_and_history(client):
    lat, lng = grid_centre("PT-LH-01")
    report_id = await report_id_of((await submit(client, lat=lat, lng=lng)).json()["receipt"])
    city, _inspector = await login(client, "regulator_city"), await login(client, "inspector1")

    no_version = await client.post(
        f"/v1/public-reports/{report_id}/transitions", json={"action": "reply", "reply": "x"}, headers=city
    )
    assert no_version.status_code == 428 and no_version.json()["code"] == "IF_MATCH_REQUIRED"
    stale = await act(client, city, report_id, {"action": "reply", "reply": "x"}, version=7)
    assert stale.status_code == 412 and stale.json()["code"] == "PUBLIC_REPORT_VERSION_STALE"
    # no enterprise was named: accepting needs one
    unnamed = await act(client, city, report_id, {"action": "accept", "category": "unsafe_act"} | WORDS)
    assert unnamed.status_code == 422 and unnamed.json()["params"]["field"] == "enterpriseId"

    replied = await act(client, city, report_id, {"action": "reply", "reply": "已转六横镇核查"})
    assert replied.status_code == 200 and replied.json()["status"] == "received" and replied.json()["version"] == 2
    e2 = await enterprise_id("E2")
    accepted = await act(
        client,
        city,
        report_id,
        {
            "action": "accept",
            "category": "unsafe_act",
            "enterpriseId": e2,
            "title": "船坞夜间动火无人监护（核实）",
            "description": WORDS["description"],
        },
    )
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["enterpriseId"] == e2 and accepted.json()["allowedActions"] == ["reply"]
    hazard = (
        await client.get(f"/v1/hazards/{accepted.json()['hazardId']}", headers=await login(client, "officer2"))
    ).json()
    assert (
        hazard["enterpriseId"] == e2
        and hazard["title"] == "船坞夜间动火无人监护（核实）"
        and hazard["side"] == "regulator"
    )

    again = await act(client, city, report_id, {"action": "dismiss", "reason": "重复"})
    assert again.status_code == 409 and again.json()["code"] == "PUBLIC_REPORT_ACTION_NOT_ALLOWED"
    history = (await client.get(f"/v1/public-reports/{report_id}/history", headers=city)).json()
    assert [(e["action"], e["role"]) for e in history] == [
        ("receive", "public"),
        ("reply", "regulator"),
        ("accept", "regulator"),
    ]
    assert history[2]["payload"]["hazard_id"] == accepted.json()["hazardId"]
    assert all(later["prevHash"] == earlier["hash"] for earlier, later in itertools.pairwise(history))


async def test_a_dismissal_keeps_its_reason_and_tells_the_reporter(client):
    made = await submit(client, enterpriseCreditCode=await credit_code("E1"))
    report_id = await report_id_of(made.json()["receipt"])
    dinghai, inspector = await login(client, "regulator_dinghai"), await login(client, "inspector1")
    assert (await act(client, inspector, report_id, {"action": "dismiss", "reason": "x"})).status_code == 403
    dismissed = await act(
        client, dinghai, report_id, {"action": "dismiss", "reason": "现场核查无此情况", "reply": "经核查未发现所述问题"}
    )
    assert dismissed.status_code == 200 and dismissed.json()["dismissReason"] == "现场核查无此情况"
    followed = (await client.get(f"/v1/public/reports/{made.json()['receipt']}")).json()
    assert followed["status"] == "dismissed" and [r["text"] for r in followed["replies"]] == ["经核查未发现所述问题"]
    assert "现场核查无此情况" not in json.dumps(followed, ensure_ascii=False)  # the reason is internal


# --- rate limits ------------------------------------------------------------------------------------------------------


async def test_a_device_is_limited_to_five_reports_an_hour_with_retry_after(client):
    phone = device()
    for n in range(5):
        assert (await submit(client, deviceId=phone, clientId=f"c{n}", regionCode="330902")).status_code == 201
    refused = await submit(client, deviceId=phone, clientId="c5", regionCode="330902")
    assert refused.status_code == 429 and refused.json()["code"] == "PUBLIC_REPORT_RATE_LIMITED"
    assert 1 <= int(refused.headers["Retry-After"]) <= 3600
    # a retry of a report already made still gets its receipt; another device is not held back
    assert (await submit(client, deviceId=phone, clientId="c0", regionCode="330902")).status_code == 200
    assert (await submit(client, regionCode="330902")).status_code == 201
    assert await PublicReport.count() == 3 + 6


async def test_an_address_is_limited_across_devices_and_another_address_is_not(app, client):
    for n in range(30):
        assert (await submit(client, regionCode="330902")).status_code == 201, n
    refused = await submit(client, regionCode="330902")
    assert refused.status_code == 429 and refused.json()["code"] == "PUBLIC_REPORT_RATE_LIMITED"
    assert refused.json()["params"]["limit"] == "report-address" and int(refused.headers["Retry-After"]) >= 1
    elsewhere = httpx.ASGITransport(app=app, client=("203.0.113.9", 4000))
    async with httpx.AsyncClient(transport=elsewhere, base_url="http://testserver") as other:
        assert (await submit(other, regionCode="330902")).status_code == 201
    # counters are kept hashed: no address or device id in the clear
    ids = [row["id"] for row in await PublicRateCounter.select(PublicRateCounter.id).run()]
    assert ids and not any("127.0.0.1" in i or "203.0.113.9" in i or "phone-" in i for i in ids)


async def test_receipt_lookups_are_limited_per_address(client):
    for _ in range(60):
        assert (await client.get("/v1/public/reports/ZZZZ-ZZZZ-ZZZZ")).status_code == 404
    refused = await client.get("/v1/public/reports/ZZZZ-ZZZZ-ZZZZ")
    assert refused.status_code == 429 and refused.json()["code"] == "PUBLIC_REPORT_RATE_LIMITED"
    assert int(refused.headers["Retry-After"]) <= 600


@pytest.mark.parametrize("path", ["/v1/public-reports", "/v1/public-reports/x", "/v1/public-reports/x/history"])
async def test_the_inbox_needs_an_account(client, path):
    response = await client.get(path)
    assert response.status_code == 401 and response.json()["code"] == "AUTH_REQUIRED"


async def test_two_regulators_accepting_at_once_make_one_hazard(client):
    report_id = await report_id_of(
        (await submit(client, enterpriseCreditCode=await credit_code("E1"))).json()["receipt"]
    )
    dinghai, city = await login(client, "regulator_dinghai"), await login(client, "regulator_city")
    body = {"action": "accept", "category": "unsafe_condition"} | WORDS
    answers = await asyncio.gather(
        act(client, dinghai, report_id, body, version=1), act(client, city, report_id, body, version=1)
    )
    assert sorted(a.status_code for a in answers) == [200, 412], [a.text for a in answers]
    made = await Hazard.select(Hazard.id).where(Hazard.source == "public_report", Hazard.title == WORDS["title"]).run()
    assert [row["id"] for row in made] == [next(a for a in answers if a.status_code == 200).json()["hazardId"]]


async def test_the_regulators_of_the_region_are_notified_in_the_app_and_the_enterprise_is_not(client, app):
    lat, lng = grid_centre("PT-LH-01")
    placed = await report_id_of((await submit(client, lat=lat, lng=lng)).json()["receipt"])
    named = await report_id_of((await submit(client, enterpriseCreditCode=await credit_code("E2"))).json()["receipt"])
    await relay_outbox(services_of(app).dispatcher)
    await services_of(app).dispatcher.drain()

    async def notified(username: str) -> set[str]:
        response = await client.get("/v1/notifications", params={"limit": "100"}, headers=await login(client, username))
        assert response.status_code == 200, response.text
        return {item["subjectId"] for item in response.json()["items"] if item["event"] == "public_report.received"}

    assert {placed, named} <= await notified("regulator_city")
    assert not {placed, named} & await notified("regulator_dinghai")
    for username in ("officer2", "principal2"):
        assert await notified(username) == set()


async def test_counters_of_windows_long_over_are_purged_and_current_ones_kept(db):
    now = utcnow()
    await count_request([(REPORT_PER_DEVICE, "old-phone")], now - timedelta(days=3))
    await count_request([(REPORT_PER_DEVICE, "new-phone")], now)
    before = await PublicRateCounter.count()
    assert await purge_expired_counters(now) >= 1
    assert await PublicRateCounter.count() == before - 1 and await purge_expired_counters(now) == 0


async def test_a_device_is_limited_to_thirty_photos_an_hour_and_a_refused_one_is_not_kept(client, db):
    settings, _ = db
    phone = device()

    async def small(n: int) -> httpx.Response:
        body = form(camera_jpeg(size=(64, 48), seed=n), clientId=f"p{n}", deviceId=phone)
        return await client.post(
            "/v1/public/reports/photos",
            content=body,
            headers={"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
        )

    for n in range(30):
        assert (await small(n)).status_code == 201, n
    photos, kept = (
        await Photo.count(),
        sorted(p.name for p in (settings.photo_dir / "originals").rglob("*") if p.is_file()),
    )
    refused = await small(30)
    assert refused.status_code == 429 and refused.json()["code"] == "PUBLIC_REPORT_RATE_LIMITED"
    assert int(refused.headers["Retry-After"]) >= 1
    assert await Photo.count() == photos
    assert sorted(p.name for p in (settings.photo_dir / "originals").rglob("*") if p.is_file()) == kept
    assert (await small(3)).status_code == 200  # a retry of a photo already kept still answers


async def test_the_reference_client_reports_anonymously_and_the_regulator_answers_through_it(app):
    transport = httpx.ASGITransport(app=app)
    phone = device()
    async with Client("http://testserver", transport=transport) as reporter:
        photo = await reporter.upload_public_photo(camera_jpeg(seed=9), client_id="c-photo", device_id=phone)
        new = PublicReportCreate(
            client_id="c-1",
            device_id=phone,
            description="码头吊机钢丝绳断股",
            region_code="330902",
            photo_ids=[photo.id],
            contact=PublicContact(phone="13700000000"),
        )
        receipt, made = await reporter.report_publicly(new)
        assert made and (await reporter.report_publicly(new)) == (receipt, False)
        with pytest.raises(ApiError) as refused:
            await reporter.follow_public_report("ZZZZ-ZZZZ-ZZZZ")
        assert refused.value.status == 404 and refused.value.code == "NOT_FOUND"
    async with Client("http://testserver", transport=transport) as regulator:
        await regulator.login("regulator_dinghai", "Demo@2026")
        listed = await regulator.public_reports(status="received")
        report = next(r for r in listed.items if [p.id for p in r.photos] == [photo.id])
        assert (await regulator.public_report(report.id)).contact.phone == "13700000000"
        replied = await regulator.act_on_public_report(
            report.id, ReplyToReport(reply="收到，已安排核查"), version=report.version
        )
        assert replied.version == report.version + 1
        # accepting takes the regulator's own words for the enterprise: the reporter's are refused
        e1 = await enterprise_id("E1")
        with pytest.raises(ApiError) as refused:
            await regulator.accept_public_report(
                report.id,
                version=replied.version,
                category="unsafe_condition",
                title="钢丝绳断股",
                description="码头吊机钢丝绳断股",
                enterprise_id=e1,
            )
        assert (refused.value.status, refused.value.code) == (422, "PUBLIC_REPORT_WORDING_COPIED")
        accepted = await regulator.accept_public_report(
            report.id,
            version=replied.version,
            category="unsafe_condition",
            title="码头吊机钢丝绳隐患（核实）",
            description="经核实，码头吊机钢丝绳存在断股，请立即更换并检查同批钢丝绳。",
            enterprise_id=e1,
            photo_ids=[photo.id],
        )
        assert accepted.status == "accepted" and accepted.hazard_id and accepted.version == replied.version + 1
    async with Client("http://testserver", transport=transport) as reporter:
        followed = await reporter.follow_public_report(receipt.receipt)
        assert followed.status == "accepted" and [r.text for r in followed.replies] == ["收到，已安排核查"]


async def test_a_report_forwarded_to_the_right_region_reaches_its_regulators_and_leaves_the_forwarders(client, app):
    report_id = await report_id_of((await submit(client, regionCode="330902")).json()["receipt"])
    dinghai, city = await login(client, "regulator_dinghai"), await login(client, "regulator_city")
    refused = await act(client, dinghai, report_id, {"action": "forward", "regionCode": "330902", "reason": "本区"})
    assert (refused.status_code, refused.json()["code"]) == (422, "PUBLIC_REPORT_INPUT_INVALID")
    refused = await act(client, dinghai, report_id, {"action": "forward", "regionCode": "339999", "reason": "x"})
    assert (refused.status_code, refused.json()["params"]["reason"]) == (422, "unknown")

    forwarded = await act(
        client,
        dinghai,
        report_id,
        {"action": "forward", "regionCode": "330903", "reason": "位于普陀区，移交属地", "reply": "已移交普陀区"},
    )
    assert forwarded.status_code == 200, forwarded.text
    body = forwarded.json()
    assert (body["regionCode"], body["routedBy"], body["status"], body["contact"]) == (
        "330903",
        "forwarded",
        "received",
        None,
    )
    assert (await client.get(f"/v1/public-reports/{report_id}", headers=dinghai)).status_code == 404  # not theirs now
    assert report_id in await inbox(client, city)
    history = (await client.get(f"/v1/public-reports/{report_id}/history", headers=city)).json()
    assert history[-1]["name"] == "PublicReportForwarded"
    assert (history[-1]["payload"]["from_region"], history[-1]["payload"]["to_region"]) == ("330902", "330903")
    assert await verify_hazard_chain(report_id)
    await relay_outbox(services_of(app).dispatcher)
    await services_of(app).dispatcher.drain()
    keys = {
        row["event_key"]
        for row in await Notification.select(Notification.event_key).where(Notification.subject_id == report_id).run()
    }
    assert keys == {f"publicReport:{report_id}:received", f"publicReport:{report_id}:forwarded:330903"}
    receipt = (await PublicReport.select(PublicReport.receipt).where(PublicReport.id == report_id).first().run())[
        "receipt"
    ]
    followed = (await client.get(f"/v1/public/reports/{receipt}")).json()
    assert followed["status"] == "received" and [r["text"] for r in followed["replies"]] == ["已移交普陀区"]
    # a decided report is not forwarded any more
    accepted = await act(client, city, report_id, {"action": "dismiss", "reason": "重复举报"})
    assert accepted.status_code == 200
    late = await act(client, city, report_id, {"action": "forward", "regionCode": "330902", "reason": "x"})
    assert (late.status_code, late.json()["code"]) == (409, "PUBLIC_REPORT_ACTION_NOT_ALLOWED")
