"""Use cases of what gets printed or shown as an image: QR codes, risk cards, label sheets, the safety code, maps."""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass
from datetime import date, timedelta, timezone

from domain.access.model import Actor
from domain.access.permissions import Action, require
from domain.clock import utcnow
from domain.codes.services import Codes
from domain.codes.tokens import SubjectKind
from domain.db.transactions import transaction
from domain.errors import NotFound
from domain.ids import new_id
from domain.org.scope import require_enterprise
from domain.photos import storage
from domain.printing import card, images, qr, safety_code, sheet, site_map
from domain.printing.model import Label, MapPoint, RiskCardData, SafetyCodeData
from domain.risk import services as risk
from domain.risk import store as risk_store
from domain.risk.store import SitePlanRecord
from domain.safety_code.services import current_code

MAX_PLAN_BYTES = 20 * 1024 * 1024
_CONTROL_LEVEL_ZH = {"company": "公司", "department": "部门", "workshop": "车间", "team": "班组", "post": "岗位"}


@dataclass(frozen=True, slots=True)
class PrintedFile:
    """A printable document and the file name it is saved under."""

    body: bytes
    filename: str
    ascii_filename: str


def _today() -> date:
    # Printed dates are local to the region served (China Standard Time, UTC+8).
    return utcnow().astimezone(timezone(timedelta(hours=8))).date()


def card_data(point: risk.RiskPointRecord, enterprise_name: str, qr_content: str, printed_on: date) -> RiskCardData:
    """What the 岗位风险告知卡 of a point shows."""
    return RiskCardData(
        point_name=point.name,
        enterprise_name=enterprise_name,
        area=point.area,
        level=point.level,
        hazard_sources=tuple(point.hazard_sources),
        control_measures=tuple((measure["type"], measure["content"]) for measure in point.control_measures),
        emergency_measures=tuple(point.emergency_measures),
        emergency_phone=point.emergency_phone,
        responsible_post=point.responsible_post,
        responsible_person=point.responsible_person,
        control_level_label=_CONTROL_LEVEL_ZH.get(point.control_level or "", ""),
        qr_content=qr_content,
        printed_on=printed_on,
    )


class Printables:
    """Renders images and PDFs for callers in scope; rendering runs in a thread, off the event loop."""

    def __init__(self, codes: Codes) -> None:
        self.codes = codes
        self.plan_dir = codes.settings.photo_dir / "site-plans"

    async def risk_point_qr(self, *, actor: Actor, risk_point_id: str, svg: bool = False) -> bytes:
        """The point's current code as PNG or SVG."""
        point = await risk.get_risk_point(actor=actor, risk_point_id=risk_point_id)
        content = self.codes.printed(SubjectKind.RISK_POINT, point.id, point.qr_serial).url
        return await asyncio.to_thread(qr.qr_svg if svg else qr.qr_png, content)

    async def risk_card(self, *, actor: Actor, risk_point_id: str, page: int = 1) -> tuple[bytes, int]:
        """One page of the 岗位风险告知卡 of a point as PNG, and how many pages the card has (most have one)."""
        data = await self._card_data(actor, risk_point_id)
        layout = await asyncio.to_thread(card.layout_risk_card, data)
        if not 1 <= page <= layout.pages:
            raise NotFound("the card has no such page", entity="card page", id=str(page), pages=layout.pages)
        return await asyncio.to_thread(card.render_risk_card, data, page), layout.pages

    async def risk_card_pdf(self, *, actor: Actor, risk_point_id: str) -> PrintedFile:
        """Every page of the 岗位风险告知卡 of a point in one PDF, to print a card that runs over several pages."""
        data = await self._card_data(actor, risk_point_id)
        body = await asyncio.to_thread(card.render_risk_card_pdf, data)
        on = data.printed_on.isoformat()
        return PrintedFile(
            body=body,
            filename=f"{data.point_name}-risk-card-{on}.pdf",
            ascii_filename=f"risk-point-{risk_point_id}-risk-card-{on}.pdf",
        )

    async def _card_data(self, actor: Actor, risk_point_id: str) -> RiskCardData:
        point = await risk.get_risk_point(actor=actor, risk_point_id=risk_point_id)
        enterprise = await require_enterprise(actor, point.enterprise_id)
        content = self.codes.printed(SubjectKind.RISK_POINT, point.id, point.qr_serial).url
        return card_data(point, enterprise.name, content, _today())

    async def label_sheet(self, *, actor: Actor, enterprise_id: str) -> PrintedFile:
        """A printable vector PDF of labels for every code of an enterprise: its safety code, then each risk point."""
        enterprise = await require_enterprise(actor, enterprise_id)
        points = await risk.all_risk_points(enterprise_id)
        labels = [
            Label(
                title=point.name,
                subtitle=f"{enterprise.name} · {point.area}" if point.area else enterprise.name,
                level=point.level,
                qr_content=self.codes.printed(SubjectKind.RISK_POINT, point.id, point.qr_serial).url,
            )
            for point in points
        ]
        own = Label(
            title=enterprise.name,
            subtitle=f"统一社会信用代码 {enterprise.credit_code}",
            level=None,
            qr_content=self.codes.printed(SubjectKind.ENTERPRISE, enterprise_id, enterprise.qr_serial).url,
        )
        on = _today()
        body = await asyncio.to_thread(
            sheet.render_label_sheet,
            labels,
            f"{enterprise.name} 二维码标签",
            printed_on=on,
            enterprise=own,
            subject=enterprise.credit_code,
        )
        # The name a browser saves it under: the enterprise in Chinese (RFC 5987), its credit code as the ASCII fallback.
        return PrintedFile(
            body=body,
            filename=f"{enterprise.name}-qr-sheet-{on.isoformat()}.pdf",
            ascii_filename=f"{enterprise.credit_code}-qr-sheet-{on.isoformat()}.pdf",
        )

    async def safety_code(self, *, actor: Actor, enterprise_id: str) -> bytes:
        """The 企业安全码 as PNG, framed in its current dynamic colour, with the scheme version and when it was computed."""
        enterprise = await require_enterprise(actor, enterprise_id)
        code = await current_code(enterprise_id)
        data = SafetyCodeData(
            enterprise_name=enterprise.name,
            credit_code=enterprise.credit_code,
            colour=code.colour,
            qr_content=self.codes.printed(SubjectKind.ENTERPRISE, enterprise_id, enterprise.qr_serial).url,
            printed_on=_today(),
            scheme_version=code.scheme_version,
            computed_at=code.computed_at,
        )
        return await asyncio.to_thread(safety_code.render_safety_code, data)

    async def put_site_plan(self, *, actor: Actor, enterprise_id: str, data: bytes) -> SitePlanRecord:
        """Store an enterprise's site plan (validated like any upload, re-encoded without metadata)."""
        require(actor, Action.MANAGE_RISK_POINTS)
        await require_enterprise(actor, enterprise_id)
        if len(data) > MAX_PLAN_BYTES:
            raise images.ImageNotAccepted("the site plan is larger than 20 MiB", reason="too_large")
        normalised = await asyncio.to_thread(images.normalise_plan, data)
        info = images.inspect_image(normalised)
        digest = hashlib.sha256(normalised).hexdigest()
        path = self.plan_dir / f"{digest}.png"
        if not path.exists():
            # Beside and renamed, so a crash never leaves half a file under the final name; a full disk → 507.
            await asyncio.to_thread(storage.write_atomically, path, normalised)
        plan = SitePlanRecord(
            enterprise_id=enterprise_id,
            sha256=digest,
            width=info.width,
            height=info.height,
            uploaded_by=actor.user_id,
            uploaded_at=utcnow(),
        )
        async with transaction():
            await risk_store.save_site_plan(plan, new_id=new_id())
        return plan

    async def risk_map(self, *, actor: Actor, enterprise_id: str) -> bytes:
        """The 风险四色分布图: points on the site plan in their colours, with legend and date."""
        enterprise = await require_enterprise(actor, enterprise_id)
        points = await risk.all_risk_points(enterprise_id)
        plan = await risk_store.site_plan(enterprise_id)
        plan_png = (self.plan_dir / f"{plan.sha256}.png").read_bytes() if plan else None
        marks = [MapPoint(name=point.name, level=point.level, x=point.plan_x, y=point.plan_y) for point in points]
        return await asyncio.to_thread(site_map.render_risk_map, plan_png, marks, enterprise.name, _today())
