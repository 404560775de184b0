"""The `Idempotency-Key` layer through the real app, on both engines: one operation per key, replayed as first sent."""

from __future__ import annotations

import asyncio
import io
from datetime import timedelta

import pytest
from PIL import Image

from api.app import MAX_JSON_BODY
from domain.accounts.tables import AppUser
from domain.clock import utcnow
from domain.idempotency import services as idempotency
from domain.idempotency.model import StoredResponse, is_replayable, record_id
from domain.idempotency.tables import IdempotencyRecord
from domain.risk import services as risk
from domain.risk.tables import RiskPoint
from tests.api.test_risk_points import POINT
from tests.conftest import login
from workers.jobs.maintenance import purge_expired_idempotency_records

REPLAYED = "idempotent-replayed"


async def _points_url(client, headers) -> str:
    enterprise_id = (await client.get("/v1/enterprises", headers=headers)).json()["items"][0]["id"]
    return f"/v1/enterprises/{enterprise_id}/risk-points"


def _keyed(headers: dict[str, str], key: str) -> dict[str, str]:
    return {**headers, "Idempotency-Key": key}


def _same_answer(first, again) -> bool:
    """Status, body bytes and every header of the first answer, plus the replay marker."""
    headers = [(name, value) for name, value in again.headers.multi_items() if name != REPLAYED]
    return (again.status_code, again.content, headers) == (
        first.status_code,
        first.content,
        first.headers.multi_items(),
    )


async def test_the_same_key_three_times_creates_one_point_and_replays_the_first_answer(client):
    officer = await login(client, "officer1")
    url = await _points_url(client, officer)
    before = await RiskPoint.count().run()

    answers = [await client.post(url, json=POINT, headers=_keyed(officer, "create-point-1")) for _ in range(3)]

    assert answers[0].status_code == 201 and REPLAYED not in answers[0].headers
    assert all(again.headers[REPLAYED] == "true" and _same_answer(answers[0], again) for again in answers[1:])
    assert await RiskPoint.count().run() == before + 1
    assert await IdempotencyRecord.count().run() == 1


async def test_the_same_key_with_another_body_or_query_is_refused_with_422_and_runs_nothing(client):
    officer = await login(client, "officer1")
    url = await _points_url(client, officer)
    assert (await client.post(url, json=POINT, headers=_keyed(officer, "k"))).status_code == 201
    before = await RiskPoint.count().run()

    for other in ({"json": {**POINT, "name": "3号柴油储罐"}}, {"json": POINT, "params": {"x": "1"}}):
        refused = await client.post(url, headers=_keyed(officer, "k"), **other)
        assert refused.status_code == 422 and refused.json()["code"] == "IDEMPOTENCY_KEY_REUSED"

    assert await RiskPoint.count().run() == before


async def test_another_users_same_key_is_a_key_of_its_own(client):
    officer, principal = await login(client, "officer1"), await login(client, "principal1")
    url = await _points_url(client, officer)
    before = await RiskPoint.count().run()

    answers = [await client.post(url, json=POINT, headers=_keyed(who, "shared-key")) for who in (officer, principal)]

    assert [a.status_code for a in answers] == [201, 201] and not any(REPLAYED in a.headers for a in answers)
    assert answers[0].json()["id"] != answers[1].json()["id"]
    assert await RiskPoint.count().run() == before + 2


async def test_a_retry_while_the_first_still_runs_gets_409_with_retry_after_then_runs_once_it_is_freed(client):
    officer = await login(client, "officer1")
    url = await _points_url(client, officer)
    user_id = (await client.get("/v1/me", headers=officer)).json()["id"]
    # The first request is simulated mid-flight: its record taken exactly as the layer takes it.
    attempt = await idempotency.begin(user_id=user_id, method="POST", path=url, key=b"slow")
    before = await RiskPoint.count().run()

    retry = await client.post(url, json=POINT, headers=_keyed(officer, "slow"))

    assert retry.status_code == 409 and retry.json()["code"] == "IDEMPOTENCY_REQUEST_IN_FLIGHT"
    assert int(retry.headers["retry-after"]) >= 1
    assert await RiskPoint.count().run() == before
    await idempotency.abandon(attempt)
    assert (await client.post(url, json=POINT, headers=_keyed(officer, "slow"))).status_code == 201


async def test_concurrent_first_requests_under_one_key_create_one_point(client):
    officer = await login(client, "officer1")
    url = await _points_url(client, officer)
    before = await RiskPoint.count().run()

    answers = await asyncio.gather(*[client.post(url, json=POINT, headers=_keyed(officer, "race")) for _ in range(6)])

    assert {a.status_code for a in answers} <= {201, 409} and 201 in {a.status_code for a in answers}
    assert len({a.json()["id"] for a in answers if a.status_code == 201}) == 1
    assert await RiskPoint.count().run() == before + 1


async def test_a_failing_first_request_keeps_no_record_so_its_retry_runs(client, monkeypatch):
    officer = await login(client, "officer1")
    url = await _points_url(client, officer)

    async def crash(**_):
        raise RuntimeError("the database went away")

    with monkeypatch.context() as patched:
        patched.setattr(risk, "create_risk_point", crash)
        failed = await client.post(url, json=POINT, headers=_keyed(officer, "retry-me"))
    assert failed.status_code == 500 and await IdempotencyRecord.count().run() == 0

    retried = await client.post(url, json=POINT, headers=_keyed(officer, "retry-me"))
    assert retried.status_code == 201 and REPLAYED not in retried.headers


async def test_a_4xx_first_answer_is_replayed_and_a_conflict_is_not_kept(client):
    officer = await login(client, "officer1")
    point = (await client.post(await _points_url(client, officer), json=POINT, headers=officer)).json()
    url = f"/v1/risk-points/{point['id']}/assessments"
    outside_the_table = {"method": "LEC", "l": 4, "e": 6, "c": 15}

    first = await client.post(url, json=outside_the_table, headers=_keyed(officer, "assess"))
    again = await client.post(url, json=outside_the_table, headers=_keyed(officer, "assess"))

    assert first.status_code == 422 and first.json()["code"] == "ASSESSMENT_FACTOR_INVALID"
    assert again.headers[REPLAYED] == "true" and _same_answer(first, again)
    assert (await client.get(url, headers=officer)).json() == []

    admin = await login(client, "admin")
    grid = {"code": "DH-CG-01", "name": "重复网格", "regionCode": "330902001"}
    conflicts = [await client.post("/v1/admin/grids", json=grid, headers=_keyed(admin, "grid")) for _ in range(2)]
    assert [c.status_code for c in conflicts] == [409, 409] and not any(REPLAYED in c.headers for c in conflicts)


async def test_a_body_over_the_routes_limit_keeps_nothing_so_the_key_still_works(client):
    officer = await login(client, "officer1")
    url = await _points_url(client, officer)
    huge = {**POINT, "area": "x" * (MAX_JSON_BODY + 1)}

    refused = await client.post(url, json=huge, headers=_keyed(officer, "big"))

    assert refused.status_code == 413 and await IdempotencyRecord.count().run() == 0
    assert (await client.post(url, json=POINT, headers=_keyed(officer, "big"))).status_code == 201


async def test_a_body_the_handler_never_reads_is_still_part_of_the_request(client):
    officer = await login(client, "officer1")
    point = (await client.post(await _points_url(client, officer), json=POINT, headers=officer)).json()
    url = f"/v1/risk-points/{point['id']}/qr/rotate"

    headers = _keyed(officer, "rotate")
    first, again, other = [await client.post(url, content=body, headers=headers) for body in (b"a", b"a", b"b")]

    assert first.status_code == 201 and again.headers[REPLAYED] == "true" and _same_answer(first, again)
    assert other.status_code == 422 and other.json()["code"] == "IDEMPOTENCY_KEY_REUSED"


def _png(color: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 800), color).save(buffer, "PNG")
    return buffer.getvalue()


async def test_an_upload_streams_through_and_is_told_apart_by_its_bytes(client):
    officer = await login(client, "officer1")
    url = (await _points_url(client, officer)).replace("/risk-points", "/site-plan")
    plan, other_plan = _png("#dde"), _png("#ede")
    headers = {**_keyed(officer, "plan"), "Content-Type": "image/png"}

    first = await client.put(url, content=plan, headers=headers)
    again = await client.put(url, content=plan, headers=headers)
    other = await client.put(url, content=other_plan, headers=headers)

    assert first.status_code == 200, first.text
    assert again.headers[REPLAYED] == "true" and _same_answer(first, again)
    assert other.status_code == 422 and other.json()["code"] == "IDEMPOTENCY_KEY_REUSED"


@pytest.mark.parametrize(
    "values",
    [[b""], [b"k" * 256], ["键".encode()], [b"tab\there"], [b"one", b"two"]],
    ids=["empty", "256-characters", "not-ascii", "control-character", "sent-twice"],
)
async def test_an_invalid_key_is_refused_with_400_and_nothing_runs(client, values):
    officer = await login(client, "officer1")
    url = await _points_url(client, officer)
    before = await RiskPoint.count().run()

    refused = await client.post(url, json=POINT, headers=[*officer.items(), *[("Idempotency-Key", v) for v in values]])

    assert refused.status_code == 400 and refused.json()["code"] == "IDEMPOTENCY_KEY_INVALID"
    assert await RiskPoint.count().run() == before and await IdempotencyRecord.count().run() == 0


async def test_reads_and_requests_without_a_user_pass_by_the_layer(client):
    signed_in = await client.post(
        "/v1/auth/login", json={"username": "officer1", "password": "Demo@2026"}, headers={"Idempotency-Key": ""}
    )
    officer = {"Authorization": f"Bearer {signed_in.json()['accessToken']}"}
    read = await client.get("/v1/me", headers=_keyed(officer, "k" * 300))
    assert (signed_in.status_code, read.status_code) == (200, 200)
    assert await IdempotencyRecord.count().run() == 0


async def test_an_expired_key_is_a_new_key_and_the_job_purges_it(client):
    officer = await login(client, "officer1")
    url = await _points_url(client, officer)
    first = await client.post(url, json=POINT, headers=_keyed(officer, "old"))
    await _expire_every_record()

    second = await client.post(url, json=POINT, headers=_keyed(officer, "old"))

    assert second.status_code == 201 and REPLAYED not in second.headers
    assert second.json()["id"] != first.json()["id"]
    await _expire_every_record()
    assert await purge_expired_idempotency_records({}) == 1
    assert await purge_expired_idempotency_records({}) == 0
    assert await IdempotencyRecord.count().run() == 0


async def _expire_every_record() -> None:
    async with IdempotencyRecord._meta.db.transaction():
        past = utcnow() - timedelta(seconds=1)
        await IdempotencyRecord.update({IdempotencyRecord.expires_at: past}, force=True).run()


async def test_a_late_finish_of_an_attempt_whose_lease_passed_leaves_its_successors_record_alone(db):
    user_id = (await AppUser.select(AppUser.id).first().run())["id"]
    key = {"user_id": user_id, "method": "POST", "path": "/v1/x", "key": b"k"}
    long_ago = utcnow() - idempotency.IN_FLIGHT_LEASE - timedelta(seconds=1)
    stale = await idempotency.begin(**key, now=long_ago)
    successor = await idempotency.begin(**key)
    late = StoredResponse(201, ((b"content-type", b"application/json"),), b'{"late":true}')

    await idempotency.finish(stale, request_hash="h", response=late, ttl_s=60)
    await idempotency.abandon(stale)

    assert await idempotency.lookup(record_id=record_id(**key)) == successor


@pytest.mark.parametrize(
    ("status", "headers", "kept"),
    [
        (200, (), True),
        (201, (), True),
        (404, (), True),
        (422, (), True),
        (409, (), False),
        (429, (), False),
        (423, (), False),
        (500, (), False),
        (503, (), False),
        (400, ((b"Retry-After", b"5"),), False),
    ],
)
def test_final_answers_are_kept_and_answers_that_invite_a_retry_are_not(status, headers, kept):
    assert is_replayable(StoredResponse(status, headers, b"")) is kept
