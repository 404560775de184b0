"""标准化: the safety-standardisation rate of the caller's region over the latest frozen scope list, the scope lists
(list, freeze one from today's members, one list's rate and members with each member's grade), through the same
services as the API's `/v1/stats/standardisation*`."""

from __future__ import annotations

from urllib.parse import urlencode

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from api.console.pages._acting import day_of, form_of, refusal, shown_inline, text_of
from api.console.render import page, see_other
from domain.access.model import Actor, Role
from domain.clock import utcnow
from domain.credit.model import region_code_of
from domain.errors import DomainError, InvalidInput, NotFound
from domain.org import services as org
from domain.org.model import Industry
from domain.org.store import regions_under
from domain.standardisation import services as standardisation
from domain.standardisation.model import GRADE_LABELS_ZH, ScopeCriteria
from domain.statutory.model import local_date

PAGE_SIZE = 50
GRADE_NAMES = {str(grade): label for grade, label in GRADE_LABELS_ZH.items()}
INDUSTRY_NAMES = {
    "hazardous_chemicals": "危险化学品",
    "oil_storage": "油品储运",
    "shipbuilding": "船舶修造",
    "fishing_vessels": "渔业船舶",
    "aquatic_processing": "水产品加工",
    "port_logistics": "港口物流",
    "metallurgy": "冶金",
    "nonferrous": "有色",
    "building_materials": "建材",
    "machinery": "机械",
    "light_industry": "轻工",
    "textiles": "纺织",
    "tobacco": "烟草",
    "trade": "商贸",
    "construction": "建筑施工",
    "crowded_places": "人员密集场所",
    "gas": "城镇燃气",
    "mining": "非煤矿山",
    "fireworks": "烟花爆竹",
    "road_transport": "道路运输",
    "other": "其他",
}
LABELS = {"grade_names": GRADE_NAMES, "industry_names": INDUSTRY_NAMES}


async def _figure(actor: Actor, query: standardisation.RateQuery) -> standardisation.ComplianceFigure | None:
    """The rate, or None when no frozen list covers the region yet (the page then offers to freeze one)."""
    try:
        return await standardisation.compliance(actor=actor, query=query)
    except NotFound:
        return None


async def _regions(actor: Actor) -> list:
    if actor.role is Role.REGULATOR and actor.region_path:
        return await regions_under(actor.region_path)
    return await org.list_regions() if actor.role is Role.ADMIN else []


def _tri_state(value: str) -> bool | None:
    """A criterion a person may leave open: 是 / 否 / 不限."""
    return {"yes": True, "no": False}.get(value)


async def _overview(actor: Actor, *, status_code: int = 200, problem: str | None = None) -> Template:
    return page(
        "console/standardisation.html",
        status_code=status_code,
        actor=actor,
        figure=await _figure(actor, standardisation.RateQuery()),
        scopes=await standardisation.list_scopes(actor=actor),
        regions=await _regions(actor),
        own_region=region_code_of(actor.region_path),
        today=local_date(utcnow()),
        industries=[str(industry) for industry in Industry],
        problem=problem,
        **LABELS,
    )


class StandardisationPages(Controller):
    """`/console/standardisation`, `/console/standardisation/scopes[/{id}]`."""

    path = "/standardisation"

    @get("/")
    async def overview(self, actor: Actor) -> Template:
        """The region's rate over the latest list covering it, and the scope lists the caller may use."""
        return await _overview(actor)

    @post("/scopes", status_code=303)
    async def freeze(self, actor: Actor, request: Request) -> Redirect | Template:
        """Freeze a dated list of the enterprises meeting the criteria (regulators, administrators)."""
        form = await form_of(request)
        try:
            name = text_of(form, "name", 200)
            if not name:
                raise InvalidInput("a scope list needs a name", field="name", reason="required")
            criteria = ScopeCriteria(
                region_code=text_of(form, "region_code", 12),
                industries=tuple(sorted({str(i)[:40] for i in form.getall("industries", []) if i})),
                above_designated_size=_tri_state(text_of(form, "above_designated_size", 5)),
                high_risk=_tri_state(text_of(form, "high_risk", 5)),
                operating_only=bool(form.get("operating_only")),
            )
            scope = await standardisation.freeze_scope(
                actor=actor, name=name, as_of=day_of(form, "as_of") or local_date(utcnow()), criteria=criteria
            )
        except DomainError as error:
            if not shown_inline(error):
                raise
            status, message = refusal(error)
            return await _overview(actor, status_code=status, problem=message)
        return see_other(f"/console/standardisation/scopes/{scope.id}")

    @get("/scopes/{scope_id:str}")
    async def scope(
        self, actor: Actor, scope_id: str, part: str = "denominator", cursor: str | None = None
    ) -> Template:
        """One list: its criteria, its rate today, and its members (all, or the compliant ones) with their grades."""
        found = await standardisation.get_scope(actor=actor, scope_id=scope_id)
        query = standardisation.RateQuery(scope_id=scope_id)
        numerator = part == "numerator"
        members = await standardisation.compliance_members(
            actor=actor, query=query, numerator=numerator, cursor=cursor or None, limit=PAGE_SIZE
        )
        base = {"part": "numerator" if numerator else "denominator"}
        return page(
            "console/standardisation_scope.html",
            actor=actor,
            scope=found,
            figure=await standardisation.compliance(actor=actor, query=query),
            members=members.items,
            numerator=numerator,
            next_url=f"?{urlencode(base | {'cursor': members.next_cursor})}" if members.next_cursor else None,
            first_url=f"?{urlencode(base)}" if cursor else None,
            **LABELS,
        )


CONTROLLERS = [StandardisationPages]
