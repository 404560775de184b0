"""总览 on both engines: its figures are the API's (`/v1/stats/hazards`, `/v1/stats/standardisation`,
`/v1/blacklist`) and each links to a list of exactly as many items."""

from __future__ import annotations

import html
import re

from domain.clock import utcnow
from domain.stats.model import METRICS, local_month
from tests.conftest import login

FIGURE = re.compile(
    r'<div class="figure" data-figure="([A-Za-z]+)" data-value="([^"]*)"([^>]*)>(.*?)</div>\s*(?=<div class="figure"|</section>)',
    re.S,
)
LINK = re.compile(r'href="(/console/stats/items\?[^"]+)"')
COUNT = re.compile(r'data-count="(\d+)"')


def figures_of(page: str) -> dict[str, dict]:
    """Each figure of the overview: its value, parts and links, as the browser test reads them."""
    found = {}
    for name, value, attributes, body in FIGURE.findall(page):
        parts = dict(re.findall(r'data-(numerator|denominator)="(\d+)"', attributes))
        found[name] = {"value": value, **{k: int(v) for k, v in parts.items()}, "links": LINK.findall(body)}
    return found


async def test_the_overview_shows_the_apis_figures_for_a_district_regulator(console_as, client):
    browser = await console_as("regulator_dinghai")
    page = await browser.get("/console/")
    assert page.status_code == 200, page.text[:500]
    assert "定海区" in page.text and "<svg" in page.text
    shown = figures_of(page.text)
    headers = await login(client, "regulator_dinghai")
    month = local_month(utcnow())
    api = (await client.get("/v1/stats/hazards", headers=headers, params={"from": month, "to": month})).json()
    assert api["scopeId"] == "330902"
    cell = {f["metric"]: f for f in api["periods"][0]["figures"]} if api["periods"] else {}
    checked = 0
    for metric in METRICS:
        if metric not in shown:
            continue
        expected = cell.get(metric, {}).get("value") or ("0" if METRICS[metric].denominator is None else None)
        assert shown[metric]["value"] == (expected or ""), metric
        assert shown[metric]["numerator"] == cell.get(metric, {}).get("numerator", 0), metric
        checked += 1
    assert checked >= 8
    assert shown["found"]["numerator"] > 0, "the demo has hazards found this month"
    rate = (await client.get("/v1/stats/standardisation", headers=headers)).json()
    assert shown["standardisationRate"]["value"] == (rate["rate"] or "")
    assert shown["standardisationRate"]["numerator"] == rate["numerator"]
    listed = (await client.get("/v1/blacklist", headers=headers, params={"regionCode": "330902"})).json()
    assert shown["blacklistCount"]["value"] == str(len(listed["items"]))


async def test_every_figure_links_to_a_list_of_as_many_items(console_as):
    browser = await console_as("regulator_dinghai")
    shown = figures_of((await browser.get("/console/")).text)
    assert shown
    for name, figure in shown.items():
        assert figure["links"], name
        for link in figure["links"]:
            listed = await browser.get(html.unescape(link))
            assert listed.status_code == 200, (name, link, listed.text[:300])
            count = int(COUNT.search(listed.text).group(1))
            if "part=denominator" in link:
                assert count == figure["denominator"], (name, link)
            elif name == "meanDaysToClose":
                assert count == figure["denominator"], name  # its numerator lists its closed hazards' seconds
            else:
                expected = figure["numerator"] if "numerator" in figure else int(figure["value"])
                assert count == expected, (name, link)


async def test_a_chosen_period_sums_its_months(console_as, client):
    browser = await console_as("regulator_dinghai")
    month = local_month(utcnow())
    year = month[:4]
    page = await browser.get("/console/", params={"from": f"{int(year) - 1}-{month[5:]}", "to": month})
    assert page.status_code == 200
    shown = figures_of(page.text)
    headers = await login(client, "regulator_dinghai")
    api = (
        await client.get(
            "/v1/stats/hazards", headers=headers, params={"from": f"{int(year) - 1}-{month[5:]}", "to": month}
        )
    ).json()
    found = sum(int(f["numerator"]) for p in api["periods"] for f in p["figures"] if f["metric"] == "found")
    assert shown["found"]["numerator"] == found


async def test_a_principal_goes_to_their_enterprise_and_an_admin_may_pick_a_district(console_as):
    principal = await console_as("principal1")
    answer = await principal.get("/console/")
    assert answer.status_code == 303 and answer.headers["location"].startswith("/console/enterprises/")
    admin = await console_as("admin")
    city = await admin.get("/console/")
    assert city.status_code == 200 and "舟山市" in city.text
    district = await admin.get("/console/", params={"region": "330903"})
    assert district.status_code == 200 and "普陀区" in district.text


async def test_another_district_is_the_same_404_as_an_unknown_one(console_as):
    browser = await console_as("regulator_dinghai")
    other = await browser.get("/console/", params={"region": "330903"})
    unknown = await browser.get("/console/", params={"region": "330999"})
    assert other.status_code == unknown.status_code == 404
    assert other.text == unknown.text
