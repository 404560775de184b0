"""Use cases of the codes (一码) and the scan (一扫): tokens for what is printed, rotation, resolving a scan."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from domain.access.model import Actor, EnterprisePlace, can_see_enterprise
from domain.access.permissions import Action, require
from domain.changes.services import ENTERPRISE, RISK_POINT, record_change
from domain.clock import utcnow
from domain.codes.model import distance_m, qr_content
from domain.codes.tokens import SubjectKind, TokenClaims, sign, verify
from domain.config import Settings
from domain.db.transactions import transaction
from domain.errors import InvalidInput, QrInvalid, ScanOutOfScope
from domain.hazards.model import TERMINAL_STATUSES
from domain.hazards.tables import Hazard
from domain.ids import new_id
from domain.inspections import services as inspections
from domain.inspections.model import MAX_ACCURACY_M
from domain.inspections.services import presence_policy
from domain.org.scope import require_enterprise
from domain.org.tables import Enterprise
from domain.risk import services as risk
from domain.risk.model import Colour
from domain.risk.tables import RiskPoint, ScanRecord
from domain.safety_code.services import SafetyCodeRecord, current_code


@dataclass(frozen=True, slots=True)
class PrintedCode:
    """A code as printed: the token and the content of the QR."""

    token: str
    url: str


@dataclass(frozen=True, slots=True)
class OpenHazardRecord:
    """A hazard not yet closed, as a card lists it."""

    id: str
    title: str
    level: str
    status: str
    deadline: datetime | None


@dataclass(frozen=True, slots=True)
class ScanResult:
    """What a scan resolved to, with the proof-of-presence record's id."""

    kind: SubjectKind
    scan_id: str
    enterprise: dict
    safety_code: SafetyCodeRecord | None
    risk_point: risk.RiskPointRecord | None
    checklist: list[risk.ChecklistRecord]
    distance_m: float | None
    # The radius a scan of this point must fall within to prove presence (a risk point's only).
    presence_radius_m: float | None = None
    open_hazards: list[OpenHazardRecord] = field(default_factory=list)
    due_tasks: list[inspections.TaskRecord] = field(default_factory=list)


class Codes:
    """Signs and resolves the codes with the configured keys."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._keys = settings.qr_signing_keys()
        self._active = settings.qr_active_key_id

    def printed(self, kind: SubjectKind, subject_id: str, serial: int) -> PrintedCode:
        """The current code of a risk point or enterprise."""
        token = sign(kind, subject_id, serial, self._keys, self._active)
        return PrintedCode(token=token, url=qr_content(self.settings.public_base_url, token))

    def claims(self, token: str) -> TokenClaims:
        """The claims of a genuine token, or QR_INVALID before any data is read."""
        found = verify(token, self._keys)
        if found is None:
            raise QrInvalid("this code was not issued by this service")
        return found

    async def safety_code(self, enterprise_id: str, serial: int) -> tuple[PrintedCode, Colour]:
        """An enterprise's current safety code and its colour (the caller has checked the scope)."""
        return self.printed(SubjectKind.ENTERPRISE, enterprise_id, serial), (await current_code(enterprise_id)).colour

    async def rotate_risk_point(self, *, actor: Actor, risk_point_id: str) -> PrintedCode:
        """Issue a new code for a point; the old printed one stops working at once."""
        require(actor, Action.ROTATE_RISK_POINT_CODE)
        async with transaction():
            await risk.get_risk_point(actor=actor, risk_point_id=risk_point_id)
            rows = (
                await RiskPoint.update({RiskPoint.qr_serial: RiskPoint.qr_serial + 1, RiskPoint.updated_at: utcnow()})
                .where(RiskPoint.id == risk_point_id)
                .returning(RiskPoint.qr_serial, RiskPoint.enterprise_id)
                .run()
            )
            # the card shows the code: phones holding the old one must learn of the new
            await record_change(RISK_POINT, risk_point_id, rows[0]["enterprise_id"])
        return self.printed(SubjectKind.RISK_POINT, risk_point_id, rows[0]["qr_serial"])

    async def rotate_enterprise(self, *, actor: Actor, enterprise_id: str) -> PrintedCode:
        """Issue a new enterprise safety code; the old one stops working at once."""
        require(actor, Action.ROTATE_ENTERPRISE_CODE)
        async with transaction():
            await require_enterprise(actor, enterprise_id)
            rows = (
                await Enterprise.update({Enterprise.qr_serial: Enterprise.qr_serial + 1})
                .where(Enterprise.id == enterprise_id)
                .returning(Enterprise.qr_serial)
                .run()
            )
            await record_change(ENTERPRISE, enterprise_id, enterprise_id)
        return self.printed(SubjectKind.ENTERPRISE, enterprise_id, rows[0]["qr_serial"])

    async def scan(
        self,
        *,
        actor: Actor,
        token: str,
        device_id: str = "",
        client_time: datetime | None = None,
        lat: float | None = None,
        lng: float | None = None,
        accuracy: float | None = None,
        now: datetime | None = None,
    ) -> ScanResult:
        """Resolve a scanned code to its card and record the proof of presence (`accuracy`: the phone's estimate
        of its fix's error in metres, judged by the presence policy when an inspection cites the scan)."""
        if accuracy is not None and not 0 <= accuracy <= MAX_ACCURACY_M:
            raise InvalidInput("accuracy is a distance in metres from 0 to 10000", field="accuracy", reason="range")
        claims = self.claims(token)
        point_row = None
        if claims.kind is SubjectKind.RISK_POINT:
            point_row = await RiskPoint.select().where(RiskPoint.id == claims.subject_id).first().run()
            if point_row is None or point_row["qr_serial"] != claims.serial or point_row["status"] != "active":
                raise QrInvalid("this code was replaced or retired")
            enterprise_id = point_row["enterprise_id"]
        else:
            enterprise_id = claims.subject_id
        enterprise = await Enterprise.select().where(Enterprise.id == enterprise_id).first().run()
        if enterprise is None or (claims.kind is SubjectKind.ENTERPRISE and enterprise["qr_serial"] != claims.serial):
            raise QrInvalid("this code was replaced or retired")
        place = EnterprisePlace(enterprise["id"], enterprise["grid_id"], enterprise["region_path"])
        if not can_see_enterprise(actor, place):
            # The code itself names what it is, so saying "a risk point" or "an enterprise" reveals nothing more.
            raise ScanOutOfScope("this code belongs to something outside your scope", kind=claims.kind.value)

        subject_lat, subject_lng = (
            (point_row["lat"], point_row["lng"]) if point_row else (enterprise["lat"], enterprise["lng"])
        )
        distance = None
        if None not in (lat, lng, subject_lat, subject_lng):
            distance = round(distance_m(lat, lng, subject_lat, subject_lng), 1)
        scan_id = new_id()
        async with transaction():
            await ScanRecord.insert(
                ScanRecord(
                    id=scan_id,
                    user_id=actor.user_id,
                    subject_kind=claims.kind.value,
                    subject_id=claims.subject_id,
                    enterprise_id=enterprise["id"],
                    device_id=device_id[:128],
                    server_time=now or utcnow(),
                    client_time=client_time,
                    lat=lat,
                    lng=lng,
                    distance_m=distance,
                    accuracy_m=accuracy,
                )
            ).run()
        point = risk.point_record(point_row) if point_row else None
        return ScanResult(
            kind=claims.kind,
            scan_id=scan_id,
            enterprise=enterprise,
            # Only the enterprise card shows the colour; a risk-point scan skips the query.
            safety_code=None if point else await current_code(enterprise["id"]),
            risk_point=point,
            checklist=await risk.checklist_of(point.id) if point else [],
            distance_m=distance,
            presence_radius_m=presence_policy(point_row).radius_m if point_row else None,
            open_hazards=await open_hazards(enterprise["id"], point.id if point else None),
            due_tasks=await inspections.due_tasks(actor=actor, risk_point_id=point.id, now=now) if point else [],
        )


async def open_hazards(enterprise_id: str, risk_point_id: str | None = None, limit: int = 20) -> list[OpenHazardRecord]:
    """The newest hazards not yet closed of a point, or of the whole enterprise (the caller has checked the scope)."""
    query = Hazard.select(Hazard.id, Hazard.title, Hazard.level, Hazard.status, Hazard.deadline).where(
        Hazard.enterprise_id == enterprise_id, Hazard.status.not_in(sorted(TERMINAL_STATUSES))
    )
    if risk_point_id is not None:
        query = query.where(Hazard.risk_point_id == risk_point_id)
    rows = await query.order_by(Hazard.id, ascending=False).limit(limit).run()
    return [OpenHazardRecord(**row) for row in rows]
