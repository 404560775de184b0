"""Use cases of the statutory hazard statistics: freeze the snapshots that are due, list them, and sign one.

Freezing is idempotent: a snapshot once frozen is never recomputed, and a run finds and freezes every due one that
is missing, however far back (backfill). Each freeze and each signature is a link of the enterprise's statistics
chain (`stats:<enterprise_id>`) written in the same transaction as the row. The rules are `domain.statutory.model`.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from domain.access.model import SYSTEM, Actor
from domain.access.permissions import Action, require
from domain.clock import utcnow
from domain.db.engine import is_unique_violation
from domain.db.transactions import transaction
from domain.errors import NotFound
from domain.hazards.model import HazardLevel, Status
from domain.hazards.tables import Hazard
from domain.history.chain import bound, canonical
from domain.history.store import ChainRaced, append_event
from domain.ids import new_id
from domain.org.scope import require_enterprise
from domain.org.tables import Enterprise
from domain.statutory.model import (
    Figures,
    LevelFigures,
    Period,
    StatisticsAlreadySigned,
    figures_sha256,
    funds_amount_yuan,
    local_date,
    periods_due,
)
from domain.statutory.tables import StatisticsSnapshot

SUBJECT_KIND = "statistics"
# The jobs act as the system; their events name it.


def chain_of(enterprise_id: str) -> str:
    """The id of an enterprise's statistics chain."""
    return f"stats:{enterprise_id}"


# --- the figures, in SQL ---------------------------------------------------------------------------------------------

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


async def period_figures(period: Period) -> dict[str, Figures]:
    """The figures of every enterprise with hazards found in the period (others have all zeros)."""
    start, end = period.window()
    sql, args = _placeholders(_FIGURES_SQL, start=start, end=end)
    counts: dict[str, dict[str, dict[str, int]]] = defaultdict(dict)
    for row in await Hazard.raw(sql, *args).run():
        counts[row["enterprise_id"]][row["level"]] = {name: int(row[name] or 0) for name in _COUNTS}
    funds: dict[tuple[str, str], list[Decimal]] = defaultdict(list)
    for row in (
        await Hazard.select(Hazard.enterprise_id, Hazard.level, Hazard.funds)
        .where(Hazard.found_at >= start, Hazard.found_at < end, Hazard.status != str(Status.VOIDED), Hazard.funds != "")
        .run()
    ):
        if (amount := funds_amount_yuan(row["funds"])) is not None:
            funds[(row["enterprise_id"], row["level"])].append(amount)
    result: dict[str, Figures] = {}
    for enterprise_id in set(counts) | {key[0] for key in funds}:
        by_level = {}
        for level in (str(HazardLevel.GENERAL), str(HazardLevel.MAJOR)):
            amounts = funds.get((enterprise_id, level), [])
            by_level[level] = LevelFigures(
                **counts[enterprise_id].get(level, {}), funds_recorded=len(amounts), funds_yuan=sum(amounts, Decimal(0))
            )
        result[enterprise_id] = Figures(period, by_level)
    return result


# --- freezing ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FreezeReport:
    """What a freezing run did: snapshots frozen now, and due ones it found frozen already."""

    frozen: int
    already: int


async def _first_days() -> dict[str, date]:
    """Each enterprise's first day on record: its registration, or its earliest hazard if that is older."""
    first = {
        row["id"]: local_date(row["created_at"])
        for row in await Enterprise.select(Enterprise.id, Enterprise.created_at).run()
    }
    for row in await Hazard.raw(
        "SELECT enterprise_id, MIN(found_at) AS first FROM hazard GROUP BY enterprise_id"
    ).run():
        found = row["first"]
        if isinstance(found, str):  # SQLite hands back an aggregate's text, not the column's type
            found = datetime.fromisoformat(found)
        if row["enterprise_id"] in first and found is not None:
            first[row["enterprise_id"]] = min(first[row["enterprise_id"]], local_date(found))
    return first


async def freeze_due_statistics(*, now: datetime | None = None) -> FreezeReport:
    """Freeze every due snapshot that is missing, for every enterprise; a frozen one is never touched again."""
    now = now or utcnow()
    today = local_date(now)
    frozen_keys: dict[str, set[str]] = defaultdict(set)
    for row in await StatisticsSnapshot.select(StatisticsSnapshot.enterprise_id, StatisticsSnapshot.period_key).run():
        frozen_keys[row["enterprise_id"]].add(row["period_key"])
    missing: dict[Period, list[str]] = defaultdict(list)
    already = 0
    for enterprise_id, first_day in sorted((await _first_days()).items()):
        for period in periods_due(first_day, today):
            if period.key in frozen_keys[enterprise_id]:
                already += 1
            else:
                missing[period].append(enterprise_id)
    frozen = 0
    for period in sorted(missing, key=lambda p: (p.due, p.key)):
        figures = await period_figures(period)
        for enterprise_id in missing[period]:
            document = figures.get(enterprise_id, Figures(period)).to_json()
            if await _freeze_one(enterprise_id, period, document, now):
                frozen += 1
            else:
                already += 1
    return FreezeReport(frozen=frozen, already=already)


async def _freeze_one(enterprise_id: str, period: Period, document: dict, now: datetime) -> bool:
    """Store one snapshot and its event; False when another run froze it first (the unique key says so)."""
    digest = figures_sha256(document)
    try:
        async with transaction():
            event = await append_event(
                chain_id=chain_of(enterprise_id),
                subject_kind=SUBJECT_KIND,
                action="freezeStatistics",
                name="StatisticsFrozen",
                actor=SYSTEM,
                at=now,
                payload={"period": period.key, "figures_sha256": digest, "figures": document},
            )
            await StatisticsSnapshot.insert(
                StatisticsSnapshot(
                    id=new_id(),
                    enterprise_id=enterprise_id,
                    period_key=period.key,
                    period_kind=str(period.kind),
                    period_start=period.start,
                    period_end=period.end,
                    due_on=period.due,
                    figures=canonical(document).decode("utf-8"),
                    figures_sha256=digest,
                    frozen_at=now,
                    freeze_event_seq=event.seq,
                    **bound(event),
                )
            ).run()
    except ChainRaced:
        return False
    except Exception as error:
        if is_unique_violation(error):
            return False
        raise
    return True


# --- reading and signing -----------------------------------------------------------------------------------------------


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


async def list_snapshots(*, actor: Actor, enterprise_id: str) -> list[SnapshotRecord]:
    """The snapshots of an enterprise the caller can see, newest due first."""
    await require_enterprise(actor, enterprise_id)
    rows = (
        await StatisticsSnapshot.select()
        .where(StatisticsSnapshot.enterprise_id == enterprise_id)
        .order_by(StatisticsSnapshot.due_on, ascending=False)
        .order_by(StatisticsSnapshot.period_key, ascending=False)
        .run()
    )
    return [_snapshot_record(row) for row in rows]


async def sign_snapshot(
    *, actor: Actor, enterprise_id: str, snapshot_id: str, now: datetime | None = None
) -> SnapshotRecord:
    """The principal signs the snapshot's figures (their SHA-256) once; the signature and its event in one
    transaction."""
    now = now or utcnow()
    await require_enterprise(actor, enterprise_id)
    row = (
        await StatisticsSnapshot.select()
        .where(StatisticsSnapshot.id == snapshot_id, StatisticsSnapshot.enterprise_id == enterprise_id)
        .first()
        .run()
    )
    if row is None:
        raise NotFound("no such statistics snapshot", entity="statisticsSnapshot", id=snapshot_id)
    require(actor, Action.SIGN_STATISTICS_SNAPSHOT)
    if row["signed_at"] is not None:
        raise StatisticsAlreadySigned("the principal signed these statistics already", snapshot_id=snapshot_id)
    async with transaction():
        event = await append_event(
            chain_id=chain_of(enterprise_id),
            subject_kind=SUBJECT_KIND,
            action="signStatistics",
            name="StatisticsSigned",
            actor=actor,
            at=now,
            payload={"snapshot_id": snapshot_id, "period": row["period_key"], "figures_sha256": row["figures_sha256"]},
        )
        signed = (
            await StatisticsSnapshot.update(
                {
                    StatisticsSnapshot.signed_at: now,
                    StatisticsSnapshot.signed_by: actor.user_id,
                    StatisticsSnapshot.sign_event_seq: event.seq,
                    StatisticsSnapshot.chain_seq: event.seq,
                    StatisticsSnapshot.chain_hash: event.hash,
                }
            )
            .where(StatisticsSnapshot.id == snapshot_id, StatisticsSnapshot.signed_at.is_null())
            .returning(StatisticsSnapshot.id)
            .run()
        )
        if not signed:  # signed by a concurrent request between our read and this write: the event goes with it
            raise StatisticsAlreadySigned("the principal signed these statistics already", snapshot_id=snapshot_id)
    saved = await StatisticsSnapshot.select().where(StatisticsSnapshot.id == snapshot_id).first().run()
    return _snapshot_record(saved)
