"""Wire types of offline sync: the batch of queued operations (`POST /v1/sync/batch`) and the delta feed
(`GET /v1/sync/changes`).

A batch is `{ops: [{opId, kind, payload}]}`. The envelope is decoded first and each `payload` then on its own, by
`kind`, into the struct of `PAYLOADS`: one malformed operation gets its own error and never blocks the queue behind
it. Build an operation from a typed payload with `op(opId, payload)`.

An operation may name what an earlier operation of the same user made, by that operation's `opId`
(`scanOpId`, `hazardOpId`): a phone that scanned and reported offline does not know the server's ids yet.

The feed answers `{changes, nextCursor, hasMore}`; a change's `data` is the entity as its own endpoint shows it to
the caller now (decode it with `CHANGE_BODIES[change.kind]`), or null for a removal (`op: "remove"`, a tombstone).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

from mobile_contract.base import Accuracy, Id, Latitude, Longitude, Wire, WireOut
from mobile_contract.hazards import Hazard, HazardCreate, Time, TransitionRequest
from mobile_contract.inspections import Inspection, InspectionCreate, Task
from mobile_contract.orgs import Enterprise
from mobile_contract.risk import ChecklistItem, RiskPoint, ScanCard

MAX_OPS = 200
"""The most operations one batch may carry (more → 413 `SYNC_BATCH_TOO_LARGE`); send a longer queue in parts."""

OpId = Annotated[str, Meta(min_length=1, max_length=64, pattern=r"^[0-9A-Za-z_.:-]+$")]
OpKind = Literal["scan", "hazardCreate", "hazardTransition", "inspectionCreate"]
Cursor = Annotated[str, Meta(max_length=200)]


# --- operation payloads --------------------------------------------------------------------------------------------


class ScanPayload(Wire):
    """A code scanned (offline or not): the same as `GET /v1/scan/{token}`; the result carries the `scanId`."""

    token: Annotated[str, Meta(min_length=1, max_length=200)]
    device_id: Annotated[str, Meta(max_length=128)] = ""
    client_time: Time | None = None
    lat: Latitude | None = None
    lng: Longitude | None = None
    accuracy: Accuracy | None = None


class HazardCreatePayload(HazardCreate, kw_only=True):
    """`POST /v1/hazards`; `scanOpId` instead of `scanId` names the scan an earlier operation recorded."""

    scan_op_id: OpId | None = None


class HazardTransitionPayload(Wire, kw_only=True):
    """`POST /v1/hazards/{id}/transitions`: `hazardId`, or `hazardOpId` for one an earlier operation reported;
    `expectedVersion` plays the part of `If-Match`."""

    hazard_id: Id | None = None
    hazard_op_id: OpId | None = None
    expected_version: Annotated[int, Meta(ge=1, le=999_999_999)]
    transition: TransitionRequest


class InspectionCreatePayload(InspectionCreate, kw_only=True):
    """`POST /v1/inspections`; `scanOpId` instead of `scanId` names the scan an earlier operation recorded."""

    scan_op_id: OpId | None = None


Payload = ScanPayload | HazardCreatePayload | HazardTransitionPayload | InspectionCreatePayload

PAYLOADS: dict[str, type[Payload]] = {
    "scan": ScanPayload,
    "hazardCreate": HazardCreatePayload,
    "hazardTransition": HazardTransitionPayload,
    "inspectionCreate": InspectionCreatePayload,
}
"""The payload struct of each operation kind."""


# --- the batch -----------------------------------------------------------------------------------------------------


class SyncOp(Wire):
    """One queued operation; `opId` is the phone's key for it, unique per user for good."""

    op_id: OpId
    kind: Annotated[str, Meta(min_length=1, max_length=32)]  # one of `OpKind`; another gets its own error
    payload: dict[str, Any]


class SyncBatch(Wire):
    """`POST /v1/sync/batch`: operations applied in the order given."""

    ops: Annotated[list[SyncOp], Meta(min_length=1)]


class SyncOpError(WireOut):
    """Why an operation was refused: the problem details its own endpoint would have answered."""

    code: str
    status: int
    title: str
    detail: str
    extra: dict[str, Any] | None = None


class SyncOpResult(WireOut):
    """The outcome of one operation, the same every time the operation is sent again.

    `status` is `ok` (`resource`, `id`, `version` and `data`, the resource as its endpoint answered then) or `error`
    (`error`). `retryable` errors (the server was briefly unable) are not kept: send the operation again later.
    Every other outcome is kept for good under (user, `opId`).
    """

    op_id: str
    kind: str
    status: Literal["ok", "error"]
    http_status: int
    resource: Literal["scan", "hazard", "inspection"] | None = None
    id: str | None = None
    version: int | None = None
    data: dict[str, Any] | None = None
    error: SyncOpError | None = None
    retryable: bool = False


class SyncBatchResult(WireOut):
    """A result per operation, in the order sent."""

    results: list[SyncOpResult]


RESULT_BODIES: dict[str, type[msgspec.Struct]] = {"scan": ScanCard, "hazard": Hazard, "inspection": Inspection}
"""The struct of a successful result's `data`, by `resource`."""


# --- the delta feed ------------------------------------------------------------------------------------------------

ChangeKind = Literal["enterprise", "riskPoint", "hazard", "task"]


class RiskPointCard(WireOut):
    """A risk point with its checklist: what its card (and its scan) shows."""

    risk_point: RiskPoint
    checklist: list[ChecklistItem]


class Change(WireOut):
    """Something in the caller's scope changed (`upsert`, with `data` as it is now) or left it (`remove`).

    A removed `enterprise` takes with it everything of that enterprise the phone holds.
    """

    kind: ChangeKind
    id: str
    op: Literal["upsert", "remove"]
    enterprise_id: str
    data: dict[str, Any] | None = None
    reason: Literal["leftScope", "deleted"] | None = None


class ChangesPage(WireOut):
    """`GET /v1/sync/changes`: apply `changes` in order, keep `nextCursor`, ask again while `hasMore`."""

    changes: list[Change]
    next_cursor: str
    has_more: bool


CHANGE_BODIES: dict[str, type[msgspec.Struct]] = {
    "enterprise": Enterprise,
    "riskPoint": RiskPointCard,
    "hazard": Hazard,
    "task": Task,
}
"""The struct of a change's `data`, by `kind`."""


def op(op_id: str, payload: Payload) -> SyncOp:
    """An operation for the batch, its kind taken from the payload's type."""
    kind = next(kind for kind, cls in PAYLOADS.items() if type(payload) is cls)
    return SyncOp(op_id=op_id, kind=kind, payload=msgspec.to_builtins(payload))


def body_of(change: Change) -> msgspec.Struct | None:
    """The typed `data` of a change (None for a removal)."""
    return None if change.data is None else msgspec.convert(change.data, CHANGE_BODIES[change.kind])


def result_body(result: SyncOpResult) -> msgspec.Struct | None:
    """The typed `data` of a successful result."""
    if result.data is None or result.resource is None:
        return None
    return msgspec.convert(result.data, RESULT_BODIES[result.resource])
