"""分级分类监管: the supervision classes of the caller's scope (the data and rules of `/v1/supervision/classes`),
filtered by class, region and whether the on-site visits owed this period are behind, each row with its top reasons
and visits owed and done."""

from __future__ import annotations

from collections import Counter
from typing import Annotated
from urllib.parse import urlencode

from litestar import Controller, get
from litestar.params import QueryParameter
from litestar.response import Template

from api.console.render import page
from domain.access.model import Actor
from domain.supervision import services
from domain.supervision.model import CLASS_LABELS_ZH, EDITION, VISIT_QUOTAS, SupervisionClass

# the class badge borrows the four colours, strictest first (A red … D blue)
CLASS_TONES = {
    SupervisionClass.A: "red",
    SupervisionClass.B: "orange",
    SupervisionClass.C: "yellow",
    SupervisionClass.D: "blue",
}
PAGE_SIZE = 50


def top_reasons(reasons: list[dict], count: int = 3) -> list[dict]:
    """The reasons that weigh most: vetoes first, then by points (the band line left out)."""
    weighed = [r for r in reasons if r["factor"] != "POINTS_BAND" and (r["points"] or r["atLeast"])]
    return sorted(weighed, key=lambda r: (r["atLeast"] is None, -r["points"]))[:count]


def per_year_text(cls: SupervisionClass) -> str:
    """How often a class is visited, in words."""
    quota = VISIT_QUOTAS[cls]
    return f"每年 {quota.visits} 次" if quota.period_years == 1 else f"每 {quota.period_years} 年 {quota.visits} 次"


class SupervisionPages(Controller):
    """`/console/supervision`."""

    path = "/supervision"

    @get("/")
    async def classes(
        self,
        actor: Actor,
        supervision_class: Annotated[str | None, QueryParameter(name="class", pattern=r"^[A-D]?$")] = None,
        behind: Annotated[str | None, QueryParameter(pattern=r"^(|true|false)$")] = None,
        region: Annotated[str | None, QueryParameter(pattern=r"^([0-9]{6}([0-9]{3})?)?$")] = None,
        cursor: Annotated[str | None, QueryParameter(max_length=200)] = None,
    ) -> Template:
        """The classes of the caller's scope (an inspector's grids, a regulator's region), filtered."""
        chosen = SupervisionClass(supervision_class) if supervision_class else None
        behind_flag = {"true": True, "false": False}.get(behind or "")
        listed = await services.list_classes(
            actor=actor,
            region_code=region or None,
            supervision_class=chosen,
            behind=behind_flag,
            cursor=cursor,
            limit=PAGE_SIZE,
        )
        # the summary counts the whole scope (of the region asked), whatever the filters
        everything = await _all(actor, region or None)
        counts = Counter(view.record.supervision_class for view in everything)
        filters = {"class": supervision_class or "", "behind": behind or "", "region": region or ""}
        next_link = (
            "/console/supervision?"
            + urlencode({**{k: v for k, v in filters.items() if v}, "cursor": listed.next_cursor})
            if listed.next_cursor
            else None
        )
        return page(
            "console/supervision.html",
            actor=actor,
            rows=listed.items,
            filters=filters,
            classes=list(SupervisionClass),
            labels=CLASS_LABELS_ZH,
            tones=CLASS_TONES,
            per_year={cls: per_year_text(cls) for cls in SupervisionClass},
            counts=counts,
            behind_total=sum(1 for view in everything if view.visits.behind),
            total=len(everything),
            edition=EDITION,
            top_reasons=top_reasons,
            next_link=next_link,
        )


async def _all(actor: Actor, region: str | None) -> list[services.ClassView]:
    found, cursor = [], None
    while True:
        listed = await services.list_classes(actor=actor, region_code=region, cursor=cursor, limit=100)
        found += listed.items
        if not (cursor := listed.next_cursor):
            return found


CONTROLLERS = [SupervisionPages]
