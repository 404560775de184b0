"""一公开: the random-check plans as HTML pages for everyone, no account (the JSON is /v1/public/random-checks)."""

from __future__ import annotations

from litestar import Controller, get
from litestar.datastructures import ResponseHeader
from litestar.response import Template

from api.console.render import page
from domain.random_checks import services as random_checks

STATUS_NAMES = {"draft": "草稿", "approved": "已批准（种子已承诺）", "drawn": "已抽取", "closed": "已结束"}


class PublicRandomCheckPages(Controller):
    """`/public/random-checks`, `/public/random-checks/{id}`: plans past draft; a draft is an unknown page."""

    path = "/public/random-checks"
    include_in_schema = False
    response_headers = [
        ResponseHeader(
            name="Content-Security-Policy",
            value="default-src 'none'; style-src 'unsafe-inline'; form-action 'none'; frame-ancestors 'none'",
        ),
        ResponseHeader(name="X-Content-Type-Options", value="nosniff"),
    ]

    @get("/")
    async def plans(self) -> Template:
        """Every published plan, newest first."""
        return page("public/random_checks.html", plans=await random_checks.public_plans(), status_names=STATUS_NAMES)

    @get("/{plan_id:str}")
    async def plan(self, plan_id: str) -> Template:
        """One plan: seed hash, then seed, pools, picks and results."""
        view = await random_checks.public_plan(plan_id)
        return page("public/random_check.html", plan=view, status_names=STATUS_NAMES)
