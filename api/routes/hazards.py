"""Hazards: report, list, read (with an ETag), move through the workflow (with If-Match), and the history."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import Parameter, QueryParameter

from api.errors import CodedProblem
from domain.access.model import Actor
from domain.hazards import services as hazards
from domain.hazards.model import COMMANDS, Action
from mobile_contract import hazards as wire


def command_of(body: wire.TransitionRequest):
    """The domain command of a transition body: same fields, snake_case, lists as tuples."""
    action = Action(type(body).__struct_config__.tag)
    fields = {
        name: tuple(value) if isinstance(value, list) else value for name, value in msgspec.structs.asdict(body).items()
    }
    return COMMANDS[action](**fields)


def presented(record: hazards.HazardRecord) -> wire.Hazard:
    """The wire form of a hazard record."""
    lists = ("photos", "documents")
    fields = {name: getattr(record, name) for name in wire.Hazard.__struct_fields__ if name not in lists}
    photos = [
        wire.HazardPhoto(
            id=p.photo_id,
            sha256=p.sha256,
            stage=p.stage,
            event_seq=p.event_seq,
            url=f"/v1/photos/{p.photo_id}",
            thumb_url=f"/v1/photos/{p.photo_id}/thumb",
            display_url=f"/v1/photos/{p.photo_id}/display",
        )
        for p in record.photos
    ]
    documents = [
        wire.HazardDocument(
            id=d.document_id,
            sha256=d.sha256,
            action=d.action,
            event_seq=d.event_seq,
            filename=d.filename,
            page_count=d.page_count,
            size_bytes=d.size_bytes,
            url=f"/v1/documents/{d.document_id}/file",
        )
        for d in record.documents
    ]
    return wire.Hazard(**fields, photos=photos, documents=documents)


def etag(version: int) -> str:
    """The hazard's version as a strong entity tag."""
    return f'"{version}"'


def expected_version(request: Request, subject: str = "hazard") -> int:
    """The version named by If-Match (`"3"`, `W/"3"` or `3`); missing → 428, unreadable → 400."""
    header = request.headers.get("if-match")
    if header is None:
        raise CodedProblem("IF_MATCH_REQUIRED", f"send If-Match with the {subject}'s version (its ETag)")
    text = header.strip().removeprefix("W/").strip('"')
    if not text.isdigit() or len(text) > 9:
        raise CodedProblem("REQUEST_MALFORMED", f"If-Match must carry the {subject}'s version, as its ETag shows it")
    return int(text)


def _with_etag(record: hazards.HazardRecord, status_code: int = 200) -> Response[wire.Hazard]:
    return Response(presented(record), status_code=status_code, headers={"ETag": etag(record.version)})


class HazardController(Controller):
    """`/v1/hazards/*`."""

    path = "/v1/hazards"
    tags = ["hazards"]

    @post("/", summary="Report a hazard (201; the same clientId again → 200 and the same hazard)")
    async def create(self, actor: Actor, data: wire.HazardCreate) -> Response[wire.Hazard]:
        """Report a hazard found (by a check, an inspection or a scan); the same `clientId` again answers 200 with the hazard it made. The answer's ETag is its version."""
        fields = msgspec.structs.asdict(data)
        fields["photo_ids"] = tuple(fields["photo_ids"])
        record, created = await hazards.create_hazard(actor=actor, new=hazards.NewHazard(**fields))
        return _with_etag(record, 201 if created else 200)

    @get("/", summary="Hazards in the caller's scope, newest first")
    async def list_hazards(
        self,
        actor: Actor,
        status: Annotated[
            str | None, Parameter(max_length=300, description="one status or several, comma-separated")
        ] = None,
        level: Annotated[wire.HazardLevel | None, Parameter()] = None,
        enterprise_id: Annotated[str | None, QueryParameter(name="enterpriseId", max_length=40)] = None,
        risk_point_id: Annotated[str | None, QueryParameter(name="riskPointId", max_length=40)] = None,
        overdue: bool | None = None,
        open_only: Annotated[bool, QueryParameter(name="open")] = False,
        cursor: Annotated[str | None, Parameter(max_length=200)] = None,
        limit: Annotated[int | None, Parameter(ge=1, le=1000)] = None,
    ) -> wire.HazardPage:
        """Hazards in the caller's scope, newest first, filtered by status(es), level, enterprise, risk point, overdue or open; page on with `cursor`."""
        statuses = tuple(part for part in (status or "").split(",") if part)
        filters = hazards.HazardFilter(statuses, level, enterprise_id, risk_point_id, overdue, open_only)
        page = await hazards.list_hazards(actor=actor, filters=filters, cursor=cursor, limit=limit)
        return wire.HazardPage(items=[presented(r) for r in page.items], next_cursor=page.next_cursor)

    @get("/{hazard_id:str}", summary="One hazard with its version (ETag) and the caller's allowed actions")
    async def get_one(self, actor: Actor, hazard_id: str) -> Response[wire.Hazard]:
        """One hazard with its photos, documents, version (also as ETag) and the actions the caller may take now."""
        return _with_etag(await hazards.get_hazard(actor=actor, hazard_id=hazard_id))

    @post("/{hazard_id:str}/transitions", summary="Take a workflow action (If-Match: the version)", status_code=200)
    async def transition(
        self, actor: Actor, request: Request, hazard_id: str, data: wire.TransitionRequest
    ) -> Response[wire.Hazard]:
        """One workflow action (`action` names it: assign, rectify, accept, supervise …). Send the version read as If-Match; a stale one → 412."""
        version = expected_version(request)
        record = await hazards.transition(
            actor=actor, hazard_id=hazard_id, expected_version=version, command=command_of(data)
        )
        return _with_etag(record)

    @get("/{hazard_id:str}/history", summary="The hazard's hash-chained events, oldest first")
    async def history(self, actor: Actor, hazard_id: str) -> list[wire.HistoryEvent]:
        """Every event of the hazard, oldest first, each hash-chained to the one before (tamper-evident)."""
        return [
            wire.HistoryEvent(**{f: getattr(e, f) for f in wire.HistoryEvent.__struct_fields__})
            for e in await hazards.hazard_history(actor=actor, hazard_id=hazard_id)
        ]
