"""Use cases of the statutory hazard statistics: freeze the snapshots that are due, list them, and sign one.

Freezing is idempotent: a snapshot once frozen is never recomputed, and a run finds and freezes every due one that
is missing, however far back (backfill). Each freeze and each signature is a link of the enterprise's statistics
chain (`stats:<enterprise_id>`) written in the same transaction as the row. The rules are `domain.statutory.model`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from domain.access.model import SYSTEM, Actor
from domain.access.permissions import Action, require
from domain.clock import utcnow
from domain.db.engine import is_unique_violation
from domain.db.transactions import transaction
from domain.errors import NotFound
from domain.hazards.model import HazardLevel
from domain.history.chain import bound, canonical
from domain.history.store import ChainRaced, append_event
from domain.org.scope import require_enterprise
from domain.statutory import store
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
from domain.statutory.store import SnapshotRecord

SUBJECT_KIND = "statistics"
# The jobs act as the system; their events name it.


def chain_of(enterprise_id: str) -> str:
    """The id of an enterprise's statistics chain."""
    return f"stats:{enterprise_id}"


async def period_figures(period: Period) -> dict[str, Figures]:
    """The figures of every enterprise with hazards found in the period (others have all zeros)."""
    start, end = period.window()
    counts: dict[str, dict[str, dict[str, int]]] = defaultdict(dict)
    for enterprise_id, level, level_counts in await store.period_counts(start, end):
        counts[enterprise_id][level] = level_counts
    funds: dict[tuple[str, str], list[Decimal]] = defaultdict(list)
    for enterprise_id, level, recorded in await store.period_funds(start, end):
        if (amount := funds_amount_yuan(recorded)) is not None:
            funds[(enterprise_id, level)].append(amount)
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
    return {
        enterprise_id: local_date(found if found is not None and found < created else created)
        for enterprise_id, created, found in await store.enterprise_first_times()
    }


async def freeze_due_statistics(*, now: datetime | None = None) -> FreezeReport:
    """Freeze every due snapshot that is missing, for every enterprise; a frozen one is never touched again."""
    now = now or utcnow()
    today = local_date(now)
    frozen_keys: dict[str, set[str]] = defaultdict(set)
    for enterprise_id, period_key in await store.frozen_keys():
        frozen_keys[enterprise_id].add(period_key)
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
            await store.insert_snapshot(
                enterprise_id=enterprise_id,
                period=period,
                figures=canonical(document).decode("utf-8"),
                figures_sha256=digest,
                frozen_at=now,
                freeze_event_seq=event.seq,
                bound=bound(event),
            )
    except ChainRaced:
        return False
    except Exception as error:
        if is_unique_violation(error):
            return False
        raise
    return True


# --- reading and signing -----------------------------------------------------------------------------------------------


async def list_snapshots(*, actor: Actor, enterprise_id: str) -> list[SnapshotRecord]:
    """The snapshots of an enterprise the caller can see, newest due first."""
    await require_enterprise(actor, enterprise_id)
    return await store.snapshots_of(enterprise_id)


async def sign_snapshot(
    *, actor: Actor, enterprise_id: str, snapshot_id: str, now: datetime | None = None
) -> SnapshotRecord:
    """The principal signs the snapshot's figures (their SHA-256) once; the signature and its event in one
    transaction."""
    now = now or utcnow()
    await require_enterprise(actor, enterprise_id)
    row = await store.snapshot(snapshot_id, enterprise_id=enterprise_id)
    if row is None:
        raise NotFound("no such statistics snapshot", entity="statisticsSnapshot", id=snapshot_id)
    require(actor, Action.SIGN_STATISTICS_SNAPSHOT)
    if row.signed:
        raise StatisticsAlreadySigned("the principal signed these statistics already", snapshot_id=snapshot_id)
    async with transaction():
        event = await append_event(
            chain_id=chain_of(enterprise_id),
            subject_kind=SUBJECT_KIND,
            action="signStatistics",
            name="StatisticsSigned",
            actor=actor,
            at=now,
            payload={"snapshot_id": snapshot_id, "period": row.period_key, "figures_sha256": row.figures_sha256},
        )
        signed = await store.mark_signed(snapshot_id, at=now, by=actor.user_id, seq=event.seq, chain_hash=event.hash)
        if not signed:  # signed by a concurrent request between our read and this write: the event goes with it
            raise StatisticsAlreadySigned("the principal signed these statistics already", snapshot_id=snapshot_id)
    saved = await store.snapshot(snapshot_id)
    assert saved is not None  # signed a moment ago; snapshots are never deleted
    return saved
