"""The console's 举报 pages: the inbox, a report with its photos and chain, and the regulator's actions, on both
engines."""

from __future__ import annotations

from tests.api.test_public_reports import WORDS, credit_code, device, submit, upload
from tests.conftest import login

REPORTER_TEXT = "岑港储罐区夜间有人动火作业，没有看护人员，非常危险，请尽快处理"


async def fresh_report(client, *, with_photo: bool = True) -> dict:
    """A report naming E1 (定海), as the public sends one, and the regulator's API view of it."""
    phone = device()
    photo_ids = [(await upload(client, phone)).json()["id"]] if with_photo else []
    sent = await submit(
        client,
        deviceId=phone,
        title="储罐区违规动火",
        description=REPORTER_TEXT,
        enterpriseCreditCode=await credit_code("E1"),
        photoIds=photo_ids,
        contact={"name": "吹哨人乙", "phone": "13900001111"},
    )
    assert sent.status_code == 201, sent.text
    regulator = await login(client, "regulator_dinghai")
    newest = (await client.get("/v1/public-reports", headers=regulator)).json()["items"][0]
    assert newest["description"] == REPORTER_TEXT
    return newest


async def test_the_inbox_lists_the_regions_reports_and_a_report_shows_its_photos_contact_and_actions(
    client, console_as
):
    report = await fresh_report(client)
    browser = await console_as("regulator_dinghai")
    inbox = await browser.get("/console/reports")
    assert inbox.status_code == 200 and f"/console/reports/{report['id']}" in inbox.text and "待处理" in inbox.text
    shown = await browser.get(f"/console/reports/{report['id']}")
    assert shown.status_code == 200
    assert REPORTER_TEXT in shown.text and "吹哨人乙" in shown.text  # the regulator sees the contact
    photo = report["photos"][0]["id"]
    assert f"/console/photos/{photo}/thumb" in shown.text
    thumb = await browser.get(f"/console/photos/{photo}/thumb")
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/jpeg"
    for action in ("accept", "dismiss", "forward", "reply"):
        assert f'data-action="{action}"' in shown.text


async def test_accepting_with_enterprise_facing_text_makes_a_hazard_without_the_reporters_words(client, console_as):
    report = await fresh_report(client)
    browser = await console_as("regulator_dinghai")
    page = f"/console/reports/{report['id']}"
    answer = await browser.submit(
        page,
        f"{page}/act",
        {
            "action": "accept",
            "version": str(report["version"]),
            "enterprise_id": report["enterpriseId"],
            "category": "unsafe_act",
            "level": "general",
            "title": WORDS["title"],
            "description": WORDS["description"],
            "photo_ids": report["photos"][0]["id"],
            "reply": "已受理并转企业整改",
        },
    )
    assert answer.status_code == 303 and answer.headers["location"] == f"{page}?done=accept"
    shown = await browser.get(answer.headers["location"])
    assert "已立案" in shown.text and "已完成：立案" in shown.text and "已受理并转企业整改" in shown.text
    regulator = await login(client, "regulator_dinghai")
    read = (await client.get(f"/v1/public-reports/{report['id']}", headers=regulator)).json()
    assert read["status"] == "accepted" and read["hazardId"]
    assert f"/console/hazards/{read['hazardId']}" in shown.text
    hazard = (await client.get(f"/v1/hazards/{read['hazardId']}", headers=regulator)).json()
    assert hazard["title"] == WORDS["title"] and hazard["source"] == "public_report"
    assert REPORTER_TEXT not in hazard["description"]
    # the enterprise gets a stamped copy, never the reporter's photo
    assert len(hazard["photos"]) == 1 and hazard["photos"][0]["id"] != report["photos"][0]["id"]


async def test_the_wording_rules_are_shown_in_chinese_and_keep_what_was_typed(client, console_as):
    report = await fresh_report(client, with_photo=False)
    browser = await console_as("regulator_dinghai")
    page = f"/console/reports/{report['id']}"
    fields = {"action": "accept", "version": str(report["version"]), "category": "unsafe_act", "level": "general"}
    missing = await browser.submit(page, f"{page}/act", fields | {"title": WORDS["title"], "description": ""})
    assert missing.status_code == 422 and "立案须由监管人员用自己的话填写" in missing.text
    assert WORDS["title"] in missing.text  # the form keeps what was typed
    copied = await browser.submit(page, f"{page}/act", fields | {"title": "储罐区违规动火", "description": "x" * 20})
    assert copied.status_code == 422 and "照抄了举报人原话" in copied.text
    regulator = await login(client, "regulator_dinghai")
    assert (await client.get(f"/v1/public-reports/{report['id']}", headers=regulator)).json()["status"] == "received"


async def test_dismiss_reply_and_a_stale_version(client, console_as):
    report = await fresh_report(client, with_photo=False)
    browser = await console_as("regulator_dinghai")
    page = f"/console/reports/{report['id']}"
    replied = await browser.submit(
        page, f"{page}/act", {"action": "reply", "version": str(report["version"]), "reply": "正在核实"}
    )
    assert replied.status_code == 303
    stale = await browser.submit(
        page, f"{page}/act", {"action": "dismiss", "version": str(report["version"]), "reason": "查无此事"}
    )
    assert stale.status_code == 412 and "alert" in stale.text and 'id="report-status"' in stale.text
    regulator = await login(client, "regulator_dinghai")
    current = (await client.get(f"/v1/public-reports/{report['id']}", headers=regulator)).json()
    assert current["status"] == "received" and current["version"] == report["version"] + 1
    dismissed = await browser.submit(
        page, f"{page}/act", {"action": "dismiss", "version": str(current["version"]), "reason": "查无此事"}
    )
    assert dismissed.status_code == 303
    assert (await client.get(f"/v1/public-reports/{report['id']}", headers=regulator)).json()["status"] == "dismissed"


async def test_forwarding_sends_it_to_another_region_and_back_to_the_inbox(client, console_as):
    report = await fresh_report(client, with_photo=False)
    browser = await console_as("regulator_dinghai")
    page = f"/console/reports/{report['id']}"
    answer = await browser.submit(
        page,
        f"{page}/act",
        {"action": "forward", "version": str(report["version"]), "region_code": "330903", "reason": "位于普陀区"},
    )
    assert answer.status_code == 303 and answer.headers["location"].startswith("/console/reports?forwarded=")
    assert (await browser.get(page)).status_code == 404  # it left 定海


async def test_another_districts_report_answers_exactly_like_an_unknown_one(client, console_as):
    city = await login(client, "regulator_city")
    dinghai = {
        r["id"]
        for r in (await client.get("/v1/public-reports", headers=await login(client, "regulator_dinghai"))).json()[
            "items"
        ]
    }
    elsewhere = next(
        r for r in (await client.get("/v1/public-reports", headers=city)).json()["items"] if r["id"] not in dinghai
    )
    browser = await console_as("regulator_dinghai")
    outside = await browser.get(f"/console/reports/{elsewhere['id']}")
    unknown = await browser.get("/console/reports/01HZZZZZZZZZZZZZZZZZZZZZZZ")
    assert outside.status_code == unknown.status_code == 404 and outside.text == unknown.text


async def test_a_form_without_its_csrf_token_is_refused_and_an_officer_is_refused(client, console_as):
    report = await fresh_report(client, with_photo=False)
    browser = await console_as("regulator_dinghai")
    forged = await browser.http.post(
        f"/console/reports/{report['id']}/act", data={"action": "reply", "version": "1", "reply": "伪造"}
    )
    assert forged.status_code == 403
    regulator = await login(client, "regulator_dinghai")
    assert (await client.get(f"/v1/public-reports/{report['id']}", headers=regulator)).json()["version"] == 1
    officer = await console_as("officer1")
    assert (await officer.get("/console/reports")).status_code == 403
    assert (await officer.get(f"/console/reports/{report['id']}")).status_code == 403


async def test_a_grid_inspector_reads_the_inbox_but_is_offered_no_action(client, console_as):
    browser = await console_as("inspector1")
    inbox = await browser.get("/console/reports")
    assert inbox.status_code == 200
