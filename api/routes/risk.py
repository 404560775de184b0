"""Risk points, their assessments, checklists and codes; the criteria library."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from litestar import Controller, Response, get, patch, post
from litestar.params import Parameter

from api import presenters
from api.routes.codes import attachment
from domain.access.model import Actor
from domain.codes.printables import Printables
from domain.codes.services import Codes
from domain.criteria import services as criteria_library
from domain.risk import services as risk
from domain.risk.model import Method
from mobile_contract.orgs import set_fields
from mobile_contract.risk import (
    Assessment,
    AssessmentRequest,
    ChecklistItem,
    ChecklistItemCreate,
    Criterion,
    LecAssessment,
    QrCode,
    RiskPoint,
    RiskPointCreate,
    RiskPointPage,
    RiskPointUpdate,
)

PNG = "image/png"


def _fields(data) -> dict:
    fields = set_fields(data)
    if "control_measures" in fields:
        fields["control_measures"] = [
            {"type": m.type, "content": m.content, "controlLevel": m.control_level} for m in fields["control_measures"]
        ]
    return fields


class RiskPointController(Controller):
    """`/v1/enterprises/{id}/risk-points`, `/v1/risk-points/*`, `/v1/criteria`."""

    path = "/v1"
    tags = ["risk points"]

    @get("/enterprises/{enterprise_id:str}/risk-points", summary="Risk points of an enterprise")
    async def list_points(
        self,
        actor: Actor,
        codes: Codes,
        enterprise_id: str,
        cursor: Annotated[str | None, Parameter(max_length=200)] = None,
        limit: Annotated[int | None, Parameter(ge=1, le=1000)] = None,
    ) -> RiskPointPage:
        """The enterprise's risk points (风险点) with their level and colour, in pages."""
        page = await risk.list_risk_points(actor=actor, enterprise_id=enterprise_id, cursor=cursor, limit=limit)
        return RiskPointPage(items=[presenters.risk_point(p, codes) for p in page.items], next_cursor=page.next_cursor)

    @post("/enterprises/{enterprise_id:str}/risk-points", summary="Register a risk point")
    async def create_point(self, actor: Actor, codes: Codes, enterprise_id: str, data: RiskPointCreate) -> RiskPoint:
        """A risk point of the enterprise: place, device or activity, its hazard sources and control measures."""
        record = await risk.create_risk_point(actor=actor, enterprise_id=enterprise_id, fields=_fields(data))
        return presenters.risk_point(record, codes)

    @get("/risk-points/{risk_point_id:str}", summary="One risk point, with its code")
    async def get_point(self, actor: Actor, codes: Codes, risk_point_id: str) -> RiskPoint:
        """One risk point with its current assessment, colour and code."""
        return presenters.risk_point(await risk.get_risk_point(actor=actor, risk_point_id=risk_point_id), codes)

    @patch("/risk-points/{risk_point_id:str}", summary="Change a risk point's description")
    async def update_point(self, actor: Actor, codes: Codes, risk_point_id: str, data: RiskPointUpdate) -> RiskPoint:
        """Change the given descriptive fields of a risk point."""
        record = await risk.update_risk_point(actor=actor, risk_point_id=risk_point_id, changes=_fields(data))
        return presenters.risk_point(record, codes)

    @post("/risk-points/{risk_point_id:str}/assessments", summary="Assess a risk point by LEC or LS")
    async def assess(self, actor: Actor, risk_point_id: str, data: AssessmentRequest) -> Assessment:
        """Assess the point by LEC or LS; the result sets its level and colour (red, orange, yellow, blue)."""
        if isinstance(data, LecAssessment):
            method, factors = Method.LEC, {"L": data.l, "E": data.e, "C": data.c}
        else:
            method, factors = Method.LS, {"L": data.l, "S": data.s}
        record = await risk.assess_risk_point(
            actor=actor, risk_point_id=risk_point_id, method=method, factors=factors, scheme_id=data.scheme_id
        )
        return presenters.assessment(record)

    @get("/risk-points/{risk_point_id:str}/assessments", summary="Every assessment of a point, newest first")
    async def list_assessments(self, actor: Actor, risk_point_id: str) -> list[Assessment]:
        """Every assessment of the point, newest first."""
        return [presenters.assessment(a) for a in await risk.list_assessments(actor=actor, risk_point_id=risk_point_id)]

    @get("/risk-points/{risk_point_id:str}/checklist", summary="The point's checklist")
    async def list_checklist(self, actor: Actor, risk_point_id: str) -> list[ChecklistItem]:
        """The point's checklist items (排查清单) with their cycles and responsible posts."""
        items = await risk.list_checklist(actor=actor, risk_point_id=risk_point_id)
        return [presenters.checklist_item(item) for item in items]

    @post("/risk-points/{risk_point_id:str}/checklist", summary="Add a checklist item")
    async def add_checklist_item(self, actor: Actor, risk_point_id: str, data: ChecklistItemCreate) -> ChecklistItem:
        """A checklist item of the point; tasks are generated from its cycle."""
        record = await risk.add_checklist_item(actor=actor, risk_point_id=risk_point_id, fields=set_fields(data))
        return presenters.checklist_item(record)

    @post("/risk-points/{risk_point_id:str}/qr/rotate", summary="Issue a new code; the old one stops working")
    async def rotate(self, actor: Actor, codes: Codes, risk_point_id: str) -> QrCode:
        """A new QR code for the point; printed copies of the old one stop resolving."""
        code = await codes.rotate_risk_point(actor=actor, risk_point_id=risk_point_id)
        return QrCode(token=code.token, url=code.url)

    @get("/risk-points/{risk_point_id:str}/qr.png", summary="The point's code as PNG", media_type=PNG)
    async def qr_png(self, actor: Actor, printables: Printables, risk_point_id: str) -> Response[bytes]:
        """The point's QR code as a PNG image."""
        return Response(await printables.risk_point_qr(actor=actor, risk_point_id=risk_point_id), media_type=PNG)

    @get("/risk-points/{risk_point_id:str}/qr.svg", summary="The point's code as SVG", media_type="image/svg+xml")
    async def qr_svg(self, actor: Actor, printables: Printables, risk_point_id: str) -> Response[bytes]:
        """The point's QR code as an SVG image."""
        body = await printables.risk_point_qr(actor=actor, risk_point_id=risk_point_id, svg=True)
        return Response(body, media_type="image/svg+xml")

    @get(
        "/risk-points/{risk_point_id:str}/card.png",
        media_type=PNG,
        summary="The 岗位风险告知卡 as PNG; a card too long for one A5 page goes on over pages (X-Page-Count, ?page=)",
    )
    async def card_png(
        self,
        actor: Actor,
        printables: Printables,
        risk_point_id: str,
        page: Annotated[int, Parameter(ge=1, le=100)] = 1,
    ) -> Response[bytes]:
        """The point's risk notice card (岗位风险告知卡) as a PNG; a long card continues on further pages (`X-Page-Count`, `?page=`)."""
        body, pages = await printables.risk_card(actor=actor, risk_point_id=risk_point_id, page=page)
        return Response(body, media_type=PNG, headers={"X-Page-Count": str(pages)})

    @get(
        "/risk-points/{risk_point_id:str}/card.pdf",
        summary="Every page of the 岗位风险告知卡, to print",
        media_type="application/pdf",
    )
    async def card_pdf(self, actor: Actor, printables: Printables, risk_point_id: str) -> Response[bytes]:
        """Every page of the risk notice card in one PDF, to print."""
        printed = await printables.risk_card_pdf(actor=actor, risk_point_id=risk_point_id)
        return Response(
            printed.body,
            media_type="application/pdf",
            headers={"Content-Disposition": attachment(printed.filename, printed.ascii_filename)},
        )

    @get("/criteria", summary="The major-hazard criteria library (of an industry; of editions in force on a day)")
    async def criteria(
        self,
        industry: Annotated[str | None, Parameter(max_length=40)] = None,
        on: Annotated[date | None, Parameter(description="only editions in force on this day (YYYY-MM-DD)")] = None,
    ) -> list[Criterion]:
        """The items of the major-hazard criteria library, of one industry and of the editions in force on a day."""
        return [
            presenters.criterion(record) for record in await criteria_library.list_criteria(industry=industry, on=on)
        ]
