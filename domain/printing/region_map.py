"""The regional 四色动态风险图: region and grid outlines filled in their colours, with names, legend and date."""

from __future__ import annotations

import io
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from PIL import Image, ImageDraw

from domain.printing import _text
from domain.printing._text import Style
from domain.printing.model import chinese_date
from domain.printing.palette import COLOUR_RGB, INK, MUTED, RULE, WHITE, colour_rgb
from domain.risk.model import Colour

WIDTH, HEIGHT = 1600, 1400
MARGIN = 40
HEADER = 150
FOOTER = 130
NO_DATA_RGB = (214, 219, 225)
NO_DATA_LABEL = "无企业"
COLOUR_LABELS = {Colour.RED: "红（高风险）", Colour.ORANGE: "橙（较高风险）", Colour.YELLOW: "黄（一般风险）", Colour.BLUE: "蓝（低风险）"}
# Deeper levels are drawn later, over the ones that contain them; their outlines get thinner.
DRAW_ORDER = {"province": 0, "city": 1, "district": 2, "town": 3, "grid": 4}
OUTLINE = {"province": 5, "city": 5, "district": 4, "town": 1, "grid": 2}
# Grids are labelled first, so the district names are drawn over them; towns only when few are drawn, near their top
# edge (their grids sit in the middle).
LABEL_STYLE = {"grid": Style(18), "town": Style(20), "district": Style(30, bold=True)}
MAX_TOWN_LABELS = 15
TOWN_LABEL_RISE = 0.6  # of the half-height of the town's outline
Ring = list[tuple[float, float]]


@dataclass(frozen=True, slots=True)
class MapArea:
    """One region or grid as drawn: its label, level, colour (None without enterprises) and polygons (lon/lat rings)."""

    name: str
    level: str
    colour: Colour | None
    polygons: tuple[tuple[Ring, ...], ...]


def polygons_of(geometry: dict | None) -> tuple[tuple[Ring, ...], ...]:
    """The polygons of a GeoJSON Polygon or MultiPolygon as tuples of rings; nothing for other geometries."""
    if not geometry:
        return ()
    kind, coordinates = geometry.get("type"), geometry.get("coordinates") or []
    polygons = [coordinates] if kind == "Polygon" else coordinates if kind == "MultiPolygon" else []
    return tuple(tuple([(float(x), float(y)) for x, y, *_ in ring] for ring in polygon) for polygon in polygons)


class _Projection:
    """Lon/lat to pixels: equirectangular, x shrunk by cos(latitude), fitted and centred in the box."""

    def __init__(self, points: Iterable[tuple[float, float]], box: tuple[int, int, int, int]) -> None:
        xs, ys = zip(*points, strict=True)
        self.k = math.cos(math.radians((min(ys) + max(ys)) / 2))
        self.x0, self.y1 = min(xs) * self.k, max(ys)
        span_x, span_y = max(max(xs) * self.k - self.x0, 1e-6), max(self.y1 - min(ys), 1e-6)
        left, top, right, bottom = box
        self.scale = min((right - left) / span_x, (bottom - top) / span_y)
        self.left = left + ((right - left) - span_x * self.scale) / 2
        self.top = top + ((bottom - top) - span_y * self.scale) / 2

    def __call__(self, lon: float, lat: float) -> tuple[float, float]:
        return self.left + (lon * self.k - self.x0) * self.scale, self.top + (self.y1 - lat) * self.scale


def render_region_map(areas: Sequence[MapArea], title: str, on: date, rule_note: str) -> bytes:
    """The map as PNG bytes, `WIDTH` × `HEIGHT` px."""
    image = Image.new("RGB", (WIDTH, HEIGHT), WHITE)
    canvas = ImageDraw.Draw(image)
    title_style, title_lines = _text.fit(f"{title} 安全风险四色动态图", WIDTH - 2 * MARGIN, 1, (48, 44, 40, 36), bold=True)
    _text.draw(canvas, (MARGIN, 64), title_lines[0], title_style, INK, anchor="lm")
    _text.draw(canvas, (MARGIN, 118), f"制图日期：{chinese_date(on)}", Style(26), MUTED, anchor="lm")
    grids = sum(1 for a in areas if a.level == "grid")
    summary = f"区域 {len(areas) - grids} 个 · 网格 {grids} 个"
    _text.draw(canvas, (WIDTH - MARGIN, 118), summary, Style(26), MUTED, anchor="rm")
    box = (MARGIN, HEADER, WIDTH - MARGIN, HEIGHT - FOOTER)
    canvas.rectangle((box[0] - 2, box[1] - 2, box[2] + 2, box[3] + 2), outline=RULE, width=2)

    drawn = sorted((a for a in areas if a.polygons), key=lambda a: DRAW_ORDER.get(a.level, 9))
    if drawn:
        inner = (box[0] + 30, box[1] + 30, box[2] - 30, box[3] - 30)
        project = _Projection((p for a in drawn for polygon in a.polygons for ring in polygon for p in ring), inner)
        for area in drawn:
            fill = colour_rgb(area.colour) if area.colour else NO_DATA_RGB
            for polygon in area.polygons:
                canvas.polygon([project(*p) for p in polygon[0]], fill=fill, outline=INK, width=OUTLINE.get(area.level, 1))
        towns = sum(1 for a in drawn if a.level == "town")
        for level, style in LABEL_STYLE.items():
            if level == "town" and towns > MAX_TOWN_LABELS:
                continue
            for area in drawn:
                if area.level == level:
                    _label(canvas, area, project, style, TOWN_LABEL_RISE if level == "town" else 0.0)
    else:
        _text.draw(canvas, ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2), "暂无区域图形", Style(44), MUTED, anchor="mm")

    _legend(canvas, HEIGHT - FOOTER + 40)
    note_style, note = _text.fit(rule_note, WIDTH - 2 * MARGIN, 1, (22, 20, 18))
    _text.draw(canvas, (MARGIN, HEIGHT - 36), note[0], note_style, MUTED, anchor="lm")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _label(canvas: ImageDraw.ImageDraw, area: MapArea, project: _Projection, style: Style, rise: float) -> None:
    # At the mean of the polygons' centres: a district of many islands is named once, among them.
    rings = [[project(*p) for p in polygon[0]] for polygon in area.polygons]
    centres = [_centre(ring) for ring in rings]
    x = sum(c[0] for c in centres) / len(centres)
    y = sum(c[1] for c in centres) / len(centres)
    y -= rise * (max(p[1] for p in rings[0]) - min(p[1] for p in rings[0])) / 2
    name = _text.clean(area.name)
    width = style.width(name) + 16
    canvas.rounded_rectangle((x - width / 2, y - style.line_height / 2, x + width / 2, y + style.line_height / 2),
                             radius=6, fill=WHITE, outline=INK, width=1)  # fmt: skip
    _text.draw(canvas, (x, y), name, style, INK, anchor="mm")


def _centre(ring: Ring) -> tuple[float, float]:
    corners = ring[:-1] if len(ring) > 1 and ring[0] == ring[-1] else ring
    return sum(p[0] for p in corners) / len(corners), sum(p[1] for p in corners) / len(corners)


def _legend(canvas: ImageDraw.ImageDraw, cy: int) -> None:
    style, label_style = Style(26), Style(26, bold=True)
    x = MARGIN
    _text.draw(canvas, (x, cy), "图例", label_style, INK, anchor="lm")
    x += label_style.width("图例") + 30
    entries = [(COLOUR_RGB[colour], COLOUR_LABELS[colour]) for colour in COLOUR_LABELS] + [(NO_DATA_RGB, NO_DATA_LABEL)]
    for rgb, text in entries:
        canvas.rectangle((x, cy - 14, x + 40, cy + 14), fill=rgb, outline=INK, width=1)
        x += 52
        _text.draw(canvas, (x, cy), text, style, INK, anchor="lm")
        x += style.width(text) + 36
