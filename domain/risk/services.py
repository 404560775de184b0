"""Use cases of risk points: register, change, assess, list; their checklists; the criteria library."""

from __future__ import annotations

from typing import Any

import msgspec

from domain.access.model import Actor
from domain.access.permissions import Action, require
from domain.changes.services import RISK_POINT, record_change
from domain.clock import utcnow
from domain.criteria.services import cited_criterion
from domain.db.paging import Page, clamp_limit, decode_cursor, page_of
from domain.db.transactions import transaction
from domain.errors import InvalidInput, NotFound
from domain.ids import new_id
from domain.org import store as org_store
from domain.org.scope import require_enterprise
from domain.risk import store
from domain.risk.model import MAX_RADIUS_M, MIN_RADIUS_M, SEED_SCHEMES, Assessment, Method, Scheme, assess

# The records live in the store; callers have long read them (and the row converters) here.
from domain.risk.store import AssessmentRecord, ChecklistRecord, RiskPointRecord
from domain.risk.store import checklist_record as checklist_record
from domain.risk.store import point_record as point_record

DEFAULT_SCHEMES = {Method.LEC: "lec-usual", Method.LS: "ls-usual"}
CYCLE_UNITS = ("hour", "day", "week", "month", "quarter", "year")
MEASURE_TYPES = ("engineering", "management", "training", "ppe", "emergency")
POINT_KINDS = ("place", "device", "activity")


def _check_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """Domain checks beyond the wire types, and the JSON encoding of list fields."""
    if "kind" in fields and fields["kind"] not in POINT_KINDS:
        raise InvalidInput("a risk point is a place, device or activity", field="kind", reason="unknown")
    for axis in ("plan_x", "plan_y"):
        value = fields.get(axis)
        if value is not None and not 0 <= value <= 1:
            raise InvalidInput("a position on the plan is a fraction from 0 to 1", field=axis, reason="range")
    radius = fields.get("presence_radius_m")
    if radius is not None and not MIN_RADIUS_M <= radius <= MAX_RADIUS_M:
        raise InvalidInput(
            f"a presence radius is {MIN_RADIUS_M} to {MAX_RADIUS_M} metres", field="presenceRadiusM", reason="range"
        )
    for measure in fields.get("control_measures") or []:
        if measure.get("type") not in MEASURE_TYPES:
            raise InvalidInput("unknown type of control measure", field="controlMeasures", reason="type")
    return {
        name: msgspec.json.encode(value).decode() if name in store.JSON_FIELDS else value
        for name, value in fields.items()
    }


async def _point(actor: Actor, risk_point_id: str) -> RiskPointRecord:
    """The risk point if its enterprise is in the caller's scope, else NotFound."""
    found = await store.visible_point(actor, risk_point_id)
    if found is None:
        raise NotFound("no such risk point", entity="riskPoint", id=risk_point_id)
    return found


async def create_risk_point(*, actor: Actor, enterprise_id: str, fields: dict[str, Any]) -> RiskPointRecord:
    """Register a risk point of an enterprise in the caller's scope."""
    require(actor, Action.MANAGE_RISK_POINTS)
    await require_enterprise(actor, enterprise_id)
    now = utcnow()
    row = {
        "id": new_id(),
        "enterprise_id": enterprise_id,
        "area": "",
        "lat": None,
        "lng": None,
        "plan_x": None,
        "plan_y": None,
        "presence_radius_m": None,
        "responsible_post": "",
        "responsible_person": "",
        "hazard_sources": "[]",
        "control_measures": "[]",
        "emergency_measures": "[]",
        "emergency_phone": "",
        "level": None,
        "colour": None,
        "control_level": None,
        "assessed_at": None,
        "qr_serial": 1,
        "status": "active",
        "version": 1,
        "created_at": now,
        "updated_at": now,
    } | _check_fields(fields)
    async with transaction():
        created = await store.insert_point(row)
        await record_change(RISK_POINT, row["id"], enterprise_id, at=now)
    return created


async def update_risk_point(*, actor: Actor, risk_point_id: str, changes: dict[str, Any]) -> RiskPointRecord:
    """Change a risk point's description; its grade only changes through an assessment."""
    require(actor, Action.MANAGE_RISK_POINTS)
    async with transaction():
        await _point(actor, risk_point_id)
        await store.update_point(risk_point_id, _check_fields(changes) | {"updated_at": utcnow()})
        changed = await _point(actor, risk_point_id)
        await record_change(RISK_POINT, risk_point_id, changed.enterprise_id)
    return changed


async def get_risk_point(*, actor: Actor, risk_point_id: str) -> RiskPointRecord:
    """One risk point in the caller's scope."""
    return await _point(actor, risk_point_id)


async def list_risk_points(
    *, actor: Actor, enterprise_id: str, cursor: str | None = None, limit: int | None = None
) -> Page[RiskPointRecord]:
    """The active risk points of an enterprise in the caller's scope, a page at a time."""
    await require_enterprise(actor, enterprise_id)
    size = clamp_limit(limit)
    points = await store.active_points(enterprise_id, after=decode_cursor(cursor), limit=size + 1)
    return page_of(points, size, lambda point: point.id)


async def all_risk_points(enterprise_id: str) -> list[RiskPointRecord]:
    """Every active point of an enterprise (for printables and colours; the caller has checked the scope)."""
    return await store.active_points(enterprise_id)


def scheme_for(method: Method, scheme_id: str | None) -> Scheme:
    """The scheme to assess with: the one named, or the method's default; it must be of that method."""
    wanted = scheme_id or DEFAULT_SCHEMES[method]
    scheme = next((scheme for scheme in SEED_SCHEMES if scheme.id == wanted), None)
    if scheme is None or scheme.method != method:
        raise InvalidInput(f"no {method} scheme {wanted!r}", field="schemeId", reason="unknown")
    return scheme


async def assess_risk_point(
    *, actor: Actor, risk_point_id: str, method: Method, factors: dict[str, Any], scheme_id: str | None = None
) -> AssessmentRecord:
    """Assess a point: keep the assessment, and derive the point's level, colour and control level from it."""
    require(actor, Action.MANAGE_RISK_POINTS)
    scheme = scheme_for(method, scheme_id)
    result: Assessment = assess(scheme, factors)
    now = utcnow()
    row = {
        "id": new_id(),
        "risk_point_id": risk_point_id,
        "method": result.method.value,
        "scheme_id": result.scheme_id,
        "scheme_version": result.scheme_version,
        "factors": msgspec.json.encode({name: str(value) for name, value in result.factors.items()}).decode(),
        "score": str(result.score),
        "level": result.level.value,
        "colour": result.colour.value,
        "control_level": result.min_control_level.value,
        "assessed_by": actor.user_id,
        "assessed_at": now,
    }
    async with transaction():
        point = await _point(actor, risk_point_id)
        kept = await store.insert_assessment(row | {"enterprise_id": point.enterprise_id})
        await record_change(RISK_POINT, risk_point_id, point.enterprise_id, at=now)
    return kept


async def list_assessments(*, actor: Actor, risk_point_id: str) -> list[AssessmentRecord]:
    """Every assessment of a point, newest first."""
    await _point(actor, risk_point_id)
    return await store.assessments_of(risk_point_id)


async def add_checklist_item(*, actor: Actor, risk_point_id: str, fields: dict[str, Any]) -> ChecklistRecord:
    """Add an inspection item to a point's checklist."""
    require(actor, Action.MANAGE_RISK_POINTS)
    if fields["cycle_unit"] not in CYCLE_UNITS:
        raise InvalidInput("unknown cycle unit", field="cycleUnit", reason="unknown")
    criterion_id = fields.get("criterion_id")
    cited = await cited_criterion(criterion_id) if criterion_id else None
    if criterion_id and cited is None:
        raise InvalidInput("no such major-hazard criterion", field="criterionId", reason="unknown")
    row = {"id": new_id(), "basis": "", "responsible_post": "", "criterion_id": None, "active": True} | fields
    async with transaction():
        point = await _point(actor, risk_point_id)
        if cited is not None:
            # an item failing later proposes a major hazard citing this criterion: it must fit the enterprise
            industry = await org_store.enterprise_industry(point.enterprise_id)
            if industry not in cited.industries:
                raise InvalidInput(
                    "the criterion does not apply to the enterprise's industry",
                    field="criterionId",
                    reason="wrong_industry",
                    industry=industry,
                )
        row |= {"risk_point_id": risk_point_id, "enterprise_id": point.enterprise_id, "created_at": utcnow()}
        item = await store.insert_checklist_item(row)
        # the checklist is part of the point's card
        await record_change(RISK_POINT, risk_point_id, point.enterprise_id)
    return item


async def checklist_of(risk_point_id: str) -> list[ChecklistRecord]:
    """The active checklist of a point (the caller has checked the scope)."""
    return await store.active_checklist(risk_point_id)


async def list_checklist(*, actor: Actor, risk_point_id: str) -> list[ChecklistRecord]:
    """The checklist of a point in the caller's scope."""
    await _point(actor, risk_point_id)
    return await checklist_of(risk_point_id)
