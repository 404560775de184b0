"""Every statement of the push ledger: its own tables, and the read-only queries of the source rows it maps.

The source rows (risk points, checklist items, inspection results, hazards, enterprises) are read by plain SQL on
their tables, never through their piccolo classes: the exchange is a read model of them and owns none of them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.db.transactions import transaction
from domain.platform_push.model import BatchState, RecordState, SourceRecord
from domain.platform_push.tables import PushBatch, PushBatchItem, PushCursor, PushRecord

_FEED = "feed"
_INSERT_BATCH = 200


# --- the change feed ------------------------------------------------------------------------------------------


async def feed_cursor() -> int | None:
    """How far into the change feed the ledger has looked; None before its first pass."""
    row = await PushCursor.select(PushCursor.seq).where(PushCursor.name == _FEED).first().run()
    return None if row is None else row["seq"]


async def set_feed_cursor(seq: int) -> None:
    """Remember the feed position the ledger has looked up to."""
    if await PushCursor.exists().where(PushCursor.name == _FEED).run():
        await PushCursor.update({PushCursor.seq: seq}).where(PushCursor.name == _FEED).run()
    else:
        await PushCursor.insert(PushCursor(name=_FEED, seq=seq)).run()


async def feed_enterprises_after(seq: int, limit: int) -> tuple[list[str], int]:
    """The enterprises of the next `limit` sealed feed rows after `seq`, and the last seq read (`seq` if none)."""
    rows = await PushRecord.raw(
        "SELECT seq, enterprise_id FROM sync_change WHERE seq > {} ORDER BY seq LIMIT {}", seq, limit
    ).run()
    if not rows:
        return [], seq
    return sorted({row["enterprise_id"] for row in rows}), rows[-1]["seq"]


async def last_feed_seq() -> int:
    """The newest sealed position of the change feed (0 when empty)."""
    rows = await PushRecord.raw("SELECT MAX(seq) AS seq FROM sync_change").run()
    return (rows[0]["seq"] or 0) if rows else 0


async def all_enterprise_ids() -> list[str]:
    """Every enterprise, in id order."""
    return [row["id"] for row in await PushRecord.raw("SELECT id FROM enterprise ORDER BY id").run()]


# --- the source rows ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SourceRows:
    """Everything of one enterprise the exchange maps."""

    enterprise: dict[str, Any] | None
    risk_points: list[dict[str, Any]]
    checklist_items: list[dict[str, Any]]
    results: list[tuple[dict[str, Any], dict[str, Any]]]  # (inspection result, its inspection)
    hazards: list[dict[str, Any]]


async def source_rows(enterprise_id: str) -> SourceRows:
    """The enterprise's rows the mapping reads (five statements)."""
    enterprise = await PushRecord.raw(
        "SELECT id, credit_code, region_path FROM enterprise WHERE id = {}", enterprise_id
    ).run()
    points = await PushRecord.raw(
        "SELECT id, enterprise_id, kind, name, area, lat, lng, responsible_post, responsible_person, hazard_sources,"
        " control_measures, level, control_level, status FROM risk_point WHERE enterprise_id = {} ORDER BY id",
        enterprise_id,
    ).run()
    items = await PushRecord.raw(
        "SELECT id, risk_point_id, enterprise_id, content, basis, cycle_n, cycle_unit, responsible_post, active"
        " FROM checklist_item WHERE enterprise_id = {} ORDER BY id",
        enterprise_id,
    ).run()
    results = await PushRecord.raw(
        "SELECT r.id, r.checklist_item_id, r.ok, r.note, r.hazard_id, i.enterprise_id, i.finished_at, i.presence"
        " FROM inspection_result r JOIN inspection i ON i.id = r.inspection_id"
        " WHERE i.enterprise_id = {} ORDER BY r.id",
        enterprise_id,
    ).run()
    hazards = await PushRecord.raw(
        "SELECT id, enterprise_id, risk_point_id, title, description, level, source, category, governance_type,"
        " found_at, deadline, responsible_person, measures, funds, status, closed_at"
        " FROM hazard WHERE enterprise_id = {} ORDER BY id",
        enterprise_id,
    ).run()
    return SourceRows(
        enterprise=enterprise[0] if enterprise else None,
        risk_points=points,
        checklist_items=items,
        results=[(row, row) for row in results],
        hazards=hazards,
    )


# --- the ledger -----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """A ledger row as the services and the API read it."""

    uuid: str
    kind: str
    source_key: str
    enterprise_id: str
    region_path: str
    version: int
    payload: dict[str, Any]
    payload_hash: str
    state: str
    pushed_version: int | None
    reason: str | None
    batch_id: str | None
    platform_batch_id: str | None
    attempts: int
    next_attempt_at: datetime | None
    updated_at: datetime


def _entry(row: dict[str, Any]) -> LedgerEntry:
    return LedgerEntry(**(row | {"payload": json.loads(row["payload"])}))


async def ledger_of(enterprise_id: str) -> dict[str, LedgerEntry]:
    """The enterprise's ledger rows by uuid."""
    rows = await PushRecord.select().where(PushRecord.enterprise_id == enterprise_id).run()
    return {row["uuid"]: _entry(row) for row in rows}


async def entries_of(enterprise_id: str) -> list[LedgerEntry]:
    """The enterprise's ledger rows, by kind and key."""
    rows = (
        await PushRecord.select()
        .where(PushRecord.enterprise_id == enterprise_id)
        .order_by(PushRecord.kind)
        .order_by(PushRecord.source_key)
        .run()
    )
    return [_entry(row) for row in rows]


async def rejected_entries(limit: int) -> list[LedgerEntry]:
    """Rejected records, most recently answered first."""
    rows = (
        await PushRecord.select()
        .where(PushRecord.state == RecordState.REJECTED.value)
        .order_by(PushRecord.updated_at, ascending=False)
        .order_by(PushRecord.uuid)
        .limit(limit)
        .run()
    )
    return [_entry(row) for row in rows]


async def save_versions(
    new: Sequence[tuple[SourceRecord, str, str]],
    bumped: Sequence[tuple[SourceRecord, int, str]],
    *,
    region_path: str,
    now: datetime,
) -> None:
    """Insert `new` (record, payload json, hash) at version 1 and move `bumped` (record, new version, hash) on;
    both pending with their tries reset, in one transaction."""
    async with transaction():
        rows = [
            PushRecord(
                uuid=record.uuid,
                kind=record.kind.value,
                source_key=record.key,
                enterprise_id=record.enterprise_id,
                region_path=region_path,
                version=1,
                payload=payload,
                payload_hash=digest,
                state=RecordState.PENDING.value,
                pushed_version=None,
                reason=None,
                batch_id=None,
                platform_batch_id=None,
                attempts=0,
                next_attempt_at=None,
                updated_at=now,
            )
            for record, payload, digest in new
        ]
        for start in range(0, len(rows), _INSERT_BATCH):
            await PushRecord.insert(*rows[start : start + _INSERT_BATCH]).run()
        for record, version, digest in bumped:
            await (
                PushRecord.update(
                    {
                        PushRecord.version: version,
                        PushRecord.payload: json.dumps(record.payload, ensure_ascii=False, sort_keys=True),
                        PushRecord.payload_hash: digest,
                        PushRecord.state: RecordState.PENDING.value,
                        PushRecord.reason: None,
                        PushRecord.attempts: 0,
                        PushRecord.next_attempt_at: None,
                        PushRecord.region_path: region_path,
                        PushRecord.updated_at: now,
                    }
                )
                .where(PushRecord.uuid == record.uuid)
                .run()
            )


async def due_records(region_path: str, now: datetime, limit: int) -> list[LedgerEntry]:
    """Pending records under a region whose next try has come, oldest change first."""
    rows = (
        await PushRecord.select()
        .where(
            PushRecord.state == RecordState.PENDING.value,
            PushRecord.region_path.like(region_path + "%"),
            PushRecord.next_attempt_at.is_null() | (PushRecord.next_attempt_at <= now),
        )
        .order_by(PushRecord.updated_at)
        .order_by(PushRecord.uuid)
        .limit(limit)
        .run()
    )
    return [_entry(row) for row in rows]


async def count_pending(region_path: str | None = None) -> int:
    """Pending records (under a region, or all)."""
    query = PushRecord.count().where(PushRecord.state == RecordState.PENDING.value)
    if region_path is not None:
        query = query.where(PushRecord.region_path.like(region_path + "%"))
    return await query.run()


async def open_batch(batch_id: str, region_code: str, entries: Sequence[LedgerEntry], now: datetime) -> None:
    """Write a batch in state `sending` and a line per record with the version it carries."""
    async with transaction():
        await PushBatch.insert(
            PushBatch(
                id=batch_id,
                region_code=region_code,
                state=BatchState.SENDING.value,
                record_count=len(entries),
                platform_batch_id=None,
                error=None,
                created_at=now,
                finished_at=None,
            )
        ).run()
        await PushBatchItem.insert(
            *[
                PushBatchItem(
                    id=f"{batch_id}:{entry.uuid}",
                    batch_id=batch_id,
                    record_uuid=entry.uuid,
                    version=entry.version,
                    result=None,
                    reason=None,
                )
                for entry in entries
            ]
        ).run()
        for entry in entries:
            await PushRecord.update({PushRecord.batch_id: batch_id}).where(PushRecord.uuid == entry.uuid).run()


@dataclass(frozen=True, slots=True)
class RecordOutcome:
    """What the platform's answer does to one record."""

    uuid: str
    sent_version: int
    result: str | None  # the platform's status, None when it said nothing of the record
    reason: str | None
    state: RecordState | None  # None: leave the state as it is
    pushed_version: int | None  # None: leave it as it is
    retry_at: datetime | None  # set: a failed try, due again then


async def current_versions(uuids: Sequence[str]) -> dict[str, int]:
    """The ledger's version of each record now (a source change may have moved it while the batch was out)."""
    if not uuids:
        return {}
    rows = await PushRecord.select(PushRecord.uuid, PushRecord.version).where(PushRecord.uuid.is_in(list(uuids))).run()
    return {row["uuid"]: row["version"] for row in rows}


async def finish_batch(
    batch_id: str,
    state: BatchState,
    *,
    platform_batch_id: str | None,
    error: str | None,
    outcomes: Sequence[RecordOutcome],
    now: datetime,
) -> None:
    """Close the batch and apply each record's outcome, in one transaction; a record's version is compared again
    inside it, so an answer about an older version never settles a newer one."""
    async with transaction():
        await (
            PushBatch.update(
                {
                    PushBatch.state: state.value,
                    PushBatch.platform_batch_id: platform_batch_id,
                    PushBatch.error: error,
                    PushBatch.finished_at: now,
                }
            )
            .where(PushBatch.id == batch_id)
            .run()
        )
        for outcome in outcomes:
            await (
                PushBatchItem.update({PushBatchItem.result: outcome.result, PushBatchItem.reason: outcome.reason})
                .where(PushBatchItem.id == f"{batch_id}:{outcome.uuid}")
                .run()
            )
            same_version = (PushRecord.uuid == outcome.uuid) & (PushRecord.version == outcome.sent_version)
            if outcome.pushed_version is not None:
                await (
                    PushRecord.update({PushRecord.pushed_version: outcome.pushed_version})
                    .where(
                        PushRecord.uuid == outcome.uuid,
                        PushRecord.pushed_version.is_null() | (PushRecord.pushed_version < outcome.pushed_version),
                    )
                    .run()
                )
            if outcome.retry_at is not None:
                await (
                    PushRecord.update(
                        {
                            PushRecord.attempts: PushRecord.attempts + 1,
                            PushRecord.next_attempt_at: outcome.retry_at,
                            PushRecord.updated_at: now,
                        }
                    )
                    .where(same_version)
                    .run()
                )
            elif outcome.state is not None:
                await (
                    PushRecord.update(
                        {
                            PushRecord.state: outcome.state.value,
                            PushRecord.reason: outcome.reason if outcome.state is RecordState.REJECTED else None,
                            PushRecord.platform_batch_id: platform_batch_id,
                            PushRecord.attempts: 0,
                            PushRecord.next_attempt_at: None,
                            PushRecord.updated_at: now,
                        }
                    )
                    .where(same_version)
                    .run()
                )


async def attempts_of(uuids: Sequence[str]) -> dict[str, int]:
    """Failed tries of each record's current version."""
    if not uuids:
        return {}
    rows = await PushRecord.select(PushRecord.uuid, PushRecord.attempts).where(PushRecord.uuid.is_in(list(uuids))).run()
    return {row["uuid"]: row["attempts"] for row in rows}


async def batches(limit: int = 100) -> list[dict[str, Any]]:
    """The newest batches."""
    return await PushBatch.select().order_by(PushBatch.created_at, ascending=False).limit(limit).run()


async def batch_items(batch_id: str) -> list[dict[str, Any]]:
    """A batch's lines."""
    return await PushBatchItem.select().where(PushBatchItem.batch_id == batch_id).order_by(PushBatchItem.id).run()
