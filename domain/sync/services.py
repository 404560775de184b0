"""Use cases of offline sync: apply a phone's queue of operations (`apply_batch`) and page through what changed in
the caller's scope (`changes_since`).

A batch applies each operation through the service its own endpoint uses, in one transaction with the record of
its outcome under (user, opId): a crash leaves the operation either applied and recorded or neither. An operation
sent again answers from that record and changes nothing. Refusals are outcomes too and are kept; only failures of
the server itself (and operations still waiting for another) are not, so they run again when sent again.

An operation whose prerequisite is not there yet (it names an operation we have not applied, or expects a hazard
version beyond the current one, which only a missing earlier operation of the same queue explains) waits: the
batch tries it again after each pass that applied something, so a queue sent in any order applies as it would in
order; still waiting at the end → `SYNC_OP_PENDING`, not kept.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from domain.access.model import Actor
from domain.changes.model import ENTERPRISE, HAZARD, REMOVE, RISK_POINT, TASK
from domain.clock import utcnow
from domain.db.engine import is_unique_violation
from domain.db.transactions import transaction
from domain.errors import DomainError, InvalidInput
from domain.hazards import services as hazards
from domain.hazards.model import Command
from domain.inspections import services as inspections
from domain.org import services as org
from domain.risk import store as risk
from domain.safety_code.services import SafetyCodeRecord, current_code
from domain.supervision.services import current_classes
from domain.sync import store
from domain.sync.changes import DEFAULT_LIMIT, MAX_LIMIT, decode_cursor, encode_cursor, read_changes
from domain.sync.store import KeptResult

log = logging.getLogger("shuangfang.sync")

MAX_OPS = 200


class BatchTooLarge(DomainError):
    """More operations than one batch may carry."""

    code = "SYNC_BATCH_TOO_LARGE"


class OpInvalid(InvalidInput):
    """An operation of an unknown kind, or whose payload does not decode as its kind's."""

    code = "SYNC_OP_INVALID"


class OpIdReused(InvalidInput):
    """The opId already names another operation of this user."""

    code = "SYNC_OP_ID_REUSED"


class OpReferenceFailed(InvalidInput):
    """The operation names an earlier one that was refused, or that made something else."""

    code = "SYNC_OP_REFERENCE_FAILED"


class OpPending(DomainError):
    """The operation waits for another that has not been applied (not kept: send it again with that one)."""

    code = "SYNC_OP_PENDING"


class OpRetryLater(DomainError):
    """The server could not apply the operation just now (not kept: send it again)."""

    code = "SYNC_OP_RETRY_LATER"


# --- operations ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScanOp:
    """A scanned code, as `GET /v1/scan/{token}` takes it."""

    token: str
    device_id: str = ""
    client_time: datetime | None = None
    lat: float | None = None
    lng: float | None = None
    accuracy: float | None = None


@dataclass(frozen=True, slots=True)
class HazardCreateOp:
    """A hazard report; `scan_op_id` names the operation that recorded its scan."""

    new: hazards.NewHazard
    scan_op_id: str | None = None


@dataclass(frozen=True, slots=True)
class HazardTransitionOp:
    """A workflow action on a hazard named by id or by the operation that reported it."""

    expected_version: int
    command: Command
    hazard_id: str | None = None
    hazard_op_id: str | None = None


@dataclass(frozen=True, slots=True)
class InspectionCreateOp:
    """An inspection; `scan_op_id` names the operation that recorded its scan."""

    new: inspections.NewInspection
    scan_op_id: str | None = None


Operation = ScanOp | HazardCreateOp | HazardTransitionOp | InspectionCreateOp


@dataclass(frozen=True, slots=True)
class QueuedOp:
    """One operation of a batch: decoded (`operation`) or refused as sent (`invalid`)."""

    op_id: str
    kind: str
    fingerprint: str
    operation: Operation | None = None
    invalid: DomainError | None = None


@dataclass(frozen=True, slots=True)
class OpOutcome:
    """What an operation came to: `ok` with the resource (as presented then), or the error; `retryable` when it was
    not kept because sending it again may succeed."""

    op_id: str
    kind: str
    ok: bool
    created: bool = False
    resource: str | None = None
    resource_id: str | None = None
    version: int | None = None
    data: dict[str, Any] | None = None
    code: str | None = None
    detail: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    retryable: bool = False


Present = Callable[[str, Any], dict[str, Any]]
"""Turns a record of a resource kind (`scan`, `hazard`, `inspection`) into its wire form as plain data."""


def fingerprint(kind: str, payload: Any) -> str:
    """The identity of an operation's content, whatever the key order it was sent in."""
    text = json.dumps({"kind": kind, "payload": payload}, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


class _Refs:
    """The resources earlier operations of the same user made."""

    def __init__(self, user_id: str) -> None:
        self.user_id = user_id

    async def resource_id(self, op_id: str, resource: str) -> str:
        row = await _stored(self.user_id, op_id)
        if row is None:
            raise OpPending("waiting for an operation not applied yet", opId=op_id)
        if not row.ok or row.resource != resource:
            raise OpReferenceFailed(f"operation {op_id} made no {resource}", opId=op_id, reason="not_made")
        return row.resource_id


async def _stored(user_id: str, op_id: str) -> KeptResult | None:
    return await store.kept_result(user_id, op_id)


async def _execute(actor: Actor, operation: Operation, refs: _Refs, codes, present: Present) -> OpOutcome:
    """Run one operation through its area's service; the caller holds the transaction."""
    match operation:
        case ScanOp():
            result = await codes.scan(
                actor=actor,
                token=operation.token,
                device_id=operation.device_id,
                client_time=operation.client_time,
                lat=operation.lat,
                lng=operation.lng,
                accuracy=operation.accuracy,
            )
            return OpOutcome("", "", True, True, "scan", result.scan_id, None, present("scan", result))
        case HazardCreateOp(new=new, scan_op_id=scan_op_id):
            if scan_op_id:
                new = dataclasses.replace(new, scan_id=await refs.resource_id(scan_op_id, "scan"))
            record, created = await hazards.create_hazard(actor=actor, new=new)
            return OpOutcome("", "", True, created, "hazard", record.id, record.version, present("hazard", record))
        case HazardTransitionOp():
            hazard_id = operation.hazard_id or await refs.resource_id(operation.hazard_op_id or "", "hazard")
            current = await hazards.get_hazard(actor=actor, hazard_id=hazard_id)
            if current.version < operation.expected_version:
                raise OpPending(
                    "waiting for the operation that makes the version expected",
                    current=current.version,
                    sent=operation.expected_version,
                )
            record = await hazards.transition(
                actor=actor, hazard_id=hazard_id, expected_version=operation.expected_version, command=operation.command
            )
            return OpOutcome("", "", True, False, "hazard", record.id, record.version, present("hazard", record))
        case InspectionCreateOp(new=new, scan_op_id=scan_op_id):
            if scan_op_id:
                new = dataclasses.replace(new, scan_id=await refs.resource_id(scan_op_id, "scan"))
            record, created = await inspections.record_inspection(actor=actor, new=new)
            return OpOutcome("", "", True, created, "inspection", record.id, None, present("inspection", record))
    raise OpInvalid("unknown operation")  # unreachable: every kind decodes to one of the above


def _error(op: QueuedOp, error: DomainError, *, retryable: bool = False) -> OpOutcome:
    return OpOutcome(
        op.op_id, op.kind, False, code=error.code, detail=error.detail, params=dict(error.params), retryable=retryable
    )


def _to_json(outcome: OpOutcome) -> str:
    fields = {
        "ok": outcome.ok,
        "created": outcome.created,
        "resource": outcome.resource,
        "id": outcome.resource_id,
        "version": outcome.version,
        "data": outcome.data,
        "code": outcome.code,
        "detail": outcome.detail,
        "params": outcome.params,
    }
    return json.dumps(fields, ensure_ascii=False, default=str)


def _from_row(op: QueuedOp, row: KeptResult) -> OpOutcome:
    kept = json.loads(row.result)
    return OpOutcome(
        op.op_id,
        row.kind,
        kept["ok"],
        kept["created"],
        kept["resource"],
        kept["id"],
        kept["version"],
        kept["data"],
        kept["code"],
        kept["detail"],
        kept["params"] or {},
    )


def _row(actor: Actor, op: QueuedOp, outcome: OpOutcome, now: datetime) -> KeptResult:
    return KeptResult(
        user_id=actor.user_id,
        op_id=op.op_id,
        kind=op.kind,
        fingerprint=op.fingerprint,
        ok=outcome.ok,
        resource=outcome.resource,
        resource_id=outcome.resource_id,
        result=_to_json(outcome),
        created_at=now,
    )


async def _keep_refusal(actor: Actor, op: QueuedOp, outcome: OpOutcome) -> OpOutcome:
    """Store a refusal; if a concurrent send of the same operation stored its outcome first, that one stands."""
    try:
        async with transaction():
            await store.keep_result(_row(actor, op, outcome, utcnow()))
    except Exception as error:
        if not is_unique_violation(error):
            raise
        row = await _stored(actor.user_id, op.op_id)
        return _from_row(op, row) if row else outcome
    return outcome


async def _apply_one(actor: Actor, op: QueuedOp, refs: _Refs, codes, present: Present) -> OpOutcome | None:
    """The outcome of one operation, or None while it waits for another."""
    if (row := await _stored(actor.user_id, op.op_id)) is not None:
        if row.fingerprint != op.fingerprint or row.kind != op.kind:
            # not kept (the opId keeps its first operation) and not retryable: a new operation needs a new opId
            return _error(op, OpIdReused("this opId already names another operation of yours", opId=op.op_id))
        return _from_row(op, row)
    if op.invalid is not None or op.operation is None:
        return await _keep_refusal(actor, op, _error(op, op.invalid or OpInvalid("unknown operation")))
    try:
        async with transaction():
            if (row := await _stored(actor.user_id, op.op_id)) is not None:
                # the same operation, sent again while this one waited for the write lock, was applied meanwhile
                return _from_row(op, row)
            done = await _execute(actor, op.operation, refs, codes, present)
            outcome = OpOutcome(
                op.op_id, op.kind, True, done.created, done.resource, done.resource_id, done.version, done.data
            )
            await store.keep_result(_row(actor, op, outcome, utcnow()))
        return outcome
    except OpPending:
        return None
    except DomainError as error:
        return await _keep_refusal(actor, op, _error(op, error))
    except Exception as error:
        if is_unique_violation(error) and (row := await _stored(actor.user_id, op.op_id)) is not None:
            return _from_row(op, row)  # a concurrent send of the same operation applied it first
        log.error("sync operation failed", exc_info=error, extra={"op_id": op.op_id, "kind": op.kind})
        return _error(op, OpRetryLater("the server could not apply this operation now; send it again"), retryable=True)


async def apply_batch(*, actor: Actor, ops: list[QueuedOp], codes, present: Present) -> list[OpOutcome]:
    """Apply the operations in order (those waiting for another, again after each pass that applied something);
    an outcome per operation, in the order sent."""
    if len(ops) > MAX_OPS:
        raise BatchTooLarge(f"at most {MAX_OPS} operations in one batch", limit=MAX_OPS, sent=len(ops))
    refs = _Refs(actor.user_id)
    outcomes: dict[int, OpOutcome] = {}
    waiting = list(range(len(ops)))
    while waiting:
        still = []
        for index in waiting:
            outcome = await _apply_one(actor, ops[index], refs, codes, present)
            if outcome is None:
                still.append(index)
            else:
                outcomes[index] = outcome
        if len(still) == len(waiting):
            break
        waiting = still
    for index in waiting:
        pending = OpPending("waiting for an operation not applied yet: send it in the same or an earlier batch")
        outcomes[index] = _error(ops[index], pending, retryable=True)
    return [outcomes[index] for index in range(len(ops))]


# --- the delta feed ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChangeItem:
    """One change for the caller: the entity's record as it is now for an upsert, None for a removal."""

    kind: str
    id: str
    op: str
    enterprise_id: str
    reason: str | None
    record: Any


@dataclass(frozen=True, slots=True)
class RiskPointCard:
    """A risk point with its active checklist."""

    point: Any
    checklist: list


@dataclass(frozen=True, slots=True)
class ChangesPage:
    """A page of the feed."""

    items: list[ChangeItem]
    next_cursor: str
    has_more: bool


@dataclass(frozen=True, slots=True)
class EnterpriseCard:
    """An enterprise with its dynamic safety code."""

    enterprise: org.EnterpriseRecord
    code: SafetyCodeRecord
    supervision_class: str | None = None


async def _enterprises(actor: Actor, ids: list[str]) -> list[EnterpriseCard]:
    records = await org.enterprises_by_ids(actor=actor, enterprise_ids=ids)
    classes = await current_classes([record.id for record in records])
    return [
        EnterpriseCard(
            record,
            await current_code(record.id),
            classes[record.id].supervision_class.value if record.id in classes else None,
        )
        for record in records
    ]


async def _cards(actor: Actor, ids: list[str]) -> list[RiskPointCard]:
    if not ids:
        return []
    points = await risk.visible_points(actor, ids)
    checklists = await risk.active_checklists([point.id for point in points])
    return [RiskPointCard(point, checklists.get(point.id, [])) for point in points]


_LOADERS: dict[str, Callable[[Actor, list[str]], Awaitable[list]]] = {
    ENTERPRISE: _enterprises,
    HAZARD: lambda actor, ids: hazards.hazards_by_ids(actor=actor, hazard_ids=ids),
    TASK: lambda actor, ids: inspections.tasks_by_ids(actor=actor, task_ids=ids),
    RISK_POINT: _cards,
}


def _id_of(record: Any) -> str:
    if isinstance(record, EnterpriseCard):
        return record.enterprise.id
    return record.point.id if isinstance(record, RiskPointCard) else record.id


async def changes_since(*, actor: Actor, cursor: str | None, limit: int | None = None) -> ChangesPage:
    """What changed in the caller's scope after the cursor (everything, from no cursor), in order, a page at a time.

    Within a page an entity appears once, at its last change, with its state now; an upsert of something that
    has left the caller's scope since is skipped (its removal follows in the feed).
    """
    since = decode_cursor(cursor)
    size = min(max(limit or DEFAULT_LIMIT, 1), MAX_LIMIT)
    rows, has_more = await read_changes(actor=actor, since=since, limit=size)
    last = {(row.kind, row.entity_id): row.seq for row in rows}
    latest = [row for row in rows if last[(row.kind, row.entity_id)] == row.seq]
    records: dict[tuple[str, str], Any] = {}
    for kind, loader in _LOADERS.items():
        ids = sorted({row.entity_id for row in latest if row.kind == kind and row.op != REMOVE})
        records |= {(kind, _id_of(record)): record for record in await loader(actor, ids)}
    items = [
        ChangeItem(
            row.kind, row.entity_id, row.op, row.enterprise_id, row.reason, records.get((row.kind, row.entity_id))
        )
        for row in latest
        if row.op == REMOVE or (row.kind, row.entity_id) in records
    ]
    next_seq = rows[-1].seq if rows else since
    return ChangesPage(items=items, next_cursor=encode_cursor(next_seq), has_more=has_more)
