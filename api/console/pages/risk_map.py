"""四色动态风险图: a region's children drawn as SVG in their colours (the data and rule of `/v1/risk-map/regions`),
each a link one level down (city → district → town → grid), with the region's enterprises listed by colour."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote

from litestar import Controller, get
from litestar.params import QueryParameter
from litestar.response import Template

from api.console.render import page
from domain.access.model import Actor, Role
from domain.org import store as org_store
from domain.printing.region_map import FOOTER, HEADER, HEIGHT, MARGIN, WIDTH, MapArea, layout_region_map, polygons_of
from domain.risk.model import Colour
from domain.safety_code import regions
from domain.safety_code.regions import GRID_LEVEL, RULE_NOTE, RegionFeature
from domain.safety_code.store import MapEnterprise

MapCode = Annotated[str | None, QueryParameter(max_length=32, pattern=r"^[0-9A-Za-z_-]+$")]
LEVEL_ZH = {"province": "省", "city": "市", "district": "区县", "town": "乡镇（街道）", "grid": "网格"}
CHILD_LEVEL_ZH = {"city": "区县", "district": "乡镇（街道）", "town": "网格", "grid": "网格"}
MAP_BOX = (MARGIN, HEADER, WIDTH - MARGIN, HEIGHT - FOOTER)  # where layout_region_map places the areas
COLOURS = (Colour.RED, Colour.ORANGE, Colour.YELLOW, Colour.BLUE)
COLOUR_LABELS = {
    Colour.RED: "红色（重大风险）",
    Colour.ORANGE: "橙色（较大风险）",
    Colour.YELLOW: "黄色（一般风险）",
    Colour.BLUE: "蓝色（低风险）",
}


@dataclass(frozen=True, slots=True)
class Polygon:
    """One child drawn: its link, colour and the SVG path of its outline (pixels of the layout)."""

    code: str
    name: str
    level: str
    colour: str
    path: str
    counts: dict[Colour, int]
    selected: bool = False


@dataclass(frozen=True, slots=True)
class Label:
    name: str
    x: float
    y: float
    size: int


def svg_path(rings: tuple[tuple[tuple[float, float], ...], ...]) -> str:
    """An SVG path of outer rings."""
    return " ".join("M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in ring) + " Z" for ring in rings if ring)


async def all_enterprises(actor: Actor, codes: list[str]) -> list[MapEnterprise]:
    """Every enterprise behind the map's counts of these regions or grids (`/v1/risk-map/regions/{code}/enterprises`)."""
    found: dict[str, MapEnterprise] = {}
    for code in codes:
        cursor = None
        while True:
            listed = await regions.region_enterprises(actor=actor, code=code, cursor=cursor, limit=1000)
            found.update({item.enterprise_id: item for item in listed.items})
            if not (cursor := listed.next_cursor):
                break
    return sorted(found.values(), key=lambda item: (-item.score, item.name))


class RiskMapPages(Controller):
    """`/console/map`."""

    path = "/map"

    @get("/")
    async def risk_map(self, actor: Actor, region: MapCode = None) -> Template:
        """The map of a region (default: the caller's), or of a grid's town with that grid picked out."""
        grid = await org_store.grid_by_code(region) if region else None
        if grid is not None:
            # the grid's own list first: it refuses a grid out of scope exactly as an unknown code
            listed = await all_enterprises(actor, [grid.code])
            found = await regions.region_map(
                actor=actor, region_code=None if actor.role is Role.INSPECTOR else grid.region_code
            )
            shown_code, picked = found.region_code, grid.code
        else:
            found = await regions.region_map(actor=actor, region_code=region)
            shown_code, picked, listed = found.region_code, None, None
        by_code = {f.code: f for f in found.features}
        own = by_code.get(shown_code) if shown_code else None
        if own is not None and own.level != GRID_LEVEL:
            children = [f for f in found.features if f.parent_code == shown_code and f.code != shown_code]
        else:  # an inspector's map: their grids
            children = [f for f in found.features if f.level == GRID_LEVEL]
        if listed is None:
            listed = await all_enterprises(actor, [shown_code] if shown_code else [c.code for c in children])
        polygons, labels, _ = draw(own, children, picked)
        drawn = {p.code for p in polygons}
        ancestors = await crumbs(actor, own)
        return page(
            "console/map.html",
            actor=actor,
            title=found.title,
            own=own,
            picked=picked,
            child_level=CHILD_LEVEL_ZH.get(own.level if own else "town", "下级"),
            level_zh=LEVEL_ZH,
            polygons=polygons,
            labels=labels,
            backdrop=backdrop(own),
            box=MAP_BOX,
            outline_less=[c for c in children if c.code not in drawn],
            children=children,
            by_colour={colour: [e for e in listed if e.colour == colour] for colour in COLOURS},
            colours=COLOURS,
            colour_labels=COLOUR_LABELS,
            enterprises=listed,
            crumbs=ancestors,
            rule_note=RULE_NOTE,
            generated_at=found.generated_at,
            link=link,
        )


def link(code: str) -> str:
    """The map page of a region or grid."""
    return f"/console/map?region={quote(code)}"


def backdrop(own: RegionFeature | None) -> str:
    """The outline of the region shown, behind its children (its path in the same layout as theirs)."""
    return own.code if own is not None and polygons_of(own.geometry) else ""


def draw(
    own: RegionFeature | None, children: list[RegionFeature], picked: str | None
) -> tuple[list[Polygon], list[Label], list[str]]:
    """The children projected like the PNG map (`layout_region_map`), with the shown region as the backdrop."""
    areas = [MapArea(c.code, c.level, c.colour, polygons_of(c.geometry)) for c in children]
    if own is not None and polygons_of(own.geometry):
        areas.insert(0, MapArea(own.code, "backdrop", None, polygons_of(own.geometry)))
    layout = layout_region_map(areas)
    names = {c.code: c for c in children}
    polygons: list[Polygon] = []
    for drawn in layout.areas:
        child = names.get(drawn.area.name)
        path = svg_path(drawn.rings)
        if child is None:
            polygons.insert(0, Polygon(drawn.area.name, "", "backdrop", "none", path, {}))
            continue
        colour = child.colour.value if child.colour else "none"
        polygons.append(Polygon(child.code, child.name, child.level, colour, path, child.counts, child.code == picked))
    labels = [
        Label(
            names[label.name].code if names[label.name].level == GRID_LEVEL else names[label.name].name,
            round((label.box[0] + label.box[2]) / 2, 1),
            round((label.box[1] + label.box[3]) / 2, 1),
            label.size,
        )
        for label in layout.labels
        if label.name in names
    ]
    return polygons, labels, list(layout.unplaced)


async def crumbs(actor: Actor, own: RegionFeature | None) -> list[tuple[str, str]]:
    """The regions above the one shown that the caller may open (code, name), top first."""
    if own is None or own.level == GRID_LEVEL or actor.role not in (Role.ADMIN, Role.REGULATOR):
        return []
    codes = [code for code in (await org_store.region_path_of(own.code) or "").split("/") if code][:-1]
    names = await org_store.region_names(codes)
    shown = []
    for depth, code in enumerate(codes):
        prefix = "/" + "/".join(codes[: depth + 1]) + "/"
        if actor.role is Role.ADMIN or prefix.startswith(actor.region_path or "\0"):
            shown.append((code, names.get(code, code)))
    return shown


CONTROLLERS = [RiskMapPages]
