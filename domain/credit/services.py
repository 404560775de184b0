"""Use cases of the credit area: penalties, accidents, the serious-dishonesty list and the local credit grade.

Penalties and accidents are append-only; every record, every listing step and every computed candidate is also a
link of the enterprise's credit chain (`credit:<enterprise_id>`) in the same transaction. The rules (grounds, the
workflow table, the grading scheme) are `domain.credit.model`; this module loads, checks scope, stores and appends.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from piccolo.columns import Column
from piccolo.table import Table

from domain.access.model import SYSTEM, Actor, Role
from domain.access.permissions import Action, allowed, require
from domain.clock import utcnow
from domain.credit.model import (
    DEFAULT_SCHEME,
    GROUNDS_BY_CODE,
    TRANSITIONS,
    Accident,
    AccidentGrade,
    AuthorityRegionInvalid,
    Basis,
    CreditScheme,
    CreditStanding,
    Execution,
    GradeInput,
    Listing,
    ListingAction,
    ListingStatus,
    ListingStep,
    Penalty,
    PenaltyKind,
    Record,
    Violation,
    advance,
    allowed_actions,
    candidates,
    check_accident,
    check_authority,
    check_penalty,
    due_to_expire,
    is_listed,
    region_code_of,
)
from domain.credit.tables import BlacklistListing, CreditAccident, CreditGrade, CreditPenalty
from domain.db.engine import is_unique_violation, unique_or
from domain.db.transactions import transaction
from domain.errors import AlreadyExists, DomainError, NotFound
from domain.hazards.model import OWING_STATUSES, HazardLevel
from domain.hazards.tables import Hazard
from domain.history.store import append_event
from domain.ids import new_id
from domain.inspections.model import LOCAL_TIME
from domain.org.scope import require_enterprise, require_published_region, require_region
from domain.org.store import enterprise_condition
from domain.org.tables import Enterprise, Region
from domain.outbox.services import add_to_outbox

SUBJECT_KIND = "credit"
# The dynamic safety code reads the credit standing: a change of it is recomputed at once, not at the hourly pass.
SAFETY_CODE_JOB = "recompute_safety_code"
# The jobs act as the system; their events name it.
PENDING = [str(ListingStatus.CANDIDATE), str(ListingStatus.NOTIFIED)]


class ListingStale(DomainError):
    """The listing changed since it was read (another regulator acted first)."""

    code = "BLACKLIST_LISTING_STALE"


def local_today() -> date:
    """Today's date in Zhoushan."""
    return utcnow().astimezone(LOCAL_TIME).date()


def chain_of(enterprise_id: str) -> str:
    """The id of the enterprise's credit chain."""
    return f"credit:{enterprise_id}"


# --- penalties and accidents ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NewPenalty:
    """What a regulator records of an administrative penalty."""

    decision_no: str
    decided_on: date
    authority: str
    kind: str
    violation: str
    execution: str = Execution.PENDING
    facts: str = ""
    amount: Decimal | None = None
    accident_id: str | None = None
    # The region of the deciding department (default: the recording regulator's own); it decides the listing.
    authority_region_code: str | None = None


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
class NewAccident:
    """What a regulator records of a production-safety accident."""

    occurred_on: date
    grade: str
    deaths: int = 0
    injuries: int = 0
    concealed: bool = False
    principal_fled: bool = False
    description: str = ""


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


def _penalty_record(row: dict) -> PenaltyRecord:
    fields = {f.name: row[f.name] for f in dataclasses.fields(PenaltyRecord)}
    return PenaltyRecord(**fields | {"amount": Decimal(row["amount"]) if row["amount"] is not None else None})


def _accident_record(row: dict) -> AccidentRecord:
    return AccidentRecord(**{f.name: row[f.name] for f in dataclasses.fields(AccidentRecord)})


async def _record_of(enterprise_id: str) -> Record:
    """The pure view of an enterprise's penalties and accidents."""
    enterprise = await Enterprise.select(Enterprise.industry).where(Enterprise.id == enterprise_id).first().run()
    return (await _records_of([enterprise_id], {enterprise_id: enterprise["industry"] if enterprise else ""}))[
        enterprise_id
    ]


async def _records_of(enterprise_ids: list[str], industries: dict[str, str]) -> dict[str, Record]:
    penalties: dict[str, list[Penalty]] = defaultdict(list)
    accidents: dict[str, list[Accident]] = defaultdict(list)
    if enterprise_ids:
        for row in await CreditPenalty.select().where(CreditPenalty.enterprise_id.is_in(enterprise_ids)).run():
            penalties[row["enterprise_id"]].append(_penalty_of(row))
        for row in await CreditAccident.select().where(CreditAccident.enterprise_id.is_in(enterprise_ids)).run():
            accidents[row["enterprise_id"]].append(_accident_of(row))
    return {
        eid: Record(
            industry=industries.get(eid, ""),
            penalties=tuple(sorted(penalties[eid], key=lambda p: p.id)),
            accidents=tuple(sorted(accidents[eid], key=lambda a: a.id)),
        )
        for eid in enterprise_ids
    }


def _penalty_of(row: dict) -> Penalty:
    return Penalty(
        id=row["id"],
        decided_on=row["decided_on"],
        kind=PenaltyKind(row["kind"]),
        violation=Violation(row["violation"]),
        execution=Execution(row["execution"]),
        accident_id=row["accident_id"],
        amount=Decimal(row["amount"]) if row["amount"] is not None else None,
    )


def _accident_of(row: dict) -> Accident:
    return Accident(
        id=row["id"],
        occurred_on=row["occurred_on"],
        grade=AccidentGrade(row["grade"]),
        concealed=row["concealed"],
        principal_fled=row["principal_fled"],
        deaths=row["deaths"],
        injuries=row["injuries"],
    )


async def record_penalty(
    *, actor: Actor, enterprise_id: str, new: NewPenalty, now: datetime | None = None
) -> PenaltyRecord:
    """Record an administrative penalty on an enterprise in scope, then recompute its candidates."""
    now = now or utcnow()
    enterprise = await require_enterprise(actor, enterprise_id)
    require(actor, Action.RECORD_PENALTY)
    authority = await _authority_region(actor, enterprise.region_path, new.authority_region_code)
    record = await _record_of(enterprise_id)
    penalty = Penalty(
        id="new",
        decided_on=new.decided_on,
        kind=PenaltyKind(new.kind),
        violation=Violation(new.violation),
        execution=Execution(new.execution),
        accident_id=new.accident_id,
        amount=new.amount,
    )
    check_penalty(penalty, record, today=now.astimezone(LOCAL_TIME).date())
    duplicate = AlreadyExists(
        "this enterprise already has a penalty with that decision number",
        field="decisionNo",
        decision_no=new.decision_no,
    )
    if (
        await CreditPenalty.exists()
        .where(CreditPenalty.enterprise_id == enterprise_id, CreditPenalty.decision_no == new.decision_no)
        .run()
    ):
        raise duplicate
    row = dataclasses.asdict(new) | {
        "amount": str(new.amount) if new.amount is not None else None,
        "authority_region_code": authority,
    }
    saved = await _append_record(
        CreditPenalty,
        "penalty_id",
        "recordPenalty",
        "PenaltyRecorded",
        actor=actor,
        enterprise_id=enterprise_id,
        row=row,
        now=now,
        duplicate=duplicate,
    )
    return _penalty_record(saved)


async def _authority_region(actor: Actor, enterprise_path: str, code: str | None) -> str:
    """The region code of the penalty's deciding department: the one named, or the recording regulator's own."""
    code = code or (region_code_of(actor.region_path) if actor.role is Role.REGULATOR else None)
    if code is None:
        raise AuthorityRegionInvalid(
            "name the region of the deciding department", field="authorityRegionCode", reason="required"
        )
    region = await Region.select(Region.path).where(Region.code == code).first().run()
    check_authority(authority_path=region["path"] if region else None, enterprise_path=enterprise_path, recorder=actor)
    return code


async def _append_record(
    table: type[Table],
    id_field: str,
    action: str,
    name: str,
    *,
    actor: Actor,
    enterprise_id: str,
    row: dict[str, Any],
    now: datetime,
    duplicate: Exception | None = None,
) -> dict:
    """Insert a penalty or accident with its event in one transaction, recompute the candidates, read it back."""
    record_id = new_id()
    async with transaction():
        event = await append_event(
            chain_id=chain_of(enterprise_id),
            subject_kind=SUBJECT_KIND,
            action=action,
            name=name,
            actor=actor,
            at=now,
            payload=row | {id_field: record_id},
        )
        with unique_or(duplicate) if duplicate else contextlib.nullcontext():
            await table.insert(
                table(
                    id=record_id,
                    enterprise_id=enterprise_id,
                    recorded_by=actor.user_id,
                    event_seq=event.seq,
                    created_at=now,
                    **row,
                )
            ).run()
    await compute_candidates(enterprise_ids=[enterprise_id], now=now)
    return await table.select().where(table._meta.primary_key == record_id).first().run()


async def record_accident(
    *, actor: Actor, enterprise_id: str, new: NewAccident, now: datetime | None = None
) -> AccidentRecord:
    """Record an accident of an enterprise in scope, then recompute its candidates (an earlier 较大 accident may
    now make a later one's penalty a repeat)."""
    now = now or utcnow()
    await require_enterprise(actor, enterprise_id)
    require(actor, Action.RECORD_ACCIDENT)
    accident = Accident(
        id="new",
        occurred_on=new.occurred_on,
        grade=AccidentGrade(new.grade),
        concealed=new.concealed,
        principal_fled=new.principal_fled,
        deaths=new.deaths,
        injuries=new.injuries,
    )
    check_accident(accident, today=now.astimezone(LOCAL_TIME).date())
    saved = await _append_record(
        CreditAccident,
        "accident_id",
        "recordAccident",
        "AccidentRecorded",
        actor=actor,
        enterprise_id=enterprise_id,
        row=dataclasses.asdict(new),
        now=now,
    )
    return _accident_record(saved)


async def list_penalties(*, actor: Actor, enterprise_id: str) -> list[PenaltyRecord]:
    """The penalties of an enterprise in scope, newest decision first."""
    rows = await _newest_first(actor, enterprise_id, CreditPenalty, CreditPenalty.decided_on)
    return [_penalty_record(row) for row in rows]


async def list_accidents(*, actor: Actor, enterprise_id: str) -> list[AccidentRecord]:
    """The accidents of an enterprise in scope, newest first."""
    rows = await _newest_first(actor, enterprise_id, CreditAccident, CreditAccident.occurred_on)
    return [_accident_record(row) for row in rows]


async def _newest_first(actor: Actor, enterprise_id: str, table: type[Table], day: Column) -> list[dict]:
    await require_enterprise(actor, enterprise_id)
    return (
        await table.select()
        .where(table.enterprise_id == enterprise_id)
        .order_by(day, ascending=False)
        .order_by(table._meta.primary_key, ascending=False)
        .run()
    )


# --- candidates ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CandidateReport:
    """What a candidate computation did."""

    created: int
    updated: int


async def compute_candidates(
    *, enterprise_ids: Iterable[str] | None = None, now: datetime | None = None
) -> CandidateReport:
    """Make a candidate listing for every penalty that supports one, or refresh a still-pending candidate's basis;
    idempotent: a second run finds the same rows with the same basis and changes nothing."""
    now = now or utcnow()
    query = Enterprise.select(Enterprise.id, Enterprise.industry)
    if enterprise_ids is not None:
        query = query.where(Enterprise.id.is_in(list(enterprise_ids) or [""]))
    else:
        query = query.where(Enterprise.id.is_in(CreditPenalty.select(CreditPenalty.enterprise_id)))
    industries = {row["id"]: row["industry"] for row in await query.run()}
    records = await _records_of(sorted(industries), industries)
    created = updated = 0
    for enterprise_id, record in records.items():
        for basis in candidates(record):
            stored = json.dumps(basis.to_json(), sort_keys=True)
            existing = (
                await BlacklistListing.select().where(BlacklistListing.penalty_id == basis.penalty_id).first().run()
            )
            if existing is not None and (existing["status"] not in PENDING or existing["basis"] == stored):
                continue  # decided listings keep the basis they were decided on
            try:
                made = await _store_candidate(enterprise_id, basis, existing, stored, now)
            except Exception as error:
                if not is_unique_violation(error):
                    raise
                continue  # a concurrent run made this candidate first
            created += made == "created"
            updated += made == "updated"
    return CandidateReport(created=created, updated=updated)


async def _store_candidate(enterprise_id: str, basis: Basis, existing: dict | None, stored: str, now: datetime) -> str:
    """Insert the candidate or refresh its basis (version-checked), with its event; what it did, or "" if raced."""
    async with transaction():
        if existing is None:
            listing_id, made = new_id(), "created"
            await BlacklistListing.insert(
                BlacklistListing(
                    id=listing_id,
                    enterprise_id=enterprise_id,
                    penalty_id=basis.penalty_id,
                    status=str(ListingStatus.CANDIDATE),
                    basis=stored,
                    version=1,
                    created_at=now,
                    updated_at=now,
                )
            ).run()
        else:
            listing_id, made = existing["id"], "updated"
            if (
                not await BlacklistListing.update(
                    {
                        BlacklistListing.basis: stored,
                        BlacklistListing.updated_at: now,
                        BlacklistListing.version: existing["version"] + 1,
                    }
                )
                .where(BlacklistListing.id == listing_id, BlacklistListing.version == existing["version"])
                .returning(BlacklistListing.id)
                .run()
            ):
                return ""
        await append_event(
            chain_id=chain_of(enterprise_id),
            subject_kind=SUBJECT_KIND,
            action="computeCandidate",
            name="BlacklistCandidateComputed",
            actor=SYSTEM,
            at=now,
            payload={"listing_id": listing_id, **basis.to_json()},
            bind=(BlacklistListing, listing_id),
        )
    return made


# --- listings ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GroundRecord:
    """A ground of a listing's basis, with its text and article."""

    code: str
    article: str
    text: str


@dataclass(frozen=True, slots=True)
class ListingRecord:
    """A listing as the API shows it."""

    id: str
    enterprise_id: str
    enterprise_name: str
    credit_code: str
    region_code: str
    penalty_id: str
    decision_no: str
    status: str
    grounds: list[GroundRecord]
    penalty_ids: list[str]
    accident_ids: list[str]
    notified_on: date | None
    statement: str | None
    decided_on: date | None
    expires_on: date | None
    removed_on: date | None
    ended_on: date | None
    reason: str | None
    listed: bool
    version: int
    allowed_actions: list[str]
    updated_at: datetime
    authority_region_code: str | None


def _listing_of(row: dict, penalty_decided_on: date, authority_region_code: str | None = None) -> Listing:
    fields = {
        f: row[f] for f in ("notified_on", "decided_on", "expires_on", "removed_on", "ended_on", "statement", "reason")
    }
    return Listing(
        status=ListingStatus(row["status"]),
        penalty_decided_on=penalty_decided_on,
        authority_region_code=authority_region_code,
        **fields,
    )


async def _listing_records(rows: list[dict], actor: Actor, today: date) -> list[ListingRecord]:
    enterprise_ids = sorted({row["enterprise_id"] for row in rows})
    penalty_ids = sorted({row["penalty_id"] for row in rows})
    enterprises = {
        e["id"]: e
        for e in await Enterprise.select(Enterprise.id, Enterprise.name, Enterprise.credit_code, Enterprise.region_code)
        .where(Enterprise.id.is_in(enterprise_ids or [""]))
        .run()
    }
    penalties = {
        p["id"]: p
        for p in await CreditPenalty.select(
            CreditPenalty.id, CreditPenalty.decision_no, CreditPenalty.decided_on, CreditPenalty.authority_region_code
        )
        .where(CreditPenalty.id.is_in(penalty_ids or [""]))
        .run()
    }
    # published listings reach everyone, but only those in the caller's scope may act on them
    in_scope = {
        e["id"]
        for e in await Enterprise.select(Enterprise.id)
        .where(Enterprise.id.is_in(enterprise_ids or [""]), enterprise_condition(actor))
        .run()
    }
    records = []
    for row in rows:
        enterprise, penalty = enterprises[row["enterprise_id"]], penalties[row["penalty_id"]]
        listing = _listing_of(row, penalty["decided_on"], penalty["authority_region_code"])
        basis = json.loads(row["basis"])
        grounds = [
            GroundRecord(code, GROUNDS_BY_CODE[code].article, GROUNDS_BY_CODE[code].text)
            for code in basis.get("grounds", [])
            if code in GROUNDS_BY_CODE
        ]
        records.append(
            ListingRecord(
                id=row["id"],
                enterprise_id=row["enterprise_id"],
                enterprise_name=enterprise["name"],
                credit_code=enterprise["credit_code"],
                region_code=enterprise["region_code"],
                penalty_id=row["penalty_id"],
                decision_no=penalty["decision_no"],
                status=row["status"],
                grounds=grounds,
                penalty_ids=basis.get("penalty_ids", []),
                accident_ids=basis.get("accident_ids", []),
                notified_on=row["notified_on"],
                statement=row["statement"],
                decided_on=row["decided_on"],
                expires_on=row["expires_on"],
                removed_on=row["removed_on"],
                ended_on=row["ended_on"],
                reason=row["reason"],
                listed=is_listed(listing, today),
                version=row["version"],
                allowed_actions=allowed_actions(listing, actor) if row["enterprise_id"] in in_scope else [],
                updated_at=row["updated_at"],
                authority_region_code=penalty["authority_region_code"],
            )
        )
    return records


async def _region_condition(region_code: str | None, actor: Actor | None = None):
    """Listings of enterprises under the region, or of all enterprises when no region is named; the region is the
    caller's (`actor`) or, for the published list, any region."""
    if not region_code:
        return None
    region = await (require_region(actor, region_code) if actor else require_published_region(region_code))
    return BlacklistListing.enterprise_id.is_in(
        Enterprise.select(Enterprise.id).where(Enterprise.region_path.like(region.path + "%"))
    )


async def published_listings(
    *, actor: Actor, region_code: str | None = None, on: date | None = None
) -> list[ListingRecord]:
    """The listings in force on the day (default today), under a region if named; public by law (the order has
    them published), so every signed-in role sees every one, whatever its own scope."""
    today = on or local_today()
    query = (
        BlacklistListing.select()
        .where(
            BlacklistListing.status == str(ListingStatus.CONFIRMED),
            BlacklistListing.decided_on <= today,
            BlacklistListing.expires_on > today,
        )
        .order_by(BlacklistListing.decided_on, ascending=False)
        .order_by(BlacklistListing.id, ascending=False)
    )
    if (condition := await _region_condition(region_code)) is not None:
        query = query.where(condition)
    return await _listing_records(await query.run(), actor, today)


async def list_candidates(*, actor: Actor, region_code: str | None = None) -> list[ListingRecord]:
    """Pending listings (computed or notified) of enterprises in the regulator's scope, oldest first."""
    require(actor, Action.REVIEW_BLACKLIST_CANDIDATES)
    query = (
        BlacklistListing.select()
        .where(
            BlacklistListing.status.is_in(PENDING),
            BlacklistListing.enterprise_id.is_in(Enterprise.select(Enterprise.id).where(enterprise_condition(actor))),
        )
        .order_by(BlacklistListing.id)
    )
    if (condition := await _region_condition(region_code, actor)) is not None:
        query = query.where(condition)
    return await _listing_records(await query.run(), actor, local_today())


async def _listing_in_scope(actor: Actor, listing_id: str) -> dict:
    row = (
        await BlacklistListing.select()
        .where(
            BlacklistListing.id == listing_id,
            BlacklistListing.enterprise_id.is_in(Enterprise.select(Enterprise.id).where(enterprise_condition(actor))),
        )
        .first()
        .run()
    )
    # until the party is told, a candidate is the regulators' working material: to others it does not exist yet
    if row is None or (not allowed(actor, Action.REVIEW_BLACKLIST_CANDIDATES) and row["notified_on"] is None):
        raise NotFound("no such listing", entity="listing", id=listing_id)
    return row


async def act_on_listing(
    *,
    actor: Actor,
    listing_id: str,
    action: str,
    on: date | None = None,
    text: str | None = None,
    now: datetime | None = None,
) -> ListingRecord:
    """Take one workflow step on a listing in scope; the row (version-checked) and its event in one transaction."""
    now = now or utcnow()
    today = now.astimezone(LOCAL_TIME).date()
    row = await _listing_in_scope(actor, listing_id)
    return await _apply_step(actor, row, ListingStep(ListingAction(action), on or today, text), now, today)


async def _apply_step(actor: Actor, row: dict, step: ListingStep, now: datetime, today: date) -> ListingRecord:
    penalty = (
        await CreditPenalty.select(CreditPenalty.decided_on, CreditPenalty.authority_region_code)
        .where(CreditPenalty.id == row["penalty_id"])
        .first()
        .run()
    )
    before = _listing_of(row, penalty["decided_on"], penalty["authority_region_code"])
    after = advance(before, step, actor, today=today)
    changed = {
        name: getattr(after, name)
        for name in ("notified_on", "decided_on", "expires_on", "removed_on", "ended_on", "statement", "reason")
    }
    changes: dict[Any, Any] = {getattr(BlacklistListing, name): value for name, value in changed.items()}
    changes |= {
        BlacklistListing.status: str(after.status),
        BlacklistListing.version: row["version"] + 1,
        BlacklistListing.updated_at: now,
    }
    async with transaction():
        updated = (
            await BlacklistListing.update(changes)
            .where(BlacklistListing.id == row["id"], BlacklistListing.version == row["version"])
            .returning(BlacklistListing.id)
            .run()
        )
        if not updated:
            raise ListingStale("the listing changed since it was read; read it again", listing_id=row["id"])
        payload = {
            "listing_id": row["id"],
            "on": step.on,
            "text": step.text,
            "from_status": str(before.status),
            "to_status": str(after.status),
            "version": row["version"] + 1,
            "expires_on": after.expires_on,
        }
        await append_event(
            chain_id=chain_of(row["enterprise_id"]),
            subject_kind=SUBJECT_KIND,
            action=str(step.action),
            name=TRANSITIONS[step.action].event,
            actor=actor,
            at=now,
            payload=payload,
            bind=(BlacklistListing, row["id"]),
        )
        if is_listed(before, today) != is_listed(after, today):
            await add_to_outbox(SAFETY_CODE_JOB, row["enterprise_id"], now=now)
    saved = await BlacklistListing.select().where(BlacklistListing.id == row["id"]).first().run()
    return (await _listing_records([saved], actor, today))[0]


async def expire_listings(*, now: datetime | None = None) -> int:
    """Lift every confirmed listing whose 3 years ended by today (Zhoushan); idempotent: lifted ones are no longer
    confirmed, so a second run finds none."""
    now = now or utcnow()
    today = now.astimezone(LOCAL_TIME).date()
    rows = (
        await BlacklistListing.select()
        .where(BlacklistListing.status == str(ListingStatus.CONFIRMED), BlacklistListing.expires_on <= today)
        .run()
    )
    lifted = 0
    for row in rows:
        if not due_to_expire(_listing_of(row, row["decided_on"]), today):
            continue
        try:
            await _apply_step(SYSTEM, row, ListingStep(ListingAction.EXPIRE, today), now, today)
        except ListingStale:
            continue  # another run lifted it first
        lifted += 1
    return lifted


# --- grades and standing -------------------------------------------------------------------------------------------


async def compute_grades(
    *, enterprise_ids: Iterable[str] | None = None, now: datetime | None = None, scheme: CreditScheme = DEFAULT_SCHEME
) -> int:
    """Recompute and overwrite the grade of every (or the named) enterprise under the scheme; idempotent."""
    now = now or utcnow()
    today = now.astimezone(LOCAL_TIME).date()
    query = Enterprise.select(Enterprise.id, Enterprise.industry)
    if enterprise_ids is not None:
        query = query.where(Enterprise.id.is_in(list(enterprise_ids) or [""]))
    industries = {row["id"]: row["industry"] for row in await query.run()}
    ids = sorted(industries)
    records = await _records_of(ids, industries)
    listed = {
        row["enterprise_id"]
        for row in await BlacklistListing.select(BlacklistListing.enterprise_id)
        .where(
            BlacklistListing.status == str(ListingStatus.CONFIRMED),
            BlacklistListing.decided_on <= today,
            BlacklistListing.expires_on > today,
        )
        .run()
    }
    overdue: dict[str, int] = defaultdict(int)
    for row in (
        await Hazard.select(Hazard.enterprise_id)
        .where(
            Hazard.level == str(HazardLevel.MAJOR), Hazard.status.is_in(sorted(OWING_STATUSES)), Hazard.deadline < now
        )
        .run()
    ):
        overdue[row["enterprise_id"]] += 1
    for enterprise_id in ids:
        result = scheme.grade(
            GradeInput(records[enterprise_id], enterprise_id in listed, overdue[enterprise_id]), today
        )
        values = {
            "grade": result.grade,
            "points": result.points,
            "scheme_version": result.scheme_version,
            "basis": json.dumps(list(result.basis), ensure_ascii=False),
            "computed_on": today,
            "computed_at": now,
        }
        async with transaction():
            stored = await CreditGrade.select().where(CreditGrade.enterprise_id == enterprise_id).first().run()
            if stored is not None and all(stored[key] == values[key] for key in GRADE_FIGURES):
                continue  # the same grade on the same basis: grading again changes nothing (computed_* keep its first time)
            if stored is not None:
                await (
                    CreditGrade.update({getattr(CreditGrade, k): v for k, v in values.items()})
                    .where(CreditGrade.enterprise_id == enterprise_id)
                    .run()
                )
            else:
                await CreditGrade.insert(CreditGrade(enterprise_id=enterprise_id, **values)).run()
            if stored is None or stored["grade"] != result.grade:
                await add_to_outbox(SAFETY_CODE_JOB, enterprise_id, now=now)
    return len(ids)


# What a grade is; `computed_on` / `computed_at` only say when it was first reached.
GRADE_FIGURES = ("grade", "points", "scheme_version", "basis")


async def credit_standing(enterprise_id: str, on: date | None = None) -> CreditStanding:
    """Whether the enterprise is on the serious-dishonesty list on `on` (default today), and its latest grade."""
    day = on or local_today()
    rows = (
        await BlacklistListing.select()
        .where(
            BlacklistListing.enterprise_id == enterprise_id,
            BlacklistListing.decided_on <= day,
            BlacklistListing.expires_on > day,
        )
        .run()
    )
    listings = [row for row in rows if is_listed(_listing_of(row, row["decided_on"]), day)]
    grade = await CreditGrade.select().where(CreditGrade.enterprise_id == enterprise_id).first().run()
    basis: tuple[str, ...] = ()
    for row in listings:
        grounds = json.loads(row["basis"]).get("grounds", [])
        basis += (f"listed {row['decided_on']}–{row['expires_on']}: {', '.join(grounds)}",)
    if grade is not None:
        basis += (f"grade {grade['grade']} ({grade['scheme_version']}, {grade['points']} points)",)
    return CreditStanding(listed=bool(listings), grade=grade["grade"] if grade else None, basis=basis)


@dataclass(frozen=True, slots=True)
class GradeRecord:
    """A computed grade with its basis."""

    grade: str
    points: int
    scheme_version: str
    basis: list[str]
    computed_on: date
    computed_at: datetime


@dataclass(frozen=True, slots=True)
class CreditView:
    """An enterprise's credit: listed or not today, its listings and its latest grade."""

    enterprise_id: str
    listed: bool
    listings: list[ListingRecord]
    grade: GradeRecord | None


async def enterprise_credit(*, actor: Actor, enterprise_id: str) -> CreditView:
    """The credit of an enterprise in scope: its listings (those the party was not told of only to regulators) and its
    grade."""
    await require_enterprise(actor, enterprise_id)
    today = local_today()
    query = (
        BlacklistListing.select()
        .where(BlacklistListing.enterprise_id == enterprise_id)
        .order_by(BlacklistListing.id, ascending=False)
    )
    if not allowed(actor, Action.REVIEW_BLACKLIST_CANDIDATES):
        query = query.where(BlacklistListing.notified_on.is_not_null())
    listings = await _listing_records(await query.run(), actor, today)
    row = await CreditGrade.select().where(CreditGrade.enterprise_id == enterprise_id).first().run()
    grade = None
    if row is not None:
        grade = GradeRecord(
            grade=row["grade"],
            points=row["points"],
            scheme_version=row["scheme_version"],
            basis=json.loads(row["basis"]),
            computed_on=row["computed_on"],
            computed_at=row["computed_at"],
        )
    return CreditView(
        enterprise_id=enterprise_id, listed=any(item.listed for item in listings), listings=listings, grade=grade
    )
