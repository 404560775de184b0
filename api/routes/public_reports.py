"""Public reports: the reporter's side without an account (`/v1/public/reports*`) and the receivers' side
(`/v1/public-reports*`: regulators act, grid inspectors read, enterprises see nothing)."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import Parameter

from api.multipart import STORAGE_FULL_RESPONSE, malformed
from api.routes.hazards import etag, expected_version
from api.routes.photos import UPLOAD_BODY_LIMIT, _UploadOperation, receive_upload
from domain.access.model import Actor
from domain.photos.services import Photos
from domain.public_reports import model
from domain.public_reports import services as reports
from mobile_contract import hazards as hazard_wire
from mobile_contract import public_reports as wire


def client_address(request: Request) -> str:
    """The caller's address as the server sees it (behind a proxy, run the server with its forwarded-address option)."""
    return request.client.host if request.client else "unknown"


def receipt_of(found: reports.Receipt) -> wire.PublicReceipt:
    """The reporter's view."""
    return wire.PublicReceipt(
        receipt=found.receipt,
        status=found.status,
        submitted_at=found.submitted_at,
        updated_at=found.updated_at,
        replies=[wire.PublicReply(text=r.text, at=r.at) for r in found.replies],
    )


def presented(record: reports.ReportRecord) -> wire.PublicReport:
    """The receivers' view; `contact` is there only when the service filled it (for a regulator)."""
    fields = {
        name: getattr(record, name)
        for name in wire.PublicReport.__struct_fields__
        if name not in ("photos", "replies", "contact")
    }
    photos = [
        wire.ReportPhoto(
            id=p.id,
            sha256=p.sha256,
            url=f"/v1/photos/{p.id}",
            thumb_url=f"/v1/photos/{p.id}/thumb",
            display_url=f"/v1/photos/{p.id}/display",
        )
        for p in record.photos
    ]
    contact = wire.ReporterContact(name=record.contact.name, phone=record.contact.phone) if record.contact else None
    replies = [wire.PublicReply(text=r.text, at=r.at) for r in record.replies]
    return wire.PublicReport(**fields, photos=photos, replies=replies, contact=contact)


def command_of(body: wire.ReportActionRequest) -> model.ReportCommand:
    """The domain command of an action body."""
    match body:
        case wire.AcceptReport():
            fields = msgspec.structs.asdict(body)
            return model.AcceptReport(**(fields | {"photo_ids": tuple(body.photo_ids)}))
        case wire.DismissReport():
            return model.DismissReport(reason=body.reason, reply=body.reply)
        case wire.ReplyToReport():
            return model.ReplyToReport(reply=body.reply)
        case wire.ForwardReport():
            return model.ForwardReport(region_code=body.region_code, reason=body.reason, reply=body.reply)


class _PublicPhotoOperation(_UploadOperation):
    """The public upload's form: the photo upload's fields, with `deviceId` required."""

    def __post_init__(self) -> None:
        super().__post_init__()
        schema = self.request_body.content["multipart/form-data"].schema
        schema.required = ["file", "clientId", "deviceId"]


class PublicReportController(Controller):
    """`/v1/public/reports`: no account; rate limited per device and per address."""

    path = "/v1/public/reports"
    tags = ["public"]

    @post(
        "/",
        summary="Report a hazard without an account (201; the same deviceId and clientId again → 200)",
        responses={200: ResponseSpec(wire.PublicReceipt, description="The same deviceId and clientId again")},
    )
    async def submit(self, request: Request, data: wire.PublicReportCreate) -> Response[wire.PublicReceipt]:
        """No account needed: a hazard reported by the public (12350 / 吹哨人); answers a receipt to follow it. Rate-limited per device and address (429)."""
        contact = data.contact or wire.PublicContact()
        fields = msgspec.structs.asdict(data) | {"photo_ids": tuple(data.photo_ids)}
        del fields["contact"]
        new = reports.NewPublicReport(**fields, contact_name=contact.name, contact_phone=contact.phone)
        found, created = await reports.submit_report(new=new, address=client_address(request))
        return Response(receipt_of(found), status_code=201 if created else 200)

    @post(
        "/photos",
        summary="Upload a photo for a public report (multipart: file, clientId, deviceId, takenAt?, lat?, lng?)",
        request_max_body_size=UPLOAD_BODY_LIMIT,
        operation_class=_PublicPhotoOperation,
        responses={
            200: ResponseSpec(wire.PublicPhoto, description="The same bytes or clientId again"),
            507: STORAGE_FULL_RESPONSE,
        },
    )
    async def upload(self, photos: Photos, request: Request) -> Response[wire.PublicPhoto]:
        """No account needed: a photo for a public report, named later by its id in the report."""
        with photos.incoming() as incoming:
            form = await receive_upload(request, incoming)
            try:
                msgspec.convert({"clientId": form.client_id, "deviceId": form.device_id}, wire.PublicPhotoFields)
            except msgspec.ValidationError as error:
                raise malformed(str(error)) from None
            record, created = await reports.upload_photo(
                photos=photos,
                incoming=incoming,
                client_id=form.client_id,
                device_id=form.device_id,
                address=client_address(request),
                taken_at=form.taken_at,
                lat=form.lat,
                lng=form.lng,
            )
        body = wire.PublicPhoto(id=record.id, sha256=record.sha256, width=record.width, height=record.height)
        return Response(body, status_code=201 if created else 200)

    @get("/{receipt:str}", summary="Follow a report by its receipt: status and replies only")
    async def follow(self, request: Request, receipt: Annotated[str, Parameter(max_length=40)]) -> wire.PublicReceipt:
        """No account needed: the report's status and the replies addressed to the reporter, by the receipt."""
        return receipt_of(await reports.follow_report(receipt=receipt, address=client_address(request)))


class ReportInboxController(Controller):
    """`/v1/public-reports`: the reports routed to the caller's region (regulators) or grids (inspectors)."""

    path = "/v1/public-reports"
    tags = ["public reports"]

    @get("/", summary="Public reports in the caller's scope, newest first (no contacts in a list)")
    async def list_reports(
        self,
        actor: Actor,
        status: Annotated[wire.PublicReportStatus | None, Parameter()] = None,
        cursor: Annotated[str | None, Parameter(max_length=200)] = None,
        limit: Annotated[int | None, Parameter(ge=1, le=1000)] = None,
    ) -> wire.PublicReportPage:
        """Regulators: public reports routed to their scope, newest first, without contacts."""
        page = await reports.list_reports(actor=actor, status=status, cursor=cursor, limit=limit)
        return wire.PublicReportPage(items=[presented(r) for r in page.items], next_cursor=page.next_cursor)

    @get("/{report_id:str}", summary="One public report (the contact for regulators only), with its ETag")
    async def get_one(self, actor: Actor, report_id: str) -> Response[wire.PublicReport]:
        """One public report with its version (ETag); the reporter's contact for regulators only."""
        record = await reports.get_report(actor=actor, report_id=report_id)
        return Response(presented(record), headers={"ETag": etag(record.version)})

    @post(
        "/{report_id:str}/transitions",
        summary="Accept (→ a hazard), dismiss, forward or reply (If-Match: the version)",
        status_code=200,
        responses={507: STORAGE_FULL_RESPONSE},  # accepting keeps the enterprise's copies of the photos
    )
    async def transition(
        self, actor: Actor, photos: Photos, request: Request, report_id: str, data: wire.ReportActionRequest
    ) -> Response[wire.PublicReport]:
        """Regulators: accept (it becomes a hazard), dismiss, forward to another region or reply. Send the version read as If-Match; a stale one → 412."""
        version = expected_version(request, "report")
        record = await reports.act(
            actor=actor, report_id=report_id, expected_version=version, command=command_of(data), photos=photos
        )
        return Response(presented(record), headers={"ETag": etag(record.version)})

    @get("/{report_id:str}/history", summary="The report's hash-chained events, oldest first")
    async def history(self, actor: Actor, report_id: str) -> list[hazard_wire.HistoryEvent]:
        """Every event of the report, oldest first, each hash-chained to the one before."""
        return [
            hazard_wire.HistoryEvent(**event)
            for event in await reports.report_history(actor=actor, report_id=report_id)
        ]
