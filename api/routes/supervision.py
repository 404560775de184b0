"""分级分类监管: an enterprise's supervision class with its reasons, and the classes of the caller's scope."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.params import Parameter, QueryParameter

from domain.access.model import Actor
from domain.supervision import services
from domain.supervision.model import SupervisionClass
from mobile_contract import supervision as wire

RegionCode = Annotated[str | None, QueryParameter(name="regionCode", pattern=r"^[0-9]{6}([0-9]{3})?$")]


def status(view: services.ClassView) -> wire.SupervisionClassStatus:
    """The wire form of a class with its visits."""
    record, visits = view.record, view.visits
    return wire.SupervisionClassStatus(
        enterprise_id=view.enterprise.id,
        enterprise_name=view.enterprise.name,
        region_code=view.enterprise.region_code,
        supervision_class=record.supervision_class.value,
        label=view.label,
        edition=record.edition,
        points=record.points,
        reasons=[
            wire.ClassReason(
                factor=r["factor"],
                name=r["name"],
                value=r["value"],
                rule=r["rule"],
                points=r["points"],
                at_least=r["atLeast"],
            )
            for r in record.reasons
        ],
        visits=wire.ClassVisits(
            period_start=visits.period_start,
            period_end=visits.period_end,
            per_year=f"{float(visits.per_year):g}",
            owed=visits.owed,
            owed_to_date=visits.owed_to_date,
            done=visits.done,
            behind=visits.behind,
        ),
        computed_at=record.computed_at,
        class_since=record.class_since,
        version=record.version,
    )


class SupervisionController(Controller):
    """`/v1/enterprises/{id}/supervision-class` and `/v1/supervision/classes`."""

    path = "/v1"
    tags = ["supervision classes"]

    @get(
        "/enterprises/{enterprise_id:str}/supervision-class",
        summary="The supervision class (分级分类): class, reasons, rules edition, visits owed and done",
    )
    async def enterprise_class(self, actor: Actor, enterprise_id: str) -> wire.SupervisionClassStatus:
        """The class of an enterprise in the caller's scope (its own staff included); another's or an unknown id
        answers 404 alike. Visits are this period's on-site inspections by grid inspectors and regulators."""
        return status(await services.get_class(actor=actor, enterprise_id=enterprise_id))

    @get("/supervision/classes", summary="Supervision classes of the caller's scope, by class and visits behind")
    async def classes(
        self,
        actor: Actor,
        region_code: RegionCode = None,
        supervision_class: Annotated[
            wire.SupervisionClassCode | None, QueryParameter(name="class", description="A, B, C or D")
        ] = None,
        behind: Annotated[bool | None, QueryParameter(description="only those behind (true) or not (false)")] = None,
        cursor: Annotated[str | None, Parameter(max_length=200)] = None,
        limit: Annotated[int | None, Parameter(ge=1, le=1000)] = None,
    ) -> wire.SupervisionClassPage:
        """Regulators (their subtree), grid inspectors (their grids) and admins; enterprise staff 403. A region
        outside the caller's scope answers 404 like an unknown one."""
        page = await services.list_classes(
            actor=actor,
            region_code=region_code,
            supervision_class=SupervisionClass(supervision_class) if supervision_class else None,
            behind=behind,
            cursor=cursor,
            limit=limit,
        )
        return wire.SupervisionClassPage(items=[status(view) for view in page.items], next_cursor=page.next_cursor)
