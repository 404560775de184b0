"""Use cases of the regional four-colour dynamic risk map (四色动态风险图): colours of grids, towns and districts.

The counts of enterprises per grid, town path and colour come from one SQL `GROUP BY`; each region sums the groups
under its path and takes its colour by the regional rule of `domain.safety_code.model`.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from domain.access.model import Actor, Role
from domain.access.permissions import Action, require
from domain.clock import utcnow
from domain.db.paging import Page, clamp_limit, decode_cursor, page_of
from domain.errors import NotFound
from domain.inspections.model import LOCAL_TIME
from domain.org import store as org_store
from domain.org.model import RegionRecord
from domain.org.scope import require_region
from domain.org.store import shape_id
from domain.printing.region_map import MapArea, polygons_of, render_region_map
from domain.risk.model import Colour
from domain.safety_code import store
from domain.safety_code.model import REGION_RULE_VERSION, REGION_SHARE, SCHEME_VERSION, region_colour
from domain.safety_code.services import compute_missing
from domain.safety_code.store import MapEnterprise

GRID_LEVEL = "grid"
RULE_NOTE = (
    f"着色规则 v{REGION_RULE_VERSION}：由红至蓝，区域取“该色及更高风险色”企业合计占比首次达到 {float(REGION_SHARE):.0%} 的颜色"
    f"（无企业不着色）；企业安全码评分方案 v{SCHEME_VERSION}"
)


@dataclass(frozen=True, slots=True)
class RegionFeature:
    """One region or grid on the map: its colour, its enterprises per colour, and its outline if one is stored."""

    code: str
    name: str
    level: str
    parent_code: str | None
    colour: Colour | None
    counts: dict[Colour, int]
    geometry: dict[str, Any] | None

    @property
    def enterprises(self) -> int:
        """How many enterprises the colour was taken from."""
        return sum(self.counts.values())


@dataclass(frozen=True, slots=True)
class RegionMap:
    """The map of one region's subtree (or of an inspector's grids), as of `generated_at`."""

    region_code: str | None
    title: str
    generated_at: datetime
    features: list[RegionFeature] = field(default_factory=list)
    rule_version: int = REGION_RULE_VERSION
    scheme_version: int = SCHEME_VERSION


async def _region_for(actor: Actor, region_code: str | None) -> RegionRecord | None:
    """The region whose subtree is drawn; one not wholly the caller's (any, for an inspector) answers like a missing
    code."""
    if region_code is None:
        if actor.role is Role.REGULATOR:
            return await org_store.region_by_path(actor.region_path or "")
        if actor.role is Role.ADMIN:
            return await org_store.first_root_region()
        return None
    return await require_region(actor, region_code)


async def region_map(*, actor: Actor, region_code: str | None = None, now: datetime | None = None) -> RegionMap:
    """The map a caller may see: a regulator their subtree, an inspector their grids, an admin everything."""
    require(actor, Action.READ_REGION_MAP)
    region = await _region_for(actor, region_code)
    prefix = region.path if region else "/"
    grid_ids = sorted(actor.grid_ids) if actor.role is Role.INSPECTOR else None
    if grid_ids == []:
        return RegionMap(region_code=region_code, title="我的网格", generated_at=now or utcnow())

    await compute_missing(await org_store.enterprise_ids_under(prefix, grid_ids))
    groups = await store.colour_counts(prefix, grid_ids)

    regions: list[RegionRecord] = [] if grid_ids is not None else await org_store.regions_under(prefix)
    grid_rows = await org_store.grids_under(prefix, grid_ids)
    keys = [shape_id("region", r.code) for r in regions] + [shape_id(GRID_LEVEL, g.id) for g in grid_rows]
    shapes = await org_store.stored_shapes(keys)

    def counted(test) -> dict[Colour, int]:
        tally: Counter[Colour] = Counter()
        for group in groups:
            if test(group):
                tally[Colour(group.colour)] += group.count
        return {colour: tally.get(colour, 0) for colour in Colour}

    features = [
        _feature(
            r.code,
            r.name,
            r.level,
            r.parent_code,
            counted(lambda g, p=r.path: g.region_path.startswith(p)),
            shapes.get(shape_id("region", r.code)),
        )
        for r in regions
    ] + [
        _feature(
            g.code,
            g.name,
            GRID_LEVEL,
            g.region_code,
            counted(lambda row, i=g.id: row.grid_id == i),
            shapes.get(shape_id(GRID_LEVEL, g.id)),
        )
        for g in grid_rows
    ]
    title = region.name if region else "我的网格"
    return RegionMap(
        region_code=region.code if region else None, title=title, generated_at=now or utcnow(), features=features
    )


def _feature(
    code: str, name: str, level: str, parent: str | None, counts: dict[Colour, int], geometry: dict | None
) -> RegionFeature:
    return RegionFeature(
        code=code,
        name=name,
        level=level,
        parent_code=parent,
        colour=region_colour(counts),
        counts=counts,
        geometry=geometry,
    )


async def _feature_condition(actor: Actor, code: str) -> tuple[str, list[Any]]:
    """The SQL condition picking a feature's enterprises: a grid code (as inspectors see them) or a region code."""
    grid = await org_store.grid_by_code(code)
    if grid is not None:
        visible = (
            grid.id in actor.grid_ids
            if actor.role is Role.INSPECTOR
            else actor.role is Role.ADMIN or grid.region_path.startswith(actor.region_path or "\0")
        )
        if not visible:
            raise NotFound("no such region", entity="region", id=code)
        return "e.grid_id = {}", [grid.id]
    region = await _region_for(actor, code)  # an inspector's map holds their grids only: no region code is theirs
    return "e.region_path LIKE {}", [region.path + "%"]


async def region_enterprises(
    *, actor: Actor, code: str, colour: Colour | None = None, cursor: str | None = None, limit: int | None = None
) -> Page[MapEnterprise]:
    """The enterprises behind one map feature's counts (of one colour, or all), by id: the map's drill-down.

    The same rows the map's `GROUP BY` counts (enterprises not closed, with a stored code), so the listed ones of a
    colour are exactly `counts[colour]` of the feature.
    """
    require(actor, Action.READ_REGION_MAP)
    condition, args = await _feature_condition(actor, code)
    size = clamp_limit(limit)
    found = await store.map_enterprises(condition, args, colour=colour, after=decode_cursor(cursor), limit=size + 1)
    return page_of(found, size, lambda enterprise: enterprise.enterprise_id)


async def region_map_png(*, actor: Actor, region_code: str | None = None) -> bytes:
    """The map a caller may see, drawn as PNG with legend, date and the rule it was coloured by."""
    found = await region_map(actor=actor, region_code=region_code)
    # grids go by their short codes on the drawing; their full names would cover their neighbours
    areas = [
        MapArea(f.code if f.level == GRID_LEVEL else f.name, f.level, f.colour, polygons_of(f.geometry))
        for f in found.features
    ]
    on = found.generated_at.astimezone(LOCAL_TIME).date()
    return await asyncio.to_thread(render_region_map, areas, found.title, on, RULE_NOTE)
