"""双随机一公开: plans, the one commit–reveal draw, results (regulators and admin in scope; results by the drawn
officers too), and the public view of every plan past draft, without an account."""

from __future__ import annotations

import msgspec
from litestar import Controller, Request, Response, get, post, put

from api.routes.hazards import etag, expected_version
from domain.access.model import Actor
from domain.random_checks import services as random_checks
from mobile_contract import random_checks as wire


def presented(view: random_checks.PlanView) -> wire.RandomCheckPlan:
    """The wire form of a plan view (the same field names)."""
    return msgspec.convert(view, wire.RandomCheckPlan, from_attributes=True)


def presented_pick(view: random_checks.PickView) -> Response[wire.RandomCheckPick]:
    """A pick with its version as the ETag (the next If-Match)."""
    body = msgspec.convert(view, wire.RandomCheckPick, from_attributes=True)
    return Response(body, headers={"ETag": etag(view.version)})


class RandomCheckController(Controller):
    """`/v1/random-checks*`."""

    path = "/v1/random-checks"
    tags = ["random checks"]

    @post("/", summary="Create a draft plan (regulators of the region, admin)")
    async def create(self, actor: Actor, data: wire.RandomCheckPlanCreate) -> wire.RandomCheckPlan:
        """A draft: region, industries and classes, a sample rate per class, the exclusion months and the officer
        pool (regulators and inspectors within the region). Nothing is public while it is a draft."""
        fields = msgspec.structs.asdict(data)
        fields["rates"] = {code: str(rate) for code, rate in data.rates.items()}
        return presented(await random_checks.create_plan(actor=actor, new=random_checks.NewPlan(**fields)))

    @get("/", summary="The plans the caller may read, newest first")
    async def list_plans(self, actor: Actor) -> list[wire.RandomCheckPlan]:
        """Plans of the regions wholly the caller's (drafts included), newest first."""
        return [presented(view) for view in await random_checks.list_plans(actor=actor)]

    @get("/{plan_id:str}", summary="One plan, with its pools, seed and picks once drawn")
    async def get_one(self, actor: Actor, plan_id: str) -> wire.RandomCheckPlan:
        """A plan of the caller's scope; another region's plan answers 404 like an unknown id."""
        return presented(await random_checks.get_plan(actor=actor, plan_id=plan_id))

    @post("/{plan_id:str}/approve", status_code=200, summary="Approve a draft: commit a secret seed, publish its hash")
    async def approve(self, actor: Actor, plan_id: str) -> wire.RandomCheckPlan:
        """The seed (32 random bytes) is kept secret; its SHA-256 is published at once (`seedHash`, also on the
        public endpoint) and chained, so the draw cannot be redone with another seed."""
        return presented(await random_checks.approve_plan(actor=actor, plan_id=plan_id))

    @post("/{plan_id:str}/draw", status_code=200, summary="Draw, once: freeze the pools, reveal the seed, pick")
    async def draw(self, actor: Actor, plan_id: str) -> wire.RandomCheckPlan:
        """A second draw of the same plan → 409 `RANDOM_CHECK_ALREADY_DRAWN`; a picked enterprise with fewer than
        two officers free of conflict → 422 `RANDOM_CHECK_OFFICERS_TOO_FEW` (nothing drawn, nothing revealed)."""
        return presented(await random_checks.draw_plan(actor=actor, plan_id=plan_id))

    @post("/{plan_id:str}/close", status_code=200, summary="Close a drawn plan (or abandon an approved one)")
    async def close(self, actor: Actor, plan_id: str) -> wire.RandomCheckPlan:
        """Ends the plan: no more results are recorded; an approved plan closed undrawn keeps its seed secret."""
        return presented(await random_checks.close_plan(actor=actor, plan_id=plan_id))

    @put(
        "/{plan_id:str}/results/{enterprise_id:str}",
        summary="Record a picked enterprise's result (If-Match: the pick's version)",
    )
    async def record_result(
        self, actor: Actor, request: Request, plan_id: str, enterprise_id: str, data: wire.RandomCheckResultCreate
    ) -> Response[wire.RandomCheckPick]:
        """By one of its two drawn officers or a regulator of its region; hazards and penalties must be the
        enterprise's."""
        version = expected_version(request, "pick")
        result = random_checks.NewResult(**msgspec.structs.asdict(data))
        view = await random_checks.record_result(
            actor=actor, plan_id=plan_id, enterprise_id=enterprise_id, expected_version=version, result=result
        )
        return presented_pick(view)


class PublicRandomCheckController(Controller):
    """`/v1/public/random-checks*`: 一公开, no account."""

    path = "/v1/public/random-checks"
    tags = ["public"]

    @get("/", summary="Every random-check plan past draft, newest first (no account)")
    async def list_public(self) -> list[wire.RandomCheckPlan]:
        """Drafts never appear; each plan shows its seed hash, and after the draw the seed, pools and picks."""
        return [presented(view) for view in await random_checks.public_plans()]

    @get("/{plan_id:str}", summary="One published plan: seed hash, then seed, pools, picks and results (no account)")
    async def get_public(self, plan_id: str) -> wire.RandomCheckPlan:
        """Recompute the draw from this document alone (README: 双随机一公开)."""
        return presented(await random_checks.public_plan(plan_id))
