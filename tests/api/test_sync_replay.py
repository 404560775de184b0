"""Acceptance 1 of issue 6: a queue of 100 operations replayed three times, shuffled, with responses dropped (requests
cut off mid-flight, answers ignored), leaves exactly the state of one clean replay, on both engines.

Both runs happen in one database, by the same officer on the same enterprise: the clean run's queue under the
prefix `clean-`, the messy run's under `messy-`, each with its own photos and its own inspection windows. The state
each leaves (its operations' kept results, hazards, their history and photos, inspections and their results,
scans, outbox entries and change-feed rows) is dumped with ids replaced by their role in the queue and server
times left out, and the two dumps must be equal.
"""

from __future__ import annotations

import asyncio
import json
import random
from datetime import datetime, timedelta

from domain.changes.tables import SyncChange
from domain.clock import utcnow
from domain.hazards.tables import Hazard, HazardPhoto
from domain.history.tables import HistoryEvent
from domain.inspections.tables import Inspection, InspectionResult
from domain.outbox.tables import OutboxEntry
from domain.photos.tables import Photo
from domain.risk.tables import ScanRecord
from domain.sync.tables import SyncOpResult
from tests.api.test_sync import batch, hazard_payload, iso, me, op, upload
from tests.conftest import login

SERVER_TIMES = {
    "created_at",
    "updated_at",
    "closed_at",
    "at",
    "attached_at",
    "server_time",
    "hash",
    "prev_hash",
    "chain_hash",
}


async def context(client, officer) -> dict:
    """What the queues refer to: the enterprise, the officer, a risk point with a 2-hour item, its code, a deadline."""
    user = await me(client, officer)
    enterprise_id = user["enterpriseId"]
    points = (
        await client.get(f"/v1/enterprises/{enterprise_id}/risk-points", params={"limit": 100}, headers=officer)
    ).json()["items"]
    for point in points:
        checklist = (await client.get(f"/v1/risk-points/{point['id']}/checklist", headers=officer)).json()
        hourly = [item for item in checklist if item["cycle"] == {"n": 2, "unit": "hour"}]
        if hourly:
            break
    else:
        raise AssertionError("the demo has a risk point with a 2-hour checklist item")
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    return {
        "enterprise_id": enterprise_id,
        "user_id": user["id"],
        "point": point,
        "item": hourly[0],
        "deadline": iso(now + timedelta(days=20)),
        "now": now,
    }


async def queue(
    client, officer, ctx: dict, prefix: str, run: int, rng: random.Random, voided: str
) -> tuple[list[dict], list[datetime]]:
    """100 operations of a day's offline work, in the order the phone made them."""
    e, p = ctx["enterprise_id"], prefix
    before = [await upload(client, officer, rng) for _ in range(5)]
    after = [await upload(client, officer, rng) for _ in range(20)]
    # an inspection per 2-hour window, the two runs in alternate windows so neither finds the other's task done
    times = [ctx["now"] - timedelta(hours=3 + 4 * k + 2 * run, minutes=-30) for k in range(10)]
    # scanned at the point (its checklist's point is 重大 or 较大: each inspection cites a scan proving presence)
    place = {"lat": ctx["point"]["lat"], "lng": ctx["point"]["lng"], "accuracy": 8.0}
    ops = [
        op(
            f"{p}s{k}",
            "scan",
            {"token": ctx["point"]["qr"]["token"], "deviceId": "phone-1", "clientTime": iso(times[k % 10])} | place,
        )
        for k in range(15)
    ]
    for k in range(30):
        fields = {"title": f"隐患 {k}", "description": f"第 {k} 处"}
        if k < 10:
            fields["scanOpId"] = f"{p}s{k}"
        if k < 5:
            fields["photoIds"] = [before[k]]
        ops.append(op(f"{p}h{k}", "hazardCreate", hazard_payload(e, f"{p}h{k}", foundAt=iso(times[0]), **fields)))
    for k in range(15):
        ops.append(
            op(
                f"{p}a{k}",
                "hazardTransition",
                {
                    "hazardOpId": f"{p}h{k}",
                    "expectedVersion": 1,
                    "transition": {
                        "action": "assign",
                        "assigneeId": ctx["user_id"],
                        "measures": f"整改 {k}",
                        "deadline": ctx["deadline"],
                    },
                },
            )
        )
    for k in range(10):
        ops.append(
            op(
                f"{p}r{k}",
                "hazardTransition",
                {
                    "hazardOpId": f"{p}h{k}",
                    "expectedVersion": 2,
                    "transition": {"action": "submitRectification", "afterPhotoIds": [after[k]], "note": "已整改"},
                },
            )
        )
    for k in range(15, 20):
        ops.append(
            op(
                f"{p}v{k}",
                "hazardTransition",
                {
                    "hazardOpId": f"{p}h{k}",
                    "expectedVersion": 1,
                    "transition": {"action": "void", "reason": "重复登记"},
                },
            )
        )
    for k in range(20, 30):
        ops.append(
            op(
                f"{p}o{k}",
                "hazardTransition",
                {
                    "hazardOpId": f"{p}h{k}",
                    "expectedVersion": 1,
                    "transition": {"action": "rectifyOnSpot", "afterPhotoIds": [after[k - 10]], "note": "现场整改"},
                },
            )
        )
    item = ctx["item"]["id"]
    for k in range(10):
        result = {"itemId": item, "ok": True}
        if k >= 8:
            result = {"itemId": item, "ok": False, "hazardClientId": f"{p}ih{k}", "hazardTitle": "安全阀铅封缺失"}
        body = {
            "clientId": f"{p}i{k}",
            "riskPointId": ctx["point"]["id"],
            "startedAt": iso(times[k] - timedelta(minutes=10)),
            "finishedAt": iso(times[k]),
            "results": [result],
            "scanOpId": f"{p}s{k}",
        }
        ops.append(op(f"{p}i{k}", "inspectionCreate", body))
    # refusals that are outcomes too: a malformed report, one depending on it, an unknown kind, another's enterprise
    bad = hazard_payload(e, f"{p}bad")
    del bad["title"]
    ops += [
        op(f"{p}bad", "hazardCreate", bad),
        op(
            f"{p}dep",
            "hazardTransition",
            {"hazardOpId": f"{p}bad", "expectedVersion": 1, "transition": {"action": "void", "reason": "x"}},
        ),
        op(f"{p}odd", "teleport", {"to": "moon"}),
        op(f"{p}far", "hazardCreate", hazard_payload("01ZZZZZZZZZZZZZZZZZZZZZZZZ", f"{p}far")),
        # a hazard the principal voided meanwhile: the assign the phone queued at version 1 is stale
        op(
            f"{p}late",
            "hazardTransition",
            {
                "hazardId": voided,
                "expectedVersion": 1,
                "transition": {
                    "action": "assign",
                    "assigneeId": ctx["user_id"],
                    "measures": "x",
                    "deadline": ctx["deadline"],
                },
            },
        ),
    ]
    assert len(ops) == 100, len(ops)
    return ops, times


async def send_messily(client, officer, ops: list[dict], rng: random.Random, *, cut_off: bool) -> int:
    """The queue shuffled, in chunks, each answer ignored; with `cut_off` some requests are dropped mid-flight.
    Returns how many were."""
    shuffled, dropped = rng.sample(ops, len(ops)), 0
    while shuffled:
        size = rng.randint(1, 30)
        chunk, shuffled = shuffled[:size], shuffled[size:]
        request = client.post("/v1/sync/batch", json={"ops": chunk}, headers=officer)
        if cut_off and rng.random() < 0.5:
            try:
                await asyncio.wait_for(request, timeout=rng.uniform(0.0, 0.3))
            except TimeoutError:
                dropped += 1
        else:
            await request
    return dropped


def _normal(value, labels: dict[str, str], prefix: str):
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    for real, label in sorted(labels.items(), key=lambda pair: -len(pair[0])):
        text = text.replace(real, label)
    return json.loads(text.replace(prefix, "P-"))


def _without(row: dict, *names: str) -> dict:
    return {k: v for k, v in row.items() if k not in SERVER_TIMES and k not in names}


def time_labels(times: list[datetime]) -> dict[str, str]:
    """The run's own times (its inspection windows differ from the other run's on purpose), in the forms stored."""
    labels = {}
    for k, at in enumerate(times):
        for name, value in ((f"<time{k}>", at), (f"<start{k}>", at - timedelta(minutes=10))):
            labels |= {str(value): name, value.isoformat(): name, value.strftime("%Y-%m-%dT%H:%M:%S.%fZ"): name}
    return labels


async def dump(user_id: str, prefix: str, photos: list[str], times: list[datetime], extra: dict[str, str]) -> dict:
    """What the run left, with ids named by their role and server times left out."""
    kept = await SyncOpResult.select().where(SyncOpResult.op_id.like(prefix + "%")).order_by(SyncOpResult.op_id).run()
    labels = {row["resource_id"]: f"<{row['op_id']}>" for row in kept if row["resource_id"]}
    labels |= extra | {photo: f"<photo{n}>" for n, photo in enumerate(photos)}
    shas = await Photo.select(Photo.id, Photo.sha256).where(Photo.id.is_in(photos)).run()
    labels |= {row["sha256"]: f"<sha of {labels[row['id']]}>" for row in shas}
    inspections = [row["resource_id"] for row in kept if row["resource"] == "inspection"]
    results = await InspectionResult.select().where(InspectionResult.inspection_id.is_in(inspections or [""])).run()
    labels |= {row["hazard_id"]: f"<hazard of {labels[row['inspection_id']]}>" for row in results if row["hazard_id"]}
    tasks = [row["task_id"] for row in results if row["task_id"]]
    labels |= {row["task_id"]: f"<task of {labels[row['inspection_id']]}>" for row in results if row["task_id"]}
    hazards = await Hazard.select().where(Hazard.client_key.like(f"{user_id}:{prefix}%")).run()
    hazard_ids = [row["id"] for row in hazards] + list(extra)
    history = await HistoryEvent.select().where(HistoryEvent.chain_id.is_in(hazard_ids + inspections)).run()
    photos_on = await HazardPhoto.select().where(HazardPhoto.hazard_id.is_in(hazard_ids)).run()
    scans = [row["resource_id"] for row in kept if row["resource"] == "scan"]
    outbox = [
        row
        for row in await OutboxEntry.select(OutboxEntry.job_name, OutboxEntry.args).run()
        if any(hazard_id in row["args"] for hazard_id in hazard_ids)
    ]
    feed = (
        await SyncChange.select(SyncChange.kind, SyncChange.entity_id, SyncChange.op)
        .where(SyncChange.entity_id.is_in(hazard_ids + tasks))
        .run()
    )
    state = {
        "kept": [
            _without(row, "id", "user_id", "fingerprint") | {"result": _without(json.loads(row["result"]), "data")}
            for row in kept
        ],
        "hazards": [_without(row, "id") for row in hazards],
        "history": [_without(row, "id") for row in history],
        "hazard_photos": [_without(row, "id") for row in photos_on],
        "inspections": [
            _without(row, "id")
            for row in await Inspection.select().where(Inspection.id.is_in(inspections or [""])).run()
        ],
        "results": [_without(row, "id") for row in results],
        "scans": [
            _without(row, "id") for row in await ScanRecord.select().where(ScanRecord.id.is_in(scans or [""])).run()
        ],
        "outbox": outbox,
        "feed": feed,
    }
    normal = _normal(state, labels | time_labels(times), prefix)
    return {
        key: sorted(json.dumps(row, sort_keys=True, ensure_ascii=False) for row in rows) for key, rows in normal.items()
    }


async def voided_meanwhile(client, officer, principal, ctx: dict, prefix: str) -> str:
    """A hazard the phone knew at version 1, voided by the principal before the phone's queue arrives."""
    payload = hazard_payload(ctx["enterprise_id"], f"{prefix}pre", foundAt=iso(ctx["now"] - timedelta(hours=1)))
    made = await batch(client, officer, [op(f"{prefix}pre", "hazardCreate", payload)])
    response = await client.post(
        f"/v1/hazards/{made[0]['id']}/transitions",
        json={"action": "void", "reason": "误报"},
        headers=principal | {"If-Match": '"1"'},
    )
    assert response.status_code == 200, response.text
    return made[0]["id"]


async def test_a_queue_replayed_three_times_shuffled_with_answers_dropped_leaves_the_state_of_one_clean_replay(client):
    officer, principal = await login(client, "officer1"), await login(client, "principal1")
    ctx = await context(client, officer)
    rng = random.Random(20261129)
    dumps, answers = {}, {}
    for run, prefix in enumerate(("clean-", "messy-")):
        voided = await voided_meanwhile(client, officer, principal, ctx, prefix)
        ops, times = await queue(client, officer, ctx, prefix, run, rng, voided)
        photos = [o["payload"]["photoIds"][0] for o in ops if "photoIds" in o["payload"]]
        photos += [
            o["payload"]["transition"]["afterPhotoIds"][0]
            for o in ops
            if "afterPhotoIds" in o["payload"].get("transition", {})
        ]
        if prefix == "clean-":
            answers[prefix] = await batch(client, officer, ops)
        else:
            dropped = await send_messily(client, officer, ops, rng, cut_off=True)
            dropped += await send_messily(client, officer, ops, rng, cut_off=True)
            assert dropped > 0
            # the third time the whole queue goes in one batch, still shuffled, its answer ignored
            await client.post("/v1/sync/batch", json={"ops": rng.sample(ops, len(ops))}, headers=officer)
            answers[prefix] = await batch(client, officer, ops)  # what a phone reads when it finally hears back
        dumps[prefix] = await dump(ctx["user_id"], prefix, photos, times, {voided: "<voided meanwhile>"})

    outcomes = {
        prefix: [(r["status"], r["httpStatus"], (r["error"] or {}).get("code")) for r in results]
        for prefix, results in answers.items()
    }
    assert outcomes["clean-"] == outcomes["messy-"]
    assert [status for status, _, _ in outcomes["clean-"]].count("ok") == 95
    assert {code for _, _, code in outcomes["clean-"]} == {
        None,
        "SYNC_OP_INVALID",
        "SYNC_OP_REFERENCE_FAILED",
        "NOT_FOUND",
        "HAZARD_VERSION_STALE",
    }
    clean, messy = dumps["clean-"], dumps["messy-"]
    assert len(clean["hazards"]) == 33 and len(clean["inspections"]) == 10 and len(clean["scans"]) == 15
    for key in clean:
        assert messy[key] == clean[key], key
