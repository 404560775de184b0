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

    item_id: Annotated[Id, Meta(description="The checklist item checked")]
    ok: Annotated[bool, Meta(description="True: the item holds; false: it failed and opens a hazard")]
    note: Annotated[Note, Meta(description="What was found")] = ""
    hazard_client_id: (
        Annotated[
            ClientId,
            Meta(description="A failed item: the phone's key for the hazard it opens, unique per user (null: passed)"),
        ]
        | None
    ) = None
    hazard_title: (
        Annotated[
            str,
            Meta(
                min_length=1, max_length=200, description="A failed item: the hazard's title (null: the item's content)"
            ),
        ]
        | None
    ) = None
    photo_ids: Annotated[
        PhotoIds,
        Meta(description="Photos of what was found (`POST /v1/photos` first); a failed item's become its hazard's"),
    ] = []


class InspectionCreate(Wire, kw_only=True):
    """`POST /v1/inspections`: the same `clientId` again answers with the inspection it made (200). Inspectors and
    regulators, and enterprise staff at 重大 / 较大 points, cite a `scanId` that proves presence (else 422:
    INSPECTION_SCAN_REQUIRED, INSPECTION_SCAN_INVALID, PRESENCE_TOO_FAR or PRESENCE_SCAN_STALE)."""

    client_id: Annotated[
        ClientId,
        Meta(
            description="The phone's own key for this inspection, unique per user; sending it again returns what it made"
        ),
    ]
    risk_point_id: Annotated[Id, Meta(description="The risk point inspected")]
    scan_id: (
        Annotated[
            Id,
            Meta(description="The `scanId` of the point's code scanned on the spot, proving presence (null: no scan)"),
        ]
        | None
    ) = None
    started_at: Annotated[Time, Meta(description="When the inspection began, RFC 3339 with an offset")]
    finished_at: Annotated[Time, Meta(description="When it ended, RFC 3339 with an offset; not before `startedAt`")]
    results: Annotated[
        list[ResultCreate], Meta(min_length=1, max_length=200, description="One result per checklist item checked")
    ]


class InspectionResult(WireOut):
    """A stored result: the task it did (enterprise staff only) and the hazard it opened, if any."""

    item_id: Annotated[str, Meta(description="The checklist item checked")]
    ok: Annotated[bool, Meta(description="True: the item holds; false: it failed")]
    note: Annotated[str, Meta(description="What was found")] = ""
    task_id: Annotated[
        str | None, Meta(description="The task this result did (enterprise staff only; null otherwise)")
    ] = None
    hazard_id: Annotated[str | None, Meta(description="The hazard a failed item opened (null: passed)")] = None


class Inspection(WireOut):
    """An inspection of a risk point against its checklist; `results` in checklist order."""

    id: Annotated[str, Meta(description="The inspection's id")]
    client_id: Annotated[str, Meta(description="The phone's key it was made with")]
    risk_point_id: Annotated[str, Meta(description="The risk point inspected")]
    enterprise_id: Annotated[str, Meta(description="That point's enterprise")]
    inspector_id: Annotated[str, Meta(description="The user who inspected")]
    inspector_role: Annotated[str, Meta(description="That user's role")]
    started_at: Annotated[datetime, Meta(description="When it began, RFC 3339 UTC")]
    finished_at: Annotated[datetime, Meta(description="When it ended, RFC 3339 UTC")]
    items_checked: Annotated[int, Meta(description="How many checklist items were checked")]
    items_failed: Annotated[int, Meta(description="How many of them failed")]
    created_at: Annotated[datetime, Meta(description="When the server recorded it, RFC 3339 UTC")]
    results: Annotated[list[InspectionResult], Meta(description="One result per item, in checklist order")]
    scan_id: Annotated[str | None, Meta(description="The scan cited to prove presence (null: none)")] = None
    # What the cited scan proved under the presence policy: `proven`, `far` (not within the point's radius, or no
    # usable fix), `stale` (older than 2 h before the start, or made after the inspection) or `none` (no scan).
    presence: Annotated[
        Presence, Meta(description="What the cited scan proved: `proven`, `far`, `stale` or `none` (no scan)")
    ] = "none"
    # The distance from the scan's fix to the point, in metres (null without a fix or a place to measure from).
    presence_distance_m: Annotated[
        float | None,
        Meta(description="Metres from the scan's fix to the point (null: no fix or no place to measure from)"),
    ] = None


class Task(WireOut):
    """One checklist item due in one window of its cycle."""

    id: Annotated[str, Meta(description="The task's id")]
    enterprise_id: Annotated[str, Meta(description="The enterprise it belongs to")]
    risk_point_id: Annotated[str, Meta(description="The risk point to inspect")]
    risk_point_name: Annotated[str, Meta(description="That point's name")]
    checklist_item_id: Annotated[str, Meta(description="The checklist item due")]
    content: Annotated[str, Meta(description="What to check")]
    responsible_post: Annotated[str, Meta(description="The post (岗位) that does it (empty: any enterprise staff)")]
    window_start: Annotated[datetime, Meta(description="When its window opens, RFC 3339 UTC")]
    window_end: Annotated[
        datetime, Meta(description="When its window closes, RFC 3339 UTC; still open after it → missed")
    ]
    status: Annotated[
        TaskStatus, Meta(description="`open` (due), `done` (an inspection did it) or `missed` (its window closed)")
    ]
    inspection_id: Annotated[str | None, Meta(description="The inspection that did it (null: not done)")] = None
    done_at: Annotated[datetime | None, Meta(description="When it was done, RFC 3339 UTC (null: not done)")] = None


class TaskPage(WireOut):
    """`GET /v1/tasks`."""

    items: Annotated[list[Task], Meta(description="The tasks of this page")]
    next_cursor: Annotated[
        str | None, Meta(description="Send as `cursor` for the next page (null: this is the last page)")
    ] = None
