"""Inspection tasks and inspections."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, Response, get, post
from litestar.params import Parameter, QueryParameter

from domain.access.model import Actor
from domain.inspections import services as inspections
from domain.inspections.model import ResultReport
from mobile_contract import inspections as wire


def new_inspection(body: wire.InspectionCreate) -> inspections.NewInspection:
    """The domain's view of an inspection body: same fields, snake_case, lists as tuples."""
    results = tuple(
        ResultReport(**(msgspec.structs.asdict(r) | {"photo_ids": tuple(r.photo_ids)})) for r in body.results
    )
    fields = msgspec.structs.asdict(body) | {"results": results}
    return inspections.NewInspection(**fields)


def presented(record: inspections.InspectionRecord) -> wire.Inspection:
    """The wire form of an inspection record."""
    fields = {name: getattr(record, name) for name in wire.Inspection.__struct_fields__ if name != "results"}
    results = [
        wire.InspectionResult(**{f: getattr(r, f) for f in wire.InspectionResult.__struct_fields__})
        for r in record.results
    ]
    return wire.Inspection(**fields, results=results)


class InspectionController(Controller):
    """`/v1/tasks`, `/v1/inspections`."""

    path = "/v1"
    tags = ["inspections"]

    @get(
        "/tasks",
        summary="Inspection tasks in the caller's scope (due=true: the open ones due now; mine=true: the "
        "caller's own, by the posts they hold)",
    )
    async def list_tasks(
        self,
        actor: Actor,
        due: bool = False,
        mine: bool = False,
        risk_point_id: Annotated[str | None, QueryParameter(name="riskPointId", max_length=40)] = None,
        cursor: Annotated[str | None, Parameter(max_length=200)] = None,
        limit: Annotated[int | None, Parameter(ge=1, le=1000)] = None,
    ) -> wire.TaskPage:
        """Inspection tasks generated from the checklist cycles, in the caller's scope; `due=true` the open ones due now, `mine=true` those of the posts the caller holds."""
        page = await inspections.list_tasks(
            actor=actor, due=due, risk_point_id=risk_point_id, cursor=cursor, limit=limit, mine=mine
        )
        items = [wire.Task(**{f: getattr(t, f) for f in wire.Task.__struct_fields__}) for t in page.items]
        return wire.TaskPage(items=items, next_cursor=page.next_cursor)

    @post("/inspections", summary="Record an inspection (201; the same clientId again → 200 and the same one)")
    async def create(self, actor: Actor, data: wire.InspectionCreate) -> Response[wire.Inspection]:
        """Record an inspection of a task or risk point (citing a scan proves presence); the same `clientId` again answers 200 with the same inspection."""
        record, created = await inspections.record_inspection(actor=actor, new=new_inspection(data))
        return Response(presented(record), status_code=201 if created else 200)
