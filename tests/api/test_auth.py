"""Sign-in, tokens, lockout, and changes to a user that apply on their very next request."""

import pytest

from seed.zhoushan import DEMO_USERS
from tests.conftest import DEMO_PASSWORD, login


@pytest.mark.parametrize(("username", "role"), [(user[0], user[2]) for user in DEMO_USERS])
async def test_every_demo_account_signs_in_and_sees_its_role_and_binding(client, username, role):
    me = (await client.get("/v1/me", headers=await login(client, username))).json()
    assert me["role"] == role
    binding = {key: me.get(key) for key in ("enterpriseId", "gridIds", "regionCode") if me.get(key)}
    expected = {
        "officer": {"enterpriseId"},
        "principal": {"enterpriseId"},
        "inspector": {"gridIds"},
        "regulator": {"regionCode"},
        "admin": set(),
    }[role]
    assert set(binding) == expected


async def test_the_login_response_has_the_contract_shape(client):
    body = (
        await client.post(
            "/v1/auth/login", json={"username": "officer1", "password": DEMO_PASSWORD, "deviceId": "phone-1"}
        )
    ).json()
    assert set(body) >= {"accessToken", "refreshToken", "expiresIn", "user"}
    assert body["expiresIn"] == 900
    assert body["user"]["role"] == "officer"


async def test_a_wrong_password_gets_401_with_a_code(client):
    response = await client.post("/v1/auth/login", json={"username": "officer1", "password": "wrong-pass-1"})
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "AUTH_INVALID_CREDENTIALS"


async def test_an_unknown_username_is_answered_like_a_wrong_password(client):
    response = await client.post("/v1/auth/login", json={"username": "nobody", "password": "wrong-pass-1"})
    assert response.status_code == 401
    assert response.json()["code"] == "AUTH_INVALID_CREDENTIALS"


async def test_five_wrong_passwords_from_one_address_lock_the_account_there_even_against_the_right_one(client):
    # the test client is one address: the lock is that (username, address) pair's (other addresses: see
    # tests/api/test_signin_hardening.py), and another username from the same address is not locked
    for _ in range(5):
        response = await client.post("/v1/auth/login", json={"username": "officer2", "password": "wrong-pass-1"})
        assert response.status_code == 401
    sixth = await client.post("/v1/auth/login", json={"username": "officer2", "password": "wrong-pass-1"})
    assert sixth.status_code == 423
    assert sixth.json()["code"] == "AUTH_ACCOUNT_LOCKED"
    assert "Retry-After" in sixth.headers
    right = await client.post("/v1/auth/login", json={"username": "officer2", "password": DEMO_PASSWORD})
    assert right.status_code == 423
    other = await client.post("/v1/auth/login", json={"username": "officer1", "password": DEMO_PASSWORD})
    assert other.status_code == 200


async def test_four_failures_then_the_right_password_signs_in(client):
    for _ in range(4):
        await client.post("/v1/auth/login", json={"username": "officer2", "password": "wrong-pass-1"})
    assert (
        await client.post("/v1/auth/login", json={"username": "officer2", "password": DEMO_PASSWORD})
    ).status_code == 200


async def test_a_refresh_token_rotates_and_a_reused_one_revokes_the_session(client):
    first = (await client.post("/v1/auth/login", json={"username": "officer1", "password": DEMO_PASSWORD})).json()
    second = await client.post("/v1/auth/refresh", json={"refreshToken": first["refreshToken"]})
    assert second.status_code == 200
    rotated = second.json()
    assert rotated["refreshToken"] != first["refreshToken"]
    assert (
        await client.get("/v1/me", headers={"Authorization": f"Bearer {rotated['accessToken']}"})
    ).status_code == 200
    replay = await client.post("/v1/auth/refresh", json={"refreshToken": first["refreshToken"]})
    assert replay.status_code == 401 and replay.json()["code"] == "AUTH_REFRESH_INVALID"
    # The replay means the token leaked: the descendant is revoked too.
    after = await client.post("/v1/auth/refresh", json={"refreshToken": rotated["refreshToken"]})
    assert after.status_code == 401


async def test_an_unknown_refresh_token_is_refused(client):
    response = await client.post("/v1/auth/refresh", json={"refreshToken": "not-a-token"})
    assert response.status_code == 401 and response.json()["code"] == "AUTH_REFRESH_INVALID"


async def _user_id(client, admin, username):
    users = (await client.get("/v1/admin/users?limit=100", headers=admin)).json()["items"]
    return next(user["id"] for user in users if user["username"] == username)


async def test_a_disabled_users_valid_access_token_is_refused_on_the_next_call(client):
    officer = await login(client, "officer1")
    refresh = (await client.post("/v1/auth/login", json={"username": "officer1", "password": DEMO_PASSWORD})).json()[
        "refreshToken"
    ]
    assert (await client.get("/v1/me", headers=officer)).status_code == 200
    admin = await login(client, "admin")
    user_id = await _user_id(client, admin, "officer1")
    assert (await client.patch(f"/v1/admin/users/{user_id}", json={"disabled": True}, headers=admin)).status_code == 200
    refused = await client.get("/v1/me", headers=officer)
    assert refused.status_code == 401 and refused.json()["code"] == "AUTH_REQUIRED"
    assert (await client.post("/v1/auth/refresh", json={"refreshToken": refresh})).status_code == 401
    disabled_login = await client.post("/v1/auth/login", json={"username": "officer1", "password": DEMO_PASSWORD})
    assert disabled_login.status_code == 403 and disabled_login.json()["code"] == "AUTH_ACCOUNT_DISABLED"
    await client.patch(f"/v1/admin/users/{user_id}", json={"disabled": False}, headers=admin)
    assert (await client.get("/v1/me", headers=officer)).status_code == 200


async def test_removing_an_inspector_from_a_grid_applies_on_the_next_request(client):
    inspector = await login(client, "inspector1")
    before = (await client.get("/v1/enterprises", headers=inspector)).json()["items"]
    assert before
    admin = await login(client, "admin")
    user_id = await _user_id(client, admin, "inspector1")
    other_grid = next(
        grid for grid in (await client.get("/v1/grids", headers=admin)).json() if grid["code"] == "SS-YS-01"
    )
    response = await client.patch(f"/v1/admin/users/{user_id}", json={"gridIds": [other_grid["id"]]}, headers=admin)
    assert response.status_code == 200
    after = (await client.get("/v1/enterprises", headers=inspector)).json()["items"]
    assert after == []
    assert (await client.get(f"/v1/enterprises/{before[0]['id']}", headers=inspector)).status_code == 404
