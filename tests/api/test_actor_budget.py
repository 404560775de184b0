"""The caller's actor costs one indexed statement per request; GET /v1/me adds the posts of enterprise staff.

Budget of GET /v1/me: 1 statement for the actor (user, role, binding: grids, region path), plus 1 for the posts an
officer or principal holds (other roles hold none, and nothing is read for them). Counted through the engine.
"""

from __future__ import annotations

import pytest

from tests.conftest import login
from tests.statements import statements

pytestmark = pytest.mark.count_statements

ME_BUDGET = {
    "officer1": 2,  # the actor + the posts held
    "principal1": 2,
    "inspector1": 1,  # the actor, grids included
    "regulator_dinghai": 1,  # the actor, region path included
    "admin": 1,
}


@pytest.mark.parametrize("username", sorted(ME_BUDGET))
async def test_get_me_runs_within_its_statement_budget_and_shows_the_binding(client, username):
    response = await client.get("/v1/me", headers=await login(client, username))
    assert response.status_code == 200
    assert statements(response) == ME_BUDGET[username]
    me = response.json()
    if username == "inspector1":
        assert me["gridIds"]
    if username == "regulator_dinghai":
        assert me["regionCode"] == "330902"


async def test_a_regulators_scope_comes_from_the_one_statement(client):
    headers = await login(client, "regulator_dinghai")
    response = await client.get("/v1/enterprises", headers=headers)
    assert response.status_code == 200 and response.json()["items"]  # the region path scoped the list


async def test_disabling_applies_on_the_very_next_request(client):
    admin, officer = await login(client, "admin"), await login(client, "officer1")
    user_id = (await client.get("/v1/me", headers=officer)).json()["id"]
    assert (await client.patch(f"/v1/admin/users/{user_id}", json={"disabled": True}, headers=admin)).status_code == 200
    assert (await client.get("/v1/me", headers=officer)).status_code == 401  # no cache stood in the way
