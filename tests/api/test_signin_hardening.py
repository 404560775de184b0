"""Sign-in hardening: limits per address and username, lockout per (username, address) with a ceiling per username,
common passwords refused, a spent refresh token ending its family's access tokens, and the per-user write limit."""

from dataclasses import replace
from datetime import timedelta
from types import SimpleNamespace

import httpx
import pytest

from api.app import create_app
from api.dependencies import services_of
from api.limits import client_address
from domain.accounts.common_passwords import is_common, list_size
from domain.accounts.model import Lockout, check_password_strength
from domain.accounts.services import AccountService
from domain.clock import start_clock_at, utcnow
from domain.errors import AccountLocked, AuthenticationFailed, InvalidInput
from domain.limits.model import SignInRateLimited
from tests.conftest import DEMO_PASSWORD, login

ATTACKER = ("203.0.113.66", 40000)
OWNER = ("198.51.100.7", 40001)


def from_address(app, address: tuple[str, int]) -> httpx.AsyncClient:
    """A client of the same app whose requests come from another socket address."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=address), base_url="http://testserver")


async def sign_in(http: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    return await http.post("/v1/auth/login", json={"username": username, "password": password})


# --- limits per address and per username ------------------------------------------------------------------------------


async def test_spraying_fifty_usernames_from_one_address_is_refused_before_the_tenth(app):
    async with from_address(app, ATTACKER) as attacker:
        statuses = [(await sign_in(attacker, f"user{n:02d}", "Guess-2026x")).status_code for n in range(50)]
        limited = statuses.index(429)
        assert limited < 9 and set(statuses[:limited]) == {401} and set(statuses[limited:]) == {429}
        refused = await sign_in(attacker, "officer1", DEMO_PASSWORD)  # even a right password: the address waits
        assert refused.status_code == 429
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert refused.json()["code"] == "AUTH_SIGNIN_RATE_LIMITED"
        assert 0 < int(refused.headers["Retry-After"]) <= 15 * 60
    async with from_address(app, OWNER) as owner:  # another address is not held back by it
        assert (await sign_in(owner, "officer1", DEMO_PASSWORD)).status_code == 200


async def test_successful_sign_ins_from_one_address_do_not_count_towards_its_failures(app):
    async with from_address(app, OWNER) as office:  # a site office: one address, the whole team
        for username in ["officer1", "officer2", "principal1", "inspector1", "regulator_dinghai", "admin"] * 2:
            assert (await sign_in(office, username, DEMO_PASSWORD)).status_code == 200


async def test_one_username_tried_from_many_addresses_is_limited_per_minute(app):
    statuses = []
    for n in range(25):
        async with from_address(app, (f"192.0.2.{n + 1}", 40000)) as somewhere:
            statuses.append((await sign_in(somewhere, "admin", "Guess-2026x")).status_code)
    assert statuses[:20] == [401] * 20 and set(statuses[20:]) == {429}


def _connection(peer: str, forwarded: str | None = None):
    headers = {"x-forwarded-for": forwarded} if forwarded is not None else {}
    return SimpleNamespace(client=SimpleNamespace(host=peer), headers=headers)


def test_x_forwarded_for_is_believed_only_from_a_trusted_proxy():
    proxies = ("10.0.0.0/8", "127.0.0.1")
    assert client_address(_connection("127.0.0.1", "203.0.113.5"), ()) == "127.0.0.1"  # no proxies configured
    assert client_address(_connection("198.51.100.9", "203.0.113.5"), proxies) == "198.51.100.9"  # not a proxy
    assert client_address(_connection("127.0.0.1", "203.0.113.5"), proxies) == "203.0.113.5"
    # what the client wrote to the left of what our proxies added is not believed
    assert client_address(_connection("10.0.0.2", "1.2.3.4, 203.0.113.5, 10.0.0.9"), proxies) == "203.0.113.5"
    assert client_address(_connection("127.0.0.1"), proxies) == "127.0.0.1"


async def test_behind_a_trusted_proxy_the_forwarded_address_is_the_one_limited(db):
    settings, engine = db
    proxied = create_app(replace(settings, trusted_proxies=("127.0.0.1",)), engine)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=proxied), base_url="http://testserver") as proxy:
            for n in range(8):
                forwarded = {"X-Forwarded-For": "203.0.113.80"}
                answer = await proxy.post(
                    "/v1/auth/login", json={"username": f"x{n}", "password": "Guess-2026x"}, headers=forwarded
                )
                assert answer.status_code == 401
            again = await proxy.post(
                "/v1/auth/login",
                json={"username": "x", "password": "Guess-2026x"},
                headers={"X-Forwarded-For": "203.0.113.80"},
            )
            assert again.status_code == 429
            other = await proxy.post(
                "/v1/auth/login",
                json={"username": "officer1", "password": DEMO_PASSWORD},
                headers={"X-Forwarded-For": "203.0.113.81"},
            )
            assert other.status_code == 200  # the proxy's own address was never the one counted
    finally:
        await services_of(proxied).accounts.close()


# --- lockout ------------------------------------------------------------------------------------------------------------


async def test_failures_from_one_address_do_not_lock_out_the_owner_elsewhere(app):
    async with from_address(app, ATTACKER) as attacker, from_address(app, OWNER) as owner:
        for _ in range(5):
            assert (await sign_in(attacker, "admin", "Guess-2026x")).status_code == 401
        locked = await sign_in(attacker, "admin", DEMO_PASSWORD)
        assert locked.status_code == 423 and locked.json()["code"] == "AUTH_ACCOUNT_LOCKED"
        assert locked.headers["Retry-After"] == str(15 * 60)
        assert (await sign_in(owner, "admin", DEMO_PASSWORD)).status_code == 200


def test_the_lockout_rule_counts_failures_per_address_and_caps_them_per_username():
    rule = Lockout(
        pair_failures=5, pair_window=timedelta(minutes=15), username_failures=8, username_window=timedelta(hours=1)
    )
    now = utcnow()
    failures = [(now - timedelta(minutes=n), "failed", "192.0.2.1") for n in range(5)]
    assert rule.locked_for(failures, address="192.0.2.1", now=now) == timedelta(minutes=15)
    assert rule.locked_for(failures, address="192.0.2.2", now=now) is None
    old = [(now - timedelta(minutes=16 + n), "failed", "192.0.2.1") for n in range(5)]
    assert rule.locked_for(old, address="192.0.2.1", now=now) is None  # out of the pair's window
    succeeded = [*failures, (now - timedelta(seconds=1), "ok", "192.0.2.1")]
    assert rule.locked_for(succeeded, address="192.0.2.1", now=now) is None
    spread = [(now - timedelta(minutes=n), "failed", f"192.0.2.{n}") for n in range(8)]
    assert rule.locked_for(spread, address="198.51.100.7", now=now) == timedelta(hours=1)
    # a success does not lift the ceiling: the guesser would just wait for the owner to sign in
    assert rule.locked_for([*spread, (now, "ok", "198.51.100.7")], address="198.51.100.7", now=now)


async def test_the_ceiling_per_username_locks_it_everywhere(db):
    settings, _ = db
    accounts = AccountService(settings)
    start = utcnow()
    # a guesser spread over many addresses, slowly: four tries an address, one a minute, never a limit per address
    for n in range(50):
        with pytest.raises(AuthenticationFailed):
            await accounts.check_password(
                username="officer1",
                password="Guess-2026x",
                client_ip=f"192.0.2.{n // 4}",
                now=start + timedelta(minutes=n),
            )
    with pytest.raises(AccountLocked) as locked:
        await accounts.check_password(
            username="officer1", password=DEMO_PASSWORD, client_ip="198.51.100.7", now=start + timedelta(minutes=50)
        )
    assert locked.value.params["retryAfterSeconds"] == 3600
    # an hour after the first failures, enough of them have aged out
    user = await accounts.check_password(
        username="officer1", password=DEMO_PASSWORD, client_ip="198.51.100.7", now=start + timedelta(minutes=75)
    )
    assert user.username == "officer1"


async def test_a_success_from_an_address_ends_its_failure_count(db):
    settings, _ = db
    accounts = AccountService(settings)
    now = utcnow()
    for _ in range(4):
        with pytest.raises(AuthenticationFailed):
            await accounts.check_password(username="officer2", password="Guess-2026x", client_ip="192.0.2.1", now=now)
    await accounts.check_password(username="officer2", password=DEMO_PASSWORD, client_ip="192.0.2.1", now=now)
    for _ in range(3):  # with the four before the success these would be seven: the success ended that count
        with pytest.raises(AuthenticationFailed):
            await accounts.check_password(username="officer2", password="Guess-2026x", client_ip="192.0.2.1", now=now)
    user = await accounts.check_password(username="officer2", password=DEMO_PASSWORD, client_ip="192.0.2.1", now=now)
    assert user.username == "officer2"


async def test_the_rate_limit_refuses_before_any_password_is_checked(db):
    settings, _ = db
    accounts = AccountService(replace(settings, signin_address_attempts=2))
    now = utcnow()
    for _ in range(2):
        await accounts.check_password(username="officer1", password=DEMO_PASSWORD, client_ip="192.0.2.9", now=now)
    with pytest.raises(SignInRateLimited) as limited:
        await accounts.check_password(username="officer1", password=DEMO_PASSWORD, client_ip="192.0.2.9", now=now)
    assert limited.value.params["limit"] == "address" and 0 < limited.value.params["retryAfterSeconds"] <= 60
    # the next minute is a new window
    later = now + timedelta(seconds=61)
    await accounts.check_password(username="officer1", password=DEMO_PASSWORD, client_ip="192.0.2.9", now=later)


# --- common passwords ---------------------------------------------------------------------------------------------------


def test_the_shipped_list_holds_at_least_the_top_hundred_thousand():
    assert list_size() >= 100_000
    for common in ["password1", "Password1", "PASSWORD1", "Demo2026", "qwerty123", "Sunshine2026", "iloveyou1"]:
        assert is_common(common), common
    for fine in [DEMO_PASSWORD, "Zhoushan#Safety7", "Putuo2026x", "correct-horse-battery-9"]:
        assert not is_common(fine), fine
        check_password_strength(fine)


@pytest.mark.parametrize("password", ["Password1", "Demo2026"])
def test_a_common_password_is_refused_by_the_strength_rule(password):
    with pytest.raises(InvalidInput) as refused:
        check_password_strength(password)
    assert refused.value.code == "PASSWORD_TOO_COMMON" and refused.value.params["reason"] == "common"


async def test_creating_a_user_or_changing_a_password_to_a_common_one_is_refused(client):
    admin = await login(client, "admin")
    users = (await client.get("/v1/admin/users?limit=100", headers=admin)).json()["items"]
    officer1 = next(user for user in users if user["username"] == "officer1")
    body = {
        "username": "officer_common",
        "name": "常用密码",
        "password": "Password1",
        "role": "officer",
        "enterpriseId": officer1["enterpriseId"],
    }
    refused = await client.post("/v1/admin/users", json=body, headers=admin)
    assert refused.status_code == 422 and refused.json()["code"] == "PASSWORD_TOO_COMMON"
    changed = await client.patch(f"/v1/admin/users/{officer1['id']}", json={"password": "Demo2026"}, headers=admin)
    assert changed.status_code == 422 and changed.json()["code"] == "PASSWORD_TOO_COMMON"
    assert (await sign_in(client, "officer1", DEMO_PASSWORD)).status_code == 200  # unchanged
    created = await client.post("/v1/admin/users", json={**body, "password": "Zhoushan#Safety7"}, headers=admin)
    assert created.status_code == 201, created.text


# --- a spent refresh token ends its family's access tokens ---------------------------------------------------------------


async def test_reusing_a_spent_refresh_token_refuses_the_familys_access_tokens(client):
    first = (await sign_in(client, "officer1", DEMO_PASSWORD)).json()
    other_session = (await sign_in(client, "officer1", DEMO_PASSWORD)).json()
    rotated = (await client.post("/v1/auth/refresh", json={"refreshToken": first["refreshToken"]})).json()
    bearer = {"Authorization": f"Bearer {rotated['accessToken']}"}
    assert (await client.get("/v1/me", headers=bearer)).status_code == 200
    replay = await client.post("/v1/auth/refresh", json={"refreshToken": first["refreshToken"]})
    assert replay.status_code == 401 and replay.json()["code"] == "AUTH_REFRESH_INVALID"
    for token in (rotated["accessToken"], first["accessToken"]):
        refused = await client.get("/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert refused.status_code == 401 and refused.json()["code"] == "AUTH_REQUIRED"
    # the user's other session (another family) goes on
    other = {"Authorization": f"Bearer {other_session['accessToken']}"}
    assert (await client.get("/v1/me", headers=other)).status_code == 200


# --- the per-user write limit -----------------------------------------------------------------------------------------


async def test_a_burst_of_writes_by_one_user_is_refused_with_429_and_retry_after(db):
    settings, engine = db
    limited = create_app(replace(settings, write_limit=3, write_window_s=60), engine)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=limited), base_url="http://testserver") as http:
            officer, other = await login(http, "officer1"), await login(http, "officer2")
            statuses = [(await http.post("/v1/hazards", json={}, headers=officer)).status_code for _ in range(4)]
            assert 429 not in statuses[:3] and statuses[3] == 429
            refused = await http.post("/v1/hazards", json={}, headers=officer)
            assert refused.json()["code"] == "WRITE_RATE_LIMITED"
            assert 0 < int(refused.headers["Retry-After"]) <= 60
            assert (await http.get("/v1/me", headers=officer)).status_code == 200  # reads are not limited
            assert (await http.post("/v1/hazards", json={}, headers=other)).status_code != 429  # per user
            start_clock_at(utcnow() + timedelta(seconds=61))  # the next window
            assert (await http.post("/v1/hazards", json={}, headers=officer)).status_code != 429
    finally:
        await services_of(limited).accounts.close()


def test_the_default_write_limit_is_far_above_a_field_teams_pace(db):
    settings, _ = db
    assert settings.write_limit >= 120 and settings.write_window_s == 60


async def test_the_openapi_document_names_429_where_the_limits_apply(client):
    document = (await client.get("/schema/openapi.json")).json()
    login_answers = document["paths"]["/v1/auth/login"]["post"]["responses"]
    assert "429" in login_answers
    writes = [
        operation
        for path, item in document["paths"].items()
        if path.startswith("/v1/") and not path.startswith(("/v1/auth/", "/v1/public/"))
        for method, operation in item.items()
        if method in ("post", "put", "patch", "delete")
    ]
    assert writes and all("429" in operation["responses"] for operation in writes)
    assert "429" not in document["paths"]["/v1/me"]["get"]["responses"]


# --- shared by every process through Redis ----------------------------------------------------------------------------


@pytest.mark.redis
async def test_two_app_instances_share_the_sign_in_limit_through_redis(db, redis_url):
    from redis.asyncio import Redis

    settings, engine = db
    shared = replace(settings, redis_url=redis_url, run_schedule=False)
    first, second = create_app(shared, engine), create_app(shared, engine)
    try:
        async with from_address(first, ATTACKER) as one, from_address(second, ATTACKER) as two:
            for n in range(8):  # failures spread over the two processes
                assert (await sign_in(one if n % 2 else two, f"spray{n}", "Guess-2026x")).status_code == 401
            assert (await sign_in(one, "spray9", "Guess-2026x")).status_code == 429
            assert (await sign_in(two, "spray10", "Guess-2026x")).status_code == 429
        client = Redis.from_url(redis_url)
        try:
            assert await client.keys("sf:limit:signin-address-failures:*")
        finally:
            await client.aclose()
    finally:
        await services_of(first).accounts.close()
        await services_of(second).accounts.close()


@pytest.mark.redis
async def test_two_app_instances_share_the_write_limit_through_redis(db, redis_url):
    settings, engine = db
    shared = replace(settings, redis_url=redis_url, run_schedule=False, write_limit=4)
    first, second = create_app(shared, engine), create_app(shared, engine)
    try:
        async with from_address(first, OWNER) as one, from_address(second, OWNER) as two:
            officer = await login(one, "officer1")
            statuses = [
                (await (one if n % 2 else two).post("/v1/hazards", json={}, headers=officer)).status_code
                for n in range(5)
            ]
            assert 429 not in statuses[:4] and statuses[4] == 429
    finally:
        await services_of(first).accounts.close()
        await services_of(second).accounts.close()
