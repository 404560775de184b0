"""Every statement on the inspections area's tables: other modules call these functions and get typed records back.

Statements in someone's name keep their scope through org's `enterprise_in_scope` (a subquery in the same
statement). `due_tasks_sql` is the fragment the scan card composes (domain/codes/queries.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from piccolo.query.functions.aggregate import Count, Max, Min

from domain.access.model import Actor
from domain.changes.services import TASK, TASK_HORIZON, register_entities
from domain.history.store import ProtectedRows, append_event
from domain.inspections.model import Presence, TaskStatus
from domain.inspections.tables import Inspection, InspectionResult, InspectionTask
from domain.org.store import enterprise_in_scope

_INSERT_BATCH = 500


@dataclass(frozen=True, slots=True)
class TaskRow:
    """A task as stored (what its item and point show is the caller's to add)."""

    id: str
    enterprise_id: str
    risk_point_id: str
    checklist_item_id: str
    responsible_post: str
    window_start: datetime
    window_end: datetime
    status: str
    inspection_id: str | None
    done_at: datetime | None


@dataclass(frozen=True, slots=True)
class ResultRecord:
    """The stored result of one item: the task it did and the hazard it opened, if any."""

    item_id: str
    ok: bool
    note: str
    task_id: str | None
    hazard_id: str | None


@dataclass(frozen=True, slots=True)
class InspectionRecord:
    """An inspection as stored, with its results in checklist order."""

    id: str
    client_id: str
    risk_point_id: str
    enterprise_id: str
    inspector_id: str
    inspector_role: str
    scan_id: str | None
    started_at: datetime
    finished_at: datetime
    items_checked: int
    items_failed: int
    created_at: datetime
    results: list[ResultRecord]
    presence: str = Presence.NONE.value
    presence_distance_m: float | None = None


@dataclass(frozen=True, slots=True)
class PresenceCount:
    """How many inspections in scope proved each presence value, and the range of distances measured."""

    presence: str
    inspections: int
    nearest_m: float | None
    farthest_m: float | None


def _task_row(row: Mapping[str, Any]) -> TaskRow:
    return TaskRow(**{name: row[name] for name in TaskRow.__slots__})


def inspection_record(row: Mapping[str, Any], results: Sequence[Mapping[str, Any]]) -> InspectionRecord:
    """An inspection row and its result rows as a record (results in checklist order)."""
    fields = {name: row[name] for name in InspectionRecord.__slots__ if name in row}
    # results in checklist order (item ids are time-ordered), so a replay answers exactly as the first time did
    ordered = sorted(results, key=lambda r: r["checklist_item_id"])
    return InspectionRecord(
        **fields,
        client_id=row["client_key"].split(":", 1)[1],
        results=[
            ResultRecord(r["checklist_item_id"], r["ok"], r["note"], r["task_id"], r["hazard_id"]) for r in ordered
        ],
    )


# --- tasks -----------------------------------------------------------------------------------------------------------


async def insert_tasks(rows: Sequence[Mapping[str, Any]]) -> list[tuple[str, str]]:
    """Insert tasks, skipping windows that already have theirs (the unique window key); (id, enterprise id) of the
    new ones."""
    created: list[tuple[str, str]] = []
    for start in range(0, len(rows), _INSERT_BATCH):
        batch = [InspectionTask(**row) for row in rows[start : start + _INSERT_BATCH]]
        new = (
            await InspectionTask.insert(*batch)
            .on_conflict(action="DO NOTHING")
            .returning(InspectionTask.id, InspectionTask.enterprise_id)
            .run()
        )
        created += [(row["id"], row["enterprise_id"]) for row in new]
    return created


async def last_window_ends(since: datetime) -> dict[str, datetime]:
    """The end of each item's latest task window, among those ending after `since`."""
    rows = (
        await InspectionTask.select(InspectionTask.checklist_item_id, Max(InspectionTask.window_end, alias="last"))
        .where(InspectionTask.window_end > since)
        .group_by(InspectionTask.checklist_item_id)
        .run()
    )
    # SQLite hands back an aggregate of a timestamp as its text
    ends = {row["checklist_item_id"]: row["last"] for row in rows}
    return {item: end if isinstance(end, datetime) else datetime.fromisoformat(end) for item, end in ends.items()}


async def recompute_missed(now: datetime) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Mark missed the open tasks whose window ended by `now`, and open again the missed ones whose window is still
    running at `now`; (id, enterprise id) of each, missed then reopened."""
    missed = (
        await InspectionTask.update({InspectionTask.status: TaskStatus.MISSED.value})
        .where(InspectionTask.status == TaskStatus.OPEN.value, InspectionTask.window_end <= now)
        .returning(InspectionTask.id, InspectionTask.enterprise_id)
        .run()
    )
    reopened = (
        await InspectionTask.update({InspectionTask.status: TaskStatus.OPEN.value})
        .where(InspectionTask.status == TaskStatus.MISSED.value, InspectionTask.window_end > now)
        .returning(InspectionTask.id, InspectionTask.enterprise_id)
        .run()
    )
    return (
        [(row["id"], row["enterprise_id"]) for row in missed],
        [(row["id"], row["enterprise_id"]) for row in reopened],
    )


async def visible_tasks(actor: Actor, task_ids: Sequence[str]) -> list[TaskRow]:
    """Those of the tasks whose enterprise is in the actor's scope."""
    rows = (
        await InspectionTask.select()
        .where(InspectionTask.id.is_in(list(task_ids)), enterprise_in_scope(InspectionTask.enterprise_id, actor))
        .run()
    )
    return [_task_row(row) for row in rows]


async def task_page(
    actor: Actor,
    *,
    now: datetime,
    due: bool,
    size: int,
    risk_point_id: str | None = None,
    item_ids=None,
    after: tuple[datetime, str] | None = None,
) -> list[TaskRow]:
    """Up to `size` tasks of the enterprises in the actor's scope: `due`, the open ones whose window is running,
    closing soonest first (by window end, then id); otherwise all, the latest windows first (by window start, then
    id, descending). `item_ids`: only tasks of these items (a subquery); `after`: past this (time, id) key."""
    query = InspectionTask.select().where(enterprise_in_scope(InspectionTask.enterprise_id, actor))
    if item_ids is not None:
        query = query.where(InspectionTask.checklist_item_id.is_in(item_ids))
    if due:
        query = query.where(
            InspectionTask.status == TaskStatus.OPEN.value,
            InspectionTask.window_start <= now,
            InspectionTask.window_end > now,
        )
    if risk_point_id:
        query = query.where(InspectionTask.risk_point_id == risk_point_id)
    column, ascending = (InspectionTask.window_end, True) if due else (InspectionTask.window_start, False)
    if after is not None:
        at, task_id = after
        later = (column > at) | ((column == at) & (InspectionTask.id > task_id))
        earlier = (column < at) | ((column == at) & (InspectionTask.id < task_id))
        query = query.where(later if ascending else earlier)
    rows = await query.order_by(column, InspectionTask.id, ascending=ascending).limit(size).run()
    return [_task_row(row) for row in rows]


async def mark_done(window_key: str, *, inspection_id: str, at: datetime) -> str | None:
    """Mark done the task of this window (open or missed) by the inspection; its id, or None when it was done."""
    done = (
        await InspectionTask.update(
            {
                InspectionTask.status: TaskStatus.DONE.value,
                InspectionTask.inspection_id: inspection_id,
                InspectionTask.done_at: at,
            }
        )
        .where(
            InspectionTask.window_key == window_key,
            InspectionTask.status.is_in([TaskStatus.OPEN.value, TaskStatus.MISSED.value]),
        )
        .returning(InspectionTask.id)
        .run()
    )
    return done[0]["id"] if done else None


def due_tasks_sql(limit: int) -> str:
    """The open tasks of a point whose window is running, closing soonest first, at most `limit`: `SELECT id,
    checklist_item_id, responsible_post, status, inspection_id, window_start, window_end, done_at`; its `{}` take the
    enterprise id, the risk point id, then now twice."""
    return (
        "SELECT id, checklist_item_id, responsible_post, status, inspection_id, window_start, window_end, done_at"
        f" FROM inspection_task WHERE enterprise_id = {{}} AND risk_point_id = {{}} AND status = '{TaskStatus.OPEN}'"
        f" AND window_start <= {{}} AND window_end > {{}} ORDER BY window_end, id LIMIT {int(limit)}"
    )


# --- inspections -----------------------------------------------------------------------------------------------------


async def inspection_by_client_key(client_key: str) -> InspectionRecord | None:
    """The inspection a phone's client key made, with its results."""
    row = await Inspection.select().where(Inspection.client_key == client_key).first().run()
    if row is None:
        return None
    results = await InspectionResult.select().where(InspectionResult.inspection_id == row["id"]).run()
    return inspection_record(row, results)


async def insert_inspection(row: Mapping[str, Any], results: Sequence[Mapping[str, Any]]) -> None:
    """Store an inspection row and its result rows (in the caller's transaction)."""
    await Inspection.insert(Inspection(**row)).run()
    await InspectionResult.insert(*[InspectionResult(**result) for result in results]).run()


async def append_inspection_event(inspection_id: str, **event: Any) -> None:
    """Append the first event of an inspection's chain and bind the inspection row to it (domain.history)."""
    await append_event(chain_id=inspection_id, bind=(Inspection, inspection_id), **event)


async def presence_counts(actor: Actor) -> list[PresenceCount]:
    """The inspections of the enterprises in the actor's scope by presence value (every value, zero when none)."""
    rows = (
        await Inspection.select(
            Inspection.presence,
            Count(Inspection.id, alias="n"),
            Min(Inspection.presence_distance_m, alias="nearest"),
            Max(Inspection.presence_distance_m, alias="farthest"),
        )
        .where(enterprise_in_scope(Inspection.enterprise_id, actor))
        .group_by(Inspection.presence)
        .run()
    )
    found = {row["presence"]: row for row in rows}
    return [
        PresenceCount(value.value, int(found[value]["n"]), found[value]["nearest"], found[value]["farthest"])
        if value in found
        else PresenceCount(value.value, 0, None, None)
        for value in Presence
    ]


# --- the change feed's snapshot of an enterprise ---------------------------------------------------------------------


async def feed_tasks(enterprise_ids: Sequence[str] | None, now: datetime) -> list[tuple[str, str]]:
    """(task id, enterprise id) of the enterprises' tasks still current (of all when None), in id order: the feed's list."""
    query = InspectionTask.select(InspectionTask.id, InspectionTask.enterprise_id).order_by(InspectionTask.id)
    if enterprise_ids is not None:
        query = query.where(InspectionTask.enterprise_id.is_in(list(enterprise_ids)))
    query = query.where(InspectionTask.window_end > now - TASK_HORIZON)
    return [(row["id"], row["enterprise_id"]) for row in await query.run()]


register_entities(TASK, feed_tasks)


# --- for the overdue sweep (domain/escalation) ----------------------------------------------------------------------


async def late_tasks(*, ended_after: datetime, ended_by: datetime) -> list[tuple[str, str, datetime]]:
    """(task id, enterprise id, window end) of the tasks missed, or still open though their window ended in
    (ended_after, ended_by], in id order (an ended window still open only means the hourly generator is behind)."""
    rows = (
        await InspectionTask.select(InspectionTask.id, InspectionTask.enterprise_id, InspectionTask.window_end)
        .where(
            InspectionTask.status.is_in([TaskStatus.MISSED.value, TaskStatus.OPEN.value]),
            InspectionTask.window_end > ended_after,
            InspectionTask.window_end <= ended_by,
        )
        .order_by(InspectionTask.id)
        .run()
    )
    return [(row["id"], row["enterprise_id"], row["window_end"]) for row in rows]


async def task_window_counts(enterprise_id: str, *, after: datetime, until: datetime) -> tuple[int, int]:
    """(due, done) of the enterprise's tasks whose window ended in (after, until] (the safety code's input)."""
    window = (
        (InspectionTask.enterprise_id == enterprise_id)
        & (InspectionTask.window_end > after)
        & (InspectionTask.window_end <= until)
    )
    due = await InspectionTask.count().where(window).run()
    done = await InspectionTask.count().where(window, InspectionTask.status == TaskStatus.DONE.value).run()
    return due, done


async def onsite_inspectors(enterprise_ids: Sequence[str], roles: Sequence[str]) -> list[tuple[str, str, datetime]]:
    """(enterprise id, inspector id, start) of every inspection of the enterprises by the roles given, oldest first
    (the random checks exclude recently inspected enterprises and whoever inspected one last time)."""
    if not enterprise_ids:
        return []
    rows = (
        await Inspection.select(Inspection.enterprise_id, Inspection.inspector_id, Inspection.started_at)
        .where(Inspection.enterprise_id.is_in(list(enterprise_ids)), Inspection.inspector_role.is_in(list(roles)))
        .order_by(Inspection.started_at)
        .order_by(Inspection.id)
        .run()
    )
    return [(row["enterprise_id"], row["inspector_id"], row["started_at"]) for row in rows]


async def onsite_inspection_times(
    enterprise_ids: Sequence[str], roles: Sequence[str], *, since: datetime, until: datetime
) -> list[tuple[str, datetime]]:
    """(enterprise id, start) of every inspection of the enterprises by the roles given, started in [since, until)
    (the supervision area counts a regulator's on-site visits from these)."""
    if not enterprise_ids:
        return []
    rows = (
        await Inspection.select(Inspection.enterprise_id, Inspection.started_at)
        .where(
            Inspection.enterprise_id.is_in(list(enterprise_ids)),
            Inspection.inspector_role.is_in(list(roles)),
            Inspection.started_at >= since,
            Inspection.started_at < until,
        )
        .run()
    )
    return [(row["enterprise_id"], row["started_at"]) for row in rows]


# --- the rows hash chains protect (domain/evidence reads and binds them through this) ------------------------------

PROTECTED = ProtectedRows(Inspection)
