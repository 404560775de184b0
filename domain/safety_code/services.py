"""Use cases of the dynamic safety code: read its inputs, recompute and store it, log its colour changes.

A recompute re-reads every input and overwrites the stored code, so it can run any number of times; only a change
of colour appends a row to the change log and an event to the enterprise's chain `code:<enterprise id>`, in the
same transaction as the new colour.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from piccolo.query.functions.aggregate import Count, Max

from domain.access.model import SYSTEM, Actor
from domain.changes.services import ENTERPRISE, record_change
from domain.clock import utcnow
from domain.credit.services import credit_standing
from domain.db.engine import is_unique_violation
from domain.db.paging import Page, clamp_limit, decode_cursor, page_of
from domain.db.transactions import transaction
from domain.errors import NotFound
from domain.hazards.model import OWING_STATUSES, TERMINAL_STATUSES, HazardLevel
from domain.hazards.tables import Hazard
from domain.history.store import append_event
from domain.ids import new_id
from domain.inspections.model import LOCAL_TIME, TaskStatus
from domain.inspections.tables import InspectionTask
from domain.org.scope import require_enterprise
from domain.org.tables import Enterprise
from domain.risk.model import Colour
from domain.risk.tables import RiskPoint
from domain.safety_code.model import TASK_WINDOW_DAYS, SafetyCodeResult, SafetyInputs, score
from domain.safety_code.tables import SafetyCode, SafetyCodeChange

SUBJECT_KIND = "safety_code"


def chain_id(enterprise_id: str) -> str:
    """The history chain of an enterprise's colour changes."""
    return f"code:{enterprise_id}"


@dataclass(frozen=True, slots=True)
class SafetyCodeRecord:
    """An enterprise's stored dynamic code: colour, score, the inputs read and the reasons, when computed."""

    enterprise_id: str
    colour: Colour
    score: int
    inputs: dict[str, Any]
    reasons: list[dict[str, Any]]
    scheme_version: int
    computed_at: datetime
    colour_since: datetime


@dataclass(frozen=True, slots=True)
class ChangeRecord:
    """One logged change of colour."""

    id: str
    enterprise_id: str
    seq: int
    old_colour: str | None
    new_colour: str
    score: int
    reasons: list[dict[str, Any]]
    inputs: dict[str, Any]
    scheme_version: int
    changed_at: datetime


def _record(row: dict) -> SafetyCodeRecord:
    return SafetyCodeRecord(
        enterprise_id=row["enterprise_id"],
        colour=Colour(row["colour"]),
        score=row["score"],
        inputs=json.loads(row["inputs"]),
        reasons=json.loads(row["reasons"]),
        scheme_version=row["scheme_version"],
        computed_at=row["computed_at"],
        colour_since=row["colour_since"],
    )


def _change(row: dict) -> ChangeRecord:
    return ChangeRecord(
        **{f.name: row[f.name] for f in dataclasses.fields(ChangeRecord) if f.name not in ("reasons", "inputs")},
        reasons=json.loads(row["reasons"]),
        inputs=json.loads(row["inputs"]),
    )


def reasons_json(result: SafetyCodeResult) -> list[dict[str, Any]]:
    """The reasons in their stored (and hashed) form."""
    return [
        {"rule": r.rule, "value": r.value, "points": r.points, "atLeast": r.at_least.value if r.at_least else None}
        for r in result.reasons
    ]


def inputs_json(inputs: SafetyInputs) -> dict[str, Any]:
    """The inputs in their stored (and hashed) form."""
    return {
        key: list(value) if isinstance(value, tuple) else value for key, value in dataclasses.asdict(inputs).items()
    }


async def gather_inputs(enterprise_id: str, now: datetime) -> SafetyInputs:
    """Everything the scheme reads of one enterprise now: risk-point levels, hazards, tasks and credit."""
    levels = (
        await RiskPoint.select(RiskPoint.level, Count())
        .where(RiskPoint.enterprise_id == enterprise_id, RiskPoint.status == "active", RiskPoint.level.is_not_null())
        .group_by(RiskPoint.level)
        .run()
    )
    by_level = {row["level"]: row["count"] for row in levels}
    hazards = Hazard.enterprise_id == enterprise_id
    major = (Hazard.level == HazardLevel.MAJOR.value) & Hazard.level_confirmed.eq(True)
    overdue = Hazard.status.is_in(sorted(OWING_STATUSES)) & (Hazard.deadline < now)
    window = (
        (InspectionTask.enterprise_id == enterprise_id)
        & (InspectionTask.window_end > now - timedelta(days=TASK_WINDOW_DAYS))
        & (InspectionTask.window_end <= now)
    )
    standing = await credit_standing(enterprise_id, now.astimezone(LOCAL_TIME).date())
    return SafetyInputs(
        major_points=by_level.get("major", 0),
        large_points=by_level.get("large", 0),
        general_points=by_level.get("general", 0),
        low_points=by_level.get("low", 0),
        open_major_hazards=await Hazard.count()
        .where(hazards, major, Hazard.status.not_in(sorted(TERMINAL_STATUSES)))
        .run(),
        overdue_major_hazards=await Hazard.count().where(hazards, major, overdue).run(),
        overdue_hazards=await Hazard.count().where(hazards, overdue).run(),
        # a task whose window ended is due whether or not the hourly sweep has marked it missed yet
        tasks_due=await InspectionTask.count().where(window).run(),
        tasks_done=await InspectionTask.count().where(window, InspectionTask.status == TaskStatus.DONE.value).run(),
        credit_listed=standing.listed,
        credit_grade=standing.grade,
        credit_basis=tuple(standing.basis),
    )


@dataclass(frozen=True, slots=True)
class Recomputed:
    """The code after a recompute, and whether its colour changed (a change row and an event were written)."""

    code: SafetyCodeRecord
    changed: bool


async def recompute(enterprise_id: str, *, now: datetime | None = None) -> Recomputed:
    """Re-read the inputs, score them and overwrite the stored code; log the colour if it changed."""
    if not await Enterprise.exists().where(Enterprise.id == enterprise_id).run():
        raise NotFound("no such enterprise", entity="enterprise", id=enterprise_id)
    async with transaction():
        query = SafetyCode.select().where(SafetyCode.enterprise_id == enterprise_id)
        if SafetyCode._meta.db.engine_type == "postgres":
            # racing recomputes queue here: the second reads the inputs after the first committed, so a stale
            # result never overwrites a fresher one, and it sees the first's colour and logs no second change;
            # SQLite needs no lock, its write transactions run one at a time
            query = query.lock_rows()
        current = await query.first().run()
        now = now or utcnow()  # after the lock, so a recompute that waited is also the later one
        inputs = await gather_inputs(enterprise_id, now)
        result = score(inputs)
        reasons, stored_inputs = reasons_json(result), inputs_json(inputs)
        old_colour = current["colour"] if current else None
        changed = old_colour != result.colour.value
        row = {
            "enterprise_id": enterprise_id,
            "colour": result.colour.value,
            "score": result.score,
            "inputs": json.dumps(stored_inputs, ensure_ascii=False),
            "reasons": json.dumps(reasons, ensure_ascii=False),
            "scheme_version": result.scheme_version,
            "computed_at": now,
            "colour_since": now if changed else current["colour_since"],
        }
        if current is not None and all(current[key] == row[key] for key in row if key != "computed_at"):
            # the same figures: leave the row as it is, so recomputing again changes nothing (computed_at keeps
            # the time these figures were first reached)
            return Recomputed(code=_record(current), changed=False)
        if current is None:
            await SafetyCode.insert(SafetyCode(**row)).run()
        else:
            await (
                SafetyCode.update(
                    {getattr(SafetyCode, key): value for key, value in row.items() if key != "enterprise_id"}
                )
                .where(SafetyCode.enterprise_id == enterprise_id)
                .run()
            )
        if changed:
            await _log_change(enterprise_id, old_colour, result, reasons, stored_inputs, now)
    return Recomputed(code=_record(row), changed=changed)


async def _log_change(
    enterprise_id: str,
    old_colour: str | None,
    result: SafetyCodeResult,
    reasons: list[dict],
    inputs: dict,
    now: datetime,
) -> None:
    last = (
        await SafetyCodeChange.select(Max(SafetyCodeChange.seq, alias="seq"))
        .where(SafetyCodeChange.enterprise_id == enterprise_id)
        .first()
        .run()
    )
    seq = (last["seq"] if last and last["seq"] else 0) + 1
    await SafetyCodeChange.insert(
        SafetyCodeChange(
            id=new_id(),
            enterprise_id=enterprise_id,
            seq=seq,
            old_colour=old_colour,
            new_colour=result.colour.value,
            score=result.score,
            reasons=json.dumps(reasons, ensure_ascii=False),
            inputs=json.dumps(inputs, ensure_ascii=False),
            scheme_version=result.scheme_version,
            changed_at=now,
        )
    ).run()
    payload = {
        "from": old_colour,
        "to": result.colour.value,
        "score": result.score,
        "schemeVersion": result.scheme_version,
        "reasons": reasons,
        "inputs": inputs,
    }
    await append_event(
        chain_id=chain_id(enterprise_id),
        subject_kind=SUBJECT_KIND,
        action="recolour",
        name="SafetyCodeColourChanged",
        actor=SYSTEM,
        at=now,
        payload=payload,
        bind=(SafetyCode, enterprise_id),
    )
    # phones show the colour on the enterprise: it reaches them through the sync feed
    await record_change(ENTERPRISE, enterprise_id, enterprise_id, at=now)


async def current_code(enterprise_id: str) -> SafetyCodeRecord:
    """The stored code, computed (and stored) first if the enterprise never had one (the caller checked scope)."""
    row = await SafetyCode.select().where(SafetyCode.enterprise_id == enterprise_id).first().run()
    if row is not None:
        return _record(row)
    try:
        return (await recompute(enterprise_id)).code
    except Exception as error:
        # another request computed it at the same moment: theirs is as good as ours
        row = await SafetyCode.select().where(SafetyCode.enterprise_id == enterprise_id).first().run()
        if not is_unique_violation(error) or row is None:
            raise
        return _record(row)


async def compute_missing(enterprise_ids: list[str]) -> int:
    """Compute the code of each enterprise that has none yet; returns how many were computed."""
    if not enterprise_ids:
        return 0
    known = {
        row["enterprise_id"]
        for row in await SafetyCode.select(SafetyCode.enterprise_id)
        .where(SafetyCode.enterprise_id.is_in(enterprise_ids))
        .run()
    }
    missing = [enterprise_id for enterprise_id in enterprise_ids if enterprise_id not in known]
    for enterprise_id in missing:
        await current_code(enterprise_id)
    return len(missing)


async def get_safety_code(*, actor: Actor, enterprise_id: str) -> SafetyCodeRecord:
    """The dynamic code of an enterprise in the caller's scope."""
    await require_enterprise(actor, enterprise_id)
    return await current_code(enterprise_id)


async def list_changes(
    *, actor: Actor, enterprise_id: str, cursor: str | None = None, limit: int | None = None
) -> Page[ChangeRecord]:
    """The colour changes of an enterprise in the caller's scope, newest first."""
    await require_enterprise(actor, enterprise_id)
    size = clamp_limit(limit)
    query = SafetyCodeChange.select().where(SafetyCodeChange.enterprise_id == enterprise_id)
    if after := decode_cursor(cursor):
        query = query.where(SafetyCodeChange.id < after)
    rows = await query.order_by(SafetyCodeChange.id, ascending=False).limit(size + 1).run()
    return page_of([_change(row) for row in rows], size, lambda change: change.id)


@dataclass(frozen=True, slots=True)
class RecomputeReport:
    """What a pass over every enterprise did."""

    enterprises: int
    changed: int


async def recompute_all(*, now: datetime | None = None) -> RecomputeReport:
    """Recompute every enterprise's code (the hourly job and `shuangfang safety-codes`)."""
    now = now or utcnow()
    ids = [row["id"] for row in await Enterprise.select(Enterprise.id).order_by(Enterprise.id).run()]
    changed = 0
    for enterprise_id in ids:
        changed += (await recompute(enterprise_id, now=now)).changed
    return RecomputeReport(enterprises=len(ids), changed=changed)
