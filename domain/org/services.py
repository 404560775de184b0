"""Use cases of the organisation area: the region tree, grids and enterprises."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, fields
from datetime import datetime

from domain.access.model import Actor
from domain.access.permissions import require_admin
from domain.access.scope import enterprise_condition, grid_condition, require_enterprise, require_region
from domain.changes.services import ENTERPRISE, Place, record_change, record_enterprise_moved
from domain.clock import utcnow
from domain.db.engine import unique_or
from domain.db.paging import Page, clamp_limit, decode_cursor, page_of
from domain.db.transactions import transaction
from domain.errors import AlreadyExists, InvalidInput, NotFound
from domain.ids import new_id
from domain.org.model import (
    CODE_DIGITS,
    HIGH_RISK_INDUSTRIES,
    EnterpriseStatus,
    Industry,
    RegionLevel,
    region_code_fits_parent,
    region_parent_is_valid,
    region_path,
    validate_credit_code,
)
from domain.org.tables import Enterprise, Grid, Region
from domain.safety_code import outlines, shapes


@dataclass(frozen=True, slots=True)
class RegionRecord:
    """A node of the region tree."""

    code: str
    name: str
    level: str
    parent_code: str | None
    path: str


@dataclass(frozen=True, slots=True)
class GridRecord:
    """A grid and the town it lies in."""

    id: str
    code: str
    name: str
    region_code: str


@dataclass(frozen=True, slots=True)
class EnterpriseRecord:
    """An enterprise as stored."""

    id: str
    credit_code: str
    name: str
    industry: str
    above_designated_size: bool
    high_risk: bool
    supervising_department: str
    address: str
    lat: float | None
    lng: float | None
    grid_id: str
    region_code: str
    status: str
    qr_serial: int
    version: int
    created_at: datetime
    updated_at: datetime


def _record(cls, row: dict):
    return cls(**{f.name: row[f.name] for f in fields(cls)})


async def create_region(
    *, actor: Actor, code: str, name: str, level: RegionLevel, parent_code: str | None, outline: dict | None = None
) -> RegionRecord:
    """Add a node to the region tree under a parent of the level above, with its map outline if one is given."""
    require_admin(actor)
    if len(code) != CODE_DIGITS[level] or not code.isdigit():
        raise InvalidInput(f"a {level} code has {CODE_DIGITS[level]} digits", field="code", reason="format")
    parent = None
    if parent_code is not None:
        parent = await Region.select().where(Region.code == parent_code).first().run()
        if parent is None:
            raise InvalidInput("the parent region does not exist", field="parentCode", reason="unknown")
    if not region_parent_is_valid(level, RegionLevel(parent["level"]) if parent else None):
        raise InvalidInput(f"a {level} cannot hang under that parent", field="parentCode", reason="level")
    if parent and not region_code_fits_parent(code, parent["code"], RegionLevel(parent["level"])):
        raise InvalidInput("the code does not start with its parent's digits", field="code", reason="prefix")
    row = {
        "code": code,
        "name": name,
        "level": level.value,
        "parent_code": parent_code,
        "path": region_path(parent["path"] if parent else None, code),
        "created_at": utcnow(),
    }
    checked = await _checked_outline(outline, parent_code) if outline is not None else None
    with unique_or(AlreadyExists("a region with this code exists", entity="region", code=code)):
        async with transaction():
            await Region.insert(Region(**row)).run()
            if checked is not None:  # in the same transaction: a refused outline leaves no region behind
                await shapes.store_shape("region", code, checked, _outline_source(actor), now=row["created_at"])
    return _record(RegionRecord, row)


@dataclass(frozen=True, slots=True)
class OutlineRecord:
    """An outline as stored for a region (by code) or a grid (by code)."""

    kind: str
    code: str
    geometry: dict
    created: bool
    updated_at: datetime


def _outline_source(actor: Actor) -> str:
    return f"admin API ({actor.user_id})"


async def _checked_outline(outline: dict, parent_code: str | None) -> dict:
    """The outline checked by itself and against the parent region's outline, when the parent has one."""
    # Up to half a second for a 20,000-position border: off the event loop.
    checked = await asyncio.to_thread(outlines.checked_outline, outline)
    if parent_code is not None and (parent_outline := await shapes.stored_shape("region", parent_code)) is not None:
        await asyncio.to_thread(outlines.require_inside, checked, parent_outline)
    return checked


async def set_region_outline(*, actor: Actor, code: str, outline: dict) -> OutlineRecord:
    """Draw (or redraw) a region on the map: the outline is checked, then stored for the map to use."""
    require_admin(actor)
    region = await Region.select().where(Region.code == code).first().run()
    if region is None:
        raise NotFound("no such region", entity="region", id=code)
    checked = await _checked_outline(outline, region["parent_code"])
    now = utcnow()
    created = await shapes.store_shape("region", code, checked, _outline_source(actor), now=now)
    return OutlineRecord(kind="region", code=code, geometry=checked, created=created, updated_at=now)


async def set_grid_outline(*, actor: Actor, grid_id: str, outline: dict) -> OutlineRecord:
    """Draw (or redraw) a grid on the map, inside its town's outline when the town has one."""
    require_admin(actor)
    grid = await Grid.select().where(Grid.id == grid_id).first().run()
    if grid is None:
        raise NotFound("no such grid", entity="grid", id=grid_id)
    checked = await _checked_outline(outline, grid["region_code"])
    now = utcnow()
    created = await shapes.store_shape("grid", grid_id, checked, _outline_source(actor), now=now)
    return OutlineRecord(kind="grid", code=grid["code"], geometry=checked, created=created, updated_at=now)


async def list_regions() -> list[RegionRecord]:
    """The whole region tree, parents before children (it is small and not secret)."""
    rows = await Region.select().order_by(Region.path).run()
    return [_record(RegionRecord, row) for row in rows]


async def get_region(code: str) -> RegionRecord:
    """One region by code."""
    row = await Region.select().where(Region.code == code).first().run()
    if row is None:
        raise NotFound("no such region", entity="region", id=code)
    return _record(RegionRecord, row)


async def create_grid(*, actor: Actor, code: str, name: str, region_code: str) -> GridRecord:
    """Add a grid to a town."""
    require_admin(actor)
    town = await Region.select().where(Region.code == region_code).first().run()
    if town is None or town["level"] != RegionLevel.TOWN:
        raise InvalidInput("a grid lies in an existing town", field="regionCode", reason="not_a_town")
    row = {
        "id": new_id(),
        "code": code,
        "name": name,
        "region_code": region_code,
        "region_path": town["path"],
        "created_at": utcnow(),
    }
    with unique_or(AlreadyExists("a grid with this code exists", entity="grid", code=code)):
        async with transaction():
            await Grid.insert(Grid(**row)).run()
    return _record(GridRecord, row)


async def list_grids(*, actor: Actor, region_code: str | None = None) -> list[GridRecord]:
    """The grids the caller may see, optionally of one region's subtree (a region not theirs answers as unknown)."""
    query = Grid.select().where(grid_condition(actor)).order_by(Grid.code)
    if region_code is not None:
        region = await require_region(actor, region_code)
        query = query.where(Grid.region_path.like(region["path"] + "%"))
    return [_record(GridRecord, row) for row in await query.run()]


async def _grid_row(grid_id: str) -> dict:
    grid = await Grid.select().where(Grid.id == grid_id).first().run()
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
    require_admin(actor)
    normalised = validate_credit_code(credit_code)
    grid = await _grid_row(grid_id)
    now = utcnow()
    row = {
        "id": new_id(),
        "credit_code": normalised,
        "name": name,
        "industry": industry.value,
        "above_designated_size": above_designated_size,
        "high_risk": industry in HIGH_RISK_INDUSTRIES if high_risk is None else high_risk,
        "supervising_department": supervising_department,
        "address": address,
        "lat": lat,
        "lng": lng,
        "grid_id": grid_id,
        "region_code": grid["region_code"],
        "region_path": grid["region_path"],
        "status": EnterpriseStatus.OPERATING.value,
        "qr_serial": 1,
        "version": 1,
        "created_at": now,
        "updated_at": now,
    }
    conflict = AlreadyExists("an enterprise with this credit code exists", entity="enterprise", creditCode=normalised)
    with unique_or(conflict):
        async with transaction():
            await Enterprise.insert(Enterprise(**row)).run()
            await record_change(ENTERPRISE, row["id"], row["id"], at=now)
    return _record(EnterpriseRecord, row)


async def update_enterprise(*, actor: Actor, enterprise_id: str, changes: dict) -> EnterpriseRecord:
    """Change an enterprise's fields; moving it to another grid moves it to that grid's region."""
    require_admin(actor)
    async with transaction():
        before = await require_enterprise(actor, enterprise_id)
        values = dict(changes)
        if "industry" in values:
            values["industry"] = Industry(values["industry"]).value
        if "status" in values:
            values["status"] = EnterpriseStatus(values["status"]).value
        if "grid_id" in values:
            grid = await _grid_row(values["grid_id"])
            values["region_code"] = grid["region_code"]
            values["region_path"] = grid["region_path"]
        values["updated_at"] = utcnow()
        await (
            Enterprise.update(
                {getattr(Enterprise, key): value for key, value in values.items()}
                | {Enterprise.version: Enterprise.version + 1}
            )
            .where(Enterprise.id == enterprise_id)
            .run()
        )
        row = await require_enterprise(actor, enterprise_id)
        if (row["grid_id"], row["region_path"]) != (before["grid_id"], before["region_path"]):
            await record_enterprise_moved(Place(enterprise_id, before["grid_id"], before["region_path"]))
        else:
            await record_change(ENTERPRISE, enterprise_id, enterprise_id)
    return _record(EnterpriseRecord, row)


async def enterprises_by_ids(*, actor: Actor, enterprise_ids: list[str]) -> list[EnterpriseRecord]:
    """Those of the enterprises that are in the caller's scope (the sync feed)."""
    if not enterprise_ids:
        return []
    rows = await Enterprise.select().where(Enterprise.id.is_in(enterprise_ids), enterprise_condition(actor)).run()
    return [_record(EnterpriseRecord, row) for row in rows]


async def get_enterprise(*, actor: Actor, enterprise_id: str) -> EnterpriseRecord:
    """One enterprise in the caller's scope."""
    return _record(EnterpriseRecord, await require_enterprise(actor, enterprise_id))


async def list_enterprises(
    *, actor: Actor, cursor: str | None = None, limit: int | None = None, industry: Industry | None = None
) -> Page[EnterpriseRecord]:
    """The enterprises in the caller's scope, in creation order, a page at a time."""
    size = clamp_limit(limit)
    after = decode_cursor(cursor)
    query = Enterprise.select().where(enterprise_condition(actor)).order_by(Enterprise.id).limit(size + 1)
    if after:
        query = query.where(Enterprise.id > after)
    if industry is not None:
        query = query.where(Enterprise.industry == industry.value)
    rows = await query.run()
    return page_of([_record(EnterpriseRecord, row) for row in rows], size, lambda record: record.id)
