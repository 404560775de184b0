"""Offline sync: the batch of queued operations and the delta feed."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.params import Parameter

from api import presenters
from api.errors import preferred_language
from api.routes import hazards as hazard_routes
from api.routes import inspections as inspection_routes
from domain.access.model import Actor
from domain.codes.services import Codes
from domain.codes.tokens import SubjectKind
from domain.hazards.services import NewHazard
from domain.sync import services as sync
from mobile_contract import hazards as wire_hazards
from mobile_contract import inspections as wire_inspections
from mobile_contract import sync as wire
from mobile_contract.errors import CATALOGUE, localised_title
from mobile_contract.inspections import Task
from mobile_contract.orgs import SafetyCode


def _decode(payload: dict[str, Any], cls: type, *, drop: str | None = None):
    # through JSON, so a payload is read exactly as its own endpoint reads a body (strict types, unknown fields)
    data = {key: value for key, value in payload.items() if key != drop}
    return msgspec.json.decode(msgspec.json.encode(data), type=cls)


def _operation(op: wire.SyncOp) -> sync.Operation:
    """The domain operation of a wire operation; raises `msgspec.ValidationError` or `OpInvalid`."""
    cls = wire.PAYLOADS.get(op.kind)
    if cls is None:
        raise sync.OpInvalid(f"unknown operation kind {op.kind!r}", field="kind", known=sorted(wire.PAYLOADS))
    payload = _decode(op.payload, cls)
    match payload:
        case wire.ScanPayload():
            return sync.ScanOp(
                token=payload.token,
                device_id=payload.device_id,
                client_time=payload.client_time,
                lat=payload.lat,
                lng=payload.lng,
                accuracy=payload.accuracy,
            )
        case wire.HazardCreatePayload():
            fields = msgspec.structs.asdict(_decode(op.payload, wire_hazards.HazardCreate, drop="scanOpId"))
            fields["photo_ids"] = tuple(fields["photo_ids"])
            return sync.HazardCreateOp(new=NewHazard(**fields), scan_op_id=payload.scan_op_id)
        case wire.HazardTransitionPayload():
            if (payload.hazard_id is None) == (payload.hazard_op_id is None):
                raise sync.OpInvalid("name the hazard by hazardId or by hazardOpId, not both", field="hazardId")
            return sync.HazardTransitionOp(
                expected_version=payload.expected_version,
                command=hazard_routes.command_of(payload.transition),
                hazard_id=payload.hazard_id,
                hazard_op_id=payload.hazard_op_id,
            )
        case wire.InspectionCreatePayload():
            body = _decode(op.payload, wire_inspections.InspectionCreate, drop="scanOpId")
            return sync.InspectionCreateOp(new=inspection_routes.new_inspection(body), scan_op_id=payload.scan_op_id)
    raise sync.OpInvalid("unknown operation kind", field="kind")  # unreachable: PAYLOADS lists the four


def queued(op: wire.SyncOp) -> sync.QueuedOp:
    """A wire operation decoded, or carrying why it cannot be (its own error; the batch goes on)."""
    fingerprint = sync.fingerprint(op.kind, op.payload)
    try:
        return sync.QueuedOp(op.op_id, op.kind, fingerprint, operation=_operation(op))
    except msgspec.ValidationError as error:
        invalid = sync.OpInvalid(str(error), field="payload")
    except sync.OpInvalid as error:
        invalid = error
    return sync.QueuedOp(op.op_id, op.kind, fingerprint, invalid=invalid)


def _enterprise(codes, card: sync.EnterpriseCard):
    """An enterprise with its safety code, as `GET /v1/enterprises/{id}` shows it."""
    code = codes.printed(SubjectKind.ENTERPRISE, card.enterprise.id, card.enterprise.qr_serial)
    return presenters.enterprise(
        card.enterprise,
        SafetyCode(token=code.token, url=code.url, color=card.code.colour.value),
        supervision_class=card.supervision_class,
    )


def present(codes, resource: str, record: Any) -> dict[str, Any]:
    """A resource as its own endpoint answers it, as plain data."""
    body = {
        "scan": lambda: presenters.scan_card(record),
        "hazard": lambda: hazard_routes.presented(record),
        "inspection": lambda: inspection_routes.presented(record),
        "enterprise": lambda: _enterprise(codes, record),
        "task": lambda: Task(**{name: getattr(record, name) for name in Task.__struct_fields__}),
        "riskPoint": lambda: wire.RiskPointCard(
            risk_point=presenters.risk_point(record.point, codes),
            checklist=[presenters.checklist_item(item) for item in record.checklist],
        ),
    }[resource]()
    return msgspec.to_builtins(body)


def result_of(outcome: sync.OpOutcome, language: str) -> wire.SyncOpResult:
    """The wire result of an operation, its error titled in the caller's language."""
    if outcome.ok:
        status = 201 if outcome.created and outcome.resource != "scan" else 200
        return wire.SyncOpResult(
            op_id=outcome.op_id,
            kind=outcome.kind,
            status="ok",
            http_status=status,
            resource=outcome.resource,
            id=outcome.resource_id,
            version=outcome.version,
            data=outcome.data,
        )
    code = outcome.code or "INTERNAL_ERROR"
    title = localised_title(code, language)
    error = wire.SyncOpError(
        code=code,
        status=CATALOGUE[code].status,
        title=title,
        detail=outcome.detail if (language == "en" and outcome.detail) else title,
        extra=outcome.params or None,
    )
    return wire.SyncOpResult(
        op_id=outcome.op_id,
        kind=outcome.kind,
        status="error",
        http_status=error.status,
        error=error,
        retryable=outcome.retryable,
    )


class SyncController(Controller):
    """`/v1/sync/batch`, `/v1/sync/changes`."""

    path = "/v1/sync"
    tags = ["sync"]

    @post(
        "/batch",
        status_code=200,
        summary="Apply queued operations in order; a result per operation, the same every time the batch is sent again",
    )
    async def batch(self, actor: Actor, codes: Codes, request: Request, data: wire.SyncBatch) -> wire.SyncBatchResult:
        """The offline queue: at most 200 operations applied in order, one result each; sending an operation again answers its kept result and changes nothing."""
        outcomes = await sync.apply_batch(
            actor=actor, ops=[queued(op) for op in data.ops], codes=codes, present=partial(present, codes)
        )
        language = preferred_language(request)
        return wire.SyncBatchResult(results=[result_of(outcome, language) for outcome in outcomes])

    @get("/changes", summary="What changed in the caller's scope since the cursor (everything, without one)")
    async def changes(
        self,
        actor: Actor,
        codes: Codes,
        since: Annotated[str | None, Parameter(max_length=200, description="the nextCursor of the last page")] = None,
        limit: Annotated[int | None, Parameter(ge=1, le=500)] = None,
    ) -> wire.ChangesPage:
        """The delta feed: what changed in the caller's scope after the cursor (everything, in pages, without one); a removal when something leaves the scope."""
        page = await sync.changes_since(actor=actor, cursor=since, limit=limit)
        changes = [
            wire.Change(
                kind=item.kind,
                id=item.id,
                op=item.op,
                enterprise_id=item.enterprise_id,
                reason=item.reason,
                data=None if item.record is None else present(codes, item.kind, item.record),
            )
            for item in page.items
        ]
        return wire.ChangesPage(changes=changes, next_cursor=page.next_cursor, has_more=page.has_more)
