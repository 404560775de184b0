"""Hazard roll-ups through the API on both engines: every figure is reproduced by the list behind it, the figures
match the hazards counted by hand, scopes hold, and a new hazard shows after the job runs."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from domain.clock import utcnow
from domain.hazards.tables import Hazard
from domain.org.tables import Enterprise, Region
from domain.stats.model import ITEM_COUNT, METRICS, period_window
from tests.api.test_standardisation import enterprise_ids
from tests.conftest import login
from workers.jobs.stats import refresh_rollups

FIGURES = "/v1/stats/hazards"


async def all_items(client, headers, query: dict) -> list[dict]:
    """Every item behind a figure, page after page."""
    items, cursor = [], None
    while True:
        page = await client.get(
            f"{FIGURES}/items", headers=headers, params=query | ({"cursor": cursor} if cursor else {}) | {"limit": 7}
        )
        assert page.status_code == 200, page.text
        items += page.json()["items"]
        cursor = page.json()["nextCursor"]
        if cursor is None:
            return items


async def assert_reproduced(client, headers, scope: dict, period_kind: str, industry: str = "*") -> int:
    """Each figure of each period equals the count (or the seconds' sum) of the items listed behind it."""
    body = (
        await client.get(FIGURES, headers=headers, params=scope | {"period": period_kind, "industry": industry})
    ).json()
    checked = 0
    for period in body["periods"]:
        for figure in period["figures"]:
            metric = METRICS[figure["metric"]]
            for part in ("numerator", "denominator") if metric.denominator else ("numerator",):
                items = await all_items(
                    client,
                    headers,
                    scope | {"metric": metric.name, "part": part, "period": period["period"], "industry": industry},
                )
                assert len({item["id"] for item in items}) == len(items)
                counted = ITEM_COUNT.get((metric.name, part))
                if counted:  # meanDaysToClose: the numerator sums its closed hazards' seconds
                    assert sum(item["secondsToClose"] for item in items) == figure["numerator"]
                    assert len(items) == figure["denominator"]
                else:
                    assert len(items) == figure[part], (metric.name, part, period["period"])
                checked += 1
    return checked


async def test_every_figure_of_the_city_is_reproduced_by_its_items(client):
    headers = await login(client, "regulator_city")
    checked = 0
    for kind in ("month", "quarter", "year"):
        checked += await assert_reproduced(client, headers, {"regionCode": "330900"}, kind)
    ids = await enterprise_ids()
    checked += await assert_reproduced(client, headers, {"enterpriseId": ids["E2"]}, "quarter")
    checked += await assert_reproduced(client, headers, {"regionCode": "330902"}, "year", industry="oil_storage")
    assert checked > 100


async def test_the_figures_are_the_hazards_counted_by_hand(client):
    headers = await login(client, "regulator_city")
    body = (await client.get(FIGURES, headers=headers, params={"regionCode": "330900", "period": "year"})).json()
    rows = await Hazard.select().run()
    assert body["scopeKind"] == "region" and body["periods"]
    for period in body["periods"]:
        start, end = period_window(period["period"])
        figures = {figure["metric"]: figure for figure in period["figures"]}
        found = [row for row in rows if start <= row["found_at"] < end and row["status"] != "voided"]
        closed = [
            row
            for row in rows
            if row["closed_at"] and start <= row["closed_at"] < end and row["status"] in ("closed", "written_off")
        ]
        assert figures["found"]["numerator"] == len(found)
        assert figures["closed"]["numerator"] == len(closed)
        done = sum(1 for row in found if row["status"] in ("closed", "written_off"))
        assert figures["closureRate"]["numerator"] == done
        if found:
            assert figures["closureRate"]["value"] == str(round(Decimal(done) / len(found), 4))


async def test_scopes_hold_and_out_of_scope_is_404(client):
    ids = await enterprise_ids()
    dinghai = await login(client, "regulator_dinghai")
    assert (await client.get(FIGURES, headers=dinghai)).json()["scopeId"] == "330902"
    other = await Region.select(Region.code).where(Region.level == "district", Region.code != "330902").first().run()
    outside = (
        await Enterprise.select(Enterprise.id).where(Enterprise.region_path.not_like("/330900/330902/%")).first().run()
    )
    for params in ({"regionCode": other["code"]}, {"regionCode": "330900"}, {"enterpriseId": outside["id"]}):
        response = await client.get(FIGURES, headers=dinghai, params=params)
        assert response.status_code == 404, params
        items = await client.get(
            f"{FIGURES}/items", headers=dinghai, params=params | {"metric": "found", "period": "2026"}
        )
        assert items.status_code == 404
    officer = await login(client, "officer1")
    own = (await client.get(FIGURES, headers=officer, params={"period": "year"})).json()
    assert (own["scopeKind"], own["scopeId"]) == ("enterprise", ids["E1"])
    assert (await client.get(FIGURES, headers=officer, params={"enterpriseId": ids["E2"]})).status_code == 404
    assert (await client.get(FIGURES, headers=officer, params={"regionCode": "330902"})).status_code == 404
    inspector = await login(client, "inspector1")
    assert (await client.get(FIGURES, headers=inspector)).json()["scopeKind"] == "grid"


async def test_a_new_hazard_counts_after_the_job_runs_and_bad_parameters_are_4xx(client):
    headers = await login(client, "officer1")
    ids = await enterprise_ids()
    created = await client.post(
        "/v1/hazards",
        headers=headers,
        json={
            "clientId": "stats-new-1",
            "enterpriseId": ids["E1"],
            "source": "daily",
            "category": "unsafe_condition",
            "title": "统计新隐患",
            "foundAt": utcnow().isoformat(),
        },
    )
    assert created.status_code in (200, 201), created.text
    found_at = datetime.fromisoformat(created.json()["foundAt"])
    month = (found_at + timedelta(hours=8)).strftime("%Y-%m")

    async def found_now() -> int:
        body = (await client.get(FIGURES, headers=headers, params={"from": month, "to": month})).json()
        return next((f["numerator"] for p in body["periods"] for f in p["figures"] if f["metric"] == "found"), 0)

    before = await found_now()
    await refresh_rollups({})
    assert await found_now() == before + 1
    for params, status in (({"period": "week"}, 400), ({"industry": "nothing"}, 422), ({"from": "2026-Q1"}, 422)):
        assert (await client.get(FIGURES, headers=headers, params=params)).status_code == status, params
    for params in (
        {"metric": "nope", "period": "2026"},
        {"metric": "found", "part": "denominator", "period": "2026"},
        {"metric": "found", "period": "2026-13"},
    ):
        assert (await client.get(f"{FIGURES}/items", headers=headers, params=params)).status_code in (400, 422), params
