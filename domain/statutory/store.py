"""Every statement on the statutory statistics' table, and the SQL that counts a period's hazards for it.

The period figures are one set-based pass over the hazard rows in SQL (grouped by enterprise and level), not a call
per enterprise to the hazards area; the services get tuples and records back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from domain.hazards.model import Status
from domain.history.store import ProtectedRows
from domain.ids import new_id
from domain.statutory.model import Period
from domain.statutory.tables import StatisticsSnapshot

_RECTIFIED = f"status IN ('{Status.CLOSED}', '{Status.WRITTEN_OFF}') AND closed_at < {{end}}"
_VOIDED = f"status = '{Status.VOIDED}'"
# One pass over the period's hazards, grouped by enterprise and level; `{end}` is the period's end (exclusive).
_FIGURES_SQL = f"""
SELECT enterprise_id, level,
  SUM(CASE WHEN {_VOIDED} THEN 0 ELSE 1 END) AS found,
  SUM(CASE WHEN {_RECTIFIED} THEN 1 ELSE 0 END) AS rectified,
  SUM(CASE WHEN {_RECTIFIED} AND (deadline IS NULL OR closed_at <= deadline) THEN 1 ELSE 0 END) AS rectified_on_time,
  SUM(CASE WHEN {_VOIDED} THEN 0 WHEN {_RECTIFIED} THEN 0 ELSE 1 END) AS open,
  SUM(CASE WHEN {_VOIDED} THEN 0 WHEN {_RECTIFIED} THEN 0 WHEN deadline < {{end}} THEN 1 ELSE 0 END) AS overdue,
  SUM(CASE WHEN {_VOIDED} THEN 1 ELSE 0 END) AS voided
FROM hazard
WHERE found_at >= {{start}} AND found_at < {{end}}
GROUP BY enterprise_id, level
"""
_COUNTS = ("found", "rectified", "rectified_on_time", "open", "overdue", "voided")


def _placeholders(sql: str, **values: Any) -> tuple[str, list[Any]]:
    """Piccolo's positional `{}` placeholders for named ones, with the values in order."""
    args: list[Any] = []
    parts = sql.split("{")
    text = parts[0]
    for part in parts[1:]:
        name, rest = part.split("}", 1)
        args.append(values[name])
        text += "{}" + rest
    return text, args


def _as_datetime(value: Any) -> datetime | None:
    # SQLite hands back an aggregate's text, not the column's type
    return datetime.fromisoformat(value) if isinstance(value, str) else value


async def period_counts(start: datetime, end: datetime) -> list[tuple[str, str, dict[str, int]]]:
    """(enterprise id, level, counts) of every enterprise and level with hazards found in [start, end)."""
    sql, args = _placeholders(_FIGURES_SQL, start=start, end=end)
    return [
        (row["enterprise_id"], row["level"], {name: int(row[name] or 0) for name in _COUNTS})
        for row in await StatisticsSnapshot.raw(sql, *args).run()
    ]


async def period_funds(start: datetime, end: datetime) -> list[tuple[str, str, str]]:
    """(enterprise id, level, funds as recorded) of the hazards found in [start, end) that are not voided and have a
    funds entry."""
    rows = await StatisticsSnapshot.raw(
        "SELECT enterprise_id, level, funds FROM hazard WHERE found_at >= {} AND found_at < {} AND status != {} "
        "AND funds != ''",
        start,
        end,
        str(Status.VOIDED),
    ).run()
    return [(row["enterprise_id"], row["level"], row["funds"]) for row in rows]


async def enterprise_first_times() -> list[tuple[str, datetime, datetime | None]]:
    """(enterprise id, registered at, earliest hazard found at or None) of every enterprise, in one statement."""
    rows = await StatisticsSnapshot.raw(
        "SELECT e.id AS id, e.created_at AS created_at, MIN(h.found_at) AS first FROM enterprise e "
        "LEFT JOIN hazard h ON h.enterprise_id = e.id GROUP BY e.id, e.created_at"
    ).run()
    return [(row["id"], _as_datetime(row["created_at"]), _as_datetime(row["first"])) for row in rows]


async def frozen_keys() -> list[tuple[str, str]]:
    """(enterprise id, period key) of every frozen snapshot."""
    rows = await StatisticsSnapshot.select(StatisticsSnapshot.enterprise_id, StatisticsSnapshot.period_key).run()
    return [(row["enterprise_id"], row["period_key"]) for row in rows]


async def insert_snapshot(
    *,
    enterprise_id: str,
    period: Period,
    figures: str,
    figures_sha256: str,
    frozen_at: datetime,
    freeze_event_seq: int,
    bound: dict[str, Any],
) -> None:
    """Store one frozen snapshot (the unique key refuses a second of the same enterprise and period)."""
    await StatisticsSnapshot.insert(
        StatisticsSnapshot(
            id=new_id(),
            enterprise_id=enterprise_id,
            period_key=period.key,
            period_kind=str(period.kind),
            period_start=period.start,
            period_end=period.end,
            due_on=period.due,
            figures=figures,
            figures_sha256=figures_sha256,
            frozen_at=frozen_at,
            freeze_event_seq=freeze_event_seq,
            **bound,
        )
    ).run()


@dataclass(frozen=True, slots=True)
class SnapshotRecord:
    """A frozen snapshot with its figures and whether (and by whom) it was signed."""

    id: str
    enterprise_id: str
    period_key: str
    period_kind: str
    period_start: date
    period_end: date
    due_on: date
    figures: dict[str, Any]
    figures_sha256: str
    frozen_at: datetime
    signed: bool
    signed_at: datetime | None
    signed_by: str | None


def _snapshot_record(row: dict) -> SnapshotRecord:
    names = (
        "id",
        "enterprise_id",
        "period_key",
        "period_kind",
        "period_start",
        "period_end",
        "due_on",
        "figures_sha256",
        "frozen_at",
        "signed_at",
        "signed_by",
    )
    return SnapshotRecord(
        **{name: row[name] for name in names}, figures=json.loads(row["figures"]), signed=row["signed_at"] is not None
    )


async def snapshots_of(enterprise_id: str) -> list[SnapshotRecord]:
    """An enterprise's snapshots, newest due first."""
    rows = (
        await StatisticsSnapshot.select()
        .where(StatisticsSnapshot.enterprise_id == enterprise_id)
        .order_by(StatisticsSnapshot.due_on, ascending=False)
        .order_by(StatisticsSnapshot.period_key, ascending=False)
        .run()
    )
    return [_snapshot_record(row) for row in rows]


async def snapshot(snapshot_id: str, *, enterprise_id: str | None = None) -> SnapshotRecord | None:
    """One snapshot by id (of that enterprise, when given)."""
    query = StatisticsSnapshot.select().where(StatisticsSnapshot.id == snapshot_id)
    if enterprise_id is not None:
        query = query.where(StatisticsSnapshot.enterprise_id == enterprise_id)
    row = await query.first().run()
    return None if row is None else _snapshot_record(row)


async def mark_signed(snapshot_id: str, *, at: datetime, by: str, seq: int, chain_hash: str) -> bool:
    """Record the signature unless one is there already; False when a concurrent request signed first."""
    signed = (
        await StatisticsSnapshot.update(
            {
                StatisticsSnapshot.signed_at: at,
                StatisticsSnapshot.signed_by: by,
                StatisticsSnapshot.sign_event_seq: seq,
                StatisticsSnapshot.chain_seq: seq,
                StatisticsSnapshot.chain_hash: chain_hash,
            }
        )
        .where(StatisticsSnapshot.id == snapshot_id, StatisticsSnapshot.signed_at.is_null())
        .returning(StatisticsSnapshot.id)
        .run()
    )
    return bool(signed)


# --- the rows hash chains protect (domain/evidence reads and binds them through this) ------------------------------

PROTECTED = ProtectedRows(StatisticsSnapshot)
