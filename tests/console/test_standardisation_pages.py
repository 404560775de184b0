"""The console's 标准化 pages: the region's rate, the frozen scope lists, freezing one, and a list's members with their
grades, on both engines."""

from __future__ import annotations

import re

from tests.conftest import login


async def test_the_overview_shows_the_regions_rate_as_the_api_gives_it_and_the_lists(client, console_as):
    regulator = await login(client, "regulator_dinghai")
    api = (await client.get("/v1/stats/standardisation", headers=regulator)).json()
    browser = await console_as("regulator_dinghai")
    shown = await browser.get("/console/standardisation")
    assert shown.status_code == 200
    assert f"达标企业 <strong>{api['numerator']}</strong>" in shown.text
    assert f"名单企业 <strong>{api['denominator']}</strong>" in shown.text
    scopes = (await client.get("/v1/stats/standardisation/scopes", headers=regulator)).json()
    for scope in scopes:
        assert f"/console/standardisation/scopes/{scope['id']}" in shown.text


async def test_a_scope_lists_its_members_with_their_grades_and_the_compliant_ones(client, console_as):
    city = await login(client, "regulator_city")
    scope = (await client.get("/v1/stats/standardisation/scopes", headers=city)).json()[0]
    members = (
        await client.get(
            "/v1/stats/standardisation/members", params={"scopeId": scope["id"], "part": "denominator"}, headers=city
        )
    ).json()["items"]
    compliant = (
        await client.get(
            "/v1/stats/standardisation/members", params={"scopeId": scope["id"], "part": "numerator"}, headers=city
        )
    ).json()["items"]
    browser = await console_as("regulator_city")
    shown = await browser.get(f"/console/standardisation/scopes/{scope['id']}")
    assert shown.status_code == 200
    rows = re.findall(r'href="/console/enterprises/([0-9A-Z]+)"', shown.text)
    assert rows == [m["enterpriseId"] for m in members]
    assert shown.text.count("未达标") == sum(1 for m in members if m["grade"] is None)
    only = await browser.get(f"/console/standardisation/scopes/{scope['id']}", params={"part": "numerator"})
    assert re.findall(r'href="/console/enterprises/([0-9A-Z]+)"', only.text) == [m["enterpriseId"] for m in compliant]


async def test_a_regulator_freezes_a_scope_from_todays_members(client, console_as):
    browser = await console_as("regulator_dinghai")
    answer = await browser.submit(
        "/console/standardisation",
        "/console/standardisation/scopes",
        {"name": "定海区高危企业名单", "region_code": "330902", "high_risk": "yes", "operating_only": "1"},
    )
    assert answer.status_code == 303 and answer.headers["location"].startswith("/console/standardisation/scopes/")
    scope_id = answer.headers["location"].rsplit("/", 1)[1]
    shown = await browser.get(answer.headers["location"])
    assert shown.status_code == 200 and "定海区高危企业名单" in shown.text
    regulator = await login(client, "regulator_dinghai")
    scope = (await client.get(f"/v1/stats/standardisation/scopes/{scope_id}", headers=regulator)).json()
    assert scope["regionCode"] == "330902" and scope["criteria"]["highRisk"] is True
    assert len(re.findall(r'href="/console/enterprises/', shown.text)) == scope["memberCount"]


async def test_a_scope_of_a_region_not_the_callers_is_refused_like_an_unknown_one(client, console_as):
    browser = await console_as("regulator_dinghai")
    refused = await browser.submit(
        "/console/standardisation", "/console/standardisation/scopes", {"name": "越权", "region_code": "330903"}
    )
    assert refused.status_code == 404
    unknown = await browser.get("/console/standardisation/scopes/01HZZZZZZZZZZZZZZZZZZZZZZZ")
    assert unknown.status_code == 404
    regulator = await login(client, "regulator_dinghai")
    names = [s["name"] for s in (await client.get("/v1/stats/standardisation/scopes", headers=regulator)).json()]
    assert "越权" not in names


async def test_a_form_without_csrf_is_refused_and_an_officer_is_refused(client, console_as):
    browser = await console_as("regulator_dinghai")
    forged = await browser.http.post("/console/standardisation/scopes", data={"name": "伪造", "region_code": "330902"})
    assert forged.status_code == 403
    regulator = await login(client, "regulator_dinghai")
    names = [s["name"] for s in (await client.get("/v1/stats/standardisation/scopes", headers=regulator)).json()]
    assert "伪造" not in names
    officer = await console_as("officer1")
    assert (await officer.get("/console/standardisation")).status_code == 403
