"""Offline sync through the real API on both engines: the batch (per-operation results, kept and answered again,
refusals that leave the rest going, limits, scope) and the delta feed (everything from no cursor, paging, scope,
tombstones, commit order)."""

from __future__ import annotations

import asyncio
import io
import itertools
import random
from datetime import datetime, timedelta

import pytest
from PIL import Image

from domain.changes.tables import SyncChange
from domain.clock import utcnow
from domain.sync.tables import SyncOpResult
from tests.conftest import login

_serial = itertools.count(1)


def noise_jpeg(rng: random.Random) -> bytes:
    """A real JPEG of random noise: unlike any other photo, also to a perceptual hash."""
    image = Image.frombytes("RGB", (64, 48), bytes(rng.randrange(256) for _ in range(64 * 48 * 3)))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


async def upload(client, headers, rng: random.Random) -> str:
    response = await client.post(
        "/v1/photos",
        files={"file": ("p.jpg", noise_jpeg(rng), "image/jpeg")},
        data={"clientId": f"sync-photo-{next(_serial)}"},
        headers=headers,
    )
    assert response.status_code in (200, 201), response.text
    return response.json()["id"]


def iso(at: datetime) -> str:
    return at.isoformat()


def hazard_payload(enterprise_id: str, client_id: str, **fields) -> dict:
    return {
        "clientId": client_id,
        "enterpriseId": enterprise_id,
        "source": "daily",
        "category": "unsafe_condition",
        "title": "储罐区防火堤排水阀常开",
        "foundAt": iso(utcnow() - timedelta(hours=1)),
    } | fields


def op(op_id: str, kind: str, payload: dict) -> dict:
    return {"opId": op_id, "kind": kind, "payload": payload}


async def batch(client, headers, ops: list[dict]) -> list[dict]:
    response = await client.post("/v1/sync/batch", json={"ops": ops}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["results"]


async def me(client, headers) -> dict:
    return (await client.get("/v1/me", headers=headers)).json()


async def all_changes(client, headers, since: str | None = None) -> tuple[list[dict], str]:
    """Every page from `since` on; the changes in order and the last cursor."""
    changes, pages = [], 0
    while True:
        params = {"limit": 100} | ({"since": since} if since else {})
        response = await client.get("/v1/sync/changes", params=params, headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()
        changes += page["changes"]
        since, pages = page["nextCursor"], pages + 1
        if not page["hasMore"]:
            return changes, since
        assert pages < 1000


# --- the batch -----------------------------------------------------------------------------------------------------


async def test_a_batch_answers_each_operation_and_the_same_again_without_applying_anything_twice(client):
    officer = await login(client, "officer1")
    enterprise_id = (await me(client, officer))["enterpriseId"]
    ops = [
        op("b1", "hazardCreate", hazard_payload(enterprise_id, "b1")),
        op(
            "b2",
            "hazardTransition",
            {"hazardOpId": "b1", "expectedVersion": 1, "transition": {"action": "void", "reason": "重复登记"}},
        ),
    ]
    first = await batch(client, officer, ops)
    assert [(r["status"], r["httpStatus"], r["resource"]) for r in first] == [
        ("ok", 201, "hazard"),
        ("ok", 200, "hazard"),
    ]
    assert first[1]["id"] == first[0]["id"] and first[1]["version"] == 2 and first[1]["data"]["status"] == "voided"
    rows_before = await SyncOpResult.count().run(), await SyncChange.count().run()

    assert await batch(client, officer, ops) == first
    assert await batch(client, officer, ops[1:]) == first[1:]
    assert (await SyncOpResult.count().run(), await SyncChange.count().run()) == rows_before
    history = (await client.get(f"/v1/hazards/{first[0]['id']}/history", headers=officer)).json()
    assert [event["action"] for event in history] == ["report", "void"]


async def test_an_operation_no_longer_allowed_gets_its_own_error_and_the_rest_proceeds(client):
    officer, principal = await login(client, "officer1"), await login(client, "principal1")
    enterprise_id = (await me(client, officer))["enterpriseId"]
    made = await batch(
        client,
        officer,
        [
            op("n1", "hazardCreate", hazard_payload(enterprise_id, "n1")),
            op("n2", "hazardCreate", hazard_payload(enterprise_id, "n2")),
        ],
    )
    first, second = made[0]["id"], made[1]["id"]
    # meanwhile the principal voids both, so the phone's queued actions are no longer possible
    for hazard_id in (first, second):
        response = await client.post(
            f"/v1/hazards/{hazard_id}/transitions",
            json={"action": "void", "reason": "误报"},
            headers=principal | {"If-Match": '"1"'},
        )
        assert response.status_code == 200, response.text
    assign = {
        "action": "assign",
        "assigneeId": (await me(client, officer))["id"],
        "measures": "关闭排水阀",
        "deadline": iso(utcnow() + timedelta(days=7)),
    }
    results = await batch(
        client,
        officer,
        [
            op("n3", "hazardTransition", {"hazardId": first, "expectedVersion": 1, "transition": assign}),
            op("n4", "hazardTransition", {"hazardId": second, "expectedVersion": 2, "transition": assign}),
            op("n5", "hazardCreate", hazard_payload(enterprise_id, "n5")),
        ],
    )
    assert [(r["status"], r["httpStatus"], (r["error"] or {}).get("code")) for r in results] == [
        ("error", 412, "HAZARD_VERSION_STALE"),
        ("error", 409, "HAZARD_TRANSITION_NOT_ALLOWED"),
        ("ok", 201, None),
    ]
    assert not any(r["retryable"] for r in results)
    assert results[0]["error"]["title"] and results[0]["error"]["detail"]
    assert (
        await batch(
            client,
            officer,
            [op("n3", "hazardTransition", {"hazardId": first, "expectedVersion": 1, "transition": assign})],
        )
        == results[:1]
    )


async def test_refused_operations_are_kept_except_those_waiting_for_another(client):
    officer = await login(client, "officer1")
    enterprise_id = (await me(client, officer))["enterpriseId"]
    bad = hazard_payload(enterprise_id, "r1")
    del bad["title"]
    results = await batch(
        client,
        officer,
        [
            op("r1", "hazardCreate", bad),
            op("r2", "teleport", {}),
            op(
                "r3",
                "hazardTransition",
                {"hazardOpId": "r1", "expectedVersion": 1, "transition": {"action": "void", "reason": "x"}},
            ),
            op(
                "r4",
                "hazardTransition",
                {"hazardOpId": "r-later", "expectedVersion": 1, "transition": {"action": "void", "reason": "x"}},
            ),
            op(
                "r5",
                "hazardTransition",
                {
                    "hazardId": "01ZZZZZZZZZZZZZZZZZZZZZZZZ",
                    "hazardOpId": "r1",
                    "expectedVersion": 1,
                    "transition": {"action": "void", "reason": "x"},
                },
            ),
        ],
    )
    codes = [(r["error"]["code"], r["retryable"]) for r in results]
    assert codes == [
        ("SYNC_OP_INVALID", False),
        ("SYNC_OP_INVALID", False),
        ("SYNC_OP_REFERENCE_FAILED", False),
        ("SYNC_OP_PENDING", True),
        ("SYNC_OP_INVALID", False),
    ]
    assert await SyncOpResult.count().where(SyncOpResult.op_id == "r4").run() == 0
    # the operation it waited for arrives (after it, in the same batch): both apply
    later = await batch(
        client,
        officer,
        [
            op(
                "r4",
                "hazardTransition",
                {"hazardOpId": "r-later", "expectedVersion": 1, "transition": {"action": "void", "reason": "x"}},
            ),
            op("r-later", "hazardCreate", hazard_payload(enterprise_id, "r-later")),
        ],
    )
    assert [r["status"] for r in later] == ["ok", "ok"] and later[0]["data"]["status"] == "voided"


async def test_the_same_batch_sent_twice_at_once_applies_each_operation_once(client):
    officer = await login(client, "officer1")
    enterprise_id = (await me(client, officer))["enterpriseId"]
    ops = [op(f"c{n}", "hazardCreate", hazard_payload(enterprise_id, f"c{n}")) for n in range(5)]
    ops += [
        op(
            f"cv{n}",
            "hazardTransition",
            {"hazardOpId": f"c{n}", "expectedVersion": 1, "transition": {"action": "void", "reason": "重复"}},
        )
        for n in range(5)
    ]
    first, second = await asyncio.gather(batch(client, officer, ops), batch(client, officer, ops))
    final = await batch(client, officer, ops)
    assert [r["status"] for r in final] == ["ok"] * 10
    for answers in (first, second):  # each answer is the final one, or says to send the operation again
        assert all(a == f or a["retryable"] for a, f in zip(answers, final, strict=True))
    for result in final[:5]:
        history = (await client.get(f"/v1/hazards/{result['id']}/history", headers=officer)).json()
        assert [event["action"] for event in history] == ["report", "void"]


async def test_an_op_id_sent_again_with_other_content_is_refused_and_the_first_stands(client):
    officer = await login(client, "officer1")
    enterprise_id = (await me(client, officer))["enterpriseId"]
    payload = hazard_payload(enterprise_id, "u1")
    first = await batch(client, officer, [op("u1", "hazardCreate", payload)])
    again = await batch(client, officer, [op("u1", "hazardCreate", payload | {"title": "另一个"})])
    assert again[0]["error"]["code"] == "SYNC_OP_ID_REUSED" and again[0]["retryable"] is False
    # the same content with its keys in another order is the same operation
    assert await batch(client, officer, [op("u1", "hazardCreate", dict(reversed(payload.items())))]) == first


async def test_a_batch_over_the_limit_is_refused_whole_and_one_at_the_limit_is_taken(client):
    officer = await login(client, "officer1")
    before = await SyncOpResult.count().run()
    too_many = [op(f"l{n}", "teleport", {}) for n in range(201)]
    response = await client.post("/v1/sync/batch", json={"ops": too_many}, headers=officer)
    assert response.status_code == 413 and response.json()["code"] == "SYNC_BATCH_TOO_LARGE"
    assert await SyncOpResult.count().run() == before
    results = await batch(client, officer, too_many[:200])
    assert len(results) == 200 and {r["error"]["code"] for r in results} == {"SYNC_OP_INVALID"}


async def test_another_tenants_ids_neither_apply_nor_leak_and_op_ids_are_per_user(client):
    officer1, officer2 = await login(client, "officer1"), await login(client, "officer2")
    e1, e2 = (await me(client, officer1))["enterpriseId"], (await me(client, officer2))["enterpriseId"]
    theirs = await batch(client, officer2, [op("t1", "hazardCreate", hazard_payload(e2, "t1"))])
    hazard_id = theirs[0]["id"]
    results = await batch(
        client,
        officer1,
        [
            op("t1", "hazardCreate", hazard_payload(e2, "x1")),
            op(
                "t2",
                "hazardTransition",
                {"hazardId": hazard_id, "expectedVersion": 1, "transition": {"action": "void", "reason": "x"}},
            ),
            op(
                "t3",
                "hazardTransition",
                {
                    "hazardId": "01ZZZZZZZZZZZZZZZZZZZZZZZZ",
                    "expectedVersion": 1,
                    "transition": {"action": "void", "reason": "x"},
                },
            ),
        ],
    )
    assert [r["error"]["code"] for r in results] == ["NOT_FOUND"] * 3
    # an existing hazard of another tenant answers exactly like a missing one
    assert results[1]["error"] | {"extra": None} == results[2]["error"] | {"extra": None}
    assert results[1]["error"]["extra"]["id"] == hazard_id  # only what the caller sent comes back
    # officer2's opId t1 is theirs: officer1's t1 is another operation, refused on its own
    assert (await client.get(f"/v1/hazards/{hazard_id}", headers=officer2)).json()["status"] == "reported"
    changes, _ = await all_changes(client, officer1)
    assert {c["enterpriseId"] for c in changes} == {e1}
    assert hazard_id not in {c["id"] for c in changes}


# --- the delta feed ------------------------------------------------------------------------------------------------


def apply(held: dict, change: dict) -> None:
    """What a phone does with a change: a removed enterprise takes everything of it along."""
    if change["op"] == "remove":
        held.pop((change["kind"], change["id"]), None)
        if change["kind"] == "enterprise":
            for key in [key for key, owner in held.items() if owner == change["id"]]:
                del held[key]
    else:
        held[(change["kind"], change["id"])] = change["enterpriseId"]


async def test_a_first_sync_returns_everything_in_scope_in_pages_and_then_only_what_changed(client):
    officer = await login(client, "officer1")
    enterprise_id = (await me(client, officer))["enterpriseId"]
    changes, cursor = await all_changes(client, officer)
    held = {(c["kind"], c["id"]): c for c in changes}  # a phone applies them in order: the last one counts
    hazards = set()
    page = {"nextCursor": None}
    while True:
        params = {"enterpriseId": enterprise_id, "limit": 100} | (
            {"cursor": page["nextCursor"]} if page["nextCursor"] else {}
        )
        page = (await client.get("/v1/hazards", params=params, headers=officer)).json()
        hazards |= {(h["id"], h["version"], h["status"]) for h in page["items"]}
        if not page["nextCursor"]:
            break
    synced = {(c["id"], c["data"]["version"], c["data"]["status"]) for c in held.values() if c["kind"] == "hazard"}
    assert synced == hazards and len(hazards) > 20
    points = (
        await client.get(f"/v1/enterprises/{enterprise_id}/risk-points", params={"limit": 100}, headers=officer)
    ).json()["items"]
    assert {c["id"] for c in held.values() if c["kind"] == "riskPoint"} == {p["id"] for p in points}
    card = next(c["data"] for c in held.values() if c["kind"] == "riskPoint")
    assert card["riskPoint"]["qr"]["token"] and isinstance(card["checklist"], list)
    assert {c["kind"] for c in changes} == {"enterprise", "riskPoint", "hazard", "task"}

    nothing, same = await all_changes(client, officer, cursor)
    assert nothing == [] and same == cursor
    made = await batch(client, officer, [op("f1", "hazardCreate", hazard_payload(enterprise_id, "f1"))])
    news, cursor = await all_changes(client, officer, cursor)
    assert [(c["kind"], c["id"], c["op"], c["data"]["version"]) for c in news] == [
        ("hazard", made[0]["id"], "upsert", 1)
    ]


async def test_a_rotated_safety_code_reaches_the_phone_with_the_enterprise(client):
    officer = await login(client, "officer1")
    enterprise_id = (await me(client, officer))["enterpriseId"]
    _, cursor = await all_changes(client, officer)
    rotated = await client.post(f"/v1/enterprises/{enterprise_id}/code/rotate", headers=officer)
    assert rotated.status_code in (200, 201), rotated.text
    news, _ = await all_changes(client, officer, cursor)
    assert [(c["kind"], c["id"], c["op"]) for c in news] == [("enterprise", enterprise_id, "upsert")]
    shown = (await client.get(f"/v1/enterprises/{enterprise_id}", headers=officer)).json()
    assert (
        news[0]["data"]["safetyCode"] == shown["safetyCode"] and shown["safetyCode"]["token"] == rotated.json()["token"]
    )


async def test_a_small_limit_pages_through_every_change_once_in_order(client):
    officer = await login(client, "officer1")
    enterprise_id = (await me(client, officer))["enterpriseId"]
    _, cursor = await all_changes(client, officer)
    made = await batch(
        client, officer, [op(f"p{n}", "hazardCreate", hazard_payload(enterprise_id, f"p{n}")) for n in range(7)]
    )
    seen, pages = [], 0
    while True:
        page = (await client.get("/v1/sync/changes", params={"since": cursor, "limit": 3}, headers=officer)).json()
        seen += [c["id"] for c in page["changes"]]
        cursor, pages = page["nextCursor"], pages + 1
        if not page["hasMore"]:
            break
    assert seen == [r["id"] for r in made] and pages == 3


async def test_an_enterprise_moved_to_another_grid_is_a_tombstone_for_the_old_grid_and_whole_in_the_new(client):
    admin, inspector = await login(client, "admin"), await login(client, "inspector1")
    regulator = await login(client, "regulator_city")
    officer = await login(client, "officer1")
    enterprise_id = (await me(client, officer))["enterpriseId"]
    _, inspector_cursor = await all_changes(client, inspector)
    _, regulator_cursor = await all_changes(client, regulator)
    grids = (await client.get("/v1/grids", headers=admin)).json()
    here = (await client.get(f"/v1/enterprises/{enterprise_id}", headers=admin)).json()["gridId"]
    elsewhere = next(g["id"] for g in grids if g["id"] != here)
    response = await client.patch(f"/v1/admin/enterprises/{enterprise_id}", json={"gridId": elsewhere}, headers=admin)
    assert response.status_code == 200, response.text

    gone, _ = await all_changes(client, inspector, inspector_cursor)
    assert [(c["kind"], c["id"], c["op"], c["reason"]) for c in gone] == [
        ("enterprise", enterprise_id, "remove", "leftScope")
    ]
    # the city sees both places: whatever the paging, a phone applying the changes in order still holds it all
    held = {("enterprise", enterprise_id): enterprise_id}
    held |= {
        ("hazard", h["id"]): enterprise_id
        for h in (
            await client.get("/v1/hazards", params={"enterpriseId": enterprise_id, "limit": 1000}, headers=regulator)
        ).json()["items"]
    }
    expected = dict(held)
    moved, _ = await all_changes(client, regulator, regulator_cursor)
    assert {c["enterpriseId"] for c in moved} == {enterprise_id}
    for change in moved:
        apply(held, change)
    assert expected.items() <= held.items() and set(held.values()) == {enterprise_id}
    assert ("enterprise", enterprise_id, "upsert") in [(c["kind"], c["id"], c["op"]) for c in moved]
    # the inspector's phone no longer gets its changes
    await batch(client, officer, [op("m1", "hazardCreate", hazard_payload(enterprise_id, "m1"))])
    assert (await all_changes(client, inspector, inspector_cursor))[0] == gone


async def test_a_user_who_loses_a_grid_gets_tombstones_and_one_who_gains_it_gets_everything(client):
    admin, inspector = await login(client, "admin"), await login(client, "inspector1")
    _, cursor = await all_changes(client, inspector)
    before = {c["id"] for c in (await all_changes(client, inspector))[0] if c["kind"] == "enterprise"}
    grids = (await client.get("/v1/grids", headers=admin)).json()
    mine = set((await me(client, inspector))["gridIds"])
    other = next(g for g in grids if g["id"] not in mine)
    inspector_id = (await me(client, inspector))["id"]
    response = await client.patch(f"/v1/admin/users/{inspector_id}", json={"gridIds": [other["id"]]}, headers=admin)
    assert response.status_code == 200, response.text

    changes, _ = await all_changes(client, inspector, cursor)
    removed = {c["id"] for c in changes if c["kind"] == "enterprise" and c["op"] == "remove"}
    gained = {c["id"] for c in changes if c["kind"] == "enterprise" and c["op"] == "upsert"}
    visible = {
        e["id"]
        for e in (await client.get("/v1/enterprises", params={"limit": 1000}, headers=inspector)).json()["items"]
    }
    assert removed == before - visible and removed
    assert gained == visible - before
    assert all(c["reason"] == "leftScope" for c in changes if c["op"] == "remove")
    # nobody else hears of it
    officer = await login(client, "officer1")
    assert not [c for c in (await all_changes(client, officer))[0] if c["op"] == "remove"]


async def test_a_cursor_never_passes_a_change_whose_transaction_commits_late(client, db):
    """On PostgreSQL ids are handed out at insert, not at commit: a slow transaction's row may carry a smaller id
    than rows already read. The reader must still get it after its commit."""
    settings, _ = db
    if settings.is_sqlite:
        pytest.skip("SQLite commits one writer at a time: ids follow commit order there")
    from domain.changes.services import ENTERPRISE, record_change

    officer = await login(client, "officer1")
    enterprise_id = (await me(client, officer))["enterpriseId"]
    _, cursor = await all_changes(client, officer)
    slow_started, slow_may_commit = asyncio.Event(), asyncio.Event()
    slow_row: list[int] = []

    async def slow_writer() -> None:
        async with SyncChange._meta.db.transaction():
            await record_change(ENTERPRISE, enterprise_id, enterprise_id)
            newest = await SyncChange.select(SyncChange.id).order_by(SyncChange.id, ascending=False).first().run()
            slow_row.append(newest["id"])
            slow_started.set()
            await slow_may_commit.wait()

    slow = asyncio.create_task(slow_writer())
    try:
        await slow_started.wait()
        fast = await batch(client, officer, [op("w1", "hazardCreate", hazard_payload(enterprise_id, "w1"))])
        first, cursor = await all_changes(client, officer, cursor)
        assert [c["id"] for c in first if c["kind"] == "hazard"] == [fast[0]["id"]]
        fast_row = await SyncChange.select(SyncChange.id).where(SyncChange.entity_id == fast[0]["id"]).first().run()
        assert slow_row[0] < fast_row["id"]  # the late row has the smaller id: paging by id would pass it
    finally:
        slow_may_commit.set()
        await slow
    late, _ = await all_changes(client, officer, cursor)
    assert [(c["kind"], c["id"]) for c in late] == [("enterprise", enterprise_id)]


async def test_a_bad_cursor_is_refused_with_its_code(client):
    officer = await login(client, "officer1")
    response = await client.get("/v1/sync/changes", params={"since": "bm90LW91cnM"}, headers=officer)
    assert response.status_code == 400 and response.json()["code"] == "SYNC_CURSOR_INVALID"
