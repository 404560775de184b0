"""Domain records to contract types: the only place that knows both shapes."""

from __future__ import annotations

from domain.access.model import Role
from domain.accounts.model import UserRecord
from domain.codes.tokens import SubjectKind
from domain.org.model import EnterpriseRecord, GridRecord, RegionRecord
from domain.risk.model import ControlLevel, controlled_at
from mobile_contract import auth as wire_auth
from mobile_contract import orgs as wire_orgs
from mobile_contract import risk as wire_risk


def user(record: UserRecord, posts: list[str] | None = None) -> wire_auth.User:
    """The user with exactly the binding of their role (and the posts they hold, where the caller read them)."""
    return wire_auth.User(
        id=record.id,
        name=record.name,
        role=record.role.value,
        enterprise_id=record.enterprise_id,
        grid_ids=list(record.grid_ids) if record.role is Role.INSPECTOR else None,
        region_code=record.region_code,
        posts=posts,
    )


def admin_user(record: UserRecord) -> wire_orgs.AdminUser:
    """A user with the fields administrators manage."""
    return wire_orgs.AdminUser(
        id=record.id,
        username=record.username,
        name=record.name,
        role=record.role.value,
        disabled=record.disabled,
        phone=record.phone,
        enterprise_id=record.enterprise_id,
        grid_ids=list(record.grid_ids) if record.role is Role.INSPECTOR else None,
        region_code=record.region_code,
    )


def region(record: RegionRecord) -> wire_orgs.Region:
    """A region node."""
    return wire_orgs.Region(code=record.code, name=record.name, level=record.level, parent_code=record.parent_code)


def grid(record: GridRecord) -> wire_orgs.Grid:
    """A grid."""
    return wire_orgs.Grid(id=record.id, code=record.code, name=record.name, region_code=record.region_code)


def enterprise(
    record: EnterpriseRecord, safety_code: wire_orgs.SafetyCode | None = None, supervision_class: str | None = None
) -> wire_orgs.Enterprise:
    """An enterprise, with its safety code when the caller asked for one enterprise, and its supervision class."""
    return wire_orgs.Enterprise(
        safety_code=safety_code,
        supervision_class=supervision_class,
        id=record.id,
        credit_code=record.credit_code,
        name=record.name,
        industry=record.industry,
        above_designated_size=record.above_designated_size,
        high_risk=record.high_risk,
        supervising_department=record.supervising_department,
        address=record.address,
        grid_id=record.grid_id,
        region_code=record.region_code,
        status=record.status,
        version=record.version,
        updated_at=record.updated_at,
        lat=record.lat,
        lng=record.lng,
    )


def risk_point(record, codes) -> wire_risk.RiskPoint:
    """A risk point with its current code (callers reach this only in scope)."""
    code = codes.printed(SubjectKind.RISK_POINT, record.id, record.qr_serial)
    return wire_risk.RiskPoint(
        id=record.id,
        enterprise_id=record.enterprise_id,
        kind=record.kind,
        name=record.name,
        area=record.area,
        responsible_post=record.responsible_post,
        responsible_person=record.responsible_person,
        hazard_sources=record.hazard_sources,
        control_measures=record.control_measures,
        emergency_measures=record.emergency_measures,
        emergency_phone=record.emergency_phone,
        version=record.version,
        updated_at=record.updated_at,
        level=record.level.value if record.level else None,
        color=record.colour,
        control_level=record.control_level,
        assessed_at=record.assessed_at,
        lat=record.lat,
        lng=record.lng,
        plan_x=record.plan_x,
        plan_y=record.plan_y,
        qr=wire_risk.QrCode(token=code.token, url=code.url),
        presence_radius_m=record.presence_radius_m,
    )


def assessment(record) -> wire_risk.Assessment:
    """A kept assessment, its score as an exact decimal string."""
    return wire_risk.Assessment(
        id=record.id,
        risk_point_id=record.risk_point_id,
        method=record.method,
        scheme_id=record.scheme_id,
        scheme_version=record.scheme_version,
        factors=record.factors,
        score=str(record.score),
        level=record.level.value,
        color=record.colour,
        control_level=record.control_level,
        controlled_at=[level.value for level in controlled_at(ControlLevel(record.control_level))],
        assessed_by=record.assessed_by,
        assessed_at=record.assessed_at,
    )


def checklist_item(record) -> wire_risk.ChecklistItem:
    """A checklist item with its cycle."""
    return wire_risk.ChecklistItem(
        id=record.id,
        content=record.content,
        basis=record.basis,
        cycle=wire_risk.Cycle(n=record.cycle_n, unit=record.cycle_unit),
        responsible_post=record.responsible_post,
        criterion_id=record.criterion_id,
    )


def criterion(record) -> wire_risk.Criterion:
    """A criteria-library item, with its industries and its edition's dates."""
    return wire_risk.Criterion(
        id=record.id,
        standard=record.standard,
        edition=record.edition,
        item_no=record.item_no,
        text=record.text,
        industry=record.industry,
        edition_id=record.edition_id,
        industries=record.industries,
        verbatim=record.verbatim,
        effective_from=record.effective_from,
        effective_until=record.effective_until,
    )


def open_hazard(record) -> wire_risk.OpenHazard:
    """A hazard still open, as a card lists it."""
    return wire_risk.OpenHazard(
        id=record.id, title=record.title, level=record.level, status=record.status, deadline=record.deadline
    )


def due_task(tasks) -> wire_risk.DueTask | None:
    """The caller's items due now at a point, under the task that closes first (`tasks` come soonest first)."""
    if not tasks:
        return None
    first = tasks[0]
    items = [
        wire_risk.DueTaskItem(
            task_id=t.id,
            item_id=t.checklist_item_id,
            content=t.content,
            window_start=t.window_start,
            window_end=t.window_end,
        )
        for t in tasks
    ]
    return wire_risk.DueTask(
        id=first.id, window_start=first.window_start, window_end=first.window_end, items=items, mine=first.mine
    )


def scan_card(result) -> wire_risk.ScanCard:
    """The card a scan opens: the risk point (with checklist) or the enterprise profile."""
    enterprise = result.enterprise
    if result.risk_point is not None:
        point = result.risk_point
        return wire_risk.ScanCard(
            kind="riskPoint",
            scan_id=result.scan_id,
            open_hazards=[open_hazard(h) for h in result.open_hazards],
            due_task=due_task(result.due_tasks),
            risk_point=wire_risk.ScanRiskPoint(
                id=point.id,
                name=point.name,
                enterprise_id=point.enterprise_id,
                enterprise_name=enterprise.name,
                hazard_sources=point.hazard_sources,
                control_measures=point.control_measures,
                emergency_measures=point.emergency_measures,
                emergency_phone=point.emergency_phone,
                area=point.area,
                level=point.level.value if point.level else None,
                color=point.colour,
                control_level=point.control_level,
            ),
            checklist=[checklist_item(item) for item in result.checklist],
            distance_m=result.distance_m,
            presence_radius_m=result.presence_radius_m,
        )
    return wire_risk.ScanCard(
        kind="enterprise",
        scan_id=result.scan_id,
        open_hazards=[open_hazard(h) for h in result.open_hazards],
        enterprise=wire_risk.ScanEnterprise(
            id=enterprise.id,
            name=enterprise.name,
            industry=enterprise.industry,
            safety_code_color=result.safety_code.colour.value,
            address=enterprise.address,
            status=enterprise.status,
            safety_code_scheme_version=result.safety_code.scheme_version,
            safety_code_computed_at=result.safety_code.computed_at,
        ),
        distance_m=result.distance_m,
    )
