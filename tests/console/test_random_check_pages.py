"""The console's 双随机 pages on both engines: make a plan through the form, approve (the hash shown), draw once,
record a result with the pick's version, and the public page shows it; out of scope is the 404 page, officers 403."""

from __future__ import annotations

import re

from domain.clock import utcnow
from domain.random_checks.model import local_day


async def test_a_plan_from_form_to_result(console_as, client):
    browser = await console_as("regulator_dinghai")
    listing = await browser.get("/console/random-checks")
    assert listing.status_code == 200 and "双随机抽查计划" in listing.text
    officer_ids = re.findall(r'name="officer_ids" value="([^"]+)"', listing.text)
    assert len(officer_ids) >= 2
    created = await browser.submit(
        "/console/random-checks",
        "/console/random-checks",
        {
            "region_code": "330902",
            "name": "控制台测试计划",
            "year": "2026",
            "period": "十二月",
            "rate_A": "1",
            "rate_B": "1",
            "rate_C": "1",
            "rate_D": "1",
            "exclusion_months": "0",
            "officer_ids": officer_ids,
        },
    )
    assert created.status_code == 303, created.text[:800]
    plan_url = created.headers["location"].split("?")[0]
    approved = await browser.submit(plan_url, f"{plan_url}/step", {"action": "approve"})
    assert approved.status_code == 303
    page = await browser.get(plan_url)
    seed_hash = re.search(r"种子哈希（批准时公布）</th><td class=\"muted\">([0-9a-f]{64})<", page.text).group(1)
    drawn = await browser.submit(plan_url, f"{plan_url}/step", {"action": "draw"})
    assert drawn.status_code == 303, drawn.text[:800]
    page = await browser.get(plan_url)
    assert "抽取结果" in page.text
    again = await browser.http.post(f"{plan_url}/step", data={"action": "draw", "_csrf_token": _token(page.text)})
    assert again.status_code == 409 and "只能抽取一次" in again.text
    form = re.search(r'action="(/console/random-checks/[^"]+/results/[^"]+)"', page.text).group(1)
    version = re.search(r'name="version" value="(\d+)"', page.text).group(1)
    result = await browser.submit(
        plan_url,
        form,
        {"version": version, "inspected_on": local_day(utcnow()).isoformat(), "findings": "台账齐全，未见重大隐患"},
    )
    assert result.status_code == 303, result.text[:800]
    stale = await browser.submit(
        plan_url,
        form,
        {"version": version, "inspected_on": local_day(utcnow()).isoformat(), "findings": "再次提交"},
    )
    assert stale.status_code == 412 and "刷新" in stale.text
    public = await client.get(f"/public/random-checks/{plan_url.rsplit('/', 1)[-1]}")
    assert public.status_code == 200
    assert "台账齐全，未见重大隐患" in public.text and seed_hash in public.text


def _token(html: str) -> str:
    return re.search(r'name="_csrf_token" value="([^"]+)"', html).group(1)


async def test_scope_and_roles(console_as):
    city = await console_as("regulator_city")
    plans = await city.get("/console/random-checks")
    city_plan = re.search(r'href="/console/random-checks/([0-9A-Z]+)">2026年舟山市', plans.text).group(1)
    district = await console_as("regulator_dinghai")
    hidden = await district.get(f"/console/random-checks/{city_plan}")
    unknown = await district.get("/console/random-checks/01UNKNOWNPLAN0000000000000")
    assert hidden.status_code == unknown.status_code == 404 and hidden.text == unknown.text
    officer = await console_as("officer1")
    assert (await officer.get("/console/random-checks")).status_code == 403
