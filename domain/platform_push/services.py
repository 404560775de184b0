"""The push ledger's work: follow the change feed into new record versions, send what is pending in signed batches,
and show what was pushed (regulators) and what was refused (administrators).

Idempotency: a record is sent as (uuid, version); the platform keeps each pair once and answers a pair it holds
with `duplicate`, which counts as accepted. A version made while a batch was out stays pending whatever the answer
about the older one, so every version the ledger settles reached the platform, and none is settled twice.
"""

from __future__ import annotations

import json
import uuid as uuids
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx

from domain.access.model import Actor
from domain.access.permissions import Action, require
from domain.changes import store as feed
from domain.clock import utcnow
from domain.org.scope import require_enterprise
from domain.platform_push import store
from domain.platform_push.model import (
    KIND_ORDER,
    BatchEvent,
    BatchState,
    Kind,
    RecordState,
    ResultStatus,
    SourceRecord,
    canonical_json,
    map_checklist_item,
    map_hazard,
    map_inspection_result,
    map_risk_point,
    map_risk_report,
    next_batch_state,
    payload_hash,
    retry_delay,
    sign,
    state_after_result,
)
from domain.platform_push.store import LedgerEntry, RecordOutcome

__all__ = [
    "Endpoint",
    "LedgerEntry",
    "RefreshReport",
    "SendReport",
    "enterprise_push",
    "refresh_ledger",
    "rejections",
    "send_pending",
    "sync_enterprise",
]

FEED_PAGE = 2000
BATCH_SIZE = 100
SIGNATURE_HEADER = "X-SF-Signature"
BATCH_HEADER = "X-SF-Batch-Id"


# --- the ledger follows the sources -----------------------------------------------------------------------------


def records_of(rows: store.SourceRows, now: datetime) -> list[SourceRecord]:
    """Every exchange record of one enterprise's rows, with the risk report of the quarter `now` falls in."""
    if rows.enterprise is None:
        return []
    credit_code = rows.enterprise["credit_code"]
    records: list[SourceRecord] = []
    for point in rows.risk_points:
        records.extend(map_risk_point(point, credit_code))
    records.extend(map_checklist_item(item) for item in rows.checklist_items)
    records.extend(map_inspection_result(result, inspection) for result, inspection in rows.results)
    records.extend(map_hazard(hazard, credit_code) for hazard in rows.hazards)
    results = [result for result, _ in rows.results]
    records.append(map_risk_report(rows.enterprise, rows.risk_points, rows.hazards, results, now))
    return records


async def sync_enterprise(enterprise_id: str, *, now: datetime | None = None) -> int:
    """Bring the enterprise's ledger rows up to its data: a new record at version 1, a changed payload one version
    up, a record gone from the source one version up marked deleted; all of them pending. Returns how many moved."""
    now = now or utcnow()
    rows = await store.source_rows(enterprise_id)
    if rows.enterprise is None:
        return 0
    ledger = await store.ledger_of(enterprise_id)
    new: list[tuple[SourceRecord, str, str]] = []
    bumped: list[tuple[SourceRecord, int, str]] = []
    seen: set[str] = set()
    for record in records_of(rows, now):
        seen.add(record.uuid)
        digest = payload_hash(record.payload)
        held = ledger.get(record.uuid)
        if held is None:
            new.append((record, json.dumps(record.payload, ensure_ascii=False, sort_keys=True), digest))
        elif held.payload_hash != digest:
            bumped.append((record, held.version + 1, digest))
    for held in ledger.values():
        if held.uuid in seen or held.payload.get("deleted") == "1" or held.kind == Kind.RISK_REPORT:
            continue  # a past quarter's report stays as it was last sent
        gone = SourceRecord(Kind(held.kind), held.source_key, enterprise_id, held.payload | {"deleted": "1"})
        bumped.append((gone, held.version + 1, payload_hash(gone.payload)))
    if new or bumped:
        await store.save_versions(new, bumped, region_path=rows.enterprise["region_path"], now=now)
    return len(new) + len(bumped)


@dataclass(frozen=True, slots=True)
class RefreshReport:
    """What a pass over the change feed did."""

    enterprises: int
    records_moved: int
    feed_seq: int


async def refresh_ledger(*, now: datetime | None = None) -> RefreshReport:
    """Follow the change feed from the ledger's cursor: each enterprise it names is mapped again. The first pass
    maps every enterprise (the backfill) and starts the cursor at the feed's end."""
    now = now or utcnow()
    await feed.seal()  # PostgreSQL numbers committed feed rows here; the cursor follows that order
    cursor = await store.feed_cursor()
    if cursor is None:
        end = await store.last_feed_seq()
        enterprise_ids = await store.all_enterprise_ids()
        moved = 0
        for enterprise_id in enterprise_ids:
            moved += await sync_enterprise(enterprise_id, now=now)
        await store.set_feed_cursor(end)
        return RefreshReport(len(enterprise_ids), moved, end)
    touched: set[str] = set()
    moved = 0
    while True:
        enterprise_ids, last = await store.feed_enterprises_after(cursor, FEED_PAGE)
        if not enterprise_ids:
            break
        for enterprise_id in enterprise_ids:
            if enterprise_id not in touched:  # once a pass: the mapping reads the rows as they are now
                touched.add(enterprise_id)
                moved += await sync_enterprise(enterprise_id, now=now)
        cursor = last
        await store.set_feed_cursor(cursor)
    return RefreshReport(len(touched), moved, cursor)


# --- sending ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Endpoint:
    """A region's platform endpoint: records of enterprises under `region_path` go to `url`, signed with `secret`."""

    region_code: str
    region_path: str
    url: str
    secret: str = field(repr=False)


def endpoints_from(config: Mapping[str, Mapping[str, str]]) -> list[Endpoint]:
    """The settings' `{"<region code>": {"url": ..., "secret": ..., "regionPath": ...}}` as endpoints."""
    return [
        Endpoint(code, spec.get("regionPath") or f"/{code}/", spec["url"], spec["secret"])
        for code, spec in sorted(config.items())
    ]


@dataclass(slots=True)
class SendReport:
    """What a sending pass did."""

    batches: int = 0
    acknowledged: int = 0
    failed: int = 0
    accepted: int = 0
    rejected: int = 0
    waiting: int = 0  # records left pending (a failed try, or no answer about them)
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        """The job's return value."""
        return {name: getattr(self, name) for name in self.__slots__}


def _body(batch_id: str, endpoint: Endpoint, entries: list[LedgerEntry]) -> bytes:
    records = [
        {"uuid": e.uuid, "kind": e.kind, "version": e.version, "data": e.payload}
        for e in sorted(entries, key=lambda e: (KIND_ORDER[Kind(e.kind)], e.uuid))
    ]
    return canonical_json({"batchId": batch_id, "regionCode": endpoint.region_code, "records": records})


def _answer(response: httpx.Response) -> tuple[str, dict[tuple[str, int], dict[str, Any]]]:
    """The platform's batch id and its results by (uuid, version); ValueError when the answer is not one."""
    if response.status_code != 200:
        raise ValueError(f"HTTP {response.status_code}: {response.text[:200]}")
    data = response.json()
    platform_batch_id = data.get("platformBatchId")
    if not isinstance(platform_batch_id, str) or not platform_batch_id:
        raise ValueError("answer without platformBatchId")
    results = {}
    for result in data.get("results", []):
        results[(str(result["uuid"]), int(result["version"]))] = result
    return platform_batch_id, results


async def _send_batch(
    client: httpx.AsyncClient, endpoint: Endpoint, entries: list[LedgerEntry], now: datetime, report: SendReport
) -> bool:
    """Send one batch and apply the answer; False when the platform did not answer (the region waits)."""
    batch_id = str(uuids.uuid4())
    await store.open_batch(batch_id, endpoint.region_code, entries, now)
    body = _body(batch_id, endpoint, entries)
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: "sha256=" + sign(body, endpoint.secret),
        BATCH_HEADER: batch_id,
    }
    report.batches += 1
    try:
        response = await client.post(endpoint.url, content=body, headers=headers)
        platform_batch_id, results = _answer(response)
    except (httpx.HTTPError, ValueError, KeyError, TypeError) as error:
        attempts = await store.attempts_of([e.uuid for e in entries])
        outcomes = [
            RecordOutcome(e.uuid, e.version, None, None, None, None, now + retry_delay(attempts.get(e.uuid, 0) + 1))
            for e in entries
        ]
        await store.finish_batch(
            batch_id,
            next_batch_state(BatchState.SENDING, BatchEvent.FAIL),
            platform_batch_id=None,
            error=f"{type(error).__name__}: {error}"[:1000],
            outcomes=outcomes,
            now=now,
        )
        report.failed += 1
        report.waiting += len(entries)
        return False
    current = await store.current_versions([e.uuid for e in entries])
    attempts = await store.attempts_of([e.uuid for e in entries])
    outcomes = []
    for entry in entries:
        result = results.get((entry.uuid, entry.version))
        status = _status(result)
        if status is None:  # nothing said of this record: a failed try of it alone
            retry_at = now + retry_delay(attempts.get(entry.uuid, 0) + 1)
            outcomes.append(RecordOutcome(entry.uuid, entry.version, None, None, None, None, retry_at))
            report.waiting += 1
            continue
        state, pushed = state_after_result(
            status, sent_version=entry.version, current_version=current.get(entry.uuid, entry.version)
        )
        reason = str(result.get("reason") or "")[:2000] if result else None
        outcomes.append(RecordOutcome(entry.uuid, entry.version, status.value, reason or None, state, pushed, None))
        if state is RecordState.REJECTED:
            report.rejected += 1
        elif state is RecordState.ACCEPTED:
            report.accepted += 1
        else:
            report.waiting += 1
    await store.finish_batch(
        batch_id,
        next_batch_state(BatchState.SENDING, BatchEvent.ACKNOWLEDGE),
        platform_batch_id=platform_batch_id,
        error=None,
        outcomes=outcomes,
        now=now,
    )
    report.acknowledged += 1
    return True


def _status(result: dict[str, Any] | None) -> ResultStatus | None:
    if result is None:
        return None
    try:
        return ResultStatus(result.get("status"))
    except ValueError:
        return None


async def send_pending(
    endpoints: list[Endpoint],
    client: httpx.AsyncClient,
    *,
    now: datetime | None = None,
    batch_size: int = BATCH_SIZE,
    max_batches: int = 50,
) -> SendReport:
    """Send each region's due pending records in batches until none is due, a batch fails, or `max_batches`."""
    now = now or utcnow()
    report = SendReport()
    if not endpoints:
        report.note = "no endpoint configured"
        report.waiting = await store.count_pending()
        return report
    for endpoint in endpoints:
        sent: set[str] = set()  # a record left waiting is not sent again in the same pass
        while report.batches < max_batches:
            due = await store.due_records(endpoint.region_path, now, batch_size + len(sent))
            entries = [e for e in due if e.uuid not in sent][:batch_size]
            if not entries:
                break
            sent.update(e.uuid for e in entries)
            if not await _send_batch(client, endpoint, entries, now, report):
                break
    return report


# --- reading ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EnterprisePush:
    """An enterprise's ledger: counts by state and every record."""

    enterprise_id: str
    counts: dict[str, int]
    records: list[LedgerEntry]


async def enterprise_push(*, actor: Actor, enterprise_id: str) -> EnterprisePush:
    """Regulators (and administrators): what of the enterprise was pushed, what waits and what was refused."""
    require(actor, Action.READ_PLATFORM_PUSH)
    await require_enterprise(actor, enterprise_id)
    entries = await store.entries_of(enterprise_id)
    counts = {state.value: 0 for state in RecordState}
    for entry in entries:
        counts[entry.state] += 1
    return EnterprisePush(enterprise_id, counts, entries)


async def rejections(*, actor: Actor, limit: int = 200) -> list[LedgerEntry]:
    """Administrators: the records the platform refused, with its reasons, newest answer first."""
    require(actor, Action.READ_PLATFORM_PUSH_REJECTIONS)
    return await store.rejected_entries(limit)
