"""Enterprises and the region tree, as the caller's scope allows."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.datastructures import State
from litestar.params import Parameter, QueryParameter

from api import presenters
from domain.accounts.model import Actor
from domain.org import services
from domain.org.model import Industry
from mobile_contract.orgs import Enterprise, EnterprisePage, Grid, Region, SafetyCode
from mobile_contract.orgs import Industry as WireIndustry


class OrgController(Controller):
    """`/v1/enterprises`, `/v1/regions`, `/v1/grids`."""

    path = "/v1"
    tags = ["organisations"]

    @get("/enterprises", summary="Enterprises in the caller's scope")
    async def list_enterprises(
        self,
        actor: Actor,
        cursor: Annotated[str | None, Parameter(max_length=200)] = None,
        limit: Annotated[int | None, Parameter(ge=1, le=1000)] = None,
        industry: WireIndustry | None = None,
    ) -> EnterprisePage:
        page = await services.list_enterprises(
            actor=actor, cursor=cursor, limit=limit, industry=Industry(industry) if industry else None
        )
        return EnterprisePage(items=[presenters.enterprise(item) for item in page.items], next_cursor=page.next_cursor)

    @get("/enterprises/{enterprise_id:str}", summary="One enterprise in the caller's scope")
    async def get_enterprise(self, actor: Actor, state: State, enterprise_id: str) -> Enterprise:
        record = await services.get_enterprise(actor=actor, enterprise_id=enterprise_id)
        code, colour = await state.codes.safety_code(record.id, record.qr_serial)
        return presenters.enterprise(record, SafetyCode(token=code.token, url=code.url, color=colour.value))

    @get("/regions", summary="The region tree")
    async def list_regions(self) -> list[Region]:
        return [presenters.region(item) for item in await services.list_regions()]

    @get("/grids", summary="Grids, optionally of one region's subtree")
    async def list_grids(
        self, region_code: Annotated[str | None, QueryParameter(name="regionCode", pattern=r"^[0-9]{6}([0-9]{3})?$")] = None
    ) -> list[Grid]:
        return [presenters.grid(item) for item in await services.list_grids(region_code=region_code)]
