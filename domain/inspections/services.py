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
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from domain.access.model import Actor, Role
from domain.access.permissions import Action, require
from domain.changes.services import TASK, record_change, record_changes
from domain.clock import utcnow
from domain.db.engine import is_unique_violation
from domain.db.paging import Page, clamp_limit, decode_cursor, page_of
from domain.db.transactions import transaction
from domain.errors import InvalidInput
from domain.hazards.model import Category
from domain.hazards.services import NewHazard, create_hazard
from domain.ids import new_id
from domain.inspections import store
from domain.inspections.model import (
    DEFAULT_PRESENCE_POLICY,
    Cycle,
    InspectionItemInvalid,
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
from domain.inspections.store import InspectionRecord, PresenceCount, TaskRow
from domain.posts import services as posts
from domain.risk import services as risk
from domain.risk import store as risk_store
from domain.risk.store import DutyItem

SUBJECT_KIND = "inspection"
# The enterprise's own people: their inspections do its tasks.
STAFF = (Role.OFFICER, Role.PRINCIPAL)
# Tasks of windows that start this soon exist before they start, even when an hourly run comes late.
DEFAULT_HORIZON = timedelta(hours=2)
# After the generator did not run for a while, the windows it skipped get their tasks (and are missed) as far back
# as this, so an outage does not flatter anyone's completion rate.
BACKFILL = timedelta(days=7)


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


def _cycle(item: DutyItem) -> Cycle:
    return Cycle(item.cycle_n, item.cycle_unit)


def _task_row(item: DutyItem, window: Window, now: datetime) -> dict:
    return {
        "id": new_id(),
        "window_key": window.key(item.id),
        "checklist_item_id": item.id,
        "risk_point_id": item.risk_point_id,
        "enterprise_id": item.enterprise_id,
        "responsible_post": item.responsible_post,
        "window_start": window.start,
        "window_end": window.end,
        "status": TaskStatus.OPEN.value,
        "inspection_id": None,
        "done_at": None,
        "created_at": now,
    }


async def _insert_tasks(rows: list[dict]) -> int:
    """Insert tasks, skipping windows that already have theirs; returns how many were new (each on the feed)."""
    new = await store.insert_tasks(rows)
    await record_changes(TASK, new)
    return len(new)


async def generate_tasks(*, now: datetime | None = None, horizon: timedelta = DEFAULT_HORIZON) -> GenerationReport:
    """Create the tasks of every active item from its last task (or its creation) through the windows starting
    within `horizon`, and recompute which open tasks are missed; running it again at once changes nothing."""
    if horizon <= timedelta(0):
        raise ValueError("the horizon reaches at least past now")
    now = now or utcnow()
    items = await risk_store.duty_items()
    last_ends = await store.last_window_ends(now - BACKFILL)
    rows = [
        _task_row(item, window, now)
        for item in items
        for window in windows_between(
            _cycle(item), max(last_ends.get(item.id, now - BACKFILL), item.created_at), now + horizon
        )
    ]
    async with transaction():
        created = await _insert_tasks(rows)
        # a recompute, not a one-way step: asked about an earlier time, a task whose window is still open is open
        missed, reopened = await store.recompute_missed(now)
        await record_changes(TASK, missed + reopened, at=now)
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


async def _task_records(rows: list[TaskRow]) -> list[TaskRecord]:
    if not rows:
        return []
    items, names = await risk_store.task_labels(
        sorted({row.checklist_item_id for row in rows}), sorted({row.risk_point_id for row in rows})
    )
    return [
        TaskRecord(
            id=row.id,
            enterprise_id=row.enterprise_id,
            risk_point_id=row.risk_point_id,
            risk_point_name=names.get(row.risk_point_id, ""),
            checklist_item_id=row.checklist_item_id,
            content=items[row.checklist_item_id][0] if row.checklist_item_id in items else "",
            # the item's post as it is now (a post changed on the item moves its open tasks to the new holders)
            responsible_post=items[row.checklist_item_id][1]
            if row.checklist_item_id in items
            else row.responsible_post,
            window_start=row.window_start,
            window_end=row.window_end,
            status=row.status,
            inspection_id=row.inspection_id,
            done_at=row.done_at,
        )
        for row in rows
    ]


async def tasks_by_ids(*, actor: Actor, task_ids: list[str]) -> list[TaskRecord]:
    """Those of the tasks that are in the caller's scope (the sync feed)."""
    if not task_ids:
        return []
    return await _task_records(await store.visible_tasks(actor, task_ids))


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
    item_ids = None
    if mine:
        item_ids = risk_store.item_ids_of_posts(actor.enterprise_id or "", await posts.own_posts(actor))
    rows = await store.task_page(
        actor,
        now=now,
        due=due,
        size=size + 1,
        risk_point_id=risk_point_id,
        item_ids=item_ids,
        after=_after_task(cursor),
    )
    key = (lambda row: row.window_end) if due else (lambda row: row.window_start)
    page = page_of(rows, size, lambda row: _task_cursor(key(row), row.id))
    return Page(items=await _task_records(page.items), next_cursor=page.next_cursor)


# --- inspections ---------------------------------------------------------------------------------------------------


async def _by_client_key(client_key: str) -> InspectionRecord | None:
    return await store.inspection_by_client_key(client_key)


def presence_policy(point: risk.RiskPointRecord) -> PresencePolicy:
    """The presence policy at a risk point: the default, with the point's own radius."""
    return DEFAULT_PRESENCE_POLICY.for_point(point.presence_radius_m)


async def _scan_fix(actor: Actor, scan_id: str | None, risk_point_id: str) -> ScanFix | None:
    """When and where the caller's own scan of this point was made; None when it is not that (another user's,
    another point's, another tenant's or no scan at all)."""
    if scan_id is None:
        return None
    found = await risk_store.scan_fix(scan_id, user_id=actor.user_id, risk_point_id=risk_point_id)
    if found is None:
        return None
    return ScanFix(scan_moment(found.server_time, found.client_time), found.lat, found.lng, found.accuracy_m)


async def _do_task(item: DutyItem, at: datetime, inspection_id: str, now: datetime) -> str | None:
    """Mark done the task of the item's window holding `at` (made now if the generator has not yet); its id, or
    None when another inspection did it first. A task marked missed is done after all when an offline phone's
    inspection arrives late: it was done in its window."""
    window = window_at(_cycle(item), at)
    await _insert_tasks([_task_row(item, window, now)])
    done = await store.mark_done(window.key(item.id), inspection_id=inspection_id, at=at)
    if done:
        await record_change(TASK, done, item.enterprise_id, at=now)
    return done


async def _open_hazard(
    actor: Actor,
    new: NewInspection,
    point: risk.RiskPointRecord,
    item: DutyItem,
    report: ResultReport,
    inspection_id: str,
    now: datetime,
) -> str:
    """Report the hazard a failed item reveals, through the hazard service; its id."""
    level, confirmed = hazard_level(item.criterion_id)
    client_id = report.hazard_client_id or f"{inspection_id}:{item.id}"
    record, created = await create_hazard(
        actor=actor,
        new=NewHazard(
            client_id=client_id,
            enterprise_id=point.enterprise_id,
            risk_point_id=point.id,
            source=hazard_source(actor.role).value,
            category=Category.UNSAFE_CONDITION.value,
            title=hazard_title(report.hazard_title, item.content),
            description=report.note,
            level=level.value,
            level_confirmed=confirmed,
            major_criterion_id=item.criterion_id,
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
    actor: Actor, new: NewInspection, point: risk.RiskPointRecord, items: dict[str, DutyItem], row: dict
) -> list[dict]:
    """Write the inspection, its results, the tasks it did, the hazards it opened and its event; the result rows."""
    inspection_id, now = row["id"], row["created_at"]
    results = []
    for report in new.results:
        item = items[report.item_id]
        task_id = await _do_task(item, new.finished_at, inspection_id, now) if actor.role in STAFF else None
        hazard_id = None if report.ok else await _open_hazard(actor, new, point, item, report, inspection_id, now)
        results.append(
            {
                "id": new_id(),
                "inspection_id": inspection_id,
                "checklist_item_id": item.id,
                "task_id": task_id,
                "ok": report.ok,
                "note": report.note,
                "hazard_id": hazard_id,
            }
        )
    await store.insert_inspection(row, results)
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
    await store.append_inspection_event(
        inspection_id,
        subject_kind=SUBJECT_KIND,
        action="record",
        name="InspectionRecorded",
        actor=actor,
        at=now,
        payload=payload,
        photo_hashes=(),
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
    items = await risk_store.duty_items_of_point(point.id)
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
        # the same phone's retry won the race: answer with what it made, read in a transaction of its own so that
        # a winner whose commit is still in flight (SQLite's group commit) is seen, and durable before we answer
        async with transaction():
            existing = await _by_client_key(client_key)
        if existing is None:
            raise
        return existing, False
    return store.inspection_record(row, results), True


async def presence_counts(*, actor: Actor) -> list[PresenceCount]:
    """The inspections of the enterprises in the caller's scope by presence (proven, far, stale, none)."""
    return await store.presence_counts(actor)
