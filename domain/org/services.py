"""Use cases of the organisation area: the region tree, grids and enterprises (statements in store.py)."""

from __future__ import annotations

import asyncio

from domain.access.model import Actor
from domain.access.permissions import Action, require
from domain.changes.model import ENTERPRISE, Place
from domain.changes.services import record_change, record_enterprise_moved
from domain.clock import utcnow
from domain.db.engine import unique_or
from domain.db.paging import Page, clamp_limit, decode_cursor, page_of
from domain.db.transactions import transaction
from domain.errors import AlreadyExists, InvalidInput, NotFound
from domain.ids import new_id
from domain.org import outlines, store
from domain.org.model import (
    CODE_DIGITS,
    HIGH_RISK_INDUSTRIES,
    EnterpriseRecord,
    EnterpriseStatus,
    GridRecord,
    Industry,
    OutlineRecord,
    RegionLevel,
    RegionRecord,
    region_code_fits_parent,
    region_parent_is_valid,
    region_path,
    validate_credit_code,
)
from domain.org.scope import require_enterprise, require_region

__all__ = [
    "EnterpriseRecord",
    "GridRecord",
    "OutlineRecord",
    "RegionRecord",
    "create_enterprise",
    "create_grid",
    "create_region",
    "enterprises_by_ids",
    "get_enterprise",
    "get_region",
    "list_enterprises",
    "list_grids",
    "list_regions",
    "set_grid_outline",
    "set_region_outline",
    "update_enterprise",
]


async def create_region(
    *, actor: Actor, code: str, name: str, level: RegionLevel, parent_code: str | None, outline: dict | None = None
) -> RegionRecord:
    """Add a node to the region tree under a parent of the level above, with its map outline if one is given."""
    require(actor, Action.MANAGE_ORGANISATION)
    if len(code) != CODE_DIGITS[level] or not code.isdigit():
        raise InvalidInput(f"a {level} code has {CODE_DIGITS[level]} digits", field="code", reason="format")
    parent = None
    if parent_code is not None:
        parent = await store.region(parent_code)
        if parent is None:
            raise InvalidInput("the parent region does not exist", field="parentCode", reason="unknown")
    if not region_parent_is_valid(level, RegionLevel(parent.level) if parent else None):
        raise InvalidInput(f"a {level} cannot hang under that parent", field="parentCode", reason="level")
    if parent and not region_code_fits_parent(code, parent.code, RegionLevel(parent.level)):
        raise InvalidInput("the code does not start with its parent's digits", field="code", reason="prefix")
    record = RegionRecord(
        code=code,
        name=name,
        level=level.value,
        parent_code=parent_code,
        path=region_path(parent.path if parent else None, code),
    )
    now = utcnow()
    checked = await _checked_outline(outline, parent_code) if outline is not None else None
    with unique_or(AlreadyExists("a region with this code exists", entity="region", code=code)):
        async with transaction():
            await store.insert_region(record, created_at=now)
            if checked is not None:  # in the same transaction: a refused outline leaves no region behind
                await store.store_shape("region", code, checked, _outline_source(actor), now=now)
    return record


def _outline_source(actor: Actor) -> str:
    return f"admin API ({actor.user_id})"


async def _checked_outline(outline: dict, parent_code: str | None) -> dict:
    """The outline checked by itself and against the parent region's outline, when the parent has one."""
    # Up to half a second for a 20,000-position border: off the event loop.
    checked = await asyncio.to_thread(outlines.checked_outline, outline)
    if parent_code is not None and (parent_outline := await store.stored_shape("region", parent_code)) is not None:
        await asyncio.to_thread(outlines.require_inside, checked, parent_outline)
    return checked


async def set_region_outline(*, actor: Actor, code: str, outline: dict) -> OutlineRecord:
    """Draw (or redraw) a region on the map: the outline is checked, then stored for the map to use."""
    require(actor, Action.MANAGE_ORGANISATION)
    region = await store.region(code)
    if region is None:
        raise NotFound("no such region", entity="region", id=code)
    checked = await _checked_outline(outline, region.parent_code)
    now = utcnow()
    created = await store.store_shape("region", code, checked, _outline_source(actor), now=now)
    return OutlineRecord(kind="region", code=code, geometry=checked, created=created, updated_at=now)


async def set_grid_outline(*, actor: Actor, grid_id: str, outline: dict) -> OutlineRecord:
    """Draw (or redraw) a grid on the map, inside its town's outline when the town has one."""
    require(actor, Action.MANAGE_ORGANISATION)
    grid = await store.grid(grid_id)
    if grid is None:
        raise NotFound("no such grid", entity="grid", id=grid_id)
    checked = await _checked_outline(outline, grid.region_code)
    now = utcnow()
    created = await store.store_shape("grid", grid_id, checked, _outline_source(actor), now=now)
    return OutlineRecord(kind="grid", code=grid.code, geometry=checked, created=created, updated_at=now)


async def list_regions() -> list[RegionRecord]:
    """The whole region tree, parents before children (it is small and not secret)."""
    return await store.all_regions()


async def get_region(code: str) -> RegionRecord:
    """One region by code."""
    record = await store.region(code)
    if record is None:
        raise NotFound("no such region", entity="region", id=code)
    return record


async def create_grid(*, actor: Actor, code: str, name: str, region_code: str) -> GridRecord:
    """Add a grid to a town."""
    require(actor, Action.MANAGE_ORGANISATION)
    town = await store.region(region_code)
    if town is None or town.level != RegionLevel.TOWN:
        raise InvalidInput("a grid lies in an existing town", field="regionCode", reason="not_a_town")
    record = GridRecord(id=new_id(), code=code, name=name, region_code=region_code, region_path=town.path)
    with unique_or(AlreadyExists("a grid with this code exists", entity="grid", code=code)):
        async with transaction():
            await store.insert_grid(record, created_at=utcnow())
    return record


async def list_grids(*, actor: Actor, region_code: str | None = None) -> list[GridRecord]:
    """The grids the caller may see, optionally of one region's subtree (a region not theirs answers as unknown)."""
    under = (await require_region(actor, region_code)).path if region_code is not None else None
    return await store.visible_grids(actor, under_path=under)


async def _grid(grid_id: str) -> GridRecord:
    grid = await store.grid(grid_id)
    if grid is None:
        raise InvalidInput("the grid does not exist", field="gridId", reason="unknown")
    return grid


async def create_enterprise(
    *,
    actor: Actor,
    credit_code: str,
    name: str,
    industry: Industry,
    grid_id: str,
    above_designated_size: bool = False,
    high_risk: bool | None = None,
    supervising_department: str = "",
    address: str = "",
    lat: float | None = None,
    lng: float | None = None,
) -> EnterpriseRecord:
    """Register an enterprise in a grid; its region follows the grid's town."""
    require(actor, Action.MANAGE_ORGANISATION)
    normalised = validate_credit_code(credit_code)
    grid = await _grid(grid_id)
    now = utcnow()
    record = EnterpriseRecord(
        id=new_id(),
        credit_code=normalised,
        name=name,
        industry=industry.value,
        above_designated_size=above_designated_size,
        high_risk=industry in HIGH_RISK_INDUSTRIES if high_risk is None else high_risk,
        supervising_department=supervising_department,
        address=address,
        lat=lat,
        lng=lng,
        grid_id=grid_id,
        region_code=grid.region_code,
        region_path=grid.region_path,
        status=EnterpriseStatus.OPERATING.value,
        qr_serial=1,
        version=1,
        created_at=now,
        updated_at=now,
    )
    conflict = AlreadyExists("an enterprise with this credit code exists", entity="enterprise", creditCode=normalised)
    with unique_or(conflict):
        async with transaction():
            await store.insert_enterprise(record)
            await record_change(ENTERPRISE, record.id, record.id, at=now)
    return record


async def update_enterprise(*, actor: Actor, enterprise_id: str, changes: dict) -> EnterpriseRecord:
    """Change an enterprise's fields; moving it to another grid moves it to that grid's region."""
    require(actor, Action.MANAGE_ORGANISATION)
    async with transaction():
        before = await require_enterprise(actor, enterprise_id)
        values = dict(changes)
        if "industry" in values:
            values["industry"] = Industry(values["industry"]).value
        if "status" in values:
            values["status"] = EnterpriseStatus(values["status"]).value
        if "grid_id" in values:
            grid = await _grid(values["grid_id"])
            values["region_code"] = grid.region_code
            values["region_path"] = grid.region_path
        values["updated_at"] = utcnow()
        await store.update_enterprise(enterprise_id, values)
        after = await require_enterprise(actor, enterprise_id)
        if (after.grid_id, after.region_path) != (before.grid_id, before.region_path):
            await record_enterprise_moved(Place(enterprise_id, before.grid_id, before.region_path))
        else:
            await record_change(ENTERPRISE, enterprise_id, enterprise_id)
    return after


async def enterprises_by_ids(*, actor: Actor, enterprise_ids: list[str]) -> list[EnterpriseRecord]:
    """Those of the enterprises that are in the caller's scope (the sync feed)."""
    return await store.visible_enterprises(actor, enterprise_ids)


async def get_enterprise(*, actor: Actor, enterprise_id: str) -> EnterpriseRecord:
    """One enterprise in the caller's scope."""
    return await require_enterprise(actor, enterprise_id)


async def list_enterprises(
    *, actor: Actor, cursor: str | None = None, limit: int | None = None, industry: Industry | None = None
) -> Page[EnterpriseRecord]:
    """The enterprises in the caller's scope, in creation order, a page at a time."""
    size = clamp_limit(limit)
    after = decode_cursor(cursor)
    records = await store.enterprises_page(
        actor, after=after, size=size + 1, industry=industry.value if industry is not None else None
    )
    return page_of(records, size, lambda record: record.id)
