"""Hazard roll-ups for regulators (and everyone for their own scope): figures per period, and the items behind one."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from litestar import Controller, get
from litestar.params import Parameter, QueryParameter

from domain.access.model import Actor
from domain.stats import services as stats
from mobile_contract.stats import FigureItem, FigureItemPage, HazardFigure, HazardPeriodFigures, HazardStatistics

RegionCode = Annotated[str | None, QueryParameter(name="regionCode", pattern=r"^[0-9]{6}([0-9]{3})?$")]
GridId = Annotated[str | None, QueryParameter(name="gridId", max_length=40, pattern=r"^[0-9A-Za-z]+$")]
EnterpriseId = Annotated[str | None, QueryParameter(name="enterpriseId", max_length=40, pattern=r"^[0-9A-Za-z]+$")]
Industry = Annotated[str | None, Parameter(max_length=40, pattern=r"^(\*|[a-z_]+)$")]
_PERIOD_KEY = r"^[0-9]{4}(-(Q[1-4]|[0-9]{2}))?$"
FromKey = Annotated[str | None, QueryParameter(name="from", max_length=8, pattern=_PERIOD_KEY)]
ToKey = Annotated[str | None, QueryParameter(name="to", max_length=8, pattern=_PERIOD_KEY)]


class StatsController(Controller):
    """`/v1/stats/hazards*`."""

    path = "/v1/stats/hazards"
    tags = ["stats"]

    @get("/", summary="Hazard figures of a scope (default: the caller's) per month, quarter or year")
    async def figures(
        self,
        actor: Actor,
        region_code: RegionCode = None,
        grid_id: GridId = None,
        enterprise_id: EnterpriseId = None,
        industry: Industry = None,
        period: Literal["month", "quarter", "year"] = "month",
        from_key: FromKey = None,
        to_key: ToKey = None,
    ) -> HazardStatistics:
        """Hazard figures of a scope (default: the caller's) per month, quarter or year: found, closed, closure and on-time rates, overdue."""
        scope = await stats.resolve_scope(actor, region_code=region_code, grid_id=grid_id, enterprise_id=enterprise_id)
        result = await stats.hazard_figures(
            actor, scope, industry=industry, period_kind=period, first=from_key, last=to_key
        )
        return HazardStatistics(
            scope_kind=str(scope.kind),
            scope_id=scope.id,
            scope_name=scope.name,
            industry=result.industry,
            period_kind=result.period_kind,
            periods=[
                HazardPeriodFigures(
                    period=item.period,
                    as_of=item.as_of,
                    figures=[
                        HazardFigure(
                            metric=f.metric,
                            value=None if f.value is None else str(f.value),
                            numerator=f.numerator,
                            denominator=f.denominator,
                        )
                        for f in item.figures
                    ],
                )
                for item in result.periods
            ],
        )

    @get("/items", summary="The hazards or tasks behind one figure's numerator or denominator, by id")
    async def items(
        self,
        actor: Actor,
        metric: Annotated[str, Parameter(max_length=40)],
        period: Annotated[str, Parameter(max_length=8)],
        part: Literal["numerator", "denominator"] = "numerator",
        region_code: RegionCode = None,
        grid_id: GridId = None,
        enterprise_id: EnterpriseId = None,
        industry: Industry = None,
        cursor: Annotated[str | None, Parameter(max_length=200)] = None,
        limit: Annotated[int | None, Parameter(ge=1, le=1000)] = None,
    ) -> FigureItemPage:
        """The hazards or tasks behind one figure's numerator or denominator, so every figure can be checked."""
        scope = await stats.resolve_scope(actor, region_code=region_code, grid_id=grid_id, enterprise_id=enterprise_id)
        page = await stats.figure_items(
            actor, scope, metric=metric, part=part, industry=industry, period=period, cursor=cursor, limit=limit
        )
        return FigureItemPage(
            metric=metric,
            part=part,
            period=period,
            next_cursor=page.next_cursor,
            items=msgspec.convert(page.items, list[FigureItem], from_attributes=True),
        )
