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

    token: Annotated[str, Meta(min_length=1, max_length=200, description="The token read from the code")]
    device_id: Annotated[str, Meta(max_length=128, description="The phone's own stable id (empty: not given)")] = ""
    client_time: (
        Annotated[
            Time, Meta(description="When the phone scanned, by its clock, RFC 3339 with an offset (null: not given)")
        ]
        | None
    ) = None
    lat: (
        Annotated[Latitude, Meta(description="The phone's WGS 84 latitude in degrees at the scan (null: no fix)")]
        | None
    ) = None
    lng: (
        Annotated[Longitude, Meta(description="The phone's WGS 84 longitude in degrees at the scan (null: no fix)")]
        | None
    ) = None
    accuracy: Annotated[Accuracy, Meta(description="The fix's estimated error, in metres (null: unknown)")] | None = (
        None
    )


class HazardCreatePayload(HazardCreate, kw_only=True):
    """`POST /v1/hazards`; `scanOpId` instead of `scanId` names the scan an earlier operation recorded."""

    scan_op_id: (
        Annotated[
            OpId,
            Meta(
                description="The `opId` of an earlier scan operation of this batch or queue, in place of `scanId` (null: none)"
            ),
        ]
        | None
    ) = None


class HazardTransitionPayload(Wire, kw_only=True):
    """`POST /v1/hazards/{id}/transitions`: `hazardId`, or `hazardOpId` for one an earlier operation reported;
    `expectedVersion` plays the part of `If-Match`."""

    hazard_id: Annotated[Id, Meta(description="The hazard to act on (null: give `hazardOpId`)")] | None = None
    hazard_op_id: (
        Annotated[
            OpId,
            Meta(description="The `opId` of the earlier operation that reported the hazard (null: give `hazardId`)"),
        ]
        | None
    ) = None
    expected_version: Annotated[
        int, Meta(ge=1, le=999_999_999, description="The hazard's version the decision was made on, as `If-Match`")
    ]
    transition: Annotated[
        TransitionRequest,
        Meta(description="The action and its fields, as the body of `POST /v1/hazards/{{id}}/transitions`"),
    ]


class InspectionCreatePayload(InspectionCreate, kw_only=True):
    """`POST /v1/inspections`; `scanOpId` instead of `scanId` names the scan an earlier operation recorded."""

    scan_op_id: (
        Annotated[OpId, Meta(description="The `opId` of an earlier scan operation, in place of `scanId` (null: none)")]
        | None
    ) = None


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

    op_id: Annotated[
        OpId,
        Meta(
            description="The phone's key for the operation, unique per user for good; resending it answers the kept outcome"
        ),
    ]
    kind: Annotated[
        str,
        Meta(
            min_length=1,
            max_length=32,
            description="`scan`, `hazardCreate`, `hazardTransition` or `inspectionCreate`; another gets its own error",
        ),
    ]
    payload: Annotated[dict[str, Any], Meta(description="The operation's body, as the payload struct of its `kind`")]


class SyncBatch(Wire):
    """`POST /v1/sync/batch`: operations applied in the order given."""

    ops: Annotated[
        list[SyncOp], Meta(min_length=1, description="The queued operations, oldest first; at most 200 in one batch")
    ]


class SyncOpError(WireOut):
    """Why an operation was refused: the problem details its own endpoint would have answered."""

    code: Annotated[str, Meta(description="The stable error code of the catalogue (`GET /v1/errors`)")]
    status: Annotated[int, Meta(description="The HTTP status its endpoint would have answered")]
    title: Annotated[str, Meta(description="The catalogue's text of the code, in the request's language")]
    detail: Annotated[str, Meta(description="What went wrong in this case")]
    extra: Annotated[
        dict[str, Any] | None, Meta(description="The problem's further members (`params`, `errors`) (null: none)")
    ] = None


class SyncOpResult(WireOut):
    """The outcome of one operation, the same every time the operation is sent again.

    `status` is `ok` (`resource`, `id`, `version` and `data`, the resource as its endpoint answered then) or `error`
    (`error`). `retryable` errors (the server was briefly unable) are not kept: send the operation again later.
    Every other outcome is kept for good under (user, `opId`).
    """

    op_id: Annotated[str, Meta(description="The operation's `opId`")]
    kind: Annotated[str, Meta(description="The operation's `kind`, as sent")]
    status: Annotated[
        Literal["ok", "error"], Meta(description="`ok`: applied (now or before); `error`: refused, see `error`")
    ]
    http_status: Annotated[int, Meta(description="The HTTP status its own endpoint would have answered")]
    resource: Annotated[
        Literal["scan", "hazard", "inspection"] | None, Meta(description="What `data` is (null on an error)")
    ] = None
    id: Annotated[str | None, Meta(description="The id of what the operation made or changed (null on an error)")] = (
        None
    )
    version: Annotated[
        int | None, Meta(description="That record's version after the operation (null on an error or for a scan)")
    ] = None
    data: Annotated[
        dict[str, Any] | None, Meta(description="The resource as its endpoint answered then (null on an error)")
    ] = None
    error: Annotated[SyncOpError | None, Meta(description="Why it was refused (null when `ok`)")] = None
    retryable: Annotated[
        bool, Meta(description="True: the server was briefly unable and kept nothing; send the operation again later")
    ] = False


class SyncBatchResult(WireOut):
    """A result per operation, in the order sent."""

    results: Annotated[list[SyncOpResult], Meta(description="One result per operation, in the order sent")]


RESULT_BODIES: dict[str, type[msgspec.Struct]] = {"scan": ScanCard, "hazard": Hazard, "inspection": Inspection}
"""The struct of a successful result's `data`, by `resource`."""


# --- the delta feed ------------------------------------------------------------------------------------------------

ChangeKind = Literal["enterprise", "riskPoint", "hazard", "task"]


class RiskPointCard(WireOut):
    """A risk point with its checklist: what its card (and its scan) shows."""

    risk_point: Annotated[RiskPoint, Meta(description="The risk point")]
    checklist: Annotated[list[ChecklistItem], Meta(description="Its checklist")]


class Change(WireOut):
    """Something in the caller's scope changed (`upsert`, with `data` as it is now) or left it (`remove`).

    A removed `enterprise` takes with it everything of that enterprise the phone holds.
    """

    kind: Annotated[
        ChangeKind,
        Meta(description="What changed: an enterprise, a risk point (with its checklist), a hazard or a task"),
    ]
    id: Annotated[str, Meta(description="Its id")]
    op: Annotated[
        Literal["upsert", "remove"], Meta(description="`upsert`: store `data` as it is now; `remove`: drop it")
    ]
    enterprise_id: Annotated[str, Meta(description="The enterprise it belongs to")]
    data: Annotated[
        dict[str, Any] | None,
        Meta(description="The entity as its own endpoint shows it to the caller now (null for `remove`)"),
    ] = None
    reason: Annotated[
        Literal["leftScope", "deleted"] | None,
        Meta(description="Why it was removed: it left the caller's scope or was deleted (null for `upsert`)"),
    ] = None


class ChangesPage(WireOut):
    """`GET /v1/sync/changes`: apply `changes` in order, keep `nextCursor`, ask again while `hasMore`."""

    changes: Annotated[list[Change], Meta(description="The changes, in the order to apply them")]
    next_cursor: Annotated[str, Meta(description="Keep it and send it as `cursor` next time")]
    has_more: Annotated[bool, Meta(description="True: more changes wait; ask again at once with `nextCursor`")]


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
