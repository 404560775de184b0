"""总览, 四色动态风险图 and 企业 in a real browser, as regulator_dinghai: the overview's figures are the API's, the map
drills from 定海区 down to a town by clicking its polygon, and a red enterprise says why it is red."""

from __future__ import annotations

import re

from tests.browser.conftest import shoot, sign_in

COLOURS = ("red", "orange", "yellow", "blue")


def test_the_overview_shows_the_apis_figures(page, live_server):
    # Other browser tests on this server write hazards, and its schedule is off: bring the roll-ups up to date, so
    # the figures (roll-ups) and the lists behind them (live rows) describe the same hazards.
    live_server.command("rollups")
    sign_in(page, "regulator_dinghai")
    page.goto("/console/")
    month = page.locator("input[name=from]").input_value()
    shown = {
        element.get_attribute("data-figure"): element.get_attribute("data-value")
        for element in page.locator("[data-figure]").all()
    }
    api = live_server.api_as("regulator_dinghai")
    body = api.get("/v1/stats/hazards", params={"from": month, "to": month}).json()
    assert body["scopeName"] == "定海区" and body["periods"], body
    for figure in body["periods"][0]["figures"]:
        if figure["metric"] in shown:
            assert shown[figure["metric"]] == (figure["value"] or ""), figure["metric"]
    rate = api.get("/v1/stats/standardisation").json()
    assert shown["standardisationRate"] == (rate["rate"] or "")
    listed = api.get("/v1/blacklist", params={"regionCode": "330902"}).json()["items"]
    assert shown["blacklistCount"] == str(len(listed))
    assert page.locator("svg.trend rect").count() == 24  # found and closed for twelve months
    text = page.locator("main").inner_text()
    assert "发现隐患" in text and "整改率" in text
    shoot(page, "console-overview-figures")
    page.locator('[data-figure="found"] a.value').click()
    page.wait_for_url(re.compile(r"/console/stats/items\?"))
    assert page.locator("[data-count]").get_attribute("data-count") == str(
        next(f["numerator"] for f in body["periods"][0]["figures"] if f["metric"] == "found")
    )


def test_the_map_drills_from_the_district_to_a_town(page, live_server):
    sign_in(page, "regulator_dinghai")
    page.goto("/console/map")
    assert "定海区" in page.get_by_role("heading", level=1).inner_text()
    colours = {a.get_attribute("data-colour") for a in page.locator("svg.risk-map a[data-region]").all()}
    assert colours & set(COLOURS)
    legend = page.locator(".map-legend").inner_text()
    assert all(word in legend for word in ("红色", "橙色", "黄色", "蓝色"))
    api = live_server.api_as("regulator_dinghai")
    expected = {
        f["properties"]["code"]: f["properties"]["color"] or "none"
        for f in api.get("/v1/risk-map/regions", params={"regionCode": "330902"}).json()["features"]
    }
    for area in page.locator("svg.risk-map a[data-region]").all():
        assert area.get_attribute("data-colour") == expected[area.get_attribute("data-region")]
    shoot(page, "console-map-dinghai")
    # a point inside a coloured town that the town itself receives (towns are irregular; their boxes overlap)
    target = page.evaluate(
        """() => {
          for (const a of document.querySelectorAll('svg.risk-map a[data-region]')) {
            if (a.dataset.colour === 'none') continue;
            const box = a.getBoundingClientRect();
            for (const [fx, fy] of [[.5, .5], [.4, .5], [.6, .5], [.5, .4], [.5, .6], [.3, .3], [.7, .7]]) {
              const x = box.left + box.width * fx, y = box.top + box.height * fy;
              const hit = document.elementFromPoint(x, y);
              if (hit && hit.closest('a') === a) return {code: a.dataset.region, x, y};
            }
          }
          return null;
        }"""
    )
    assert target, "no coloured town can be clicked"
    page.mouse.click(target["x"], target["y"])
    page.wait_for_url(re.compile(rf"/console/map\?region={target['code']}"))
    assert page.locator(".crumbs").get_by_role("link", name="定海区").is_visible()
    assert page.locator("table.compact").first.is_visible()
    shoot(page, "console-map-town")


def test_a_red_enterprise_shows_why_it_is_red(page, live_server):
    sign_in(page, "regulator_dinghai")
    page.goto("/console/enterprises?colour=red")
    rows = page.locator("table.enterprises tbody tr[data-enterprise]")
    assert rows.count() >= 1
    shoot(page, "console-enterprises-red")
    enterprise_id = rows.first.get_attribute("data-enterprise")
    rows.first.get_by_role("link").click()
    page.wait_for_url(re.compile(rf"/console/enterprises/{enterprise_id}$"))
    why = page.locator("#why-colour")
    assert "为什么是红码" in why.inner_text()
    code = live_server.api_as("regulator_dinghai").get(f"/v1/enterprises/{enterprise_id}/safety-code").json()
    assert code["color"] == "red"
    decisive = {row.get_attribute("data-rule") for row in why.locator("tr.decisive").all()}
    assert decisive == {r["rule"] for r in code["reasons"] if r["atLeast"] == "red"}
    page.wait_for_function(
        "() => { const i = document.querySelector('img.site-plan'); return i.complete && i.naturalWidth > 0 }"
    )
    assert page.locator('[data-verified="ok"]').is_visible()
    shoot(page, "console-enterprise-red")
