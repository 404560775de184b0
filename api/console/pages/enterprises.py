"""企业: the enterprises of the caller's scope with filters (colour, class, industry, credit grade, standardisation),
and an enterprise's page — its safety code and why it has its colour, risk points on the site plan, hazards,
inspections, credit, statistics, supervision class and whether its hash chains verify. Read through the same services
as the API; an enterprise out of scope is the same 404 as an unknown one."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Controller, Response, get
from litestar.params import QueryParameter
from litestar.response import Redirect, Template

from api.console.pages.overview import HAZARD_LEVEL_ZH, HAZARD_STATUS_ZH
from api.console.render import page, see_other
from domain.access.model import Actor, Role
from domain.accounts import store as accounts_store
from domain.clock import utcnow
from domain.codes.printables import Printables
from domain.credit import services as credit
from domain.credit import store as credit_store
from domain.errors import Forbidden, NotFound
from domain.evidence.services import verify_enterprise
from domain.hazards import services as hazards
from domain.inspections import store as inspection_store
from domain.org import services as org
from domain.org import store as org_store
from domain.org.model import INDUSTRY_LABELS_ZH, Industry
from domain.risk import services as risk
from domain.risk.model import Colour
from domain.safety_code import regions
from domain.safety_code import services as safety_code
from domain.standardisation import services as standardisation
from domain.standardisation import store as standardisation_store
from domain.standardisation.model import GRADE_LABELS_ZH, Grade, GradeTerm, best_grade
from domain.stats import services as stats
from domain.stats.model import region_codes_of_path

PAGE_SIZE = 20
REASON_ZH = {
    "INHERENT_RISK": "固有风险（风险点分级）",
    "OPEN_MAJOR_HAZARDS": "未销号重大隐患",
    "OVERDUE_MAJOR_HAZARDS": "逾期未整改的重大隐患",
    "OVERDUE_HAZARDS": "逾期未整改隐患",
    "TASK_COMPLETION": "近30日排查任务完成情况",
    "CREDIT_GRADE": "信用等级",
    "CREDIT_LISTED": "列入严重失信主体名单",
    "SCORE_BAND": "综合评分所在区间",
}
RISK_LEVEL_ZH = {"major": "重大风险", "large": "较大风险", "general": "一般风险", "low": "低风险"}
ROLE_ZH = {
    "officer": "企业安全员",
    "principal": "企业负责人",
    "inspector": "网格员",
    "regulator": "监管人员",
    "admin": "管理员",
}
CONTROL_LEVEL_ZH = {"company": "公司", "department": "部门", "workshop": "车间", "team": "班组", "post": "岗位"}
STANDARD_FILTERS = {"first": "一级", "second": "二级", "third": "三级", "none": "无有效等级"}
CLASS_ZH = {"A": "A 重点监管", "B": "B 较重点监管", "C": "C 一般监管", "D": "D 低风险"}
Choice = Annotated[str | None, QueryParameter(max_length=40, pattern=r"^[a-zA-Z_]+$")]


def supervision_services() -> Any:
    """The supervision area's services, when that area is part of this build (classes are shown when it is)."""
    try:
        return importlib.import_module("domain.supervision.services")
    except ImportError:
        return None


@dataclass(frozen=True, slots=True)
class Row:
    """One enterprise as the list shows it."""

    id: str
    name: str
    industry: str
    region_code: str
    grid_code: str
    colour: str | None
    score: int | None
    supervision_class: str | None
    credit_grade: str | None
    standardisation: str | None


async def scope_colours(actor: Actor) -> dict[str, tuple[str, int]]:
    """The colour and score of every enterprise the caller's map counts (the map's own list)."""
    if actor.role is Role.INSPECTOR:
        grids = await org_store.visible_grids(actor)
        codes = [grid.code for grid in grids]
    elif actor.role is Role.REGULATOR:
        codes = region_codes_of_path(actor.region_path or "")[-1:]
    else:
        codes = await org_store.root_region_codes()
    found: dict[str, tuple[str, int]] = {}
    for code in codes:
        cursor = None
        while True:
            listed = await regions.region_enterprises(actor=actor, code=code, cursor=cursor, limit=1000)
            found.update({e.enterprise_id: (e.colour.value, e.score) for e in listed.items})
            if not (cursor := listed.next_cursor):
                break
    return found


async def standardisation_grades(enterprise_ids: list[str], day: date) -> dict[str, str]:
    """The best standardisation grade valid today of each enterprise that holds one."""
    terms: dict[str, list[tuple[Grade, GradeTerm]]] = {}
    for row in await standardisation_store.grades_of_enterprises(enterprise_ids):
        terms.setdefault(row.enterprise_id, []).append(
            (Grade(row.grade), GradeTerm(row.valid_from, row.valid_to, row.revoked_on))
        )
    return {eid: str(best) for eid, held in terms.items() if (best := best_grade(held, day)) is not None}


class EnterprisePages(Controller):
    """`/console/enterprises`, `/console/enterprises/{id}` and its site plan drawing."""

    path = "/enterprises"

    @get("/")
    async def listing(
        self,
        actor: Actor,
        colour: Choice = None,
        supervision_class: Annotated[str | None, QueryParameter(name="class", pattern=r"^[A-D]$")] = None,
        industry: Choice = None,
        credit_grade: Annotated[str | None, QueryParameter(name="credit", pattern=r"^[A-D]$")] = None,
        standard: Choice = None,
        page_no: Annotated[int, QueryParameter(name="page", ge=1, le=10_000)] = 1,
    ) -> Template | Redirect:
        """The enterprises in scope, filtered and a page at a time."""
        if actor.role is Role.PRINCIPAL and actor.enterprise_id:
            return see_other(f"/console/enterprises/{actor.enterprise_id}")
        wanted_industry = Industry(industry) if industry in {i.value for i in Industry} else None
        records, cursor = [], None
        while True:
            found = await org.list_enterprises(actor=actor, cursor=cursor, limit=1000, industry=wanted_industry)
            records += found.items
            if not (cursor := found.next_cursor):
                break
        ids = [r.id for r in records]
        colours = await scope_colours(actor)
        grades = {eid: row.grade for eid, row in (await credit_store.grades_of(ids)).items()}
        held = await standardisation_grades(ids, credit.local_today())
        supervision = supervision_services()
        classes = await supervision.current_classes(ids) if supervision else {}
        grids = {g.id: g.code for g in await org_store.visible_grids(actor)}
        rows = [
            Row(
                r.id,
                r.name,
                r.industry,
                r.region_code,
                grids.get(r.grid_id, ""),
                colours.get(r.id, (None, None))[0],
                colours.get(r.id, (None, None))[1],
                classes[r.id].supervision_class.value if r.id in classes else None,
                grades.get(r.id),
                held.get(r.id),
            )
            for r in records
        ]
        if colour:
            rows = [row for row in rows if row.colour == colour]
        if supervision_class:
            rows = [row for row in rows if row.supervision_class == supervision_class]
        if credit_grade:
            rows = [row for row in rows if row.credit_grade == credit_grade]
        if standard:
            rows = [row for row in rows if (row.standardisation or "none") == standard]
        rows.sort(key=lambda row: (-(row.score or 0), row.name))
        pages = max(1, -(-len(rows) // PAGE_SIZE))
        shown = rows[(page_no - 1) * PAGE_SIZE : page_no * PAGE_SIZE]
        filters = {
            "colour": colour,
            "class": supervision_class,
            "industry": industry,
            "credit": credit_grade,
            "standard": standard,
        }
        base = {k: v for k, v in filters.items() if v}
        return page(
            "console/enterprises.html",
            actor=actor,
            rows=shown,
            total=len(rows),
            page_no=page_no,
            pages=pages,
            page_link=lambda n: "/console/enterprises?" + urlencode(base | {"page": n}),
            filters=filters,
            colours=[c.value for c in (Colour.RED, Colour.ORANGE, Colour.YELLOW, Colour.BLUE)],
            industries=INDUSTRY_LABELS_ZH,
            standard_filters=STANDARD_FILTERS,
            grade_zh={str(k): v for k, v in GRADE_LABELS_ZH.items()},
            class_zh=CLASS_ZH,
            has_classes=supervision is not None,
        )

    @get("/{enterprise_id:str}")
    async def detail(self, actor: Actor, enterprise_id: str) -> Template:
        """One enterprise in scope: everything a regulator checks before a visit."""
        enterprise = await org.get_enterprise(actor=actor, enterprise_id=enterprise_id)
        code = await safety_code.get_safety_code(actor=actor, enterprise_id=enterprise_id)
        changes = await safety_code.list_changes(actor=actor, enterprise_id=enterprise_id, cursor=None, limit=5)
        points = await risk.list_risk_points(actor=actor, enterprise_id=enterprise_id, cursor=None, limit=1000)
        recent = await hazards.list_hazards(
            actor=actor, filters=hazards.HazardFilter(enterprise_id=enterprise_id), limit=15
        )
        open_hazards = await hazards.list_hazards(
            actor=actor, filters=hazards.HazardFilter(enterprise_id=enterprise_id, open_only=True), limit=100
        )
        visits = sorted(
            await inspection_store.onsite_inspectors([enterprise_id], list(ROLE_ZH)), key=lambda v: v[2], reverse=True
        )[:10]
        inspectors = {}
        for uid in {v[1] for v in visits}:
            if (user := await accounts_store.user_by_id(uid)) is not None:
                inspectors[uid] = (user.name, ROLE_ZH.get(user.role, user.role))  # the name only, never the hash
        credit_view = await credit.enterprise_credit(actor=actor, enterprise_id=enterprise_id)
        penalties = await credit.list_penalties(actor=actor, enterprise_id=enterprise_id)
        grades = await standardisation.enterprise_standardisation(actor=actor, enterprise_id=enterprise_id)
        scope = await stats.resolve_scope(actor, enterprise_id=enterprise_id)
        year = str(credit.local_today().year)
        yearly = await stats.hazard_figures(actor, scope, industry=None, period_kind="year", first=year, last=year)
        figures = {f.metric: f for period in yearly.periods for f in period.figures}
        supervision = supervision_services()
        supervision_view = None
        if supervision is not None:
            try:
                supervision_view = await supervision.get_class(actor=actor, enterprise_id=enterprise_id)
            except (NotFound, Forbidden):
                supervision_view = None
        verification = await verify_enterprise(enterprise_id)
        grids = {g.id: g for g in await org_store.visible_grids(actor)}
        region_names = await org_store.region_names(region_codes_of_path(enterprise.region_path))
        plotted = [p for p in points.items if p.plan_x is not None and p.plan_y is not None]
        return page(
            "console/enterprise.html",
            actor=actor,
            enterprise=enterprise,
            industry=INDUSTRY_LABELS_ZH.get(Industry(enterprise.industry), enterprise.industry)
            if enterprise.industry in {i.value for i in Industry}
            else enterprise.industry,
            place=" · ".join(region_names.get(c, c) for c in region_codes_of_path(enterprise.region_path)),
            grid=grids.get(enterprise.grid_id),
            code=code,
            reasons=code.reasons,
            reason_zh=REASON_ZH,
            changes=changes.items,
            points=points.items,
            plotted=plotted,
            risk_level_zh=RISK_LEVEL_ZH,
            control_level_zh=CONTROL_LEVEL_ZH,
            hazards=recent.items,
            open_count=len(open_hazards.items),
            status_zh=HAZARD_STATUS_ZH,
            level_zh=HAZARD_LEVEL_ZH,
            visits=[(at, inspectors.get(uid)) for _, uid, at in visits],
            role_zh=ROLE_ZH,
            credit=credit_view,
            penalties=penalties,
            grades=grades,
            grade_zh={str(k): v for k, v in GRADE_LABELS_ZH.items()},
            year=year,
            figures=figures,
            supervision=supervision_view,
            class_zh=CLASS_ZH,
            verification=verification,
            now=utcnow(),
        )

    @get("/{enterprise_id:str}/risk-map.png", media_type="image/png")
    async def site_plan(self, actor: Actor, printables: Printables, enterprise_id: str) -> Response[bytes]:
        """The 风险四色分布图 the API draws (`/v1/enterprises/{id}/risk-map.png`), for the page's image."""
        body = await printables.risk_map(actor=actor, enterprise_id=enterprise_id)
        return Response(body, media_type="image/png")


CONTROLLERS = [EnterprisePages]
