"""企业 pages on both engines: filters, an enterprise's colour and its reasons as the API gives them, its chains
verified, scopes held (out of scope is the same 404 as unknown), a principal kept to their own enterprise."""

from __future__ import annotations

import re

from tests.conftest import login

ROW = re.compile(r'<tr data-enterprise="([^"]+)" data-colour="([a-z]*)">')


async def api_enterprises(client, headers) -> list[dict]:
    return (await client.get("/v1/enterprises", headers=headers, params={"limit": 1000})).json()["items"]


async def test_the_list_holds_the_scope_and_filters_by_colour_industry_and_credit(console_as, client):
    browser = await console_as("regulator_dinghai")
    headers = await login(client, "regulator_dinghai")
    listed = await browser.get("/console/enterprises")
    assert listed.status_code == 200, listed.text[:500]
    rows = dict(ROW.findall(listed.text))
    expected = {e["id"] for e in await api_enterprises(client, headers)}
    assert set(rows) == expected
    for colour in ("red", "blue"):
        filtered = dict(ROW.findall((await browser.get("/console/enterprises", params={"colour": colour})).text))
        assert set(filtered) == {eid for eid, c in rows.items() if c == colour}
    assert any(c == "red" for c in rows.values())
    one = (await api_enterprises(client, headers))[0]
    by_industry = dict(
        ROW.findall((await browser.get("/console/enterprises", params={"industry": one["industry"]})).text)
    )
    assert one["id"] in by_industry and all(
        e["industry"] == one["industry"] for e in await api_enterprises(client, headers) if e["id"] in by_industry
    )
    grades = {}
    for eid in rows:
        grades[eid] = (
            (await client.get(f"/v1/enterprises/{eid}/credit", headers=headers)).json().get("grade") or {}
        ).get("grade")
    for grade in {g for g in grades.values() if g}:
        filtered = dict(ROW.findall((await browser.get("/console/enterprises", params={"credit": grade})).text))
        assert set(filtered) == {eid for eid, g in grades.items() if g == grade}


async def test_a_red_enterprise_shows_why_it_is_red(console_as, client):
    browser = await console_as("regulator_dinghai")
    headers = await login(client, "regulator_dinghai")
    listed = dict(ROW.findall((await browser.get("/console/enterprises", params={"colour": "red"})).text))
    assert listed
    for eid in listed:
        page = await browser.get(f"/console/enterprises/{eid}")
        assert page.status_code == 200, page.text[:500]
        code = (await client.get(f"/v1/enterprises/{eid}/safety-code", headers=headers)).json()
        assert code["color"] == "red"
        assert "为什么是红码" in page.text
        decisive = [r for r in code["reasons"] if r["atLeast"] == "red"]
        assert decisive
        for reason in code["reasons"]:
            assert f'data-rule="{reason["rule"]}"' in page.text
        assert 'class="decisive"' in page.text
        assert 'data-verified="ok"' in page.text, re.search(r"防篡改校验.*?</section>", page.text, re.S).group(0)
        picture = await browser.get(f"/console/enterprises/{eid}/risk-map.png")
        assert picture.status_code == 200 and picture.content[:8] == b"\x89PNG\r\n\x1a\n"


async def test_another_districts_enterprise_is_the_same_404_as_an_unknown_one(console_as, client):
    admin = await login(client, "admin")
    dinghai = {e["id"] for e in await api_enterprises(client, await login(client, "regulator_dinghai"))}
    elsewhere = next(e["id"] for e in await api_enterprises(client, admin) if e["id"] not in dinghai)
    browser = await console_as("regulator_dinghai")
    other = await browser.get(f"/console/enterprises/{elsewhere}")
    unknown = await browser.get("/console/enterprises/01UNKNOWN0000000000000000")
    assert other.status_code == unknown.status_code == 404
    assert other.text == unknown.text
    picture = await browser.get(f"/console/enterprises/{elsewhere}/risk-map.png")
    assert picture.status_code == 404 and picture.text == unknown.text


async def test_a_principal_sees_only_their_own_enterprise(console_as, client):
    browser = await console_as("principal1")
    own = (await client.get("/v1/me", headers=await login(client, "principal1"))).json()["enterpriseId"]
    listed = await browser.get("/console/enterprises")
    assert listed.status_code == 303 and listed.headers["location"] == f"/console/enterprises/{own}"
    page = await browser.get(f"/console/enterprises/{own}")
    assert page.status_code == 200 and "<form" not in page.text.split("<main>")[1].split("</main>")[0]
    admin = await login(client, "admin")
    other = next(e["id"] for e in await api_enterprises(client, admin) if e["id"] != own)
    refused = await browser.get(f"/console/enterprises/{other}")
    assert refused.status_code == 404


async def test_a_tampered_record_shows_on_its_enterprise_page(console_as, client):
    from domain.hazards.tables import Hazard

    browser = await console_as("regulator_dinghai")
    listed = dict(ROW.findall((await browser.get("/console/enterprises", params={"colour": "red"})).text))
    eid = next(iter(listed))
    hazard = await Hazard.select(Hazard.id).where(Hazard.enterprise_id == eid).first().run()
    await Hazard.update({Hazard.title: "被改过的标题"}).where(Hazard.id == hazard["id"]).run()
    page = await browser.get(f"/console/enterprises/{eid}")
    assert 'data-verified="broken"' in page.text
    assert f"hazard {hazard['id']} field title" in page.text
