"""Every statement on the credit area's tables: penalties, accidents, blacklist listings and grades.

Listings are filtered by scope and region through sub-selects the org store offers (one statement each).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from domain.access.model import Actor
from domain.credit.model import ListingStatus
from domain.credit.tables import BlacklistListing, CreditAccident, CreditGrade, CreditPenalty
from domain.history.store import ProtectedRows, append_event
from domain.org import store as org_store

# --- penalties and accidents -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PenaltyRecord:
    """A stored penalty."""

    id: str
    enterprise_id: str
    decision_no: str
    decided_on: date
    authority: str
    kind: str
    violation: str
    execution: str
    facts: str
    amount: Decimal | None
    accident_id: str | None
    recorded_by: str
    created_at: datetime
    authority_region_code: str | None


@dataclass(frozen=True, slots=True)
class AccidentRecord:
    """A stored accident."""

    id: str
    enterprise_id: str
    occurred_on: date
    grade: str
    deaths: int
    injuries: int
    concealed: bool
    principal_fled: bool
    description: str
    recorded_by: str
    created_at: datetime


def _penalty(row: dict) -> PenaltyRecord:
    fields = {f.name: row[f.name] for f in dataclasses.fields(PenaltyRecord)}
    return PenaltyRecord(**fields | {"amount": Decimal(row["amount"]) if row["amount"] is not None else None})


def _accident(row: dict) -> AccidentRecord:
    return AccidentRecord(**{f.name: row[f.name] for f in dataclasses.fields(AccidentRecord)})


async def penalties_of(enterprise_ids: Sequence[str]) -> list[PenaltyRecord]:
    """Every penalty of the enterprises."""
    if not enterprise_ids:
        return []
    rows = await CreditPenalty.select().where(CreditPenalty.enterprise_id.is_in(list(enterprise_ids))).run()
    return [_penalty(row) for row in rows]


async def accidents_of(enterprise_ids: Sequence[str]) -> list[AccidentRecord]:
    """Every accident of the enterprises."""
    if not enterprise_ids:
        return []
    rows = await CreditAccident.select().where(CreditAccident.enterprise_id.is_in(list(enterprise_ids))).run()
    return [_accident(row) for row in rows]


async def penalty_exists(enterprise_id: str, decision_no: str) -> bool:
    """True when the enterprise has a penalty with that decision number."""
    return (
        await CreditPenalty.exists()
        .where(CreditPenalty.enterprise_id == enterprise_id, CreditPenalty.decision_no == decision_no)
        .run()
    )


async def insert_penalty(values: dict[str, Any]) -> None:
    """Store a penalty (the unique key refuses a second decision number of the enterprise)."""
    await CreditPenalty.insert(CreditPenalty(**values)).run()


async def insert_accident(values: dict[str, Any]) -> None:
    """Store an accident."""
    await CreditAccident.insert(CreditAccident(**values)).run()


async def penalty(penalty_id: str) -> PenaltyRecord | None:
    """One penalty by id."""
    row = await CreditPenalty.select().where(CreditPenalty.id == penalty_id).first().run()
    return None if row is None else _penalty(row)


async def accident(accident_id: str) -> AccidentRecord | None:
    """One accident by id."""
    row = await CreditAccident.select().where(CreditAccident.id == accident_id).first().run()
    return None if row is None else _accident(row)


async def penalties_by_id(penalty_ids: Sequence[str]) -> dict[str, PenaltyRecord]:
    """Penalty id → penalty, for those of the ids that exist."""
    if not penalty_ids:
        return {}
    rows = await CreditPenalty.select().where(CreditPenalty.id.is_in(list(penalty_ids))).run()
    return {row["id"]: _penalty(row) for row in rows}


async def penalties_newest_first(enterprise_id: str) -> list[PenaltyRecord]:
    """The enterprise's penalties, newest decision first."""
    rows = (
        await CreditPenalty.select()
        .where(CreditPenalty.enterprise_id == enterprise_id)
        .order_by(CreditPenalty.decided_on, ascending=False)
        .order_by(CreditPenalty.id, ascending=False)
        .run()
    )
    return [_penalty(row) for row in rows]


async def accidents_newest_first(enterprise_id: str) -> list[AccidentRecord]:
    """The enterprise's accidents, newest first."""
    rows = (
        await CreditAccident.select()
        .where(CreditAccident.enterprise_id == enterprise_id)
        .order_by(CreditAccident.occurred_on, ascending=False)
        .order_by(CreditAccident.id, ascending=False)
        .run()
    )
    return [_accident(row) for row in rows]


def penalised_enterprises():
    """A sub-select of the enterprises with a penalty (for the org store to compose into its own statement)."""
    return CreditPenalty.select(CreditPenalty.enterprise_id)


# --- listings ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StoredListing:
    """A blacklist listing as stored (its basis as JSON text)."""

    id: str
    enterprise_id: str
    penalty_id: str
    status: str
    basis: str
    notified_on: date | None
    statement: str | None
    decided_on: date | None
    expires_on: date | None
    removed_on: date | None
    ended_on: date | None
    reason: str | None
    version: int
    created_at: datetime
    updated_at: datetime


def _listing(row: dict) -> StoredListing:
    return StoredListing(**{f.name: row[f.name] for f in dataclasses.fields(StoredListing)})


async def listing(listing_id: str) -> StoredListing | None:
    """One listing by id."""
    row = await BlacklistListing.select().where(BlacklistListing.id == listing_id).first().run()
    return None if row is None else _listing(row)


async def listing_of_penalty(penalty_id: str) -> StoredListing | None:
    """The listing a penalty supports, if one was made."""
    row = await BlacklistListing.select().where(BlacklistListing.penalty_id == penalty_id).first().run()
    return None if row is None else _listing(row)


async def insert_listing(values: dict[str, Any]) -> None:
    """Store a new listing (the unique penalty refuses a second of two racing runs)."""
    await BlacklistListing.insert(BlacklistListing(**values)).run()


async def update_listing(listing_id: str, *, version: int, values: dict[str, Any]) -> bool:
    """Write the listing's columns if it is still at `version` (and move it to the next); False when it moved on."""
    changes: dict[Any, Any] = {getattr(BlacklistListing, name): value for name, value in values.items()}
    changes[BlacklistListing.version] = version + 1
    updated = (
        await BlacklistListing.update(changes)
        .where(BlacklistListing.id == listing_id, BlacklistListing.version == version)
        .returning(BlacklistListing.id)
        .run()
    )
    return bool(updated)


async def append_listing_event(listing_id: str, **event: Any) -> None:
    """Append an event that the listing row, already written, carries as its chain head."""
    await append_event(bind=(BlacklistListing, listing_id), **event)


def _in_force(day: date) -> list:
    return [
        BlacklistListing.status == str(ListingStatus.CONFIRMED),
        BlacklistListing.decided_on <= day,
        BlacklistListing.expires_on > day,
    ]


async def published(day: date, *, region_path: str | None) -> list[StoredListing]:
    """The confirmed listings in force on the day (under the region path when given), newest decision first."""
    query = (
        BlacklistListing.select()
        .where(*_in_force(day))
        .order_by(BlacklistListing.decided_on, ascending=False)
        .order_by(BlacklistListing.id, ascending=False)
    )
    if region_path is not None:
        query = query.where(org_store.enterprise_in_region(BlacklistListing.enterprise_id, region_path))
    return [_listing(row) for row in await query.run()]


async def pending_in_scope(actor: Actor, statuses: Sequence[str], *, region_path: str | None) -> list[StoredListing]:
    """Listings of the statuses of enterprises in the actor's scope (under the region path when given), by id."""
    query = (
        BlacklistListing.select()
        .where(
            BlacklistListing.status.is_in(list(statuses)),
            org_store.enterprise_in_scope(BlacklistListing.enterprise_id, actor),
        )
        .order_by(BlacklistListing.id)
    )
    if region_path is not None:
        query = query.where(org_store.enterprise_in_region(BlacklistListing.enterprise_id, region_path))
    return [_listing(row) for row in await query.run()]


async def listing_in_scope(actor: Actor, listing_id: str) -> StoredListing | None:
    """One listing of an enterprise in the actor's scope."""
    row = (
        await BlacklistListing.select()
        .where(BlacklistListing.id == listing_id, org_store.enterprise_in_scope(BlacklistListing.enterprise_id, actor))
        .first()
        .run()
    )
    return None if row is None else _listing(row)


async def confirmed_ending_by(day: date) -> list[StoredListing]:
    """Confirmed listings whose term ends on or before the day."""
    rows = (
        await BlacklistListing.select()
        .where(BlacklistListing.status == str(ListingStatus.CONFIRMED), BlacklistListing.expires_on <= day)
        .run()
    )
    return [_listing(row) for row in rows]


async def listed_enterprises(day: date) -> set[str]:
    """The enterprises with a confirmed listing in force on the day."""
    rows = await BlacklistListing.select(BlacklistListing.enterprise_id).where(*_in_force(day)).run()
    return {row["enterprise_id"] for row in rows}


async def listings_spanning(enterprise_id: str, day: date) -> list[StoredListing]:
    """The enterprise's listings whose term holds the day (whatever their status)."""
    rows = (
        await BlacklistListing.select()
        .where(
            BlacklistListing.enterprise_id == enterprise_id,
            BlacklistListing.decided_on <= day,
            BlacklistListing.expires_on > day,
        )
        .run()
    )
    return [_listing(row) for row in rows]


async def listings_of(enterprise_id: str, *, notified_only: bool) -> list[StoredListing]:
    """The enterprise's listings, newest first (only those the party was told of, when `notified_only`)."""
    query = (
        BlacklistListing.select()
        .where(BlacklistListing.enterprise_id == enterprise_id)
        .order_by(BlacklistListing.id, ascending=False)
    )
    if notified_only:
        query = query.where(BlacklistListing.notified_on.is_not_null())
    return [_listing(row) for row in await query.run()]


# --- grades ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StoredGrade:
    """An enterprise's computed grade as stored (its basis as JSON text)."""

    grade: str
    points: int
    scheme_version: str
    basis: str
    computed_on: date
    computed_at: datetime


async def grade(enterprise_id: str) -> StoredGrade | None:
    """The enterprise's stored grade."""
    row = await CreditGrade.select().where(CreditGrade.enterprise_id == enterprise_id).first().run()
    return None if row is None else _stored_grade(row)


async def grades_of(enterprise_ids: Sequence[str]) -> dict[str, StoredGrade]:
    """The stored grades of the enterprises that have one, by enterprise id (a statement a thousand enterprises: a
    province's list stays under both engines' limits on parameters)."""
    ids, grades = list(enterprise_ids), {}
    for start in range(0, len(ids), 1000):
        rows = await CreditGrade.select().where(CreditGrade.enterprise_id.is_in(ids[start : start + 1000])).run()
        grades |= {row["enterprise_id"]: _stored_grade(row) for row in rows}
    return grades


def _stored_grade(row: dict[str, Any]) -> StoredGrade:
    return StoredGrade(**{f.name: row[f.name] for f in dataclasses.fields(StoredGrade)})


async def save_grade(enterprise_id: str, values: dict[str, Any], *, new: bool) -> None:
    """Insert the enterprise's grade, or overwrite the one stored."""
    if new:
        await CreditGrade.insert(CreditGrade(enterprise_id=enterprise_id, **values)).run()
        return
    await (
        CreditGrade.update({getattr(CreditGrade, k): v for k, v in values.items()})
        .where(CreditGrade.enterprise_id == enterprise_id)
        .run()
    )


# --- the rows hash chains protect (domain/evidence reads and binds them through this) ------------------------------

PROTECTED = ProtectedRows(BlacklistListing)
