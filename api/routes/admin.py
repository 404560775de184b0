"""Administration of regions, grids, enterprises and users."""

from __future__ import annotations

import dataclasses
from typing import Annotated

from litestar import Controller, get, patch, post, put
from litestar.params import Parameter

from api import presenters
from domain.access.model import Actor, Role
from domain.accounts.services import AccountService
from domain.org import services as org
from domain.org.model import Industry, RegionLevel
from domain.outbox import services as outbox
from mobile_contract.auth import Role as WireRole
from mobile_contract.jobs import JobFailure, JobFailurePage
from mobile_contract.orgs import (
    AdminUser,
    AdminUserPage,
    Enterprise,
    EnterpriseCreate,
    EnterpriseUpdate,
    Grid,
    GridCreate,
    Outline,
    OutlineStored,
    Region,
    RegionCreate,
    UserCreate,
    UserUpdate,
    set_fields,
)

# 20,000 positions of about 40 bytes each, with room for whitespace: larger bodies are refused before decoding.
MAX_OUTLINE_BODY = 2 * 1024 * 1024


def _geometry(outline: Outline) -> dict:
    return {"type": outline.type, "coordinates": outline.coordinates}


def _outline(record: org.OutlineRecord) -> OutlineStored:
    return OutlineStored(
        kind=record.kind,
        code=record.code,
        geometry=record.geometry,
        created=record.created,
        updated_at=record.updated_at,
    )


class AdminController(Controller):
    """`/v1/admin/*`: administrators only (the services check the role)."""

    path = "/v1/admin"
    tags = ["admin"]

    @post(
        "/regions", summary="Add a region node, optionally with its map outline", request_max_body_size=MAX_OUTLINE_BODY
    )
    async def create_region(self, actor: Actor, data: RegionCreate) -> Region:
        """Administrators: a node of the region tree (city, district, town) under its parent; an outline may come with it."""
        record = await org.create_region(
            actor=actor,
            code=data.code,
            name=data.name,
            level=RegionLevel(data.level),
            parent_code=data.parent_code,
            outline=_geometry(data.outline) if data.outline else None,
        )
        return presenters.region(record)

    @put(
        "/regions/{code:str}/outline",
        summary="Draw a region on the four-colour map (GeoJSON Polygon or MultiPolygon)",
        request_max_body_size=MAX_OUTLINE_BODY,
    )
    async def put_region_outline(
        self, actor: Actor, code: Annotated[str, Parameter(max_length=12)], data: Outline
    ) -> OutlineStored:
        """Administrators: the region's shape on the four-colour map, replacing any earlier one; a code nobody has → 404."""
        return _outline(await org.set_region_outline(actor=actor, code=code, outline=_geometry(data)))

    @put(
        "/grids/{grid_id:str}/outline",
        summary="Draw a grid on the four-colour map (GeoJSON Polygon or MultiPolygon)",
        request_max_body_size=MAX_OUTLINE_BODY,
    )
    async def put_grid_outline(
        self, actor: Actor, grid_id: Annotated[str, Parameter(max_length=40)], data: Outline
    ) -> OutlineStored:
        """Administrators: the grid's shape on the four-colour map, replacing any earlier one."""
        return _outline(await org.set_grid_outline(actor=actor, grid_id=grid_id, outline=_geometry(data)))

    @post("/grids", summary="Add a grid to a town")
    async def create_grid(self, actor: Actor, data: GridCreate) -> Grid:
        """Administrators: a grid (网格) of a town, the unit an inspector is bound to."""
        record = await org.create_grid(actor=actor, code=data.code, name=data.name, region_code=data.region_code)
        return presenters.grid(record)

    @post("/enterprises", summary="Register an enterprise")
    async def create_enterprise(self, actor: Actor, data: EnterpriseCreate) -> Enterprise:
        """Administrators: an enterprise with its credit code, industry, size and place (grid and region)."""
        fields = set_fields(data) | {"industry": Industry(data.industry)}
        return presenters.enterprise(await org.create_enterprise(actor=actor, **fields))

    @patch("/enterprises/{enterprise_id:str}", summary="Change an enterprise")
    async def update_enterprise(self, actor: Actor, enterprise_id: str, data: EnterpriseUpdate) -> Enterprise:
        """Administrators: change the given fields only; a move to another grid or region moves it in every scope and the sync feed."""
        record = await org.update_enterprise(actor=actor, enterprise_id=enterprise_id, changes=set_fields(data))
        return presenters.enterprise(record)

    @post("/users", summary="Create a user with the binding of their role")
    async def create_user(self, actor: Actor, data: UserCreate, accounts: AccountService) -> AdminUser:
        """Administrators: a user of one role with its binding (officer/principal → enterprise, inspector → grids, regulator → region)."""
        fields = set_fields(data) | {"role": Role(data.role)}
        return presenters.admin_user(await accounts.create_user(actor=actor, **fields))

    @patch("/users/{user_id:str}", summary="Change a user: disable, re-bind, reset password")
    async def update_user(self, actor: Actor, user_id: str, data: UserUpdate, accounts: AccountService) -> AdminUser:
        """Administrators: disable, re-bind or reset the password; the change applies at the user's very next request."""
        record = await accounts.update_user(actor=actor, user_id=user_id, changes=set_fields(data))
        return presenters.admin_user(record)

    @get("/users", summary="All users")
    async def list_users(
        self,
        actor: Actor,
        accounts: AccountService,
        cursor: Annotated[str | None, Parameter(max_length=200)] = None,
        limit: Annotated[int | None, Parameter(ge=1, le=1000)] = None,
        role: WireRole | None = None,
    ) -> AdminUserPage:
        """Administrators: every user with role, binding and state, in pages."""
        page = await accounts.list_users(actor=actor, cursor=cursor, limit=limit, role=Role(role) if role else None)
        return AdminUserPage(items=[presenters.admin_user(item) for item in page.items], next_cursor=page.next_cursor)

    @get("/users/{user_id:str}", summary="One user")
    async def get_user(self, actor: Actor, user_id: str, accounts: AccountService) -> AdminUser:
        """Administrators: one user with role, binding and state."""
        return presenters.admin_user(await accounts.get_user(actor=actor, user_id=user_id))

    @get("/jobs/failures", summary="Jobs that failed, latest first, and the outbox backlog")
    async def job_failures(
        self,
        actor: Actor,
        gave_up: Annotated[bool | None, Parameter(query="gaveUp")] = None,
        limit: Annotated[int, Parameter(ge=1, le=1000)] = 100,
    ) -> JobFailurePage:
        """Administrators: background jobs that failed (latest first) and how many outbox entries wait to be relayed."""
        failures = await outbox.list_job_failures(actor=actor, gave_up=gave_up, limit=limit)
        items = [JobFailure(**dataclasses.asdict(failure)) for failure in failures]
        return JobFailurePage(items=items, outbox_pending=await outbox.pending_count())
