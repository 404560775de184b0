"""Webhooks, deliveries, the dead-letter queue and the in-app notifications through the real API, on both engines."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime

from domain.accounts.tables import AppUser
from domain.notifications.tables import WebhookSubscription
from seed.notifications import DEMO_WEBHOOK_URL
from tests.conftest import login
from tests.integration.test_webhook_delivery import Receiver, report_major_hazard
from workers.jobs.notifications import notify_hazard_event


async def until(read, done, seconds: float = 10) -> dict:
    """Read (a request) until `done(body)` holds; the body."""
    give_up = time.monotonic() + seconds
    while not done(body := (await read()).json()):
        assert time.monotonic() < give_up, body
        await asyncio.sleep(0.05)
    return body


async def create(client, headers, **body) -> dict:
    response = await client.post("/v1/webhooks", json={"url": "http://127.0.0.1:9/gov-hook"} | body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def test_a_webhook_shows_its_secret_once_and_never_again(client):
    admin = await login(client, "admin")
    created = await create(client, admin, audience="enterprise", eventKinds=["hazard.acceptance_rejected"])
    webhook = created["webhook"]
    assert created["secret"].startswith("whsec_") and len(created["secret"]) > 40
    assert webhook["active"] is True and webhook["eventKinds"] == ["hazard.acceptance_rejected"]
    read = await client.get(f"/v1/webhooks/{webhook['id']}", headers=admin)
    listed = await client.get("/v1/webhooks", headers=admin)
    assert read.status_code == 200 and "secret" not in read.json() and created["secret"] not in read.text
    assert webhook["id"] in [w["id"] for w in listed.json()["items"]] and created["secret"] not in listed.text
    assert DEMO_WEBHOOK_URL in [w["url"] for w in listed.json()["items"]]  # the seed's city endpoint


async def test_a_regulator_registers_for_their_own_region_and_sees_only_its_subtree(client):
    dinghai, city = await login(client, "regulator_dinghai"), await login(client, "regulator_city")
    mine = (await create(client, dinghai))["webhook"]
    assert (mine["audience"], mine["regionCode"]) == ("regulator", "330902")
    seeded_city = (
        await WebhookSubscription.select(WebhookSubscription.id)
        .where(WebhookSubscription.url == DEMO_WEBHOOK_URL)
        .first()
        .run()
    )["id"]
    seen_by_dinghai = [w["id"] for w in (await client.get("/v1/webhooks", headers=dinghai)).json()["items"]]
    seen_by_city = [w["id"] for w in (await client.get("/v1/webhooks", headers=city)).json()["items"]]
    assert seen_by_dinghai == [mine["id"]]
    assert {mine["id"], seeded_city} <= set(seen_by_city)
    refused = await client.get(f"/v1/webhooks/{seeded_city}", headers=dinghai)
    assert refused.status_code == 404 and refused.json()["code"] == "NOT_FOUND"
    disabled = await client.post(f"/v1/webhooks/{mine['id']}/disable", headers=city)  # the city oversees its districts
    assert disabled.status_code == 200 and disabled.json()["active"] is False
    enabled = await client.post(f"/v1/webhooks/{mine['id']}/enable", headers=dinghai)
    assert enabled.json()["active"] is True


async def test_the_seeded_city_webhook_has_waiting_deliveries_listed_with_their_tries(client):
    city, dinghai = await login(client, "regulator_city"), await login(client, "regulator_dinghai")
    page = await client.get("/v1/webhooks/deliveries", params={"status": "pending", "limit": "2"}, headers=city)
    assert page.status_code == 200, page.text
    items = page.json()["items"]
    assert len(items) == 2 and page.json()["nextCursor"]
    assert {item["event"] for item in items} == {"escalation.hazard_overdue"}
    following = await client.get(
        "/v1/webhooks/deliveries", params={"status": "pending", "cursor": page.json()["nextCursor"]}, headers=city
    )
    assert {item["id"] for item in following.json()["items"]}.isdisjoint({item["id"] for item in items})
    one = await client.get(f"/v1/webhooks/deliveries/{items[0]['id']}", headers=city)
    assert one.status_code == 200 and one.json()["attempts"] == [] and one.json()["status"] == "pending"
    not_dead = await client.post(f"/v1/webhooks/deliveries/{items[0]['id']}/redrive", headers=city)
    assert not_dead.status_code == 409 and not_dead.json()["code"] == "WEBHOOK_REDRIVE_NOT_ALLOWED"
    assert (await client.get(f"/v1/webhooks/deliveries/{items[0]['id']}", headers=dinghai)).status_code == 404
    assert (await client.get("/v1/webhooks/deliveries", params={"status": "dead"}, headers=dinghai)).json()[
        "items"
    ] == []


async def test_a_dead_letter_redriven_through_the_api_reaches_the_mended_receiver(client, db):
    admin = await login(client, "admin")
    settings, engine = db
    async with Receiver(failures=10**6, status=404) as receiver:
        response = await client.post(
            "/v1/webhooks", json={"url": receiver.url, "eventKinds": ["hazard.major_reported"]}, headers=admin
        )
        receiver.secret = response.json()["secret"]
        hazard_id, _ = await report_major_hazard("api-redrive")
        await notify_hazard_event({"settings": settings, "engine": engine}, hazard_id, 1)
        query = {"status": "dead", "webhookId": response.json()["webhook"]["id"]}
        dead = await until(
            lambda: client.get("/v1/webhooks/deliveries", params=query, headers=admin), lambda body: body["items"]
        )  # the app's own relay may be the one that sent it
        dead = dead["items"]
        assert [(d["tries"], d["lastStatusCode"]) for d in dead] == [(1, 404)]

        receiver.failures = 0
        redriven = await client.post(f"/v1/webhooks/deliveries/{dead[0]['id']}/redrive", headers=admin)
        assert redriven.status_code == 200 and redriven.json()["status"] == "pending"
        # the redrive went into the outbox with the change; the app's relay hands it to the in-process job
        current = await until(
            lambda: client.get(f"/v1/webhooks/deliveries/{dead[0]['id']}", headers=admin),
            lambda body: body["status"] == "delivered",
        )
    assert [(a["attempt"], a["statusCode"], a["outcome"]) for a in current["attempts"]] == [
        (1, 404, "dead"),
        (2, 200, "delivered"),
    ]
    assert [r["delivery_id"] for r in receiver.requests] == [dead[0]["id"]] * 2 and all(
        r["verified"] for r in receiver.requests
    )


async def test_each_side_reads_its_own_notifications(client):
    principal, officer2 = await login(client, "principal1"), await login(client, "officer2")
    city, inspector = await login(client, "regulator_city"), await login(client, "inspector1")
    e1 = (await AppUser.select(AppUser.enterprise_id).where(AppUser.username == "principal1").first().run())[
        "enterprise_id"
    ]
    mine = (await client.get("/v1/notifications", params={"limit": "100"}, headers=principal)).json()["items"]
    assert mine and {(n["audience"], n["enterpriseId"]) for n in mine} == {("enterprise", e1)}
    overdue = [n for n in mine if n["event"] == "escalation.hazard_overdue"]
    assert overdue and all(n["data"]["step"] == 1 and n["data"]["principals"] for n in overdue)
    assert all(datetime.fromisoformat(n["data"]["deadline"]).tzinfo and "T" in n["data"]["deadline"] for n in overdue)
    others = (await client.get("/v1/notifications", params={"limit": "100"}, headers=officer2)).json()["items"]
    assert others and e1 not in {n["enterpriseId"] for n in others}
    regulator = (await client.get("/v1/notifications", params={"limit": "100"}, headers=city)).json()["items"]
    assert regulator and {n["audience"] for n in regulator} == {"regulator"}
    assert {n["data"]["step"] for n in regulator if n["event"] == "escalation.hazard_overdue"} == {2}
    refused = await client.get("/v1/notifications", headers=inspector)
    assert refused.status_code == 403 and refused.json()["code"] == "FORBIDDEN"
