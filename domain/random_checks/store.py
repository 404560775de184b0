"""Every statement on the random-check tables: plans, the draw claim, picks and their results."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from domain.access.scope import like_prefix
from domain.history.chain import Event
from domain.history.store import ProtectedRows, append_event
from domain.random_checks.tables import RandomCheckDraw, RandomCheckPick, RandomCheckPlan


@dataclass(frozen=True, slots=True)
class StoredPlan:
    """A plan as stored, JSON columns decoded; `seed` is the secret until the draw (never presented before)."""

    id: str
    name: str
    year: int
    period: str
    region_code: str
    region_path: str
    industries: list[str]
    classes: list[str]
    rates: dict[str, str]
    exclusion_months: int
    officer_ids: list[str]
    status: str
    created_by: str
    created_at: datetime
    approved_by: str | None
    approved_at: datetime | None
    seed: str | None
    seed_hash: str | None
    drawn_by: str | None
    drawn_at: datetime | None
    pools: dict[str, Any] | None
    picks: list[dict[str, Any]] | None
    closed_by: str | None
    closed_at: datetime | None
    version: int
    updated_at: datetime


_JSON = ("industries", "classes", "rates", "officer_ids", "pools", "picks")


def _plan(row: dict) -> StoredPlan:
    values = {f.name: row[f.name] for f in dataclasses.fields(StoredPlan)}
    for name in _JSON:
        values[name] = None if values[name] is None else json.loads(values[name])
    return StoredPlan(**values)


async def insert_plan(values: dict[str, Any]) -> None:
    """Store a new plan (inside the caller's transaction)."""
    await RandomCheckPlan.insert(RandomCheckPlan(**values)).run()


async def append_plan_event(plan_id: str, **event: Any) -> Event:
    """Append an event of the plan's chain that the plan row, already written, carries as its head."""
    return await append_event(bind=(RandomCheckPlan, plan_id), **event)


async def plan(plan_id: str) -> StoredPlan | None:
    """One plan by id (the caller checks scope)."""
    row = await RandomCheckPlan.select().where(RandomCheckPlan.id == plan_id).first().run()
    return None if row is None else _plan(row)


async def plans(*, region_prefix: str | None = None, public_only: bool = False) -> list[StoredPlan]:
    """Plans newest first: those of a region subtree when given, only those past draft when `public_only`."""
    query = RandomCheckPlan.select().order_by(RandomCheckPlan.created_at, ascending=False)
    if region_prefix is not None:
        query = query.where(RandomCheckPlan.region_path.like(like_prefix(region_prefix)))
    if public_only:
        query = query.where(RandomCheckPlan.status != "draft")
    return [_plan(row) for row in await query.order_by(RandomCheckPlan.id, ascending=False).run()]


async def approve(plan_id: str, *, version: int, seed: str, seed_hash: str, by: str, at: datetime) -> bool:
    """Approve a draft at the version read, committing its seed; False when it moved on."""
    updated = (
        await RandomCheckPlan.update(
            {
                RandomCheckPlan.status: "approved",
                RandomCheckPlan.seed: seed,
                RandomCheckPlan.seed_hash: seed_hash,
                RandomCheckPlan.approved_by: by,
                RandomCheckPlan.approved_at: at,
                RandomCheckPlan.updated_at: at,
                RandomCheckPlan.version: version + 1,
            }
        )
        .where(RandomCheckPlan.id == plan_id, RandomCheckPlan.status == "draft", RandomCheckPlan.version == version)
        .returning(RandomCheckPlan.id)
        .run()
    )
    return bool(updated)


async def claim_draw(plan_id: str, *, by: str, at: datetime) -> None:
    """Claim the plan's one draw: a second claim breaks the primary key (the caller turns it into AlreadyDrawn)."""
    await RandomCheckDraw.insert(RandomCheckDraw(plan_id=plan_id, drawn_by=by, drawn_at=at)).run()


async def mark_drawn(plan_id: str, *, version: int, pools: str, picks: str, by: str, at: datetime) -> bool:
    """Record the draw on an approved plan at the version read; False when it moved on."""
    updated = (
        await RandomCheckPlan.update(
            {
                RandomCheckPlan.status: "drawn",
                RandomCheckPlan.pools: pools,
                RandomCheckPlan.picks: picks,
                RandomCheckPlan.drawn_by: by,
                RandomCheckPlan.drawn_at: at,
                RandomCheckPlan.updated_at: at,
                RandomCheckPlan.version: version + 1,
            }
        )
        .where(RandomCheckPlan.id == plan_id, RandomCheckPlan.status == "approved", RandomCheckPlan.version == version)
        .returning(RandomCheckPlan.id)
        .run()
    )
    return bool(updated)


async def close(plan_id: str, *, version: int, by: str, at: datetime) -> bool:
    """Close an approved or drawn plan at the version read; False when it moved on."""
    updated = (
        await RandomCheckPlan.update(
            {
                RandomCheckPlan.status: "closed",
                RandomCheckPlan.closed_by: by,
                RandomCheckPlan.closed_at: at,
                RandomCheckPlan.updated_at: at,
                RandomCheckPlan.version: version + 1,
            }
        )
        .where(
            RandomCheckPlan.id == plan_id,
            RandomCheckPlan.status.is_in(["approved", "drawn"]),
            RandomCheckPlan.version == version,
        )
        .returning(RandomCheckPlan.id)
        .run()
    )
    return bool(updated)


# --- picks and results -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StoredPick:
    """A picked enterprise, its two officers and its result (None fields until recorded)."""

    id: str
    plan_id: str
    enterprise_id: str
    enterprise_name: str
    class_code: str
    officer_ids: list[str]
    position: int
    inspected_on: date | None
    findings: str | None
    hazard_ids: list[str]
    penalty_ids: list[str]
    recorded_by: str | None
    recorded_at: datetime | None
    version: int


def _pick(row: dict) -> StoredPick:
    values = {f.name: row[f.name] for f in dataclasses.fields(StoredPick)}
    for name in ("officer_ids", "hazard_ids", "penalty_ids"):
        values[name] = json.loads(values[name])
    return StoredPick(**values)


async def insert_picks(rows: Sequence[dict[str, Any]]) -> None:
    """Store the picks of a draw (inside its transaction)."""
    if rows:
        await RandomCheckPick.insert(*[RandomCheckPick(**row) for row in rows]).run()


async def bind_picks(plan_id: str, event: Event) -> None:
    """Record the results chain's first event as the head of every pick of the plan."""
    await (
        RandomCheckPick.update({RandomCheckPick.chain_seq: event.seq, RandomCheckPick.chain_hash: event.hash})
        .where(RandomCheckPick.plan_id == plan_id)
        .run()
    )


async def picks_of(plan_ids: Sequence[str]) -> list[StoredPick]:
    """The picks of the plans, in draw order."""
    if not plan_ids:
        return []
    rows = (
        await RandomCheckPick.select()
        .where(RandomCheckPick.plan_id.is_in(list(plan_ids)))
        .order_by(RandomCheckPick.plan_id)
        .order_by(RandomCheckPick.position)
        .run()
    )
    return [_pick(row) for row in rows]


async def pick(plan_id: str, enterprise_id: str) -> StoredPick | None:
    """One pick of a plan."""
    row = (
        await RandomCheckPick.select()
        .where(RandomCheckPick.plan_id == plan_id, RandomCheckPick.enterprise_id == enterprise_id)
        .first()
        .run()
    )
    return None if row is None else _pick(row)


async def record_result(pick_id: str, *, version: int, values: dict[str, Any]) -> bool:
    """Write a pick's result at the version read; False when another write came first."""
    updated = (
        await RandomCheckPick.update({**values, RandomCheckPick.version: version + 1})
        .where(RandomCheckPick.id == pick_id, RandomCheckPick.version == version)
        .returning(RandomCheckPick.id)
        .run()
    )
    return bool(updated)


async def append_result_event(pick_id: str, **event: Any) -> Event:
    """Append an event of the results chain that the pick row, already written, carries as its head."""
    return await append_event(bind=(RandomCheckPick, pick_id), **event)


async def earlier_picks(enterprise_ids: Sequence[str], *, other_than: str) -> list[tuple[str, list[str], datetime]]:
    """(enterprise id, its two officers, the draw's time) of every pick of the enterprises in other drawn plans."""
    if not enterprise_ids:
        return []
    rows = (
        await RandomCheckPick.select(
            RandomCheckPick.enterprise_id, RandomCheckPick.officer_ids, RandomCheckPick.plan_id
        )
        .where(RandomCheckPick.enterprise_id.is_in(list(enterprise_ids)), RandomCheckPick.plan_id != other_than)
        .run()
    )
    if not rows:
        return []
    drawn = {
        row["id"]: row["drawn_at"]
        for row in await RandomCheckPlan.select(RandomCheckPlan.id, RandomCheckPlan.drawn_at)
        .where(RandomCheckPlan.id.is_in(sorted({row["plan_id"] for row in rows})))
        .run()
    }
    return [(row["enterprise_id"], json.loads(row["officer_ids"]), drawn[row["plan_id"]]) for row in rows]


async def result_days(enterprise_ids: Sequence[str], first: date, last: date) -> list[tuple[str, date]]:
    """(enterprise id, inspected on) of every recorded result of the enterprises in [first, last]."""
    if not enterprise_ids:
        return []
    rows = (
        await RandomCheckPick.select(RandomCheckPick.enterprise_id, RandomCheckPick.inspected_on)
        .where(
            RandomCheckPick.enterprise_id.is_in(list(enterprise_ids)),
            RandomCheckPick.inspected_on >= first,
            RandomCheckPick.inspected_on <= last,
        )
        .run()
    )
    return [(row["enterprise_id"], row["inspected_on"]) for row in rows]


# --- the rows hash chains protect (domain/evidence reads and binds them through these) -----------------------------

PROTECTED_PLANS = ProtectedRows(RandomCheckPlan)
PROTECTED_PICKS = ProtectedRows(RandomCheckPick)
