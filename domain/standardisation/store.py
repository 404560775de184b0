"""Every statement on the standardisation area's tables: grades, frozen scope lists and their members."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from domain.history.store import ProtectedRows, append_event
from domain.standardisation.tables import StandardisationGrade, StandardisationScope, StandardisationScopeMember


@dataclass(frozen=True, slots=True)
class StoredGrade:
    """A grade as stored."""

    id: str
    enterprise_id: str
    grade: str
    certificate_no: str
    authority: str
    valid_from: date
    valid_to: date
    revoked_on: date | None
    revocation_reason: str | None
    recorded_by: str
    revoked_by: str | None
    created_at: datetime
    updated_at: datetime


def _grade(row: dict) -> StoredGrade:
    return StoredGrade(**{f.name: row[f.name] for f in dataclasses.fields(StoredGrade)})


async def insert_grade(values: dict[str, Any]) -> None:
    """Store a new grade (the unique key refuses a second certificate number of the enterprise)."""
    await StandardisationGrade.insert(StandardisationGrade(**values)).run()


async def grade(grade_id: str, enterprise_id: str) -> StoredGrade | None:
    """One grade of an enterprise."""
    row = (
        await StandardisationGrade.select()
        .where(StandardisationGrade.id == grade_id, StandardisationGrade.enterprise_id == enterprise_id)
        .first()
        .run()
    )
    return None if row is None else _grade(row)


async def revoke_grade(grade_id: str, *, revoked_on: date, reason: str, revoked_by: str, at: datetime) -> bool:
    """Record a revocation unless there is one already; False when another came first."""
    updated = (
        await StandardisationGrade.update(
            {
                StandardisationGrade.revoked_on: revoked_on,
                StandardisationGrade.revocation_reason: reason,
                StandardisationGrade.revoked_by: revoked_by,
                StandardisationGrade.updated_at: at,
                StandardisationGrade.version: StandardisationGrade.version + 1,
            }
        )
        .where(StandardisationGrade.id == grade_id, StandardisationGrade.revoked_on.is_null())
        .returning(StandardisationGrade.id)
        .run()
    )
    return bool(updated)


async def append_grade_event(grade_id: str, **event: Any) -> None:
    """Append an event that the grade row, already written, carries as its chain head."""
    await append_event(bind=(StandardisationGrade, grade_id), **event)


async def grades_of(enterprise_id: str) -> list[StoredGrade]:
    """An enterprise's grades, newest term first."""
    rows = (
        await StandardisationGrade.select()
        .where(StandardisationGrade.enterprise_id == enterprise_id)
        .order_by(StandardisationGrade.valid_from, ascending=False)
        .order_by(StandardisationGrade.id, ascending=False)
        .run()
    )
    return [_grade(row) for row in rows]


async def grades_of_enterprises(enterprise_ids: Sequence[str]) -> list[StoredGrade]:
    """Every grade of the enterprises."""
    if not enterprise_ids:
        return []
    rows = (
        await StandardisationGrade.select().where(StandardisationGrade.enterprise_id.is_in(list(enterprise_ids))).run()
    )
    return [_grade(row) for row in rows]


async def grade_holders_on(day: date) -> set[str]:
    """The enterprises holding a grade valid on `day`, by the SQL form of the rule (tests compare it with the pure
    one)."""
    return {row["enterprise_id"] for row in await _valid_grade_holders(day).run()}


def _valid_grade_holders(day: date):
    """A sub-select of the enterprises holding a grade valid on `day`: `model.is_valid_on`, as SQL."""
    g = StandardisationGrade
    return g.select(g.enterprise_id).where(
        g.valid_from <= day, g.valid_to >= day, (g.revoked_on.is_null()) | (g.revoked_on > day)
    )


@dataclass(frozen=True, slots=True)
class ScopeRecord:
    """A frozen scope list, without its members."""

    id: str
    name: str
    as_of: date
    region_code: str
    region_path: str
    criteria: dict
    member_count: int
    created_by: str
    created_at: datetime


def scope_record(row: dict) -> ScopeRecord:
    fields = {f.name: row[f.name] for f in dataclasses.fields(ScopeRecord) if f.name != "criteria"}
    return ScopeRecord(**fields, criteria=json.loads(row["criteria"]))


async def insert_scope(scope: dict[str, Any], members: list[dict[str, Any]], *, batch: int) -> None:
    """Store a frozen scope list and its members (in batches of `batch` rows a statement)."""
    await StandardisationScope.insert(StandardisationScope(**scope)).run()
    for start in range(0, len(members), batch):
        rows = [StandardisationScopeMember(**member) for member in members[start : start + batch]]
        await StandardisationScopeMember.insert(*rows).run()


async def scopes(
    visible: tuple[str, list[str]] | None,
    *,
    scope_id: str | None = None,
    as_of_by: date | None = None,
    within: list[str] | None = None,
    limit: int | None = None,
) -> list[ScopeRecord]:
    """Scope lists, newest as-of first: those on `visible` (a subtree prefix and ancestor paths; None: all),
    optionally one id, frozen as of `as_of_by` or earlier, with a region path among `within`."""
    query = StandardisationScope.select()
    if visible is not None:
        prefix, ancestors = visible
        query = query.where(
            StandardisationScope.region_path.like(prefix + "%") | StandardisationScope.region_path.is_in(ancestors)
        )
    if scope_id is not None:
        query = query.where(StandardisationScope.id == scope_id)
    if as_of_by is not None:
        query = query.where(StandardisationScope.as_of <= as_of_by)
    if within is not None:
        query = query.where(StandardisationScope.region_path.is_in(within))
    query = query.order_by(StandardisationScope.as_of, ascending=False).order_by(
        StandardisationScope.id, ascending=False
    )
    if limit is not None:
        query = query.limit(limit)
    return [scope_record(row) for row in await query.run()]


def _members_of(scope_id: str, region_path: str, holding_on: date | None) -> list:
    m = StandardisationScopeMember
    conditions = [m.scope_id == scope_id, m.region_path.like(region_path + "%")]
    if holding_on is not None:
        conditions.append(m.enterprise_id.is_in(_valid_grade_holders(holding_on)))
    return conditions


async def count_members(scope_id: str, region_path: str, *, holding_on: date | None) -> int:
    """Members of a list in a region subtree (only those holding a grade valid on `holding_on`, when given)."""
    return await StandardisationScopeMember.count().where(*_members_of(scope_id, region_path, holding_on)).run()


@dataclass(frozen=True, slots=True)
class StoredMember:
    """A member of a frozen scope list, as frozen."""

    id: str
    enterprise_id: str
    enterprise_name: str
    credit_code: str
    industry: str
    region_code: str


async def members(
    scope_id: str, region_path: str, *, holding_on: date | None, after: str | None, limit: int
) -> list[StoredMember]:
    """Up to `limit` members (id order, after `after`) of a list in a region subtree, as in `count_members`."""
    query = (
        StandardisationScopeMember.select()
        .where(*_members_of(scope_id, region_path, holding_on))
        .order_by(StandardisationScopeMember.id)
        .limit(limit)
    )
    if after:
        query = query.where(StandardisationScopeMember.id > after)
    return [
        StoredMember(**{f.name: row[f.name] for f in dataclasses.fields(StoredMember)}) for row in await query.run()
    ]


# --- the rows hash chains protect (domain/evidence reads and binds them through this) ------------------------------

PROTECTED = ProtectedRows(StandardisationGrade)
