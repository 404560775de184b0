"""Use cases of the codes (一码) and the scan (一扫): tokens for what is printed, rotation, resolving a scan."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from domain.access.model import Actor, EnterprisePlace, can_see_enterprise
from domain.access.permissions import Action, require
from domain.changes.services import ENTERPRISE, RISK_POINT, record_change
from domain.clock import utcnow
from domain.codes import queries
from domain.codes.model import distance_m, qr_content
from domain.codes.queries import CardEnterprise, CardHazard, CardSafetyCode, CardTask
from domain.codes.tokens import SubjectKind, TokenClaims, sign, verify
from domain.config import Settings
from domain.db.transactions import transaction
from domain.errors import InvalidInput, QrInvalid, ScanOutOfScope
from domain.ids import new_id
from domain.inspections.model import MAX_ACCURACY_M
from domain.inspections.services import STAFF, TaskRecord, presence_policy
from domain.org import store as org_store
from domain.org.scope import require_enterprise
from domain.risk import services as risk
from domain.risk import store as risk_store
from domain.risk.model import Colour
from domain.safety_code.services import current_code

# A hazard not yet closed, as a card lists it.
OpenHazardRecord = CardHazard


@dataclass(frozen=True, slots=True)
class PrintedCode:
    """A code as printed: the token and the content of the QR."""

    token: str
    url: str


@dataclass(frozen=True, slots=True)
class ScanResult:
    """What a scan resolved to, with the proof-of-presence record's id."""

    kind: SubjectKind
    scan_id: str
    enterprise: CardEnterprise
    safety_code: CardSafetyCode | None
    risk_point: risk.RiskPointRecord | None
    checklist: list[risk.ChecklistRecord]
    distance_m: float | None
    # The radius a scan of this point must fall within to prove presence (a risk point's only).
    presence_radius_m: float | None = None
    open_hazards: list[CardHazard] = field(default_factory=list)
    due_tasks: list[TaskRecord] = field(default_factory=list)


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
            serial, enterprise_id = await risk_store.next_point_serial(risk_point_id, utcnow())
            # the card shows the code: phones holding the old one must learn of the new
            await record_change(RISK_POINT, risk_point_id, enterprise_id)
        return self.printed(SubjectKind.RISK_POINT, risk_point_id, serial)

    async def rotate_enterprise(self, *, actor: Actor, enterprise_id: str) -> PrintedCode:
        """Issue a new enterprise safety code; the old one stops working at once."""
        require(actor, Action.ROTATE_ENTERPRISE_CODE)
        async with transaction():
            await require_enterprise(actor, enterprise_id)
            serial = await org_store.next_enterprise_serial(enterprise_id)
            await record_change(ENTERPRISE, enterprise_id, enterprise_id)
        return self.printed(SubjectKind.ENTERPRISE, enterprise_id, serial)

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
        now = now or utcnow()
        # the card in two statements (domain/codes/queries.py): the subject, checked, then its lists
        point, code = None, None
        if claims.kind is SubjectKind.RISK_POINT:
            found = await queries.point_subject(claims.subject_id)
            if found is None or found.point.qr_serial != claims.serial or found.point.status != "active":
                raise QrInvalid("this code was replaced or retired")
            point, enterprise = found.point, found.enterprise
        else:
            subject = await queries.enterprise_subject(claims.subject_id)
            enterprise, code = (subject.enterprise, subject.safety_code) if subject else (None, None)
        if enterprise is None or (claims.kind is SubjectKind.ENTERPRISE and enterprise.qr_serial != claims.serial):
            raise QrInvalid("this code was replaced or retired")
        if not can_see_enterprise(actor, EnterprisePlace(enterprise.id, enterprise.grid_id, enterprise.region_path)):
            # The code itself names what it is, so saying "a risk point" or "an enterprise" reveals nothing more.
            raise ScanOutOfScope("this code belongs to something outside your scope", kind=claims.kind.value)

        subject_lat, subject_lng = (point.lat, point.lng) if point else (enterprise.lat, enterprise.lng)
        distance = None
        if None not in (lat, lng, subject_lat, subject_lng):
            distance = round(distance_m(lat, lng, subject_lat, subject_lng), 1)
        checklist, due = [], []
        if point is not None:
            staff = actor.role in STAFF  # only enterprise staff have tasks to do
            lists = await queries.point_lists(
                point, staff_of=(actor.enterprise_id or "") if staff else None, user_id=actor.user_id, now=now
            )
            checklist, open_hazards, due = lists.checklist, lists.open_hazards, _due_tasks(point, lists.due_tasks)
        else:
            open_hazards = await queries.enterprise_hazards(enterprise.id)
            if code is None:  # never computed: compute and store it now (once per enterprise)
                stored = await current_code(enterprise.id)
                code = CardSafetyCode(stored.colour, stored.scheme_version, stored.computed_at)
        scan_id = new_id()
        async with transaction():
            await risk_store.record_scan(
                {
                    "id": scan_id,
                    "user_id": actor.user_id,
                    "subject_kind": claims.kind.value,
                    "subject_id": claims.subject_id,
                    "enterprise_id": enterprise.id,
                    "device_id": device_id[:128],
                    "server_time": now,
                    "client_time": client_time,
                    "lat": lat,
                    "lng": lng,
                    "distance_m": distance,
                    "accuracy_m": accuracy,
                }
            )
        return ScanResult(
            kind=claims.kind,
            scan_id=scan_id,
            enterprise=enterprise,
            # Only the enterprise card shows the colour.
            safety_code=code,
            risk_point=point,
            checklist=checklist,
            distance_m=distance,
            presence_radius_m=presence_policy(point).radius_m if point else None,
            open_hazards=open_hazards,
            due_tasks=due,
        )


def _due_tasks(point: risk.RiskPointRecord, tasks: list[CardTask]) -> list[TaskRecord]:
    """The tasks the card shows: when some are the caller's own (their item's post is one the caller holds), those
    alone, marked `mine`; otherwise all of the point's, so staff without a post, or covering another's, still see
    what is due."""
    own = [task for task in tasks if task.held]
    return [
        TaskRecord(
            id=task.id,
            enterprise_id=point.enterprise_id,
            risk_point_id=point.id,
            risk_point_name=point.name,
            checklist_item_id=task.checklist_item_id,
            content=task.content,
            responsible_post=task.responsible_post,
            window_start=task.window_start,
            window_end=task.window_end,
            status=task.status,
            inspection_id=task.inspection_id,
            done_at=task.done_at,
            mine=bool(own),
        )
        for task in (own or tasks)
    ]
