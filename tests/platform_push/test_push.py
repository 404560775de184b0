"""The push to the provincial platform against the reference platform (tests/platform_push/reference_platform.py):
outages then recovery, partial rejections, lost answers (duplicates), a version made while its batch was out
(reordering); every version the ledger settles reached the platform exactly once, and the ledger, the regulator's
view and the admin's rejections show each record's state. On both engines."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest

from domain.clock import utcnow
from domain.db.transactions import current_engine
from domain.platform_push import services as push
from domain.platform_push import store
from domain.platform_push.model import Kind, RecordState, record_uuid
from tests.api.test_credit import enterprise_ids
from tests.conftest import login
from tests.platform_push.reference_platform import ReferencePlatform
from workers.jobs.platform_push import push_to_platform

SECRET = "zhejiang-exchange-test-secret"
URL = "http://platform.test/exchange/batches"


async def city_endpoint() -> list[push.Endpoint]:
    """The demo city's endpoint (every demo enterprise lies under it)."""
    e1 = (await enterprise_ids())["E1"]
    entries = await store.source_rows(e1)
    city = "/" + entries.enterprise["region_path"].strip("/").split("/")[0] + "/"
    return push.endpoints_from({"330900": {"url": URL, "secret": SECRET, "regionPath": city}})


def ledger_settled_on(platform: ReferencePlatform, entries: list[store.LedgerEntry]) -> None:
    """Every accepted record's version is what the platform holds newest; nothing was stored twice."""
    assert not [pair for pair, n in Counter(platform.stored).items() if n > 1]
    for entry in entries:
        if entry.state == RecordState.ACCEPTED:
            assert entry.pushed_version == entry.version == platform.newest(entry.uuid), entry
        if entry.state == RecordState.REJECTED:
            assert entry.reason and platform.newest(entry.uuid) is None


async def all_entries() -> list[store.LedgerEntry]:
    found = []
    for enterprise_id in (await enterprise_ids()).values():
        found += await store.entries_of(enterprise_id)
    return found


async def test_outage_rejection_lost_answer_and_recovery(client):
    ids = await enterprise_ids()
    first = await push.refresh_ledger()
    assert first.records_moved > 0 and (await push.refresh_ledger()).records_moved == 0  # nothing changed since
    entries = await all_entries()
    assert {Kind(e.kind) for e in entries} == set(Kind)  # every kind of the exchange has records in the demo
    assert all(e.state == RecordState.PENDING and e.version == 1 for e in entries)
    total = await store.count_pending()

    platform = ReferencePlatform(SECRET, outages=2)
    endpoints = await city_endpoint()
    hazard = next(e for e in entries if e.kind == Kind.DANGER and e.enterprise_id == ids["E1"])
    platform.refuse[hazard.uuid] = "dangerManageDeadline 缺失"
    now = utcnow()
    async with platform.client() as http:
        # away: one failed batch, every record waits out its backoff (30 s), a pass before then sends nothing
        down = await push.send_pending(endpoints, http, now=now, batch_size=40)
        assert (down.batches, down.failed, down.waiting) == (1, 1, 40)
        still = await push.send_pending(endpoints, http, now=now + timedelta(seconds=10), batch_size=40)
        assert (still.batches, still.failed) == (1, 1)  # the next 40: the first 40 are not due yet
        assert platform.outages == 0 and len(platform.batches) == 0
        tried = {e.uuid for e in await all_entries() if e.attempts == 1}
        assert len(tried) == 80
        # back: everything goes, the refused hazard is kept with the platform's reason
        up = await push.send_pending(endpoints, http, now=now + timedelta(minutes=5), batch_size=40)
        assert up.failed == 0 and up.rejected == 1
        assert await store.count_pending() == 0
        assert sum(len(b["records"]) for b in platform.batches) == total
        # the platform stores a changed record but its answer is lost: the re-send is a duplicate, settled once
        point = next(e for e in entries if e.kind == Kind.RISK_UNIT and e.enterprise_id == ids["E1"])
        officer = await login(client, "officer1")
        changed = await client.patch(f"/v1/risk-points/{point.source_key}", json={"area": "罐区东侧"}, headers=officer)
        assert changed.status_code == 200, changed.text
        moved = await push.refresh_ledger()
        assert moved.enterprises == 1 and moved.records_moved == 1
        platform.lose_answers = 1
        later = now + timedelta(minutes=10)
        assert (await push.send_pending(endpoints, http, now=later)).failed == 1
        assert platform.newest(point.uuid) == 2  # it has it, we do not know yet
        resent = await push.send_pending(endpoints, http, now=later + timedelta(minutes=1))
        assert (resent.accepted, resent.failed) == (1, 0)
        assert platform.batches[-1]["records"][0]["uuid"] == point.uuid
    entries = await all_entries()
    ledger_settled_on(platform, entries)
    assert Counter(e.state for e in entries) == {RecordState.ACCEPTED: len(entries) - 1, RecordState.REJECTED: 1}
    assert platform.bad_signatures == 0
    # the quarter's 安全风险报告 went the same way, computed from the same rows
    report = next(e for e in entries if e.kind == Kind.RISK_REPORT and e.enterprise_id == ids["E1"])
    sent = platform.held[report.uuid][report.version]
    assert sent["reportPeriod"].startswith("20") and sent["riskUnitTotal"] > 0 and sent["dangersOpen"] > 0

    # the regulator's view of the enterprise, the admin's rejections, and the scope rules
    city = await login(client, "regulator_city")
    seen = await client.get(f"/v1/enterprises/{ids['E1']}/platform-push", headers=city)
    assert seen.status_code == 200, seen.text
    body = seen.json()
    assert body["counts"]["rejected"] == 1 and body["counts"]["pending"] == 0
    by_uuid = {r["uuid"]: r for r in body["records"]}
    assert by_uuid[hazard.uuid]["state"] == "rejected" and by_uuid[hazard.uuid]["reason"] == "dangerManageDeadline 缺失"
    assert by_uuid[point.uuid] | {"version": 2, "pushedVersion": 2, "state": "accepted"} == by_uuid[point.uuid]
    assert by_uuid[point.uuid]["platformBatchId"].startswith("ZJ-")
    admin = await login(client, "admin")
    rejected = await client.get("/v1/platform-push/rejections", headers=admin)
    assert rejected.status_code == 200, rejected.text
    assert [(r["uuid"], r["reason"]) for r in rejected.json()["items"]] == [(hazard.uuid, "dangerManageDeadline 缺失")]
    assert rejected.json()["items"][0]["data"]["id"] == hazard.uuid
    assert (await client.get("/v1/platform-push/rejections", headers=city)).status_code == 403
    officer_view = await client.get(f"/v1/enterprises/{ids['E1']}/platform-push", headers=officer)
    assert officer_view.status_code == 403
    putuo = await login(client, "regulator_putuo")
    hidden = await client.get(f"/v1/enterprises/{ids['E1']}/platform-push", headers=putuo)
    missing = await client.get("/v1/enterprises/01HZZZZZZZZZZZZZZZZZZZZZZZ/platform-push", headers=putuo)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["code"] == missing.json()["code"]


async def test_a_version_made_while_its_batch_is_out_is_sent_after_it(db):
    ids = await enterprise_ids()
    await push.sync_enterprise(ids["E3"])  # one enterprise's records in the ledger: a small first batch
    entries = await store.entries_of(ids["E3"])
    point = next(e for e in entries if e.kind == Kind.RISK_UNIT)
    platform = ReferencePlatform(SECRET)

    async def source_changes(batch) -> None:
        # the risk point changes while the platform holds the batch: version 2 is made before the answer comes
        assert any(record["uuid"] == point.uuid for record in batch["records"])
        await current_engine().run_ddl(f"UPDATE risk_point SET area = 'moved' WHERE id = '{point.source_key}'")
        assert await push.sync_enterprise(ids["E3"]) == 1

    platform.during_batch = source_changes
    endpoints = await city_endpoint()
    now = utcnow()
    async with platform.client() as http:
        first = await push.send_pending(endpoints, http, now=now, batch_size=2000)  # one batch: the hook's
        assert first.failed == 0 and first.waiting >= 1
        held = (await store.ledger_of(ids["E3"]))[point.uuid]
        # version 1 reached the platform; version 2 is still owed
        assert (held.version, held.pushed_version, held.state) == (2, 1, RecordState.PENDING)
        second = await push.send_pending(endpoints, http, now=now + timedelta(seconds=1))
        assert second.accepted == 1 and second.batches == 1
    held = (await store.ledger_of(ids["E3"]))[point.uuid]
    assert (held.version, held.pushed_version, held.state) == (2, 2, RecordState.ACCEPTED)
    assert [v for u, v in platform.stored if u == point.uuid] == [1, 2]
    assert platform.held[point.uuid][2]["area"] == "moved"
    ledger_settled_on(platform, await all_entries())


async def test_a_stale_answer_and_a_bad_signature(db):
    ids = await enterprise_ids()
    await push.sync_enterprise(ids["E4"])
    point = next(e for e in await store.entries_of(ids["E4"]) if e.kind == Kind.RISK_UNIT)
    platform = ReferencePlatform(SECRET)
    platform.held[point.uuid] = {5: {"id": point.uuid}}  # the platform holds a newer version (another sender)
    wrong = [push.Endpoint(e.region_code, e.region_path, e.url, "not-the-secret") for e in await city_endpoint()]
    now = utcnow()
    async with platform.client() as http:
        refused = await push.send_pending(wrong, http, now=now)
        assert (refused.failed, platform.bad_signatures, len(platform.batches)) == (1, 1, 0)
        right = await push.send_pending(await city_endpoint(), http, now=now + timedelta(minutes=5))
        assert right.failed == 0
    held = (await store.ledger_of(ids["E4"]))[point.uuid]
    # superseded: nothing owed for version 1, and the platform's newer version is not claimed as ours
    assert (held.state, held.pushed_version) == (RecordState.ACCEPTED, None)
    assert (point.uuid, 1) not in platform.stored


async def test_the_job_without_an_endpoint_only_keeps_the_ledger(db):
    settings, _ = db
    assert settings.platform_push == {}  # the default, and the demo's: no network
    report = await push_to_platform({"settings": settings})
    assert report["note"] == "no endpoint configured" and report["batches"] == 0
    assert report["waiting"] == await store.count_pending() > 0
    ids = await enterprise_ids()
    assert record_uuid(Kind.RISK_UNIT, "x") == record_uuid(Kind.RISK_UNIT, "x")
    assert (await store.entries_of(ids["E1"]))[0].version == 1


pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
