"""No existence oracles: every endpoint that takes a region code answers a code outside the caller's scope exactly as
it answers an unknown code (same status, same body but for the code itself), for every role, on both engines.

The endpoints are listed here with how to call them; `test_every_region_code_endpoint_is_listed` reads the served
OpenAPI document, so a new route taking a region code fails until it is listed (and so checked).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from domain.credit.services import local_today
from tests.conftest import login

# a root region outside the demo city (created in each test), so even the city's regulator has a region not theirs
ELSEWHERE = {"code": "330100", "name": "杭州市", "level": "city"}


@dataclass(frozen=True)
class Endpoint:
    """One route taking a region code: in the query (`regionCode`) or in its path (`{code}`)."""

    path: str
    params: dict[str, str] = field(default_factory=dict)
    # data published by law (the blacklist): every region is everyone's, so only an unknown code is refused
    published: bool = False
    method: str = "GET"
    body: dict | None = None
    admin_only: bool = False

    def request(self, code: str) -> tuple[str, dict[str, str]]:
        """The URL and query parameters asking about the region `code`."""
        if "{code}" in self.path:
            return self.path.replace("{code}", code), dict(self.params)
        return self.path, self.params | {"regionCode": code}


def _year() -> str:
    return str(local_today().year)


ENDPOINTS: dict[tuple[str, str], Endpoint] = {
    ("GET", "/v1/blacklist"): Endpoint("/v1/blacklist", published=True),
    ("GET", "/v1/blacklist/candidates"): Endpoint("/v1/blacklist/candidates"),
    ("GET", "/v1/grids"): Endpoint("/v1/grids"),
    ("GET", "/v1/risk-map/regions"): Endpoint("/v1/risk-map/regions"),
    ("GET", "/v1/risk-map/regions.png"): Endpoint("/v1/risk-map/regions.png"),
    ("GET", "/v1/risk-map/regions/{code}/enterprises"): Endpoint("/v1/risk-map/regions/{code}/enterprises"),
    ("GET", "/v1/stats/hazards"): Endpoint("/v1/stats/hazards", {"period": "year"}),
    ("GET", "/v1/stats/hazards/items"): Endpoint("/v1/stats/hazards/items", {"metric": "found", "period": "{year}"}),
    ("GET", "/v1/stats/standardisation"): Endpoint("/v1/stats/standardisation"),
    ("GET", "/v1/stats/standardisation/members"): Endpoint(
        "/v1/stats/standardisation/members", {"part": "denominator"}
    ),
    ("GET", "/v1/supervision/classes"): Endpoint("/v1/supervision/classes"),
    # administrators only, and every region is theirs: others are refused by role whatever the code
    ("PUT", "/v1/admin/regions/{code}/outline"): Endpoint(
        "/v1/admin/regions/{code}/outline",
        method="PUT",
        admin_only=True,
        body={
            "type": "Polygon",
            "coordinates": [[[121.9, 29.9], [122.5, 29.9], [122.5, 30.3], [121.9, 30.3], [121.9, 29.9]]],
        },
    ),
}

# Per role: its own region (answered like any known region) and codes that are not its own, each paired with an
# unknown code of the same shape. Inspectors (grids) and enterprise staff (one enterprise) hold no whole region.
UNKNOWN = {6: "339999", 9: "330902999"}
ROLES = {
    "admin": ("330900", ()),
    "regulator_city": ("330900", ("330100",)),
    "regulator_dinghai": ("330902", ("330903", "330900", "330903100")),
    "inspector1": (None, ("330902007", "330902", "330903")),
    "officer1": (None, ("330902007", "330903")),
}


def comparable(response, code: str) -> tuple[int, object]:
    """Status and body, the asked code and the instance id masked (they differ by construction)."""
    if not response.headers.get("content-type", "").startswith(("application/json", "application/problem+json")):
        return response.status_code, response.headers.get("content-type")
    body = response.json()
    if isinstance(body, dict):
        body.pop("instance", None)
    return response.status_code, _masked(body, code)


def _masked(value: object, code: str) -> object:
    if isinstance(value, str):
        return value.replace(code, "<code>")
    if isinstance(value, dict):
        return {key: _masked(item, code) for key, item in value.items()}
    if isinstance(value, list):
        return [_masked(item, code) for item in value]
    return value


async def answer(client, headers, endpoint: Endpoint, code: str) -> tuple[int, object]:
    url, params = endpoint.request(code)
    params = {key: value.replace("{year}", _year()) for key, value in params.items()}
    response = await client.request(endpoint.method, url, params=params, json=endpoint.body, headers=headers)
    return comparable(response, code)


async def test_every_region_code_endpoint_is_listed(client):
    schema = (await client.get("/schema/openapi.json")).json()
    served = set()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                named = parameter["name"] == "regionCode"
                region_path = parameter["in"] == "path" and parameter["name"] == "code" and "/regions/" in path
                if named or region_path:
                    served.add((method.upper(), path))
    assert served == set(ENDPOINTS), "list every route taking a region code in ENDPOINTS (and so check its scope)"


@pytest.mark.parametrize("username", list(ROLES))
async def test_a_region_outside_the_callers_scope_answers_exactly_like_an_unknown_one(client, username):
    admin = await login(client, "admin")
    assert (await client.post("/v1/admin/regions", json=ELSEWHERE, headers=admin)).status_code == 201
    headers = await login(client, username)
    own, others = ROLES[username]
    for key, endpoint in ENDPOINTS.items():
        for code in others:
            unknown = UNKNOWN[len(code)]
            theirs, missing = (
                await answer(client, headers, endpoint, code),
                await answer(client, headers, endpoint, unknown),
            )
            if endpoint.published:
                assert theirs[0] == 200 and missing[0] == 404, (key, username, code)
            else:
                assert theirs == missing, (key, username, code)
                assert theirs[0] in (403, 404), (key, username, code)
        if own is not None and (username == "admin" or not endpoint.admin_only):
            # the caller's own region is answered, so the rule above is not "refuse everything"
            status, _ = await answer(client, headers, endpoint, own)
            assert status == 200, (key, username, own)
        # an unknown code is refused with the same code everywhere (403 where the role may not ask at all)
        status, body = await answer(client, headers, endpoint, UNKNOWN[6])
        assert (status, body["code"]) in ((404, "NOT_FOUND"), (403, "FORBIDDEN")), (key, username)


async def test_the_grid_list_holds_the_callers_grids_only(client):
    expected = {"admin": None, "regulator_dinghai": "DH-", "inspector1": "DH-CG-01", "officer2": "PT-LH-01"}
    for username, prefix in expected.items():
        codes = [grid["code"] for grid in (await client.get("/v1/grids", headers=await login(client, username))).json()]
        if prefix is None:
            assert len(codes) == 10 and any(code.startswith("SS-") for code in codes)
        else:
            assert codes and all(code.startswith(prefix) for code in codes), (username, codes)
    assert (await client.get("/v1/grids")).status_code == 401
