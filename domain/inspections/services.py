"""Use cases of inspections: generate the tasks of checklist cycles, list them, and record an inspection.

Tasks are the enterprise's own duty under its checklist (排查清单): only the inspections of its officers and
principals do them. A grid inspector's or regulator's inspection is supervision: it is recorded, proves presence
and opens hazards, but does not discharge the enterprise's duty (else the enterprise's task-completion rate would
count the inspector's work). Everyone sees the tasks of the enterprises in their scope.

Presence (一扫) is judged by the policy in `model.judge_presence` (distance, age, GPS accuracy): inspectors and
regulators, and staff at 重大 / 较大 points, must cite a scan that proves it; every inspection stores what its scan
proved (`presence`), which the regulator's "tasks done with presence proven" counts.

An inspection is one transaction: its row, its results, the tasks it does, the hazards its failed items open
(through the hazard service) and the first link of its hash-chained history; a retry with the same clientId
finds the inspection it made.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from piccolo.query.functions.aggregate import Count, Max, Min

from domain.access.model import Actor, Role
from domain.access.permissions import Action, require
from domain.changes.services import TASK, record_change, record_changes
from domain.clock import utcnow
from domain.codes.tokens import SubjectKind
from domain.db.engine import is_unique_violation
from domain.db.paging import Page, clamp_limit, decode_cursor, page_of
from domain.db.transactions import transaction
from domain.errors import InvalidInput
from domain.hazards.model import Category
from domain.hazards.services import NewHazard, create_hazard
from domain.history.store import append_event
from domain.ids import new_id
from domain.inspections.model import (
    DEFAULT_PRESENCE_POLICY,
    Cycle,
    InspectionItemInvalid,
    Presence,
    PresencePolicy,
    ResultReport,
    ScanFix,
    TaskStatus,
    Window,
    check_results,
    check_scan_found,
    check_times,
    hazard_level,
    hazard_source,
    hazard_title,
    judge_presence,
    presence_required,
    require_presence,
    scan_moment,
    window_at,
    windows_between,
)
from domain.inspections.tables import Inspection, InspectionResult, InspectionTask
from domain.org.store import enterprise_condition
from domain.org.tables import Enterprise
from domain.posts import services as posts
from domain.risk import services as risk
from domain.risk.tables import ChecklistItem, RiskPoint, ScanRecord

SUBJECT_KIND = "inspection"
# The enterprise's own people: their inspections do its tasks.
STAFF = (Role.OFFICER, Role.PRINCIPAL)
# Tasks of windows that start this soon exist before they start, even when an hourly run comes late.
DEFAULT_HORIZON = timedelta(hours=2)
# After the generator did not run for a while, the windows it skipped get their tasks (and are missed) as far back
# as this, so an outage does not flatter anyone's completion rate.
BACKFILL = timedelta(days=7)
_INSERT_BATCH = 500


@dataclass(frozen=True, slots=True)
class NewInspection:
    """What an inspector reports about one risk point's checklist."""

    client_id: str
    risk_point_id: str
    started_at: datetime
    finished_at: datetime
    results: tuple[ResultReport, ...]
    scan_id: str | None = None


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
class TaskRecord:
    """A task with what the phone shows of it: the point's name and the item's content."""

    id: str
    enterprise_id: str
    risk_point_id: str
    risk_point_name: str
    checklist_item_id: str
    content: str
    responsible_post: str
    window_start: datetime
    window_end: datetime
    status: str
    inspection_id: str | None
    done_at: datetime | None
    mine: bool = False  # the item's post is one the caller holds (set where that matters: the scan card)


@dataclass(frozen=True, slots=True)
class GenerationReport:
    """What one run of the task generator did."""

    created: int
    missed: int


# --- tasks ---------------------------------------------------------------------------------------------------------


def _cycle(item: Mapping[str, Any]) -> Cycle:
    return Cycle(item["cycle_n"], item["cycle_unit"])


def _task_row(item: Mapping[str, Any], window: Window, now: datetime) -> InspectionTask:
    return InspectionTask(
        id=new_id(),
        window_key=window.key(item["id"]),
        checklist_item_id=item["id"],
        risk_point_id=item["risk_point_id"],
        enterprise_id=item["enterprise_id"],
        responsible_post=item["responsible_post"],
        window_start=window.start,
        window_end=window.end,
        status=TaskStatus.OPEN.value,
        inspection_id=None,
        done_at=None,
        created_at=now,
    )


async def _insert_tasks(rows: list[InspectionTask]) -> int:
    """Insert tasks, skipping windows that already have theirs (the unique window key); returns how many were new."""
    created = 0
    for start in range(0, len(rows), _INSERT_BATCH):
        batch = rows[start : start + _INSERT_BATCH]
        inserted = (
            InspectionTask.insert(*batch)
            .on_conflict(action="DO NOTHING")
            .returning(InspectionTask.id, InspectionTask.enterprise_id)
        )
        new = await inserted.run()
        await record_changes(TASK, [(row["id"], row["enterprise_id"]) for row in new])
        created += len(new)
    return created


async def _last_window_ends(since: datetime) -> dict[str, datetime]:
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


async def generate_tasks(*, now: datetime | None = None, horizon: timedelta = DEFAULT_HORIZON) -> GenerationReport:
    """Create the tasks of every active item from its last task (or its creation) through the windows starting
    within `horizon`, and recompute which open tasks are missed; running it again at once changes nothing."""
    if horizon <= timedelta(0):
        raise ValueError("the horizon reaches at least past now")
    now = now or utcnow()
    items = (
        await ChecklistItem.select(
            ChecklistItem.id,
            ChecklistItem.risk_point_id,
            ChecklistItem.enterprise_id,
            ChecklistItem.cycle_n,
            ChecklistItem.cycle_unit,
            ChecklistItem.responsible_post,
            ChecklistItem.created_at,
        )
        .where(
            ChecklistItem.active.eq(True),
            ChecklistItem.risk_point_id.is_in(RiskPoint.select(RiskPoint.id).where(RiskPoint.status == "active")),
        )
        .order_by(ChecklistItem.id)
        .run()
    )
    last_ends = await _last_window_ends(now - BACKFILL)
    rows = [
        _task_row(item, window, now)
        for item in items
        for window in windows_between(
            _cycle(item), max(last_ends.get(item["id"], now - BACKFILL), item["created_at"]), now + horizon
        )
    ]
    async with transaction():
        created = await _insert_tasks(rows)
        missed = (
            await InspectionTask.update({InspectionTask.status: TaskStatus.MISSED.value})
            .where(InspectionTask.status == TaskStatus.OPEN.value, InspectionTask.window_end <= now)
            .returning(InspectionTask.id, InspectionTask.enterprise_id)
            .run()
        )
        # a recompute, not a one-way step: asked about an earlier time, a task whose window is still open is open
        reopened = (
            await InspectionTask.update({InspectionTask.status: TaskStatus.OPEN.value})
            .where(InspectionTask.status == TaskStatus.MISSED.value, InspectionTask.window_end > now)
            .returning(InspectionTask.id, InspectionTask.enterprise_id)
            .run()
        )
        await record_changes(TASK, [(row["id"], row["enterprise_id"]) for row in missed + reopened], at=now)
    return GenerationReport(created=created, missed=len(missed))


def _task_cursor(at: datetime, task_id: str) -> str:
    # window bounds are whole hours, so whole seconds order them exactly; the cursor stays alphanumeric
    return f"{int(at.timestamp()):010d}{task_id}"


def _after_task(cursor: str | None) -> tuple[datetime, str] | None:
    value = decode_cursor(cursor)
    if value is None:
        return None
    seconds, task_id = value[:10], value[10:]
    if not seconds.isdigit() or len(task_id) != 26:
        raise InvalidInput("the cursor is not one this service issued", field="cursor", reason="malformed")
    return datetime.fromtimestamp(int(seconds), UTC), task_id


async def _task_records(rows: list[dict]) -> list[TaskRecord]:
    if not rows:
        return []
    item_ids = sorted({row["checklist_item_id"] for row in rows})
    point_ids = sorted({row["risk_point_id"] for row in rows})
    items = (
        await ChecklistItem.select(ChecklistItem.id, ChecklistItem.content, ChecklistItem.responsible_post)
        .where(ChecklistItem.id.is_in(item_ids))
        .run()
    )
    points = await RiskPoint.select(RiskPoint.id, RiskPoint.name).where(RiskPoint.id.is_in(point_ids)).run()
    contents = {row["id"]: row["content"] for row in items}
    # the item's post as it is now (a post changed on the item moves its open tasks to the new holders)
    item_posts = {row["id"]: row["responsible_post"] for row in items}
    names = {row["id"]: row["name"] for row in points}
    return [
        TaskRecord(
            id=row["id"],
            enterprise_id=row["enterprise_id"],
            risk_point_id=row["risk_point_id"],
            risk_point_name=names.get(row["risk_point_id"], ""),
            checklist_item_id=row["checklist_item_id"],
            content=contents.get(row["checklist_item_id"], ""),
            responsible_post=item_posts.get(row["checklist_item_id"], row["responsible_post"]),
            window_start=row["window_start"],
            window_end=row["window_end"],
            status=row["status"],
            inspection_id=row["inspection_id"],
            done_at=row["done_at"],
        )
        for row in rows
    ]


async def tasks_by_ids(*, actor: Actor, task_ids: list[str]) -> list[TaskRecord]:
    """Those of the tasks that are in the caller's scope (the sync feed)."""
    if not task_ids:
        return []
    in_scope = InspectionTask.enterprise_id.is_in(Enterprise.select(Enterprise.id).where(enterprise_condition(actor)))
    return await _task_records(await InspectionTask.select().where(InspectionTask.id.is_in(task_ids), in_scope).run())


async def list_tasks(
    *,
    actor: Actor,
    due: bool = False,
    risk_point_id: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
    now: datetime | None = None,
    mine: bool = False,
) -> Page[TaskRecord]:
    """Tasks of the enterprises in scope: `due`, the open ones whose window is running, closing soonest first;
    otherwise all of them, the latest windows first. `mine`: only those whose checklist item's post the caller holds
    (staff only; staff holding no post are told so, see domain.posts)."""
    now = now or utcnow()
    size = clamp_limit(limit)
    in_scope = InspectionTask.enterprise_id.is_in(Enterprise.select(Enterprise.id).where(enterprise_condition(actor)))
    query = InspectionTask.select().where(in_scope)
    if mine:
        query = query.where(
            InspectionTask.checklist_item_id.is_in(_items_of_posts(actor, await posts.own_posts(actor)))
        )
    if due:
        query = query.where(
            InspectionTask.status == TaskStatus.OPEN.value,
            InspectionTask.window_start <= now,
            InspectionTask.window_end > now,
        )
    if risk_point_id:
        query = query.where(InspectionTask.risk_point_id == risk_point_id)
    column, ascending = (InspectionTask.window_end, True) if due else (InspectionTask.window_start, False)
    if after := _after_task(cursor):
        at, task_id = after
        later = (column > at) | ((column == at) & (InspectionTask.id > task_id))
        earlier = (column < at) | ((column == at) & (InspectionTask.id < task_id))
        query = query.where(later if ascending else earlier)
    rows = await query.order_by(column, InspectionTask.id, ascending=ascending).limit(size + 1).run()
    name = column._meta.name
    page = page_of(rows, size, lambda row: _task_cursor(row[name], row["id"]))
    return Page(items=await _task_records(page.items), next_cursor=page.next_cursor)


def _items_of_posts(actor: Actor, held: list[str]):
    """The ids of the caller's enterprise's checklist items whose post is one of `held` (the item's current post)."""
    return ChecklistItem.select(ChecklistItem.id).where(
        ChecklistItem.enterprise_id == (actor.enterprise_id or ""), ChecklistItem.responsible_post.is_in(held)
    )


async def due_tasks(*, actor: Actor, risk_point_id: str, now: datetime | None = None) -> list[TaskRecord]:
    """The tasks of a point due now, closing soonest first, for the scan card: only enterprise staff have tasks to
    do. When some are the caller's own (their item's post is one the caller holds), those alone, marked `mine`;
    otherwise all of the point's, so staff without a post, or covering another's, still see what is due."""
    if actor.role not in STAFF:
        return []
    page = await list_tasks(actor=actor, due=True, risk_point_id=risk_point_id, limit=100, now=now)
    held = set(await posts.posts_of(actor.user_id))
    own = [dataclasses.replace(task, mine=True) for task in page.items if task.responsible_post in held]
    return own or page.items


# --- inspections ---------------------------------------------------------------------------------------------------


def _inspection_record(row: dict, results: list[dict]) -> InspectionRecord:
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


async def _by_client_key(client_key: str) -> InspectionRecord | None:
    row = await Inspection.select().where(Inspection.client_key == client_key).first().run()
    if row is None:
        return None
    results = await InspectionResult.select().where(InspectionResult.inspection_id == row["id"]).run()
    return _inspection_record(row, results)


def presence_policy(point: Mapping[str, Any] | risk.RiskPointRecord) -> PresencePolicy:
    """The presence policy at a risk point (a row or a record): the default, with the point's own radius."""
    radius = point["presence_radius_m"] if isinstance(point, Mapping) else point.presence_radius_m
    return DEFAULT_PRESENCE_POLICY.for_point(radius)


async def _scan_fix(actor: Actor, scan_id: str | None, risk_point_id: str) -> ScanFix | None:
    """When and where the caller's own scan of this point was made; None when it is not that (another user's,
    another point's, another tenant's or no scan at all)."""
    if scan_id is None:
        return None
    row = (
        await ScanRecord.select(
            ScanRecord.server_time, ScanRecord.client_time, ScanRecord.lat, ScanRecord.lng, ScanRecord.accuracy_m
        )
        .where(
            ScanRecord.id == scan_id,
            ScanRecord.user_id == actor.user_id,
            ScanRecord.subject_kind == SubjectKind.RISK_POINT.value,
            ScanRecord.subject_id == risk_point_id,
        )
        .first()
        .run()
    )
    if row is None:
        return None
    return ScanFix(scan_moment(row["server_time"], row["client_time"]), row["lat"], row["lng"], row["accuracy_m"])


async def _do_task(item: dict, at: datetime, inspection_id: str, now: datetime) -> str | None:
    """Mark done the task of the item's window holding `at` (made now if the generator has not yet); its id, or
    None when another inspection did it first. A task marked missed is done after all when an offline phone's
    inspection arrives late: it was done in its window."""
    window = window_at(_cycle(item), at)
    await _insert_tasks([_task_row(item, window, now)])
    done = (
        await InspectionTask.update(
            {
                InspectionTask.status: TaskStatus.DONE.value,
                InspectionTask.inspection_id: inspection_id,
                InspectionTask.done_at: at,
            }
        )
        .where(
            InspectionTask.window_key == window.key(item["id"]),
            InspectionTask.status.is_in([TaskStatus.OPEN.value, TaskStatus.MISSED.value]),
        )
        .returning(InspectionTask.id)
        .run()
    )
    if done:
        await record_change(TASK, done[0]["id"], item["enterprise_id"], at=now)
    return done[0]["id"] if done else None


async def _open_hazard(
    actor: Actor,
    new: NewInspection,
    point: risk.RiskPointRecord,
    item: dict,
    report: ResultReport,
    inspection_id: str,
    now: datetime,
) -> str:
    """Report the hazard a failed item reveals, through the hazard service; its id."""
    level, confirmed = hazard_level(item["criterion_id"])
    client_id = report.hazard_client_id or f"{inspection_id}:{item['id']}"
    record, created = await create_hazard(
        actor=actor,
        new=NewHazard(
            client_id=client_id,
            enterprise_id=point.enterprise_id,
            risk_point_id=point.id,
            source=hazard_source(actor.role).value,
            category=Category.UNSAFE_CONDITION.value,
            title=hazard_title(report.hazard_title, item["content"]),
            description=report.note,
            level=level.value,
            level_confirmed=confirmed,
            major_criterion_id=item["criterion_id"],
            photo_ids=report.photo_ids,
            found_at=new.finished_at,
            scan_id=new.scan_id,
            inspection_id=inspection_id,
        ),
        now=now,
    )
    if not created:
        raise InspectionItemInvalid(
            "this hazardClientId already names another hazard of yours",
            field="results.hazardClientId",
            reason="taken",
            hazardClientIds=[client_id],
        )
    return record.id


async def _store(
    actor: Actor, new: NewInspection, point: risk.RiskPointRecord, items: dict[str, dict], row: dict
) -> list[dict]:
    """Write the inspection, its results, the tasks it did, the hazards it opened and its event; the result rows."""
    inspection_id, now = row["id"], row["created_at"]
    await Inspection.insert(Inspection(**row)).run()
    results = []
    for report in new.results:
        item = items[report.item_id]
        task_id = await _do_task(item, new.finished_at, inspection_id, now) if actor.role in STAFF else None
        hazard_id = None if report.ok else await _open_hazard(actor, new, point, item, report, inspection_id, now)
        results.append(
            {
                "id": new_id(),
                "inspection_id": inspection_id,
                "checklist_item_id": item["id"],
                "task_id": task_id,
                "ok": report.ok,
                "note": report.note,
                "hazard_id": hazard_id,
            }
        )
    await InspectionResult.insert(*[InspectionResult(**result) for result in results]).run()
    payload = {
        key: row[key] for key in ("risk_point_id", "enterprise_id", "scan_id", "started_at", "finished_at", "presence")
    }
    # the distance stays on the row: the chain hashes no floats, and the scan keeps the fix it was measured from
    payload |= {
        "client_id": new.client_id,
        "results": [
            {key: result[key] for key in ("checklist_item_id", "ok", "note", "task_id", "hazard_id")}
            for result in results
        ],
    }
    await append_event(
        chain_id=inspection_id,
        subject_kind=SUBJECT_KIND,
        action="record",
        name="InspectionRecorded",
        actor=actor,
        at=now,
        payload=payload,
        photo_hashes=(),
        bind=(Inspection, inspection_id),
    )
    return results


async def record_inspection(
    *, actor: Actor, new: NewInspection, now: datetime | None = None
) -> tuple[InspectionRecord, bool]:
    """Record an inspection with its results, done tasks and opened hazards; the same clientId again finds it."""
    now = now or utcnow()
    require(actor, Action.RECORD_INSPECTION)
    client_key = f"{actor.user_id}:{new.client_id}"
    if (existing := await _by_client_key(client_key)) is not None:
        return existing, False
    # stored and answered in UTC, so the first answer and every replay read alike
    new = dataclasses.replace(
        new, started_at=new.started_at.astimezone(UTC), finished_at=new.finished_at.astimezone(UTC)
    )
    point = await risk.get_risk_point(actor=actor, risk_point_id=new.risk_point_id)
    checklist = ChecklistItem.select().where(ChecklistItem.risk_point_id == point.id, ChecklistItem.active.eq(True))
    items = {item["id"]: item for item in await checklist.run()}
    check_times(new.started_at, new.finished_at, now)
    check_results(new.results, items)
    scan = await _scan_fix(actor, new.scan_id, point.id)
    check_scan_found(new.scan_id, scan)
    policy = presence_policy(point)
    verdict = judge_presence(
        scan,
        point_lat=point.lat,
        point_lng=point.lng,
        started_at=new.started_at,
        finished_at=new.finished_at,
        policy=policy,
    )
    if presence_required(actor.role, point.level):
        require_presence(verdict, policy)
    row = {
        "id": new_id(),
        "client_key": client_key,
        "risk_point_id": point.id,
        "enterprise_id": point.enterprise_id,
        "inspector_id": actor.user_id,
        "inspector_role": str(actor.role),
        "scan_id": new.scan_id,
        "started_at": new.started_at,
        "finished_at": new.finished_at,
        "items_checked": len(new.results),
        "items_failed": sum(not r.ok for r in new.results),
        "created_at": now,
        "presence": verdict.presence.value,
        "presence_distance_m": verdict.distance_m,
    }
    try:
        # one transaction: the hazard service joins it, so a refused hazard leaves no inspection behind
        async with transaction():
            results = await _store(actor, new, point, items, row)
    except Exception as error:
        if not is_unique_violation(error):
            raise
        # the same phone's retry won the race: answer with what it made
        if (existing := await _by_client_key(client_key)) is None:
            raise
        return existing, False
    return _inspection_record(row, results), True


@dataclass(frozen=True, slots=True)
class PresenceCount:
    """How many inspections in scope proved each presence value, and the range of distances measured."""

    presence: str
    inspections: int
    nearest_m: float | None
    farthest_m: float | None


async def presence_counts(*, actor: Actor) -> list[PresenceCount]:
    """The inspections of the enterprises in the caller's scope by presence (proven, far, stale, none)."""
    in_scope = Inspection.enterprise_id.is_in(Enterprise.select(Enterprise.id).where(enterprise_condition(actor)))
    rows = (
        await Inspection.select(
            Inspection.presence,
            Count(Inspection.id, alias="n"),
            Min(Inspection.presence_distance_m, alias="nearest"),
            Max(Inspection.presence_distance_m, alias="farthest"),
        )
        .where(in_scope)
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
