"""Every statement on the org area's tables: other modules call these functions and get typed records back.

Other areas' stores filter by scope by composing `enterprise_in_scope(their_table.enterprise_id, actor)` (a piccolo
condition: one subquery inside their own statement, no extra round trip) or, in hand-written SQL,
`visible_enterprises_sql(actor)`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import fields
from datetime import datetime
from typing import Any

from piccolo.columns.combination import WhereRaw

from domain.access.model import Actor, EnterprisePlace
from domain.access.scope import EnterpriseScope, enterprise_scope, like_prefix
from domain.changes.services import Place, register_places, register_visible_enterprises
from domain.clock import utcnow
from domain.db.transactions import transaction
from domain.org.model import EnterpriseRecord, EnterpriseStatus, GridRecord, PlacedOutline, RegionRecord
from domain.org.tables import Enterprise, Grid, Region, RegionShape


def _record(cls, row: dict):
    return cls(**{f.name: row[f.name] for f in fields(cls)})


# --- scope as SQL ----------------------------------------------------------------------------------------------------


def _scope_condition(scope: EnterpriseScope):
    if scope.everything:
        return WhereRaw("1 = 1")
    if scope.enterprise_id is not None:
        return Enterprise.id == scope.enterprise_id
    if scope.grid_ids:
        return Enterprise.grid_id.is_in(list(scope.grid_ids))
    if scope.region_prefix:
        return Enterprise.region_path.like(like_prefix(scope.region_prefix))
    return WhereRaw("1 = 0")


def enterprise_condition(actor: Actor):
    """A piccolo condition on `Enterprise` that keeps only rows the actor may see (for statements on this table)."""
    return _scope_condition(enterprise_scope(actor))


def enterprise_in_scope(column, actor: Actor):
    """A condition on another table's enterprise-id column: the row's enterprise is one the actor may see.

    One subquery inside the caller's own statement (the same SQL the services wrote inline before)."""
    return column.is_in(Enterprise.select(Enterprise.id).where(enterprise_condition(actor)))


def enterprise_in_region(column, region_path: str):
    """A condition on another table's enterprise-id column: the enterprise lies in the region subtree."""
    return column.is_in(Enterprise.select(Enterprise.id).where(Enterprise.region_path.like(like_prefix(region_path))))


def visible_enterprises_sql(actor: Actor) -> tuple[str, list[Any]]:
    """`SELECT id FROM enterprise WHERE …` keeping the actor's enterprises, with `{}` placeholders and their values,
    for hand-written statements (`column IN (<sql>)`)."""
    scope = enterprise_scope(actor)
    if scope.everything:
        return "SELECT id FROM enterprise", []
    if scope.enterprise_id is not None:
        return "SELECT id FROM enterprise WHERE id = {}", [scope.enterprise_id]
    if scope.grid_ids:
        marks = ", ".join("{}" for _ in scope.grid_ids)
        return f"SELECT id FROM enterprise WHERE grid_id IN ({marks})", list(scope.grid_ids)
    if scope.region_prefix:
        return "SELECT id FROM enterprise WHERE region_path LIKE {}", [like_prefix(scope.region_prefix)]
    return "SELECT id FROM enterprise WHERE 1 = 0", []


def grid_condition(actor: Actor):
    """A piccolo condition on `Grid` keeping the grids the actor may see: all, the regulator's subtree, the inspector's
    own, the grid of the officer's enterprise."""
    scope = enterprise_scope(actor)
    if scope.everything:
        return WhereRaw("1 = 1")
    if scope.enterprise_id is not None:
        return Grid.id.is_in(Enterprise.select(Enterprise.grid_id).where(Enterprise.id == scope.enterprise_id))
    if scope.grid_ids:
        return Grid.id.is_in(list(scope.grid_ids))
    if scope.region_prefix:
        return Grid.region_path.like(like_prefix(scope.region_prefix))
    return WhereRaw("1 = 0")


# --- enterprises -----------------------------------------------------------------------------------------------------


async def enterprise(enterprise_id: str) -> EnterpriseRecord | None:
    """One enterprise by id, whoever asks."""
    row = await Enterprise.select().where(Enterprise.id == enterprise_id).first().run()
    return _record(EnterpriseRecord, row) if row else None


async def visible_enterprise(actor: Actor, enterprise_id: str) -> EnterpriseRecord | None:
    """One enterprise by id, if the actor may see it (None for missing and out of scope alike)."""
    row = await Enterprise.select().where(Enterprise.id == enterprise_id, enterprise_condition(actor)).first().run()
    return _record(EnterpriseRecord, row) if row else None


async def visible_enterprises(actor: Actor, enterprise_ids: list[str]) -> list[EnterpriseRecord]:
    """Those of the enterprises the actor may see."""
    if not enterprise_ids:
        return []
    rows = await Enterprise.select().where(Enterprise.id.is_in(enterprise_ids), enterprise_condition(actor)).run()
    return [_record(EnterpriseRecord, row) for row in rows]


async def any_enterprise_visible(actor: Actor, enterprise_ids: list[str]) -> bool:
    """True when at least one of the enterprises is in the actor's scope."""
    if not enterprise_ids:
        return False
    return await Enterprise.exists().where(Enterprise.id.is_in(enterprise_ids), enterprise_condition(actor)).run()


async def visible_enterprise_ids(actor: Actor) -> list[str]:
    """The ids of every enterprise the actor may see."""
    rows = await Enterprise.select(Enterprise.id).where(enterprise_condition(actor)).run()
    return [row["id"] for row in rows]


async def all_enterprise_ids() -> list[str]:
    """Every enterprise id, in id order."""
    return [row["id"] for row in await Enterprise.select(Enterprise.id).order_by(Enterprise.id).run()]


async def enterprise_exists(enterprise_id: str) -> bool:
    """True when the enterprise exists."""
    return await Enterprise.exists().where(Enterprise.id == enterprise_id).run()


async def enterprise_names(enterprise_ids: list[str]) -> dict[str, str]:
    """Enterprise id → name, for those of the ids that exist."""
    if not enterprise_ids:
        return {}
    rows = (
        await Enterprise.select(Enterprise.id, Enterprise.name).where(Enterprise.id.is_in(list(enterprise_ids))).run()
    )
    return {row["id"]: row["name"] for row in rows}


async def enterprise_industry(enterprise_id: str) -> str | None:
    """The industry of an enterprise, None when it does not exist."""
    row = await Enterprise.select(Enterprise.industry).where(Enterprise.id == enterprise_id).first().run()
    return row["industry"] if row else None


async def enterprise_places(enterprise_ids: list[str]) -> dict[str, EnterprisePlace]:
    """Enterprise id → where it sits (grid and region path), for those of the ids that exist."""
    if not enterprise_ids:
        return {}
    rows = (
        await Enterprise.select(Enterprise.id, Enterprise.grid_id, Enterprise.region_path)
        .where(Enterprise.id.is_in(list(enterprise_ids)))
        .run()
    )
    return {row["id"]: EnterprisePlace(row["id"], row["grid_id"], row["region_path"]) for row in rows}


async def enterprise_place(enterprise_id: str) -> EnterprisePlace | None:
    """Where one enterprise sits, None when it does not exist."""
    return (await enterprise_places([enterprise_id])).get(enterprise_id)


async def enterprises_page(
    actor: Actor, *, after: str | None, size: int, industry: str | None = None
) -> list[EnterpriseRecord]:
    """Up to `size` enterprises the actor may see, in id order after `after`, optionally of one industry."""
    query = Enterprise.select().where(enterprise_condition(actor)).order_by(Enterprise.id).limit(size)
    if after:
        query = query.where(Enterprise.id > after)
    if industry is not None:
        query = query.where(Enterprise.industry == industry)
    return [_record(EnterpriseRecord, row) for row in await query.run()]


async def insert_enterprise(record: EnterpriseRecord) -> None:
    """Store a new enterprise (inside the caller's transaction)."""
    values = {f.name: getattr(record, f.name) for f in fields(EnterpriseRecord)}
    await Enterprise.insert(Enterprise(**values)).run()


async def update_enterprise(enterprise_id: str, values: dict[str, Any]) -> None:
    """Set the named fields of an enterprise and bump its version."""
    await (
        Enterprise.update(
            {getattr(Enterprise, key): value for key, value in values.items()}
            | {Enterprise.version: Enterprise.version + 1}
        )
        .where(Enterprise.id == enterprise_id)
        .run()
    )


# --- regions ---------------------------------------------------------------------------------------------------------


async def region(code: str) -> RegionRecord | None:
    """One region by code."""
    row = await Region.select().where(Region.code == code).first().run()
    return _record(RegionRecord, row) if row else None


async def region_by_path(path: str) -> RegionRecord | None:
    """The region whose materialised path is exactly `path`."""
    row = await Region.select().where(Region.path == path).first().run()
    return _record(RegionRecord, row) if row else None


async def region_path_of(code: str) -> str | None:
    """The materialised path of a region code, None when the code is unknown."""
    row = await Region.select(Region.path).where(Region.code == code).first().run()
    return row["path"] if row else None


async def first_root_region() -> RegionRecord | None:
    """The first region without a parent, in path order (the top of the tree)."""
    row = await Region.select().where(Region.parent_code.is_null()).order_by(Region.path).first().run()
    return _record(RegionRecord, row) if row else None


async def root_region_codes() -> list[str]:
    """The codes of the regions without a parent, in code order."""
    rows = await Region.select(Region.code).where(Region.parent_code.is_null()).order_by(Region.code).run()
    return [row["code"] for row in rows]


async def regions_under(path_prefix: str) -> list[RegionRecord]:
    """The regions of a subtree (its root included), parents before children."""
    rows = await Region.select().where(Region.path.like(like_prefix(path_prefix))).order_by(Region.path).run()
    return [_record(RegionRecord, row) for row in rows]


async def all_regions() -> list[RegionRecord]:
    """The whole region tree, parents before children."""
    return [_record(RegionRecord, row) for row in await Region.select().order_by(Region.path).run()]


async def region_names(codes: list[str]) -> dict[str, str]:
    """Region code → name, for those of the codes that exist."""
    if not codes:
        return {}
    rows = await Region.select(Region.code, Region.name).where(Region.code.is_in(sorted(set(codes)))).run()
    return {row["code"]: row["name"] for row in rows}


async def region_exists(code: str) -> bool:
    """True when the region code exists."""
    return await Region.exists().where(Region.code == code).run()


async def insert_region(record: RegionRecord, *, created_at) -> None:
    """Store a new region (inside the caller's transaction)."""
    values = {f.name: getattr(record, f.name) for f in fields(RegionRecord)}
    await Region.insert(Region(**values, created_at=created_at)).run()


# --- grids -----------------------------------------------------------------------------------------------------------


async def grid(grid_id: str) -> GridRecord | None:
    """One grid by id."""
    row = await Grid.select().where(Grid.id == grid_id).first().run()
    return _record(GridRecord, row) if row else None


async def grid_by_code(code: str) -> GridRecord | None:
    """One grid by its code."""
    row = await Grid.select().where(Grid.code == code).first().run()
    return _record(GridRecord, row) if row else None


async def existing_grid_ids(grid_ids: list[str]) -> set[str]:
    """Those of the grid ids that exist."""
    if not grid_ids:
        return set()
    rows = await Grid.select(Grid.id).where(Grid.id.is_in(sorted(set(grid_ids)))).run()
    return {row["id"] for row in rows}


async def visible_grids(actor: Actor, *, under_path: str | None = None) -> list[GridRecord]:
    """The grids the actor may see, in code order, optionally only those of one region subtree."""
    query = Grid.select().where(grid_condition(actor)).order_by(Grid.code)
    if under_path is not None:
        query = query.where(Grid.region_path.like(like_prefix(under_path)))
    return [_record(GridRecord, row) for row in await query.run()]


async def grids_under(path_prefix: str, grid_ids: list[str] | None = None) -> list[GridRecord]:
    """The grids of a region subtree in code order, optionally only those of the ids given."""
    query = Grid.select().where(Grid.region_path.like(like_prefix(path_prefix))).order_by(Grid.code)
    if grid_ids is not None:
        query = query.where(Grid.id.is_in(list(grid_ids) or [""]))
    return [_record(GridRecord, row) for row in await query.run()]


async def all_grids() -> list[GridRecord]:
    """Every grid, in code order."""
    return [_record(GridRecord, row) for row in await Grid.select().order_by(Grid.code).run()]


async def insert_grid(record: GridRecord, *, created_at) -> None:
    """Store a new grid (inside the caller's transaction)."""
    values = {f.name: getattr(record, f.name) for f in fields(GridRecord)}
    await Grid.insert(Grid(**values, created_at=created_at)).run()


# --- the change feed's lookups (it sits below this area, so it is handed them) ---------------------------------------


async def feed_places(enterprise_ids: Sequence[str]) -> dict[str, Place]:
    """Enterprise id → its place as the change feed keys rows, for those of the ids that exist."""
    places = await enterprise_places(list(enterprise_ids))
    return {key: Place(place.enterprise_id, place.grid_id, place.region_path) for key, place in places.items()}


async def feed_visible(actor: Actor) -> set[str]:
    """The ids of the enterprises a binding sees, for the change feed's scope-changed rows."""
    return set(await visible_enterprise_ids(actor))


async def feed_enterprises(enterprise_ids: Sequence[str] | None, now: datetime) -> list[tuple[str, str]]:
    """(enterprise id, enterprise id) of the enterprises (of all when None), in id order: the change feed's list."""
    ids = sorted(enterprise_ids) if enterprise_ids is not None else await all_enterprise_ids()
    return [(enterprise_id, enterprise_id) for enterprise_id in ids]


register_places(feed_places)
register_visible_enterprises(feed_visible)


# --- outlines of regions and grids (the map's shapes) ----------------------------------------------------------------


def shape_id(kind: str, subject: str) -> str:
    """The key of a stored shape: `region:<code>` or `grid:<grid id>`."""
    return f"{kind}:{subject}"


async def store_shape(
    kind: str, subject: str, geometry: dict[str, Any], source: str, now: datetime | None = None
) -> bool:
    """Store or replace the outline of a region or grid; returns whether it was new."""
    key = shape_id(kind, subject)
    values = {
        "kind": kind,
        "subject": subject,
        "geometry": json.dumps(geometry),
        "source": source,
        "updated_at": now or utcnow(),
    }
    async with transaction():
        exists = await RegionShape.exists().where(RegionShape.id == key).run()
        if exists:
            await (
                RegionShape.update({getattr(RegionShape, k): v for k, v in values.items()})
                .where(RegionShape.id == key)
                .run()
            )
        else:
            await RegionShape.insert(RegionShape(id=key, **values)).run()
    return not exists


async def stored_shape(kind: str, subject: str) -> dict[str, Any] | None:
    """The stored outline of a region or grid, or None."""
    row = await RegionShape.select(RegionShape.geometry).where(RegionShape.id == shape_id(kind, subject)).first().run()
    return json.loads(row["geometry"]) if row else None


async def stored_shapes(keys: list[str]) -> dict[str, dict[str, Any]]:
    """Shape key → outline, for those of the keys (`shape_id`) that have one."""
    if not keys:
        return {}
    rows = await RegionShape.select(RegionShape.id, RegionShape.geometry).where(RegionShape.id.is_in(keys)).run()
    return {row["id"]: json.loads(row["geometry"]) for row in rows}


async def placed_outlines() -> list[PlacedOutline]:
    """Every stored outline of an existing grid or region, with the region it lies in (grids first as stored)."""
    shapes = await RegionShape.select(RegionShape.kind, RegionShape.subject, RegionShape.geometry).run()
    grids = {row["id"]: row for row in await Grid.select(Grid.id, Grid.region_code, Grid.region_path).run()}
    regions = {row["code"]: row["path"] for row in await Region.select(Region.code, Region.path).run()}
    found = []
    for shape in shapes:
        if shape["kind"] == "grid" and (grid := grids.get(shape["subject"])):
            found.append(
                PlacedOutline(
                    "grid", grid["id"], grid["region_code"], grid["region_path"], json.loads(shape["geometry"])
                )
            )
        elif shape["kind"] == "region" and shape["subject"] in regions:
            subject = shape["subject"]
            found.append(PlacedOutline("region", subject, subject, regions[subject], json.loads(shape["geometry"])))
    return found


def enterprise_column_sql(column: str, enterprise_id: str) -> str:
    """A scalar subquery: the `name`, `grid_id` or `region_path` of the enterprise whose id is the SQL expression
    `enterprise_id`, for hand-written statements of other stores (one statement, no extra round trip)."""
    assert column in ("name", "grid_id", "region_path")
    return f"(SELECT {column} FROM enterprise WHERE id = {enterprise_id})"


# --- asked by the codes area -----------------------------------------------------------------------------------------

ENTERPRISE_CARD_SQL = (
    "SELECT id, name, industry, address, status, grid_id, region_path, lat, lng, qr_serial FROM enterprise"
)
"""What a scan card shows of an enterprise and decides its scope and code by (join on `id`): for hand-written SQL."""


async def next_enterprise_serial(enterprise_id: str) -> int:
    """Advance an enterprise's code serial (its printed safety code changes); the new serial."""
    rows = (
        await Enterprise.update({Enterprise.qr_serial: Enterprise.qr_serial + 1})
        .where(Enterprise.id == enterprise_id)
        .returning(Enterprise.qr_serial)
        .run()
    )
    return rows[0]["qr_serial"]


def region_path_sql(region_code: str) -> str:
    """A scalar subquery: the path of the region whose code is the SQL expression `region_code`, for hand-written
    statements of other stores (the actor lookup reads a regulator's region in its one statement)."""
    return f"(SELECT path FROM region WHERE code = {region_code})"


async def enterprises_meeting(
    actor: Actor,
    *,
    region_path: str,
    registered_before: datetime,
    industries: Sequence[str] | None = None,
    above_designated_size: bool | None = None,
    high_risk: bool | None = None,
    operating_only: bool = False,
) -> list[EnterpriseRecord]:
    """The enterprises in the actor's scope and the region subtree, registered before the time, meeting the criteria
    given (a standardisation scope list's members), in id order."""
    query = (
        Enterprise.select()
        .where(
            enterprise_condition(actor),
            Enterprise.region_path.like(like_prefix(region_path)),
            Enterprise.created_at < registered_before,
        )
        .order_by(Enterprise.id)
    )
    if industries:
        query = query.where(Enterprise.industry.is_in(list(industries)))
    if above_designated_size is not None:
        query = query.where(Enterprise.above_designated_size == above_designated_size)
    if high_risk is not None:
        query = query.where(Enterprise.high_risk == high_risk)
    if operating_only:
        query = query.where(Enterprise.status == "operating")
    return [_record(EnterpriseRecord, row) for row in await query.run()]


async def enterprise_industries(enterprise_ids: Sequence[str] | None = None, *, among=None) -> dict[str, str]:
    """Enterprise id → industry, of the ids given (all when None), only those in the sub-select `among` when given
    (another area's `SELECT enterprise_id …`, so one statement)."""
    query = Enterprise.select(Enterprise.id, Enterprise.industry)
    if enterprise_ids is not None:
        query = query.where(Enterprise.id.is_in(list(enterprise_ids) or [""]))
    if among is not None:
        query = query.where(Enterprise.id.is_in(among))
    return {row["id"]: row["industry"] for row in await query.run()}


async def enterprises_by_id(enterprise_ids: Sequence[str]) -> dict[str, EnterpriseRecord]:
    """Enterprise id → record, for those of the ids that exist."""
    if not enterprise_ids:
        return {}
    rows = await Enterprise.select().where(Enterprise.id.is_in(list(enterprise_ids))).run()
    return {row["id"]: _record(EnterpriseRecord, row) for row in rows}


async def enterprise_ids_under(path_prefix: str, grid_ids: Sequence[str] | None = None) -> list[str]:
    """The ids of the enterprises of a region subtree, only those in the grids when given."""
    query = Enterprise.select(Enterprise.id).where(Enterprise.region_path.like(like_prefix(path_prefix)))
    if grid_ids is not None:
        query = query.where(Enterprise.grid_id.is_in(list(grid_ids)))
    return [row["id"] for row in await query.run()]


async def open_enterprises(
    *, credit_code: str | None = None, name: str | None = None, limit: int
) -> list[EnterpriseRecord]:
    """Up to `limit` enterprises not closed with the credit code or the exact name given (routing a public report)."""
    query = Enterprise.select().where(Enterprise.status != EnterpriseStatus.CLOSED.value)
    if credit_code is not None:
        query = query.where(Enterprise.credit_code == credit_code)
    if name is not None:
        query = query.where(Enterprise.name == name)
    return [_record(EnterpriseRecord, row) for row in await query.limit(limit).run()]
