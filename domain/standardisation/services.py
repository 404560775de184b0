"""Use cases of safety standardisation: record and revoke grades, freeze scope lists, compute and list the rate.

Every grade change is a link of the enterprise's standardisation chain (`std:<enterprise_id>`) written in the same
transaction, and every frozen scope list a link of its own chain (`std-scope:<scope_id>`) naming its members, so a
list edited afterwards no longer matches its evidence. The rules are `domain.standardisation.model`.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from domain.access.model import Actor, Role
from domain.access.permissions import Action, require
from domain.clock import utcnow
from domain.db.engine import unique_or
from domain.db.paging import clamp_limit, decode_cursor, page_of
from domain.db.transactions import transaction
from domain.errors import AlreadyExists, InvalidInput, NotFound
from domain.history.chain import bound
from domain.history.store import append_event
from domain.ids import new_id
from domain.org import store as org_store
from domain.org.model import RegionRecord
from domain.org.scope import require_enterprise, require_region
from domain.standardisation import store
from domain.standardisation.model import (
    Grade,
    GradeAlreadyRevoked,
    GradeTerm,
    ScopeCriteria,
    best_grade,
    check_revocation,
    check_term,
    compliance_rate,
    default_valid_to,
    narrowest_path,
    status_on,
)
from domain.standardisation.store import ScopeRecord, StoredGrade, scope_record
from domain.statutory.model import local_date, local_midnight

SUBJECT_KIND = "standardisation"
MEMBER_BATCH = 500


def chain_of(enterprise_id: str) -> str:
    """The id of an enterprise's standardisation chain."""
    return f"std:{enterprise_id}"


def scope_chain_of(scope_id: str) -> str:
    """The id of a frozen scope list's chain."""
    return f"std-scope:{scope_id}"


# --- grades --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NewGrade:
    """What a regulator records of a grade; `valid_to` defaults to three years less a day."""

    grade: str
    certificate_no: str
    authority: str
    valid_from: date
    valid_to: date | None = None


@dataclass(frozen=True, slots=True)
class GradeRecord:
    """A stored grade and its status on the day it was read for."""

    id: str
    enterprise_id: str
    grade: str
    certificate_no: str
    authority: str
    valid_from: date
    valid_to: date
    revoked_on: date | None
    revocation_reason: str | None
    status: str
    recorded_by: str
    revoked_by: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class StandardisationView:
    """An enterprise's grades, newest first, and the best one valid on the day."""

    enterprise_id: str
    on: date
    current: GradeRecord | None
    grades: list[GradeRecord]


def _term(row: StoredGrade) -> GradeTerm:
    return GradeTerm(row.valid_from, row.valid_to, row.revoked_on)


def _grade_record(row: StoredGrade, on: date) -> GradeRecord:
    fields = {f.name: getattr(row, f.name) for f in dataclasses.fields(GradeRecord) if f.name != "status"}
    return GradeRecord(**fields, status=str(status_on(_term(row), on)))


async def record_grade(*, actor: Actor, enterprise_id: str, new: NewGrade, now: datetime | None = None) -> GradeRecord:
    """Record a grade of an enterprise in scope, and its event, in one transaction."""
    now = now or utcnow()
    await require_enterprise(actor, enterprise_id)
    require(actor, Action.RECORD_STANDARDISATION_GRADE)
    valid_to = new.valid_to or default_valid_to(new.valid_from)
    check_term(new.valid_from, valid_to)
    grade_id = new_id()
    row = {
        "grade": str(Grade(new.grade)),
        "certificate_no": new.certificate_no,
        "authority": new.authority,
        "valid_from": new.valid_from,
        "valid_to": valid_to,
    }
    duplicate = AlreadyExists(
        "this enterprise already has a grade with that certificate number",
        field="certificateNo",
        certificate_no=new.certificate_no,
    )
    with unique_or(duplicate):
        async with transaction():
            event = await append_event(
                chain_id=chain_of(enterprise_id),
                subject_kind=SUBJECT_KIND,
                action="recordGrade",
                name="StandardisationGradeRecorded",
                actor=actor,
                at=now,
                payload=row | {"grade_id": grade_id},
            )
            await store.insert_grade(
                dict(
                    id=grade_id,
                    enterprise_id=enterprise_id,
                    recorded_by=actor.user_id,
                    event_seq=event.seq,
                    version=1,
                    created_at=now,
                    updated_at=now,
                    **row,
                    **bound(event),
                )
            )
    return await _grade_of(enterprise_id, grade_id, local_date(now))


async def _grade_of(enterprise_id: str, grade_id: str, on: date) -> GradeRecord:
    row = await store.grade(grade_id, enterprise_id)
    if row is None:
        raise NotFound("no such grade", entity="standardisationGrade", id=grade_id)
    return _grade_record(row, on)


async def revoke_grade(
    *, actor: Actor, enterprise_id: str, grade_id: str, revoked_on: date, reason: str, now: datetime | None = None
) -> GradeRecord:
    """Record the revocation of a grade of an enterprise in scope; once only, and its event in the same transaction."""
    now = now or utcnow()
    today = local_date(now)
    await require_enterprise(actor, enterprise_id)
    require(actor, Action.RECORD_STANDARDISATION_GRADE)
    current = await _grade_of(enterprise_id, grade_id, today)
    check_revocation(GradeTerm(current.valid_from, current.valid_to, current.revoked_on), revoked_on, today)
    async with transaction():
        updated = await store.revoke_grade(
            grade_id, revoked_on=revoked_on, reason=reason, revoked_by=actor.user_id, at=now
        )
        if not updated:  # another regulator revoked it between our read and this write
            raise GradeAlreadyRevoked("the grade is already revoked", grade_id=grade_id)
        await store.append_grade_event(
            grade_id,
            chain_id=chain_of(enterprise_id),
            subject_kind=SUBJECT_KIND,
            action="revokeGrade",
            name="StandardisationGradeRevoked",
            actor=actor,
            at=now,
            payload={"grade_id": grade_id, "revoked_on": revoked_on, "reason": reason},
        )
    return await _grade_of(enterprise_id, grade_id, today)


async def enterprise_standardisation(
    *, actor: Actor, enterprise_id: str, on: date | None = None
) -> StandardisationView:
    """The grades of an enterprise the caller can see, and the best one valid on the day (default today)."""
    await require_enterprise(actor, enterprise_id)
    day = on or local_date(utcnow())
    rows = await store.grades_of(enterprise_id)
    grades = [_grade_record(row, day) for row in rows]
    best = best_grade([(Grade(row.grade), _term(row)) for row in rows], day)
    current = next((g for g in grades if g.grade == best and g.status == "valid"), None) if best else None
    return StandardisationView(enterprise_id=enterprise_id, on=day, current=current, grades=grades)


# --- frozen scope lists ----------------------------------------------------------------------------------------------


async def _region_in_reach(actor: Actor, region_code: str) -> RegionRecord:
    """The region, if the caller's area holds it; otherwise NotFound, as if it did not exist."""
    return await require_region(actor, region_code)


async def freeze_scope(
    *, actor: Actor, name: str, as_of: date, criteria: ScopeCriteria, now: datetime | None = None
) -> ScopeRecord:
    """Freeze the enterprises meeting the criteria on `as_of` (registered by then) into a list of rows."""
    now = now or utcnow()
    require(actor, Action.FREEZE_STANDARDISATION_SCOPE)
    if as_of > local_date(now):
        raise InvalidInput("a scope list is frozen as of today or an earlier day", field="asOf", reason="in_future")
    region = await _region_in_reach(actor, criteria.region_code)
    enterprises = await org_store.enterprises_meeting(
        actor,
        region_path=region.path,
        registered_before=local_midnight(as_of + timedelta(days=1)),
        industries=sorted(criteria.industries) if criteria.industries else None,
        above_designated_size=criteria.above_designated_size,
        high_risk=criteria.high_risk,
        operating_only=criteria.operating_only,
    )
    scope_id = new_id()
    scope = {
        "id": scope_id,
        "name": name,
        "as_of": as_of,
        "region_code": region.code,
        "region_path": region.path,
        "criteria": json.dumps(criteria.to_json(), ensure_ascii=False, sort_keys=True),
        "member_count": len(enterprises),
        "created_by": actor.user_id,
        "created_at": now,
    }
    members = [
        {
            "id": new_id(),
            "scope_id": scope_id,
            "enterprise_id": e.id,
            "enterprise_name": e.name,
            "credit_code": e.credit_code,
            "industry": e.industry,
            "above_designated_size": e.above_designated_size,
            "high_risk": e.high_risk,
            "region_code": e.region_code,
            "region_path": e.region_path,
        }
        for e in enterprises
    ]
    async with transaction():
        await store.insert_scope(scope, members, batch=MEMBER_BATCH)
        await append_event(
            chain_id=scope_chain_of(scope_id),
            subject_kind="standardisationScope",
            action="freezeScope",
            name="StandardisationScopeFrozen",
            actor=actor,
            at=now,
            payload={
                "scope_id": scope_id,
                "name": name,
                "as_of": as_of,
                "criteria": criteria.to_json(),
                "members": sorted(e.id for e in enterprises),
            },
        )
    return scope_record(scope)


def _ancestor_paths(path: str) -> list[str]:
    """`/330900/330902/` → [`/330900/`, `/330900/330902/`]."""
    codes = [code for code in path.split("/") if code]
    return ["/" + "/".join(codes[: n + 1]) + "/" for n in range(len(codes))]


def _visible_paths(actor: Actor) -> tuple[str, list[str]] | None:
    """Scope lists of the caller's area or of an area holding it (whose members it then sees only in part): the
    subtree prefix and the ancestor paths, or None for every list."""
    require(actor, Action.READ_STANDARDISATION)
    if actor.role is Role.REGULATOR:
        path = actor.region_path or "\0"
        return path, _ancestor_paths(path) or ["\0"]
    return None


async def list_scopes(*, actor: Actor) -> list[ScopeRecord]:
    """The frozen scope lists the caller may use, newest as-of date first."""
    return await store.scopes(_visible_paths(actor))


async def get_scope(*, actor: Actor, scope_id: str) -> ScopeRecord:
    """One frozen scope list the caller may use."""
    found = await store.scopes(_visible_paths(actor), scope_id=scope_id)
    if not found:
        raise NotFound("no such scope list", entity="standardisationScope", id=scope_id)
    return found[0]


# --- the compliance rate ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RateQuery:
    """Which rate: over which list (default: the latest covering the region by the day), where, on which day."""

    scope_id: str | None = None
    region_code: str | None = None
    on: date | None = None


@dataclass(frozen=True, slots=True)
class ComplianceFigure:
    """A compliance rate with the numerator and denominator behind it, and what they were taken over."""

    scope: ScopeRecord
    region_code: str
    on: date
    numerator: int
    denominator: int
    rate: Decimal | None


@dataclass(frozen=True, slots=True)
class MemberRecord:
    """A member of a scope list, with the best grade it held on the day (None: not compliant)."""

    id: str
    enterprise_id: str
    enterprise_name: str
    credit_code: str
    industry: str
    region_code: str
    grade: str | None


@dataclass(frozen=True, slots=True)
class MemberPage:
    """A page of the members behind a figure, with the list and day it resolved to."""

    scope_id: str
    on: date
    items: list[MemberRecord]
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class _Resolved:
    scope: ScopeRecord
    region_code: str
    region_path: str
    on: date


async def _resolve(actor: Actor, query: RateQuery) -> _Resolved:
    """The list, the region it is narrowed to, and the day, of a rate request; anything out of reach is NotFound."""
    require(actor, Action.READ_STANDARDISATION)
    day = query.on or local_date(utcnow())
    requested = await _region_in_reach(actor, query.region_code) if query.region_code else None
    if query.scope_id:
        scope = await get_scope(actor=actor, scope_id=query.scope_id)
    else:
        wanted = requested.path if requested else (actor.region_path if actor.role is Role.REGULATOR else None)
        covering = await store.scopes(
            _visible_paths(actor), as_of_by=day, within=_ancestor_paths(wanted) if wanted else None, limit=1
        )
        row = covering[0] if covering else None
        if row is None:
            raise NotFound("no frozen scope list covers this region on that day", entity="standardisationScope")
        scope = row
    paths = [scope.region_path] + ([requested.path] if requested else [])
    paths += [actor.region_path] if actor.role is Role.REGULATOR and actor.region_path else []
    path = narrowest_path(paths)
    if path is None:
        raise NotFound("the scope list does not cover this region", entity="region", id=query.region_code)
    code = path.rstrip("/").rsplit("/", 1)[-1]
    return _Resolved(scope=scope, region_code=code, region_path=path, on=day)


async def compliance(*, actor: Actor, query: RateQuery) -> ComplianceFigure:
    """Members holding a grade valid on the day ÷ members, over a frozen list narrowed to the region."""
    resolved = await _resolve(actor, query)
    denominator = await store.count_members(resolved.scope.id, resolved.region_path, holding_on=None)
    numerator = await store.count_members(resolved.scope.id, resolved.region_path, holding_on=resolved.on)
    return ComplianceFigure(
        scope=resolved.scope,
        region_code=resolved.region_code,
        on=resolved.on,
        numerator=numerator,
        denominator=denominator,
        rate=compliance_rate(numerator, denominator),
    )


async def compliance_members(
    *, actor: Actor, query: RateQuery, numerator: bool, cursor: str | None = None, limit: int | None = None
) -> MemberPage:
    """The members behind a figure: the compliant ones (numerator) or all (denominator), a page at a time."""
    resolved = await _resolve(actor, query)
    size = clamp_limit(limit)
    rows = await store.members(
        resolved.scope.id,
        resolved.region_path,
        holding_on=resolved.on if numerator else None,
        after=decode_cursor(cursor),
        limit=size + 1,
    )
    grades: dict[str, list[tuple[Grade, GradeTerm]]] = {}
    for row in await store.grades_of_enterprises([r.enterprise_id for r in rows]):
        grades.setdefault(row.enterprise_id, []).append((Grade(row.grade), _term(row)))
    items = [
        MemberRecord(
            id=r.id,
            enterprise_id=r.enterprise_id,
            enterprise_name=r.enterprise_name,
            credit_code=r.credit_code,
            industry=r.industry,
            region_code=r.region_code,
            grade=best_grade(grades.get(r.enterprise_id, []), resolved.on),
        )
        for r in rows
    ]
    page = page_of(items, size, lambda item: item.id)
    return MemberPage(scope_id=resolved.scope.id, on=resolved.on, items=page.items, next_cursor=page.next_cursor)
