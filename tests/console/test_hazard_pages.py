"""The console's 隐患 pages: the list, a hazard's timeline with photos, and the regulator's actions, on both engines."""

from __future__ import annotations

import re
from datetime import timedelta

from api.console.render import LOCAL_TIME
from domain.clock import utcnow
from tests.conftest import login
from tests.console.conftest import csrf_token_of

SUPERVISABLE = {"reported_to_regulator", "plan_submitted", "plan_approved"}


async def api_hazards(client, headers, **query) -> list[dict]:
    answer = await client.get("/v1/hazards", params={"limit": 1000, **query}, headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()["items"]


async def supervisable_major(client, headers) -> dict:
    """A major hazard of 定海 that regulator_dinghai may list for supervision now."""
    items = await api_hazards(client, headers, level="major")
    return next(h for h in items if "supervise" in h["allowedActions"] and h["status"] in SUPERVISABLE)


def timeline_length(html: str) -> int:
    timeline = html.split('id="timeline"', 1)[1].split("</ol>", 1)[0]
    return timeline.count("<li>")


def deadline_in(days: int) -> str:
    return (utcnow() + timedelta(days=days)).astimezone(LOCAL_TIME).date().isoformat()


async def test_a_regulator_supervises_a_major_hazard_and_its_timeline_grows(client, console_as):
    regulator = await login(client, "regulator_dinghai")
    hazard = await supervisable_major(client, regulator)
    before = (await client.get(f"/v1/hazards/{hazard['id']}/history", headers=regulator)).json()
    browser = await console_as("regulator_dinghai")
    shown = await browser.get(f"/console/hazards/{hazard['id']}")
    assert shown.status_code == 200
    assert 'data-action="supervise"' in shown.text and "挂牌督办" in shown.text
    assert timeline_length(shown.text) == len(before)

    answer = await browser.submit(
        f"/console/hazards/{hazard['id']}",
        f"/console/hazards/{hazard['id']}/act",
        {"action": "supervise", "version": str(hazard["version"]), "deadline": deadline_in(30), "note": "限期督办"},
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/console/hazards/{hazard['id']}?done=supervise"

    after = await browser.get(answer.headers["location"])
    assert timeline_length(after.text) == len(before) + 1
    assert "已完成：挂牌督办" in after.text and "限期督办" in after.text
    assert 'data-action="supervise"' not in after.text  # once only: the table no longer offers it
    # the API's history shows the same event, by the same regulator
    history = (await client.get(f"/v1/hazards/{hazard['id']}/history", headers=regulator)).json()
    assert len(history) == len(before) + 1
    assert history[-1]["action"] == "supervise" and history[-1]["payload"]["note"] == "限期督办"
    assert history[-1]["hash"][:12] in after.text
    read = (await client.get(f"/v1/hazards/{hazard['id']}", headers=regulator)).json()
    assert read["supervised"] is True and read["version"] == hazard["version"] + 1


async def test_a_stale_version_shows_the_conflict_and_the_current_state_and_changes_nothing(client, console_as):
    regulator = await login(client, "regulator_dinghai")
    hazard = await supervisable_major(client, regulator)
    browser = await console_as("regulator_dinghai")
    answer = await browser.submit(
        f"/console/hazards/{hazard['id']}",
        f"/console/hazards/{hazard['id']}/act",
        {"action": "supervise", "version": str(hazard["version"] - 1), "deadline": deadline_in(30)},
    )
    assert answer.status_code == 412
    assert "隐患已被他人更新" in answer.text and f"版本 {hazard['version']}" in answer.text
    assert 'data-action="supervise"' in answer.text  # the current state, with what may be done now
    read = (await client.get(f"/v1/hazards/{hazard['id']}", headers=regulator)).json()
    assert read["version"] == hazard["version"] and read["supervised"] is False


async def test_a_guard_refusal_is_shown_beside_the_form(client, console_as):
    regulator = await login(client, "regulator_dinghai")
    hazard = await supervisable_major(client, regulator)
    browser = await console_as("regulator_dinghai")
    answer = await browser.submit(
        f"/console/hazards/{hazard['id']}",
        f"/console/hazards/{hazard['id']}/act",
        {"action": "supervise", "version": str(hazard["version"]), "deadline": deadline_in(-3)},
    )
    assert answer.status_code == 422 and 'class="alert"' in answer.text
    assert (await client.get(f"/v1/hazards/{hazard['id']}", headers=regulator)).json()["supervised"] is False


async def test_the_regulator_writes_off_or_orders_governing_to_continue(client, console_as):
    regulator = await login(client, "regulator_dinghai")
    applied = await api_hazards(client, regulator, status="resume_applied")
    assert applied and {"writeOff", "orderContinue"} <= set(applied[0]["allowedActions"])
    hazard = applied[0]
    browser = await console_as("regulator_dinghai")
    shown = await browser.get(f"/console/hazards/{hazard['id']}")
    assert 'data-action="writeOff"' in shown.text and 'data-action="orderContinue"' in shown.text
    answer = await browser.submit(
        f"/console/hazards/{hazard['id']}",
        f"/console/hazards/{hazard['id']}/act",
        {"action": "orderContinue", "version": str(hazard["version"]), "reason": "联锁未投用"},
    )
    assert answer.status_code == 303
    read = (await client.get(f"/v1/hazards/{hazard['id']}", headers=regulator)).json()
    assert read["status"] == "plan_approved"


async def test_the_extension_decision_is_offered_and_taken(client, console_as):
    regulator = await login(client, "regulator_dinghai")
    pending = [
        h for h in await api_hazards(client, regulator, level="major") if "decideExtension" in h["allowedActions"]
    ]
    assert pending, "the demo has a supervised major hazard with an extension asked for"
    hazard = pending[0]
    browser = await console_as("regulator_dinghai")
    answer = await browser.submit(
        f"/console/hazards/{hazard['id']}",
        f"/console/hazards/{hazard['id']}/act",
        {"action": "decideExtension", "version": str(hazard["version"]), "approved": "yes", "reason": "供货延迟属实"},
    )
    assert answer.status_code == 303
    read = (await client.get(f"/v1/hazards/{hazard['id']}", headers=regulator)).json()
    assert read["requestedDeadline"] is None and read["deadline"] == hazard["requestedDeadline"]


async def test_the_list_filters_as_the_api_does(client, console_as):
    regulator = await login(client, "regulator_dinghai")
    browser = await console_as("regulator_dinghai")
    majors = await api_hazards(client, regulator, level="major", open="true")
    shown = await browser.get("/console/hazards", params={"level": "major", "status": "open"})
    assert shown.status_code == 200
    listed = set(re.findall(r'href="/console/hazards/([0-9A-Z]+)"', shown.text))
    assert listed == {h["id"] for h in majors[:20]}
    overdue = await api_hazards(client, regulator, overdue="true")
    shown = await browser.get("/console/hazards", params={"overdue": "1"})
    assert set(re.findall(r'href="/console/hazards/([0-9A-Z]+)"', shown.text)) == {h["id"] for h in overdue[:20]}


async def test_the_region_filter_narrows_the_city_to_a_district(client, console_as):
    city = await login(client, "regulator_city")
    dinghai = {h["id"] for h in await api_hazards(client, await login(client, "regulator_dinghai"), level="major")}
    browser = await console_as("regulator_city")
    shown = await browser.get("/console/hazards", params={"region": "330902", "level": "major"})
    listed = set(re.findall(r'href="/console/hazards/([0-9A-Z]+)"', shown.text))
    assert listed and listed <= dinghai
    everywhere = {h["id"] for h in await api_hazards(client, city, level="major")}
    assert everywhere - dinghai  # the city has majors outside 定海 that the filter left out
    # a region outside the caller's is refused like an unknown one
    narrow = await console_as("regulator_dinghai")
    assert (await narrow.get("/console/hazards", params={"region": "330903"})).status_code == 404


async def test_another_districts_hazard_answers_exactly_like_an_unknown_one(client, console_as):
    city = await login(client, "regulator_city")
    dinghai = {h["id"] for h in await api_hazards(client, await login(client, "regulator_dinghai"))}
    elsewhere = next(h for h in await api_hazards(client, city) if h["id"] not in dinghai)
    browser = await console_as("regulator_dinghai")
    outside = await browser.get(f"/console/hazards/{elsewhere['id']}")
    unknown = await browser.get("/console/hazards/01HZZZZZZZZZZZZZZZZZZZZZZZ")
    assert outside.status_code == unknown.status_code == 404
    assert outside.text == unknown.text
    # and its photos too
    if elsewhere["photos"]:
        photo = elsewhere["photos"][0]["id"]
        assert (await browser.get(f"/console/photos/{photo}/thumb")).status_code == 404


async def test_photos_are_served_to_the_console_through_the_photo_service(client, console_as):
    regulator = await login(client, "regulator_dinghai")
    with_photos = next(h for h in await api_hazards(client, regulator) if h["photos"])
    photo = with_photos["photos"][0]["id"]
    browser = await console_as("regulator_dinghai")
    shown = await browser.get(f"/console/hazards/{with_photos['id']}")
    assert f"/console/photos/{photo}/thumb" in shown.text
    thumb = await browser.get(f"/console/photos/{photo}/thumb")
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/jpeg"
    assert thumb.content == (await client.get(f"/v1/photos/{photo}/thumb", headers=regulator)).content
    signed_out = await client.get(f"/console/photos/{photo}/thumb")
    assert signed_out.status_code == 303  # no session: the sign-in page, never the photo


async def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(client, console_as):
    regulator = await login(client, "regulator_dinghai")
    hazard = await supervisable_major(client, regulator)
    browser = await console_as("regulator_dinghai")
    forged = await browser.http.post(
        f"/console/hazards/{hazard['id']}/act",
        data={"action": "supervise", "version": str(hazard["version"]), "deadline": deadline_in(30)},
    )
    assert forged.status_code == 403
    read = (await client.get(f"/v1/hazards/{hazard['id']}", headers=regulator)).json()
    assert read["version"] == hazard["version"] and read["supervised"] is False


async def test_an_enterprise_officer_is_refused(client, console_as):
    regulator = await login(client, "regulator_dinghai")
    hazard = await supervisable_major(client, regulator)
    browser = await console_as("officer1")
    assert (await browser.get("/console/hazards")).status_code == 403
    assert (await browser.get(f"/console/hazards/{hazard['id']}")).status_code == 403
    page = await browser.get("/console/login")
    answer = await browser.http.post(
        f"/console/hazards/{hazard['id']}/act",
        data={"action": "supervise", "version": str(hazard["version"]), "_csrf_token": csrf_token_of(page.text)},
    )
    assert answer.status_code == 403
