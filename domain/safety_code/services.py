"""Use cases of the dynamic safety code: read its inputs, recompute and store it, log its colour changes.

A recompute re-reads every input and overwrites the stored code, so it can run any number of times; only a change
of colour appends a row to the change log and an event to the enterprise's chain `code:<enterprise id>`, in the
same transaction as the new colour.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from domain.access.model import SYSTEM, Actor
from domain.changes.services import ENTERPRISE, record_change
from domain.clock import utcnow
from domain.credit.services import credit_standing
from domain.db.engine import is_unique_violation
from domain.db.paging import Page, clamp_limit, decode_cursor, page_of
from domain.db.transactions import transaction
from domain.errors import NotFound
from domain.hazards import store as hazards_store
from domain.inspections import store as inspections_store
from domain.inspections.model import LOCAL_TIME
from domain.org import store as org_store
from domain.org.scope import require_enterprise
from domain.risk import store as risk_store
from domain.safety_code import store
from domain.safety_code.model import TASK_WINDOW_DAYS, SafetyCodeResult, SafetyInputs, score
from domain.safety_code.store import ChangeRecord, SafetyCodeRecord

__all__ = ["ChangeRecord", "SafetyCodeRecord"]

SUBJECT_KIND = "safety_code"

# (enterprise id, now) -> None, awaited inside a recompute's transaction when the stored figures changed: an area
# above that reads the same inputs (the supervision classes) queues its own follow-up there. Filled at its import.
CodeFollowUp = Callable[[str, datetime], Awaitable[None]]
_follow_ups: list[CodeFollowUp] = []


def register_follow_up(follow_up: CodeFollowUp) -> None:
    """Run `follow_up(enterprise_id, now)` in every recompute that changes the stored code (once per function)."""
    if follow_up not in _follow_ups:
        _follow_ups.append(follow_up)


def chain_id(enterprise_id: str) -> str:
    """The history chain of an enterprise's colour changes."""
    return f"code:{enterprise_id}"


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
    by_level = await risk_store.active_point_levels(enterprise_id)
    open_major, overdue_major, overdue = await hazards_store.safety_code_counts(enterprise_id, now)
    # a task whose window ended is due whether or not the hourly sweep has marked it missed yet
    tasks_due, tasks_done = await inspections_store.task_window_counts(
        enterprise_id, after=now - timedelta(days=TASK_WINDOW_DAYS), until=now
    )
    standing = await credit_standing(enterprise_id, now.astimezone(LOCAL_TIME).date())
    return SafetyInputs(
        major_points=by_level.get("major", 0),
        large_points=by_level.get("large", 0),
        general_points=by_level.get("general", 0),
        low_points=by_level.get("low", 0),
        open_major_hazards=open_major,
        overdue_major_hazards=overdue_major,
        overdue_hazards=overdue,
        tasks_due=tasks_due,
        tasks_done=tasks_done,
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
    if not await org_store.enterprise_exists(enterprise_id):
        raise NotFound("no such enterprise", entity="enterprise", id=enterprise_id)
    async with transaction():
        # racing recomputes queue here (PostgreSQL locks the row): the second reads the inputs after the first
        # committed, so a stale result never overwrites a fresher one, and it sees the first's colour and logs no
        # second change; SQLite needs no lock, its write transactions run one at a time
        current = await store.code_for_update(enterprise_id)
        now = now or utcnow()  # after the lock, so a recompute that waited is also the later one
        inputs = await gather_inputs(enterprise_id, now)
        result = score(inputs)
        reasons, stored_inputs = reasons_json(result), inputs_json(inputs)
        old_colour = current.colour if current else None
        changed = old_colour != result.colour.value
        row = {
            "enterprise_id": enterprise_id,
            "colour": result.colour.value,
            "score": result.score,
            "inputs": json.dumps(stored_inputs, ensure_ascii=False),
            "reasons": json.dumps(reasons, ensure_ascii=False),
            "scheme_version": result.scheme_version,
            "computed_at": now,
            "colour_since": now if changed else current.colour_since,
        }
        if current is not None and all(getattr(current, key) == row[key] for key in row if key != "computed_at"):
            # the same figures: leave the row as it is, so recomputing again changes nothing (computed_at keeps
            # the time these figures were first reached)
            return Recomputed(code=current.record(), changed=False)
        stored = store.StoredCode(**row)
        await store.save_code(stored, new=current is None)
        if changed:
            await _log_change(enterprise_id, old_colour, result, reasons, stored_inputs, now)
        for follow_up in _follow_ups:
            await follow_up(enterprise_id, now)
    return Recomputed(code=stored.record(), changed=changed)


async def _log_change(
    enterprise_id: str,
    old_colour: str | None,
    result: SafetyCodeResult,
    reasons: list[dict],
    inputs: dict,
    now: datetime,
) -> None:
    await store.insert_change(
        enterprise_id=enterprise_id,
        seq=await store.last_change_seq(enterprise_id) + 1,
        old_colour=old_colour,
        new_colour=result.colour.value,
        score=result.score,
        reasons=json.dumps(reasons, ensure_ascii=False),
        inputs=json.dumps(inputs, ensure_ascii=False),
        scheme_version=result.scheme_version,
        changed_at=now,
    )
    payload = {
        "from": old_colour,
        "to": result.colour.value,
        "score": result.score,
        "schemeVersion": result.scheme_version,
        "reasons": reasons,
        "inputs": inputs,
    }
    await store.append_code_event(
        enterprise_id,
        chain_id=chain_id(enterprise_id),
        subject_kind=SUBJECT_KIND,
        action="recolour",
        name="SafetyCodeColourChanged",
        actor=SYSTEM,
        at=now,
        payload=payload,
    )
    # phones show the colour on the enterprise: it reaches them through the sync feed
    await record_change(ENTERPRISE, enterprise_id, enterprise_id, at=now)


async def current_code(enterprise_id: str) -> SafetyCodeRecord:
    """The stored code, computed (and stored) first if the enterprise never had one (the caller checked scope)."""
    code = await store.code(enterprise_id)
    if code is not None:
        return code
    try:
        return (await recompute(enterprise_id)).code
    except Exception as error:
        # another request computed it at the same moment: theirs is as good as ours
        code = await store.code(enterprise_id)
        if not is_unique_violation(error) or code is None:
            raise
        return code


async def compute_missing(enterprise_ids: list[str]) -> int:
    """Compute the code of each enterprise that has none yet; returns how many were computed."""
    if not enterprise_ids:
        return 0
    known = await store.enterprises_with_code(enterprise_ids)
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
    rows = await store.changes(enterprise_id, before=decode_cursor(cursor), limit=size + 1)
    return page_of(rows, size, lambda change: change.id)


@dataclass(frozen=True, slots=True)
class RecomputeReport:
    """What a pass over every enterprise did."""

    enterprises: int
    changed: int


async def recompute_all(*, now: datetime | None = None) -> RecomputeReport:
    """Recompute every enterprise's code (the hourly job and `shuangfang safety-codes`)."""
    now = now or utcnow()
    ids = await org_store.all_enterprise_ids()
    changed = 0
    for enterprise_id in ids:
        changed += (await recompute(enterprise_id, now=now)).changed
    return RecomputeReport(enterprises=len(ids), changed=changed)
