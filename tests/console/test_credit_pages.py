"""The console's 黑名单 page: candidates and listings in force, and the workflow's steps by the deciding department,
on both engines."""

from __future__ import annotations

from datetime import timedelta

from domain.credit.services import local_today
from tests.api.test_credit import enterprise_ids, listing_of, penalty, record
from tests.conftest import login


async def fresh_candidate(client) -> dict:
    """A penalty 定海 imposed on E1 for operating without a licence: a candidate 定海 decides."""
    regulator = await login(client, "regulator_dinghai")
    ids = await enterprise_ids()
    fined = await record(
        client,
        regulator,
        ids["E1"],
        "penalties",
        penalty(local_today() - timedelta(days=5), "unlicensed", authorityRegionCode="330902"),
    )
    return await listing_of(client, regulator, fined["id"])


async def test_the_page_shows_the_listings_in_force_and_the_pending_candidates(client, console_as):
    browser = await console_as("regulator_dinghai")
    shown = await browser.get("/console/credit")
    assert shown.status_code == 200
    regulator = await login(client, "regulator_dinghai")
    published = (await client.get("/v1/blacklist", params={"regionCode": "330902"}, headers=regulator)).json()["items"]
    pending = (await client.get("/v1/blacklist/candidates", headers=regulator)).json()["items"]
    assert published and pending
    for listing in published + pending:
        assert f'id="listing-{listing["id"]}"' in shown.text
    assert "已告知，听取陈述申辩" in shown.text and "已列入" in shown.text


async def test_a_candidate_is_notified_then_confirmed_by_the_deciding_department(client, console_as):
    candidate = await fresh_candidate(client)
    assert candidate["status"] == "candidate"
    browser = await console_as("regulator_dinghai")
    shown = await browser.get("/console/credit")
    card = shown.text.split(f'id="listing-{candidate["id"]}"', 1)[1].split("</article>", 1)[0]
    assert 'data-action="notify"' in card and 'data-action="confirm"' not in card

    today = local_today()
    notified = await browser.submit(
        "/console/credit", f"/console/credit/{candidate['id']}/notify", {"on": (today - timedelta(days=2)).isoformat()}
    )
    assert notified.status_code == 303 and "done=notify" in notified.headers["location"]
    after = await browser.get(notified.headers["location"])
    card = after.text.split(f'id="listing-{candidate["id"]}"', 1)[1].split("</article>", 1)[0]
    assert "已告知" in card and 'data-action="confirm"' in card and 'data-action="respond"' in card

    # the city above 定海 sees the candidate, but only the department that imposed the penalty decides
    city = await console_as("regulator_city")
    seen = await city.get("/console/credit", params={"region": "330902"})
    card = seen.text.split(f'id="listing-{candidate["id"]}"', 1)[1].split("</article>", 1)[0]
    assert 'data-action="confirm"' not in card and "由作出处罚决定的部门决定" in card
    refused = await city.submit("/console/credit", f"/console/credit/{candidate['id']}/confirm", {"text": "越权"})
    assert refused.status_code == 403

    confirmed = await browser.submit(
        "/console/credit", f"/console/credit/{candidate['id']}/confirm", {"text": "经集体讨论决定列入"}
    )
    assert confirmed.status_code == 303
    regulator = await login(client, "regulator_dinghai")
    published = (await client.get("/v1/blacklist", headers=regulator)).json()["items"]
    listed = next(item for item in published if item["id"] == candidate["id"])
    assert listed["status"] == "confirmed" and listed["reason"] == "经集体讨论决定列入"


async def test_a_refused_step_shows_its_chinese_message_and_changes_nothing(client, console_as):
    candidate = await fresh_candidate(client)
    browser = await console_as("regulator_dinghai")
    future = (local_today() + timedelta(days=3)).isoformat()
    answer = await browser.submit("/console/credit", f"/console/credit/{candidate['id']}/notify", {"on": future})
    assert answer.status_code == 422 and 'class="alert"' in answer.text
    dismiss = await browser.submit("/console/credit", f"/console/credit/{candidate['id']}/dismiss", {"text": ""})
    assert dismiss.status_code == 422
    regulator = await login(client, "regulator_dinghai")
    assert (await listing_of(client, regulator, candidate["penaltyId"]))["status"] == "candidate"


async def test_another_districts_listing_answers_404_a_form_without_csrf_403_and_an_officer_403(client, console_as):
    candidate = await fresh_candidate(client)
    city = await login(client, "regulator_city")
    fined = await record(
        client,
        city,
        (await enterprise_ids())["E2"],
        "penalties",
        penalty(local_today() - timedelta(days=5), "unlicensed", authorityRegionCode="330903"),
    )
    putuo = await listing_of(client, city, fined["id"])
    dinghai = await console_as("regulator_dinghai")
    outside = await dinghai.submit("/console/credit", f"/console/credit/{putuo['id']}/notify", {})
    unknown = await dinghai.submit("/console/credit", "/console/credit/01HZZZZZZZZZZZZZZZZZZZZZZZ/notify", {})
    assert outside.status_code == unknown.status_code == 404 and outside.text == unknown.text
    forged = await dinghai.http.post(f"/console/credit/{candidate['id']}/notify", data={})
    assert forged.status_code == 403
    regulator = await login(client, "regulator_dinghai")
    assert (await listing_of(client, regulator, candidate["penaltyId"]))["status"] == "candidate"
    officer = await console_as("officer1")
    assert (await officer.get("/console/credit")).status_code == 403
