"""Every statement on the risk area's tables: other modules call these functions and get typed records back.

A statement on risk points in someone's name keeps their scope through org's `enterprise_in_scope` (a subquery in
the same statement). Hand-written statements that join the risk tables with others' (the scan card, see
domain/codes/queries.py) compose the fragments at the end of this module.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import msgspec

from domain.access.model import Actor
from domain.changes.services import RISK_POINT, register_entities
from domain.db.sql import Statement
from domain.org.store import enterprise_in_scope
from domain.risk.model import RiskLevel, SubjectKind
from domain.risk.tables import ChecklistItem, RiskAssessment, RiskPoint, ScanRecord, SitePlan

# Lists kept as JSON text in `risk_point`.
JSON_FIELDS = ("hazard_sources", "control_measures", "emergency_measures")


@dataclass(frozen=True, slots=True)
class RiskPointRecord:
    """A risk point as stored, lists decoded."""

    id: str
    enterprise_id: str
    kind: str
    name: str
    area: str
    lat: float | None
    lng: float | None
    plan_x: float | None
    plan_y: float | None
    responsible_post: str
    responsible_person: str
    hazard_sources: list[str]
    control_measures: list[dict]
    emergency_measures: list[str]
    emergency_phone: str
    level: RiskLevel | None
    colour: str | None
    control_level: str | None
    assessed_at: datetime | None
    qr_serial: int
    status: str
    version: int
    updated_at: datetime
    # The point's own presence radius in metres (null: the presence policy's default).
    presence_radius_m: float | None = None


@dataclass(frozen=True, slots=True)
class ChecklistRecord:
    """A checklist item of a risk point."""

    id: str
    risk_point_id: str
    content: str
    basis: str
    cycle_n: int
    cycle_unit: str
    responsible_post: str
    criterion_id: str | None


@dataclass(frozen=True, slots=True)
class DutyItem:
    """An active checklist item as the task generator and an inspection read it: its cycle, post and enterprise."""

    id: str
    risk_point_id: str
    enterprise_id: str
    content: str
    cycle_n: int
    cycle_unit: str
    responsible_post: str
    criterion_id: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class AssessmentRecord:
    """A kept assessment."""

    id: str
    risk_point_id: str
    method: str
    scheme_id: str
    scheme_version: int
    factors: dict[str, str]
    score: Decimal
    level: RiskLevel
    colour: str
    control_level: str
    assessed_by: str
    assessed_at: datetime


@dataclass(frozen=True, slots=True)
class ScanFixRecord:
    """A recorded scan of a risk point as presence reads it: when (both clocks) and where the phone said it was."""

    server_time: datetime
    client_time: datetime | None
    lat: float | None
    lng: float | None
    accuracy_m: float | None


@dataclass(frozen=True, slots=True)
class SitePlanRecord:
    """The current site plan of an enterprise (the image lives in the photo folder under its hash)."""

    enterprise_id: str
    sha256: str
    width: int
    height: int
    uploaded_by: str
    uploaded_at: datetime


def point_record(row: dict) -> RiskPointRecord:
    """A row of `risk_point` as a record."""
    values = {name: row[name] for name in RiskPointRecord.__slots__}
    for name in JSON_FIELDS:
        values[name] = msgspec.json.decode(row[name])
    values["level"] = RiskLevel(row["level"]) if row["level"] else None
    return RiskPointRecord(**values)


def checklist_record(row: dict) -> ChecklistRecord:
    """A row of `checklist_item` as a record."""
    return ChecklistRecord(**{name: row[name] for name in ChecklistRecord.__slots__})


def _duty_item(row: dict) -> DutyItem:
    return DutyItem(**{name: row[name] for name in DutyItem.__slots__})


def _assessment_record(row: dict) -> AssessmentRecord:
    values = {name: row[name] for name in AssessmentRecord.__slots__}
    values["factors"] = msgspec.json.decode(row["factors"])
    values["score"] = Decimal(row["score"])
    values["level"] = RiskLevel(row["level"])
    return AssessmentRecord(**values)


# --- risk points -----------------------------------------------------------------------------------------------------


async def point(risk_point_id: str) -> RiskPointRecord | None:
    """One risk point by id, whoever asks (the caller checks the scope)."""
    row = await RiskPoint.select().where(RiskPoint.id == risk_point_id).first().run()
    return point_record(row) if row else None


async def first_point() -> RiskPointRecord | None:
    """The risk point of lowest id, if any (the demo prints its code)."""
    row = await RiskPoint.select().order_by(RiskPoint.id).first().run()
    return point_record(row) if row else None


async def visible_point(actor: Actor, risk_point_id: str) -> RiskPointRecord | None:
    """One risk point by id if its enterprise is in the actor's scope (None for missing and out of scope alike)."""
    row = (
        await RiskPoint.select()
        .where(RiskPoint.id == risk_point_id, enterprise_in_scope(RiskPoint.enterprise_id, actor))
        .first()
        .run()
    )
    return point_record(row) if row else None


async def visible_points(actor: Actor, risk_point_ids: Sequence[str]) -> list[RiskPointRecord]:
    """Those of the risk points whose enterprise is in the actor's scope."""
    if not risk_point_ids:
        return []
    rows = (
        await RiskPoint.select()
        .where(RiskPoint.id.is_in(list(risk_point_ids)), enterprise_in_scope(RiskPoint.enterprise_id, actor))
        .run()
    )
    return [point_record(row) for row in rows]


async def active_points(
    enterprise_id: str, *, after: str | None = None, limit: int | None = None
) -> list[RiskPointRecord]:
    """The active points of an enterprise in id order (after `after`, at most `limit`; all by default)."""
    query = RiskPoint.select().where(RiskPoint.enterprise_id == enterprise_id, RiskPoint.status == "active")
    if after:
        query = query.where(RiskPoint.id > after)
    query = query.order_by(RiskPoint.id)
    if limit is not None:
        query = query.limit(limit)
    return [point_record(row) for row in await query.run()]


async def insert_point(values: dict[str, Any]) -> RiskPointRecord:
    """Store a new risk point (lists already JSON text); its record."""
    await RiskPoint.insert(RiskPoint(**values)).run()
    return point_record(values)


async def update_point(risk_point_id: str, values: dict[str, Any]) -> None:
    """Set the named columns of a point (lists already JSON text) and bump its version."""
    await (
        RiskPoint.update(
            {getattr(RiskPoint, name): value for name, value in values.items()}
            | {RiskPoint.version: RiskPoint.version + 1}
        )
        .where(RiskPoint.id == risk_point_id)
        .run()
    )


async def next_point_serial(risk_point_id: str, at: datetime) -> tuple[int, str]:
    """Advance a point's code serial (the printed code changes); the new serial and the point's enterprise."""
    rows = (
        await RiskPoint.update({RiskPoint.qr_serial: RiskPoint.qr_serial + 1, RiskPoint.updated_at: at})
        .where(RiskPoint.id == risk_point_id)
        .returning(RiskPoint.qr_serial, RiskPoint.enterprise_id)
        .run()
    )
    return rows[0]["qr_serial"], rows[0]["enterprise_id"]


# --- assessments -----------------------------------------------------------------------------------------------------


async def insert_assessment(values: dict[str, Any]) -> AssessmentRecord:
    """Keep an assessment and grade its point by it (level, colour, control level), in the caller's transaction."""
    await RiskAssessment.insert(RiskAssessment(**values)).run()
    at = values["assessed_at"]
    await (
        RiskPoint.update(
            {
                RiskPoint.level: values["level"],
                RiskPoint.colour: values["colour"],
                RiskPoint.control_level: values["control_level"],
                RiskPoint.assessed_at: at,
                RiskPoint.updated_at: at,
                RiskPoint.version: RiskPoint.version + 1,
            }
        )
        .where(RiskPoint.id == values["risk_point_id"])
        .run()
    )
    return _assessment_record(values)


async def assessments_of(risk_point_id: str) -> list[AssessmentRecord]:
    """Every assessment of a point, newest first."""
    rows = (
        await RiskAssessment.select()
        .where(RiskAssessment.risk_point_id == risk_point_id)
        .order_by(RiskAssessment.id, ascending=False)
        .run()
    )
    return [_assessment_record(row) for row in rows]


# --- checklists ------------------------------------------------------------------------------------------------------


async def insert_checklist_item(values: dict[str, Any]) -> ChecklistRecord:
    """Store a checklist item; its record."""
    await ChecklistItem.insert(ChecklistItem(**values)).run()
    return checklist_record(values)


async def active_checklist(risk_point_id: str) -> list[ChecklistRecord]:
    """The active checklist of a point, in id order."""
    rows = (
        await ChecklistItem.select()
        .where(ChecklistItem.risk_point_id == risk_point_id, ChecklistItem.active.eq(True))
        .order_by(ChecklistItem.id)
        .run()
    )
    return [checklist_record(row) for row in rows]


async def active_checklists(risk_point_ids: Sequence[str]) -> dict[str, list[ChecklistRecord]]:
    """Risk point id → its active checklist in id order, for several points in one statement."""
    if not risk_point_ids:
        return {}
    rows = (
        await ChecklistItem.select()
        .where(ChecklistItem.risk_point_id.is_in(list(risk_point_ids)), ChecklistItem.active.eq(True))
        .order_by(ChecklistItem.id)
        .run()
    )
    checklists: dict[str, list[ChecklistRecord]] = {}
    for row in rows:
        checklists.setdefault(row["risk_point_id"], []).append(checklist_record(row))
    return checklists


async def duty_items_of_point(risk_point_id: str) -> dict[str, DutyItem]:
    """Item id → the active checklist items of one point (what an inspection of it reports on)."""
    rows = (
        await ChecklistItem.select()
        .where(ChecklistItem.risk_point_id == risk_point_id, ChecklistItem.active.eq(True))
        .run()
    )
    return {row["id"]: _duty_item(row) for row in rows}


async def duty_items() -> list[DutyItem]:
    """Every active item of every active point, in id order (what the task generator cuts windows for)."""
    rows = (
        await ChecklistItem.select()
        .where(
            ChecklistItem.active.eq(True),
            ChecklistItem.risk_point_id.is_in(RiskPoint.select(RiskPoint.id).where(RiskPoint.status == "active")),
        )
        .order_by(ChecklistItem.id)
        .run()
    )
    return [_duty_item(row) for row in rows]


async def task_labels(
    item_ids: Sequence[str], risk_point_ids: Sequence[str]
) -> tuple[dict[str, tuple[str, str]], dict[str, str]]:
    """What a task shows of its item and point: item id → (content, current post), and point id → name."""
    items = (
        await ChecklistItem.select(ChecklistItem.id, ChecklistItem.content, ChecklistItem.responsible_post)
        .where(ChecklistItem.id.is_in(list(item_ids)))
        .run()
    )
    points = await RiskPoint.select(RiskPoint.id, RiskPoint.name).where(RiskPoint.id.is_in(list(risk_point_ids))).run()
    return (
        {row["id"]: (row["content"], row["responsible_post"]) for row in items},
        {row["id"]: row["name"] for row in points},
    )


def item_ids_of_posts(enterprise_id: str, posts: Sequence[str]):
    """A subquery (for `column.is_in(...)` in another store's statement): the ids of an enterprise's checklist items
    whose post is one of `posts`."""
    return ChecklistItem.select(ChecklistItem.id).where(
        ChecklistItem.enterprise_id == enterprise_id, ChecklistItem.responsible_post.is_in(list(posts))
    )


# --- scans (proof of presence) ---------------------------------------------------------------------------------------


async def scan_fix(scan_id: str, *, user_id: str, risk_point_id: str) -> ScanFixRecord | None:
    """The user's own scan of this point by id; None when it is not that (another's, another point's, none)."""
    row = (
        await ScanRecord.select(
            ScanRecord.server_time, ScanRecord.client_time, ScanRecord.lat, ScanRecord.lng, ScanRecord.accuracy_m
        )
        .where(
            ScanRecord.id == scan_id,
            ScanRecord.user_id == user_id,
            ScanRecord.subject_kind == SubjectKind.RISK_POINT.value,
            ScanRecord.subject_id == risk_point_id,
        )
        .first()
        .run()
    )
    return ScanFixRecord(**row) if row else None


# --- site plans ------------------------------------------------------------------------------------------------------


async def site_plan(enterprise_id: str) -> SitePlanRecord | None:
    """The current site plan of an enterprise, if it has one."""
    row = await SitePlan.select().where(SitePlan.enterprise_id == enterprise_id).first().run()
    return SitePlanRecord(**{name: row[name] for name in SitePlanRecord.__slots__}) if row else None


async def save_site_plan(record: SitePlanRecord, *, new_id: str) -> None:
    """Make this the enterprise's site plan (replacing the one it had; `new_id` names a first one)."""
    values = {name: getattr(record, name) for name in SitePlanRecord.__slots__}
    existing = await SitePlan.select(SitePlan.id).where(SitePlan.enterprise_id == record.enterprise_id).first().run()
    if existing:
        await (
            SitePlan.update({getattr(SitePlan, key): value for key, value in values.items()})
            .where(SitePlan.id == existing["id"])
            .run()
        )
    else:
        await SitePlan.insert(SitePlan(id=new_id, **values)).run()


# --- hand-written statements and the fragments other areas compose (the scan card: domain/codes/queries.py) --------

_SCAN_COLUMNS = (
    "id",
    "user_id",
    "subject_kind",
    "subject_id",
    "enterprise_id",
    "device_id",
    "server_time",
    "client_time",
    "lat",
    "lng",
    "distance_m",
    "accuracy_m",
)
_INSERT_SCAN = Statement(
    f"INSERT INTO scan_record ({', '.join(_SCAN_COLUMNS)}) VALUES ({', '.join('{}' for _ in _SCAN_COLUMNS)})"
)

POINT_SQL = f"SELECT {', '.join(RiskPointRecord.__slots__)} FROM risk_point WHERE id = {{}}"
"""A risk point's columns (those of `RiskPointRecord`, lists as JSON text) by id; `{}`: the id."""
ACTIVE_CHECKLIST_SQL = (
    "SELECT id, content, basis, cycle_n, cycle_unit, responsible_post, criterion_id"
    " FROM checklist_item WHERE risk_point_id = {} AND active = TRUE"
)
"""The active checklist items of a point (unordered); `{}`: the point's id."""
ITEM_LABELS_SQL = "SELECT id, content, responsible_post FROM checklist_item"
"""What a task shows of its checklist item (join on `id`): its content and its current post."""


async def record_scan(values: dict[str, Any]) -> None:
    """Record a scan (who, which code, when by both clocks, where): one prepared statement, on the scan's hot path."""
    await _INSERT_SCAN.rows(*(values[name] for name in _SCAN_COLUMNS))


# --- the change feed's snapshot of an enterprise ---------------------------------------------------------------------


async def feed_risk_points(enterprise_ids: Sequence[str] | None, now: datetime) -> list[tuple[str, str]]:
    """(risk point id, enterprise id) of the enterprises' risk points (of all when None), in id order: the change feed's list."""
    query = RiskPoint.select(RiskPoint.id, RiskPoint.enterprise_id).order_by(RiskPoint.id)
    if enterprise_ids is not None:
        query = query.where(RiskPoint.enterprise_id.is_in(list(enterprise_ids)))
    return [(row["id"], row["enterprise_id"]) for row in await query.run()]


register_entities(RISK_POINT, feed_risk_points)


# --- asked by the hazards and photos areas ---------------------------------------------------------------------------


async def risk_point_names(point_ids: Sequence[str]) -> dict[str, str]:
    """Risk point id → name, for those of the ids that exist."""
    ids = sorted(set(point_ids))
    if not ids:
        return {}
    rows = await RiskPoint.select(RiskPoint.id, RiskPoint.name).where(RiskPoint.id.is_in(ids)).run()
    return {row["id"]: row["name"] for row in rows}


async def risk_point_in_enterprise(point_id: str, enterprise_id: str) -> bool:
    """True when the risk point exists and belongs to the enterprise."""
    return await RiskPoint.exists().where(RiskPoint.id == point_id, RiskPoint.enterprise_id == enterprise_id).run()


async def scan_by_user_in_enterprise(scan_id: str, user_id: str, enterprise_id: str) -> bool:
    """True when the scan exists, was the user's, and was of the enterprise."""
    from domain.risk.tables import ScanRecord

    return (
        await ScanRecord.exists()
        .where(ScanRecord.id == scan_id, ScanRecord.user_id == user_id, ScanRecord.enterprise_id == enterprise_id)
        .run()
    )


async def post_item_counts(enterprise_id: str) -> dict[str, int]:
    """Each post the enterprise's active checklist items and risk points name, with its number of active items."""
    from piccolo.query.functions.aggregate import Count

    items = (
        await ChecklistItem.select(ChecklistItem.responsible_post.as_alias("post"), Count(alias="n"))
        .where(
            ChecklistItem.enterprise_id == enterprise_id,
            ChecklistItem.active.eq(True),
            ChecklistItem.responsible_post != "",
        )
        .group_by(ChecklistItem.responsible_post)
        .run()
    )
    points = (
        await RiskPoint.select(RiskPoint.responsible_post)
        .where(RiskPoint.enterprise_id == enterprise_id, RiskPoint.status == "active", RiskPoint.responsible_post != "")
        .distinct()
        .run()
    )
    counts = {row["post"]: int(row["n"]) for row in items}
    for row in points:
        counts.setdefault(row["responsible_post"], 0)
    return counts


async def active_point_levels(enterprise_id: str) -> dict[str, int]:
    """Level → how many of the enterprise's active, assessed risk points have it (the safety code's input)."""
    from piccolo.query.functions.aggregate import Count

    rows = (
        await RiskPoint.select(RiskPoint.level, Count())
        .where(RiskPoint.enterprise_id == enterprise_id, RiskPoint.status == "active", RiskPoint.level.is_not_null())
        .group_by(RiskPoint.level)
        .run()
    )
    return {row["level"]: row["count"] for row in rows}
