"""Wire types of inspection tasks and inspections."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from msgspec import Meta

from mobile_contract.base import Id, Wire, WireOut
from mobile_contract.hazards import ClientId, Note, PhotoIds, Time

TaskStatus = Literal["open", "done", "missed"]
Presence = Literal["proven", "far", "stale", "none"]


class ResultCreate(Wire):
    """The result of one checklist item; a failed one (`ok: false`) opens a hazard named by `hazardClientId`."""

    item_id: Id
    ok: bool
    note: Note = ""
    hazard_client_id: ClientId | None = None
    hazard_title: Annotated[str, Meta(min_length=1, max_length=200)] | None = None
    photo_ids: PhotoIds = []


class InspectionCreate(Wire, kw_only=True):
    """`POST /v1/inspections`: the same `clientId` again answers with the inspection it made (200). Inspectors and
    regulators, and enterprise staff at 重大 / 较大 points, cite a `scanId` that proves presence (else 422:
    INSPECTION_SCAN_REQUIRED, INSPECTION_SCAN_INVALID, PRESENCE_TOO_FAR or PRESENCE_SCAN_STALE)."""

    client_id: ClientId
    risk_point_id: Id
    scan_id: Id | None = None
    started_at: Time
    finished_at: Time
    results: Annotated[list[ResultCreate], Meta(min_length=1, max_length=200)]


class InspectionResult(WireOut):
    """A stored result: the task it did (enterprise staff only) and the hazard it opened, if any."""

    item_id: str
    ok: bool
    note: str = ""
    task_id: str | None = None
    hazard_id: str | None = None


class Inspection(WireOut):
    """An inspection of a risk point against its checklist; `results` in checklist order."""

    id: str
    client_id: str
    risk_point_id: str
    enterprise_id: str
    inspector_id: str
    inspector_role: str
    started_at: datetime
    finished_at: datetime
    items_checked: int
    items_failed: int
    created_at: datetime
    results: list[InspectionResult]
    scan_id: str | None = None
    # What the cited scan proved under the presence policy: `proven`, `far` (not within the point's radius, or no
    # usable fix), `stale` (older than 2 h before the start, or made after the inspection) or `none` (no scan).
    presence: Presence = "none"
    # The distance from the scan's fix to the point, in metres (null without a fix or a place to measure from).
    presence_distance_m: float | None = None


class Task(WireOut):
    """One checklist item due in one window of its cycle."""

    id: str
    enterprise_id: str
    risk_point_id: str
    risk_point_name: str
    checklist_item_id: str
    content: str
    responsible_post: str
    window_start: datetime
    window_end: datetime
    status: TaskStatus
    inspection_id: str | None = None
    done_at: datetime | None = None


class TaskPage(WireOut):
    """`GET /v1/tasks`."""

    items: list[Task]
    next_cursor: str | None = None
