"""分级分类监管 in the console, on both engines: the classes of the caller's scope equal the API's, filtered by class
and by visits behind, each row linking to its enterprise; a region outside the scope is the same 404 as unknown."""

from __future__ import annotations

import re

from tests.conftest import login

ROW = re.compile(r'<tr data-enterprise="([^"]+)" data-class="([A-D])" data-behind="(true|false)">')


def rows_of(html: str) -> dict[str, tuple[str, str]]:
    return {enterprise: (cls, behind) for enterprise, cls, behind in ROW.findall(html)}


async def api_rows(client, headers, **params) -> dict[str, tuple[str, str]]:
    items = (await client.get("/v1/supervision/classes", params=params | {"limit": 100}, headers=headers)).json()
    return {i["enterpriseId"]: (i["supervisionClass"], str(i["visits"]["behind"]).lower()) for i in items["items"]}


async def test_the_district_regulator_sees_the_classes_of_the_district_as_the_api_does(console_as, client):
    browser = await console_as("regulator_dinghai")
    headers = await login(client, "regulator_dinghai")
    shown = await browser.get("/console/supervision")
    assert shown.status_code == 200, shown.text[:500]
    rows = rows_of(shown.text)
    assert rows == await api_rows(client, headers) and len(rows) == 4
    for enterprise in rows:
        assert f'href="/console/enterprises/{enterprise}"' in shown.text
    assert "重点监管" in shown.text and "主要依据" in shown.text and "c-red" in shown.text
    only_a = rows_of((await browser.get("/console/supervision?class=A")).text)
    assert only_a and set(only_a.values()) <= {("A", "true"), ("A", "false")}
    assert only_a == await api_rows(client, headers, **{"class": "A"})
    behind = rows_of((await browser.get("/console/supervision?behind=true")).text)
    assert behind == await api_rows(client, headers, behind="true") and behind
    assert all(flag == "true" for _, flag in behind.values())
    # another district is the same 404 as an unknown region
    other = await browser.get("/console/supervision?region=330903")
    unknown = await browser.get("/console/supervision?region=339999")
    assert other.status_code == unknown.status_code == 404


async def test_the_city_sees_every_class_and_an_officer_is_refused(console_as):
    city = await console_as("regulator_city")
    page = await city.get("/console/supervision")
    assert page.status_code == 200
    assert {cls for cls, _ in rows_of(page.text).values()} == {"A", "B", "C", "D"}
    officer = await console_as("officer1")
    assert (await officer.get("/console/supervision")).status_code == 403
