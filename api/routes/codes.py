"""The scan (一扫) and the enterprise-level printables and map (一码, 一图)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from urllib.parse import quote

from litestar import Controller, Request, Response, get, post, put
from litestar.params import Parameter, QueryParameter

from api import presenters
from api.multipart import STORAGE_FULL_RESPONSE
from domain.access.model import Actor
from domain.codes.printables import Printables
from domain.codes.services import Codes
from domain.photos.images import MEDIA_TYPES
from mobile_contract.risk import QrCode, ScanCard, SitePlan

PNG = "image/png"
MAX_PLAN_UPLOAD = 20 * 1024 * 1024


def attachment(filename: str, ascii_filename: str) -> str:
    """A Content-Disposition saving the body as `filename` (RFC 6266 / 5987: UTF-8, percent-encoded) with an ASCII
    fallback for clients that do not read `filename*`."""
    fallback = ascii_filename.replace("\\", "_").replace('"', "_")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


class CodesController(Controller):
    """`/v1/scan/{token}` and `/v1/enterprises/{id}/{qr-sheet.pdf, code.png, site-plan, risk-map.png}`."""

    path = "/v1"
    tags = ["codes and maps"]

    @get("/scan/{token:str}", summary="Open the card of a scanned code and record proof of presence")
    async def scan(
        self,
        actor: Actor,
        codes: Codes,
        token: Annotated[str, Parameter(max_length=200)],
        device_id: Annotated[str | None, QueryParameter(name="deviceId", max_length=128)] = None,
        client_time: Annotated[datetime | None, QueryParameter(name="clientTime")] = None,
        lat: Annotated[float | None, Parameter(ge=-90, le=90)] = None,
        lng: Annotated[float | None, Parameter(ge=-180, le=180)] = None,
        accuracy: Annotated[float | None, Parameter(ge=0, le=10_000, description="GPS accuracy in metres")] = None,
    ) -> ScanCard:
        """The risk-point or enterprise card of a scanned code; records the proof of presence (device, times, GPS) as `scanId`. Out of scope → 403 `SCAN_OUT_OF_SCOPE`."""
        result = await codes.scan(
            actor=actor,
            token=token,
            device_id=device_id or "",
            client_time=client_time,
            lat=lat,
            lng=lng,
            accuracy=accuracy,
        )
        return presenters.scan_card(result)

    @get(
        "/enterprises/{enterprise_id:str}/qr-sheet.pdf",
        summary="Printable labels of all codes",
        media_type="application/pdf",
    )
    async def qr_sheet(self, actor: Actor, printables: Printables, enterprise_id: str) -> Response[bytes]:
        """A vector PDF of labels: the enterprise's code and every risk point's, to print and stick on site."""
        printed = await printables.label_sheet(actor=actor, enterprise_id=enterprise_id)
        return Response(
            printed.body,
            media_type="application/pdf",
            headers={"Content-Disposition": attachment(printed.filename, printed.ascii_filename)},
        )

    @get("/enterprises/{enterprise_id:str}/code.png", summary="The 企业安全码", media_type=PNG)
    async def safety_code(self, actor: Actor, printables: Printables, enterprise_id: str) -> Response[bytes]:
        """The enterprise's dynamic safety code as a PNG, in its current colour."""
        return Response(await printables.safety_code(actor=actor, enterprise_id=enterprise_id), media_type=PNG)

    @post("/enterprises/{enterprise_id:str}/code/rotate", summary="Issue a new safety code; the old one stops working")
    async def rotate(self, actor: Actor, codes: Codes, enterprise_id: str) -> QrCode:
        """A new safety code for the enterprise; printed copies of the old one stop resolving."""
        code = await codes.rotate_enterprise(actor=actor, enterprise_id=enterprise_id)
        return QrCode(token=code.token, url=code.url)

    @put(
        "/enterprises/{enterprise_id:str}/site-plan",
        summary="Upload the site plan (JPEG, PNG or WebP as the raw body)",
        request_max_body_size=MAX_PLAN_UPLOAD,
        opt={"request_media_types": tuple(MEDIA_TYPES.values())},  # the raw body, documented
        responses={507: STORAGE_FULL_RESPONSE},
    )
    async def put_site_plan(
        self, actor: Actor, printables: Printables, enterprise_id: str, request: Request
    ) -> SitePlan:
        """The site plan image as the raw body (JPEG, PNG or WebP, judged by its bytes), re-encoded without metadata; it replaces the earlier one."""
        plan = await printables.put_site_plan(actor=actor, enterprise_id=enterprise_id, data=await request.body())
        return SitePlan(sha256=plan.sha256, width=plan.width, height=plan.height, uploaded_at=plan.uploaded_at)

    @get("/enterprises/{enterprise_id:str}/risk-map.png", summary="The 风险四色分布图", media_type=PNG)
    async def risk_map(self, actor: Actor, printables: Printables, enterprise_id: str) -> Response[bytes]:
        """The enterprise's risk points drawn in their colours on its site plan (风险四色分布图), as a PNG."""
        return Response(await printables.risk_map(actor=actor, enterprise_id=enterprise_id), media_type=PNG)
