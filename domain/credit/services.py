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
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from domain.access.model import SYSTEM, Actor, Role
from domain.access.permissions import Action, allowed, require
from domain.clock import utcnow
from domain.credit import store
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
from domain.credit.store import AccidentRecord, PenaltyRecord, StoredListing
from domain.db.engine import is_unique_violation, unique_or
from domain.db.transactions import transaction
from domain.errors import AlreadyExists, DomainError, NotFound
from domain.hazards import store as hazards_store
from domain.history.store import append_event
from domain.ids import new_id
from domain.inspections.model import LOCAL_TIME
from domain.org import store as org_store
from domain.org.scope import require_enterprise, require_published_region, require_region
from domain.outbox.services import add_to_outbox

__all__ = ["AccidentRecord", "PenaltyRecord"]

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
class NewAccident:
    """What a regulator records of a production-safety accident."""

    occurred_on: date
    grade: str
    deaths: int = 0
    injuries: int = 0
    concealed: bool = False
    principal_fled: bool = False
    description: str = ""


async def _record_of(enterprise_id: str) -> Record:
    """The pure view of an enterprise's penalties and accidents."""
    industry = await org_store.enterprise_industry(enterprise_id)
    return (await _records_of([enterprise_id], {enterprise_id: industry or ""}))[enterprise_id]


async def _records_of(enterprise_ids: list[str], industries: dict[str, str]) -> dict[str, Record]:
    penalties: dict[str, list[Penalty]] = defaultdict(list)
    accidents: dict[str, list[Accident]] = defaultdict(list)
    if enterprise_ids:
        for stored_penalty in await store.penalties_of(enterprise_ids):
            penalties[stored_penalty.enterprise_id].append(_penalty_of(stored_penalty))
        for stored_accident in await store.accidents_of(enterprise_ids):
            accidents[stored_accident.enterprise_id].append(_accident_of(stored_accident))
    return {
        eid: Record(
            industry=industries.get(eid, ""),
            penalties=tuple(sorted(penalties[eid], key=lambda p: p.id)),
            accidents=tuple(sorted(accidents[eid], key=lambda a: a.id)),
        )
        for eid in enterprise_ids
    }


def _penalty_of(row: PenaltyRecord) -> Penalty:
    return Penalty(
        id=row.id,
        decided_on=row.decided_on,
        kind=PenaltyKind(row.kind),
        violation=Violation(row.violation),
        execution=Execution(row.execution),
        accident_id=row.accident_id,
        amount=row.amount,
    )


def _accident_of(row: AccidentRecord) -> Accident:
    return Accident(
        id=row.id,
        occurred_on=row.occurred_on,
        grade=AccidentGrade(row.grade),
        concealed=row.concealed,
        principal_fled=row.principal_fled,
        deaths=row.deaths,
        injuries=row.injuries,
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
    if await store.penalty_exists(enterprise_id, new.decision_no):
        raise duplicate
    row = dataclasses.asdict(new) | {
        "amount": str(new.amount) if new.amount is not None else None,
        "authority_region_code": authority,
    }
    return await _append_record(
        store.insert_penalty,
        store.penalty,
        "penalty_id",
        "recordPenalty",
        "PenaltyRecorded",
        actor=actor,
        enterprise_id=enterprise_id,
        row=row,
        now=now,
        duplicate=duplicate,
    )


async def _authority_region(actor: Actor, enterprise_path: str, code: str | None) -> str:
    """The region code of the penalty's deciding department: the one named, or the recording regulator's own."""
    code = code or (region_code_of(actor.region_path) if actor.role is Role.REGULATOR else None)
    if code is None:
        raise AuthorityRegionInvalid(
            "name the region of the deciding department", field="authorityRegionCode", reason="required"
        )
    authority_path = await org_store.region_path_of(code)
    check_authority(authority_path=authority_path, enterprise_path=enterprise_path, recorder=actor)
    return code


async def _append_record(
    insert: Callable[[dict[str, Any]], Awaitable[None]],
    read: Callable[[str], Awaitable[Any]],
    id_field: str,
    action: str,
    name: str,
    *,
    actor: Actor,
    enterprise_id: str,
    row: dict[str, Any],
    now: datetime,
    duplicate: Exception | None = None,
) -> Any:
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
            await insert(
                {
                    "id": record_id,
                    "enterprise_id": enterprise_id,
                    "recorded_by": actor.user_id,
                    "event_seq": event.seq,
                    "created_at": now,
                    **row,
                }
            )
    await compute_candidates(enterprise_ids=[enterprise_id], now=now)
    return await read(record_id)


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
    return await _append_record(
        store.insert_accident,
        store.accident,
        "accident_id",
        "recordAccident",
        "AccidentRecorded",
        actor=actor,
        enterprise_id=enterprise_id,
        row=dataclasses.asdict(new),
        now=now,
    )


async def list_penalties(*, actor: Actor, enterprise_id: str) -> list[PenaltyRecord]:
    """The penalties of an enterprise in scope, newest decision first."""
    await require_enterprise(actor, enterprise_id)
    return await store.penalties_newest_first(enterprise_id)


async def list_accidents(*, actor: Actor, enterprise_id: str) -> list[AccidentRecord]:
    """The accidents of an enterprise in scope, newest first."""
    await require_enterprise(actor, enterprise_id)
    return await store.accidents_newest_first(enterprise_id)


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
    industries = await org_store.enterprise_industries(
        None if enterprise_ids is None else list(enterprise_ids),
        among=store.penalised_enterprises() if enterprise_ids is None else None,
    )
    records = await _records_of(sorted(industries), industries)
    created = updated = 0
    for enterprise_id, record in records.items():
        for basis in candidates(record):
            stored = json.dumps(basis.to_json(), sort_keys=True)
            existing = await store.listing_of_penalty(basis.penalty_id)
            if existing is not None and (existing.status not in PENDING or existing.basis == stored):
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


async def _store_candidate(
    enterprise_id: str, basis: Basis, existing: StoredListing | None, stored: str, now: datetime
) -> str:
    """Insert the candidate or refresh its basis (version-checked), with its event; what it did, or "" if raced."""
    async with transaction():
        if existing is None:
            listing_id, made = new_id(), "created"
            await store.insert_listing(
                {
                    "id": listing_id,
                    "enterprise_id": enterprise_id,
                    "penalty_id": basis.penalty_id,
                    "status": str(ListingStatus.CANDIDATE),
                    "basis": stored,
                    "version": 1,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        else:
            listing_id, made = existing.id, "updated"
            values = {"basis": stored, "updated_at": now}
            if not await store.update_listing(listing_id, version=existing.version, values=values):
                return ""
        await store.append_listing_event(
            listing_id,
            chain_id=chain_of(enterprise_id),
            subject_kind=SUBJECT_KIND,
            action="computeCandidate",
            name="BlacklistCandidateComputed",
            actor=SYSTEM,
            at=now,
            payload={"listing_id": listing_id, **basis.to_json()},
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


def _listing_of(row: StoredListing, penalty_decided_on: date, authority_region_code: str | None = None) -> Listing:
    fields = {
        f: getattr(row, f)
        for f in ("notified_on", "decided_on", "expires_on", "removed_on", "ended_on", "statement", "reason")
    }
    return Listing(
        status=ListingStatus(row.status),
        penalty_decided_on=penalty_decided_on,
        authority_region_code=authority_region_code,
        **fields,
    )


async def _listing_records(rows: list[StoredListing], actor: Actor, today: date) -> list[ListingRecord]:
    enterprise_ids = sorted({row.enterprise_id for row in rows})
    penalty_ids = sorted({row.penalty_id for row in rows})
    enterprises = await org_store.enterprises_by_id(enterprise_ids)
    penalties = await store.penalties_by_id(penalty_ids)
    # published listings reach everyone, but only those in the caller's scope may act on them
    in_scope = {e.id for e in await org_store.visible_enterprises(actor, enterprise_ids)}
    records = []
    for row in rows:
        enterprise, penalty = enterprises[row.enterprise_id], penalties[row.penalty_id]
        listing = _listing_of(row, penalty.decided_on, penalty.authority_region_code)
        basis = json.loads(row.basis)
        grounds = [
            GroundRecord(code, GROUNDS_BY_CODE[code].article, GROUNDS_BY_CODE[code].text)
            for code in basis.get("grounds", [])
            if code in GROUNDS_BY_CODE
        ]
        records.append(
            ListingRecord(
                id=row.id,
                enterprise_id=row.enterprise_id,
                enterprise_name=enterprise.name,
                credit_code=enterprise.credit_code,
                region_code=enterprise.region_code,
                penalty_id=row.penalty_id,
                decision_no=penalty.decision_no,
                status=row.status,
                grounds=grounds,
                penalty_ids=basis.get("penalty_ids", []),
                accident_ids=basis.get("accident_ids", []),
                notified_on=row.notified_on,
                statement=row.statement,
                decided_on=row.decided_on,
                expires_on=row.expires_on,
                removed_on=row.removed_on,
                ended_on=row.ended_on,
                reason=row.reason,
                listed=is_listed(listing, today),
                version=row.version,
                allowed_actions=allowed_actions(listing, actor) if row.enterprise_id in in_scope else [],
                updated_at=row.updated_at,
                authority_region_code=penalty.authority_region_code,
            )
        )
    return records


async def _region_path(region_code: str | None, actor: Actor | None = None) -> str | None:
    """The path of the region whose enterprises' listings are asked for (None: all); the region is the caller's
    (`actor`) or, for the published list, any region."""
    if not region_code:
        return None
    region = await (require_region(actor, region_code) if actor else require_published_region(region_code))
    return region.path


async def published_listings(
    *, actor: Actor, region_code: str | None = None, on: date | None = None
) -> list[ListingRecord]:
    """The listings in force on the day (default today), under a region if named; public by law (the order has
    them published), so every signed-in role sees every one, whatever its own scope."""
    today = on or local_today()
    rows = await store.published(today, region_path=await _region_path(region_code))
    return await _listing_records(rows, actor, today)


async def list_candidates(*, actor: Actor, region_code: str | None = None) -> list[ListingRecord]:
    """Pending listings (computed or notified) of enterprises in the regulator's scope, oldest first."""
    require(actor, Action.REVIEW_BLACKLIST_CANDIDATES)
    rows = await store.pending_in_scope(actor, PENDING, region_path=await _region_path(region_code, actor))
    return await _listing_records(rows, actor, local_today())


async def _listing_in_scope(actor: Actor, listing_id: str) -> StoredListing:
    row = await store.listing_in_scope(actor, listing_id)
    # until the party is told, a candidate is the regulators' working material: to others it does not exist yet
    if row is None or (not allowed(actor, Action.REVIEW_BLACKLIST_CANDIDATES) and row.notified_on is None):
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


async def _apply_step(actor: Actor, row: StoredListing, step: ListingStep, now: datetime, today: date) -> ListingRecord:
    penalty = await store.penalty(row.penalty_id)
    assert penalty is not None  # a listing's penalty is never deleted
    before = _listing_of(row, penalty.decided_on, penalty.authority_region_code)
    after = advance(before, step, actor, today=today)
    changed = {
        name: getattr(after, name)
        for name in ("notified_on", "decided_on", "expires_on", "removed_on", "ended_on", "statement", "reason")
    }
    changed |= {"status": str(after.status), "updated_at": now}
    async with transaction():
        if not await store.update_listing(row.id, version=row.version, values=changed):
            raise ListingStale("the listing changed since it was read; read it again", listing_id=row.id)
        payload = {
            "listing_id": row.id,
            "on": step.on,
            "text": step.text,
            "from_status": str(before.status),
            "to_status": str(after.status),
            "version": row.version + 1,
            "expires_on": after.expires_on,
        }
        await store.append_listing_event(
            row.id,
            chain_id=chain_of(row.enterprise_id),
            subject_kind=SUBJECT_KIND,
            action=str(step.action),
            name=TRANSITIONS[step.action].event,
            actor=actor,
            at=now,
            payload=payload,
        )
        if is_listed(before, today) != is_listed(after, today):
            await add_to_outbox(SAFETY_CODE_JOB, row.enterprise_id, now=now)
    saved = await store.listing(row.id)
    assert saved is not None  # listings are never deleted
    return (await _listing_records([saved], actor, today))[0]


async def expire_listings(*, now: datetime | None = None) -> int:
    """Lift every confirmed listing whose 3 years ended by today (Zhoushan); idempotent: lifted ones are no longer
    confirmed, so a second run finds none."""
    now = now or utcnow()
    today = now.astimezone(LOCAL_TIME).date()
    rows = await store.confirmed_ending_by(today)
    lifted = 0
    for row in rows:
        if not due_to_expire(_listing_of(row, row.decided_on), today):
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
    industries = await org_store.enterprise_industries(None if enterprise_ids is None else list(enterprise_ids))
    ids = sorted(industries)
    records = await _records_of(ids, industries)
    listed = await store.listed_enterprises(today)
    overdue: dict[str, int] = defaultdict(int, await hazards_store.overdue_major_counts(now))
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
            stored = await store.grade(enterprise_id)
            if stored is not None and all(getattr(stored, key) == values[key] for key in GRADE_FIGURES):
                continue  # the same grade on the same basis: grading again changes nothing (computed_* keep its first time)
            await store.save_grade(enterprise_id, values, new=stored is None)
            if stored is None or stored.grade != result.grade:
                await add_to_outbox(SAFETY_CODE_JOB, enterprise_id, now=now)
    return len(ids)


# What a grade is; `computed_on` / `computed_at` only say when it was first reached.
GRADE_FIGURES = ("grade", "points", "scheme_version", "basis")


async def credit_standing(enterprise_id: str, on: date | None = None) -> CreditStanding:
    """Whether the enterprise is on the serious-dishonesty list on `on` (default today), and its latest grade."""
    day = on or local_today()
    rows = await store.listings_spanning(enterprise_id, day)
    listings = [row for row in rows if row.decided_on and is_listed(_listing_of(row, row.decided_on), day)]
    grade = await store.grade(enterprise_id)
    basis: tuple[str, ...] = ()
    for row in listings:
        grounds = json.loads(row.basis).get("grounds", [])
        basis += (f"listed {row.decided_on}–{row.expires_on}: {', '.join(grounds)}",)
    if grade is not None:
        basis += (f"grade {grade.grade} ({grade.scheme_version}, {grade.points} points)",)
    return CreditStanding(listed=bool(listings), grade=grade.grade if grade else None, basis=basis)


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
    rows = await store.listings_of(enterprise_id, notified_only=not allowed(actor, Action.REVIEW_BLACKLIST_CANDIDATES))
    listings = await _listing_records(rows, actor, today)
    row = await store.grade(enterprise_id)
    grade = None
    if row is not None:
        grade = GradeRecord(
            grade=row.grade,
            points=row.points,
            scheme_version=row.scheme_version,
            basis=json.loads(row.basis),
            computed_on=row.computed_on,
            computed_at=row.computed_at,
        )
    return CreditView(
        enterprise_id=enterprise_id, listed=any(item.listed for item in listings), listings=listings, grade=grade
    )
