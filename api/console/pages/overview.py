"""总览: the caller's region at a glance (a placeholder until the overview page is built)."""

from __future__ import annotations

from litestar import Controller, get
from litestar.response import Template

from api.console.render import page
from domain.access.model import Actor


class OverviewPages(Controller):
    """`/console/`."""

    path = "/"

    @get("/")
    async def overview(self, actor: Actor) -> Template:
        """The overview of the caller's region."""
        return page("console/overview.html", actor=actor)


CONTROLLERS = [OverviewPages]
