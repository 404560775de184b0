"""The regional 四色动态风险图: region and grid outlines filled in their colours, with names, legend and date."""

from __future__ import annotations

import io
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from PIL import Image, ImageDraw

from domain.printing import _text
from domain.printing._text import Style
from domain.printing.model import chinese_date
from domain.printing.palette import INK, MUTED, RGB, RULE, WHITE, colour_rgb
from domain.risk.model import Colour

WIDTH, HEIGHT = 1600, 1400
MARGIN = 40
HEADER = 150
FOOTER = 130
NO_DATA_RGB = (214, 219, 225)
NO_DATA_LABEL = "无企业"
DEPTH_NOTE = "由浅至深：区县 · 乡镇 · 网格"
COLOUR_LABELS = {
    Colour.RED: "红（高风险）",
    Colour.ORANGE: "橙（较高风险）",
    Colour.YELLOW: "黄（一般风险）",
    Colour.BLUE: "蓝（低风险）",
}
# Deeper levels are drawn later, over the ones that contain them. Each level is painted in its own colour at its own
# strength — districts a light tint, towns a middle one, grids the full colour — so a district's colour still shows
# around the towns it contains, and a town or grid without enterprises is left unpainted over its parent's colour.
DRAW_ORDER = {"province": 0, "city": 1, "district": 2, "town": 3, "grid": 4}
TINT = {"province": 0.3, "city": 0.3, "district": 0.4, "town": 0.7, "grid": 1.0}
OUTLINE = {"province": 5, "city": 5, "district": 4, "town": 1, "grid": 2}
# Labels are placed where they collide with no label (nor leader line) placed before: grids first, as they are small
# and must stay near their shape, then the large areas that have room around their centre, towns last and only when
# few are drawn. Each label has a white halo so it reads on any colour and across outlines.
LABEL_ORDER = ("grid", "province", "city", "district", "town")
LABEL_STYLES = {"province": (34, 30), "city": (34, 30), "district": (30, 26), "grid": (20, 18, 16), "town": (20, 18)}
LABEL_BOLD = {"province", "city", "district"}
HALO = 4
MAX_TOWN_LABELS = 15
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


@dataclass(frozen=True, slots=True)
class DrawnArea:
    """One area as painted: its fill (None leaves its parent's colour showing) and its rings in px."""

    area: MapArea
    fill: RGB | None
    rings: tuple[tuple[tuple[float, float], ...], ...]  # the outer ring of each polygon


@dataclass(frozen=True, slots=True)
class PlacedLabel:
    """A name on the map: its text, size, box (halo included), and the leader's end when it sits off its area."""

    name: str
    level: str
    size: int
    box: tuple[float, float, float, float]
    leader_to: tuple[float, float] | None


@dataclass(frozen=True, slots=True)
class MapLayout:
    """What the map draws, in drawing order, with every label that found room and those that did not."""

    box: tuple[int, int, int, int]
    areas: tuple[DrawnArea, ...]
    labels: tuple[PlacedLabel, ...]
    unplaced: tuple[str, ...]


def fill_rgb(colour: Colour | None, level: str) -> RGB | None:
    """The colour an area of `level` is painted in: its risk colour at the level's strength; None without one."""
    if colour is None:
        return None
    return tint(colour_rgb(colour), TINT.get(level, 1.0))


def tint(rgb: RGB, strength: float) -> RGB:
    """`rgb` mixed with white: 1 is the colour itself, 0 is white."""
    return tuple(round(255 - (255 - c) * strength) for c in rgb)  # type: ignore[return-value]


def layout_region_map(areas: Sequence[MapArea]) -> MapLayout:
    """Where the areas and their names go: outlines projected into the map box, labels placed without collisions."""
    box = (MARGIN, HEADER, WIDTH - MARGIN, HEIGHT - FOOTER)
    drawn = sorted((a for a in areas if a.polygons), key=lambda a: DRAW_ORDER.get(a.level, 9))
    if not drawn:
        return MapLayout(box, (), (), ())
    inner = (box[0] + 30, box[1] + 30, box[2] - 30, box[3] - 30)
    project = _Projection((p for a in drawn for polygon in a.polygons for ring in polygon for p in ring), inner)
    top_level = min(DRAW_ORDER.get(a.level, 9) for a in drawn)
    placed_areas = []
    for area in drawn:
        fill = fill_rgb(area.colour, area.level)
        if fill is None and DRAW_ORDER.get(area.level, 9) == top_level:
            fill = NO_DATA_RGB  # an outermost area without enterprises is grey; a deeper one shows its parent
        rings = tuple(tuple(project(*p) for p in polygon[0]) for polygon in area.polygons)
        placed_areas.append(DrawnArea(area, fill, rings))
    towns = sum(1 for a in drawn if a.level == "town")
    labels: list[PlacedLabel] = []
    unplaced: list[str] = []
    # Town names keep off the grid shapes; no name covers the centre of a grid, where another name or leader points.
    obstacles = [_bounds(ring) for d in placed_areas if d.area.level == "grid" for ring in d.rings]
    centres = {id(d): _anchor(d) for d in placed_areas if d.area.level == "grid"}
    for level in LABEL_ORDER:
        if level == "town" and towns > MAX_TOWN_LABELS:
            continue
        for drawn_area in placed_areas:
            if drawn_area.area.level != level:
                continue
            others = [c for key, c in centres.items() if key != id(drawn_area)]
            label = _place_label(drawn_area, labels, obstacles if level == "town" else [], others, inner)
            if label is None:
                unplaced.append(_text.clean(drawn_area.area.name))
            else:
                labels.append(label)
    return MapLayout(box, tuple(placed_areas), tuple(labels), tuple(unplaced))


def render_region_map(areas: Sequence[MapArea], title: str, on: date, rule_note: str) -> bytes:
    """The map as PNG bytes, `WIDTH` × `HEIGHT` px."""
    image = Image.new("RGB", (WIDTH, HEIGHT), WHITE)
    canvas = ImageDraw.Draw(image)
    title_style, title_lines = _text.fit(
        f"{title} 安全风险四色动态图", WIDTH - 2 * MARGIN, 1, (48, 44, 40, 36), bold=True
    )
    _text.draw(canvas, (MARGIN, 64), title_lines[0], title_style, INK, anchor="lm")
    _text.draw(canvas, (MARGIN, 118), f"制图日期：{chinese_date(on)}", Style(26), MUTED, anchor="lm")
    grids = sum(1 for a in areas if a.level == "grid")
    summary = f"区域 {len(areas) - grids} 个 · 网格 {grids} 个"
    _text.draw(canvas, (WIDTH - MARGIN, 118), summary, Style(26), MUTED, anchor="rm")
    layout = layout_region_map(areas)
    box = layout.box
    canvas.rectangle((box[0] - 2, box[1] - 2, box[2] + 2, box[3] + 2), outline=RULE, width=2)

    if layout.areas:
        for drawn in layout.areas:
            if drawn.fill is not None:
                for ring in drawn.rings:
                    canvas.polygon(ring, fill=drawn.fill)
        # Outlines after every fill, thickest (districts) last, so a town's fill never hides a district's border.
        for drawn in sorted(layout.areas, key=lambda d: OUTLINE.get(d.area.level, 1)):
            width = OUTLINE.get(drawn.area.level, 1)
            for start, end in _border(drawn.rings):
                canvas.line((start, end), fill=INK, width=width)
                if width > 2:  # round the joints of thick borders
                    r = width / 2
                    canvas.ellipse((start[0] - r, start[1] - r, start[0] + r, start[1] + r), fill=INK)
        for label in layout.labels:
            if label.leader_to is not None:
                _leader(canvas, label)
        for label in layout.labels:
            _draw_label(canvas, label)
        if layout.unplaced:
            note = "图幅内无处标注：" + "、".join(layout.unplaced)
            style, lines = _text.fit(note, box[2] - box[0] - 24, 1, (20, 18))
            _text.draw(canvas, (box[0] + 12, box[3] - 12), lines[0], style, MUTED, anchor="ls")
    else:
        _text.draw(
            canvas, ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2), "暂无区域图形", Style(44), MUTED, anchor="mm"
        )

    _legend(canvas, HEIGHT - FOOTER + 40)
    note_style, note = _text.fit(rule_note, WIDTH - 2 * MARGIN, 1, (22, 20, 18))
    _text.draw(canvas, (MARGIN, HEIGHT - 36), note[0], note_style, MUTED, anchor="lm")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


Box = tuple[float, float, float, float]


def _border(rings: Sequence[Sequence[tuple[float, float]]]) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    """The edges of an area's outline: an edge its polygons share (towns side by side in a district) is inside it."""

    def key(a: tuple[float, float], b: tuple[float, float]) -> tuple:
        return tuple(sorted(((round(a[0]), round(a[1])), (round(b[0]), round(b[1])))))

    edges = [(a, b) for ring in rings for a, b in zip(ring, [*ring[1:], ring[0]], strict=False) if a != b]
    seen = Counter(key(a, b) for a, b in edges)
    return [(a, b) for a, b in edges if seen[key(a, b)] == 1]


def _crosses(start: tuple[float, float], end: tuple[float, float], box: Box) -> bool:
    """Whether the segment passes through the box (sampled every 2 px: leaders are short)."""
    steps = max(1, int(math.dist(start, end) / 2))
    for n in range(steps + 1):
        x = start[0] + (end[0] - start[0]) * n / steps
        y = start[1] + (end[1] - start[1]) * n / steps
        if box[0] < x < box[2] and box[1] < y < box[3]:
            return True
    return False


def _leader_of(label: PlacedLabel) -> tuple[tuple[float, float], tuple[float, float]] | None:
    if label.leader_to is None:
        return None
    left, top, right, bottom = label.box
    tx, ty = label.leader_to
    return (min(max(tx, left), right), min(max(ty, top), bottom)), (tx, ty)


def _bounds(points: Sequence[tuple[float, float]]) -> Box:
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def _covered(box: Box, shapes: Sequence[Box]) -> float:
    """The share of the shapes' bounding boxes' area that `box` covers."""
    total = sum((s[2] - s[0]) * (s[3] - s[1]) for s in shapes) or 1.0
    covered = sum(
        max(0.0, min(box[2], s[2]) - max(box[0], s[0])) * max(0.0, min(box[3], s[3]) - max(box[1], s[1]))
        for s in shapes
    )
    return covered / total


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _inside(point: tuple[float, float], ring: Sequence[tuple[float, float]]) -> bool:
    """Even-odd rule: whether `point` lies inside the polygon `ring`."""
    x, y = point
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, [*ring[1:], ring[0]], strict=False):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def _anchor(drawn: DrawnArea) -> tuple[float, float]:
    # At the mean of the polygons' centres: a district of many islands is named once, among them.
    centres = [_centre(list(ring)) for ring in drawn.rings]
    return sum(c[0] for c in centres) / len(centres), sum(c[1] for c in centres) / len(centres)


def _place_label(
    drawn: DrawnArea, placed: list[PlacedLabel], obstacles: list[Box], centres: list[tuple[float, float]], inner: Box
) -> PlacedLabel | None:
    """The first spot, nearest the area's centre, where the name collides with nothing placed before; else None."""
    name = _text.clean(drawn.area.name)
    x, y = _anchor(drawn)
    level = drawn.area.level
    bold = level in LABEL_BOLD
    own = [_bounds(ring) for ring in drawn.rings]
    for size in LABEL_STYLES.get(level, (18,)):
        style = Style(size, bold=bold)
        w, h = style.width(name) + 2 * HALO, style.line_height + 2 * HALO
        for dx, dy in _candidates(w, h):
            cx, cy = x + dx, y + dy
            box = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
            if box[0] < inner[0] - 20 or box[1] < inner[1] - 20 or box[2] > inner[2] + 20 or box[3] > inner[3] + 20:
                continue
            if any(_overlaps(box, label.box) for label in placed):
                continue
            leaders = [leader for label in placed if (leader := _leader_of(label))]
            if any(_crosses(a, b, box) for a, b in leaders):
                continue
            if any(_overlaps(box, obstacle) for obstacle in obstacles if obstacle not in own):
                continue
            if any(_overlaps(box, (cx_ - 6, cy_ - 6, cx_ + 6, cy_ + 6)) for cx_, cy_ in centres):
                continue
            if _covered(box, own) > 0.5:
                continue  # a name wider than its (small) shape goes beside it, so the shape's colour still shows
            inside = any(_inside((cx, cy), ring) for ring in drawn.rings)
            label = PlacedLabel(name, level, size, box, None if inside else (x, y))
            leader = _leader_of(label)
            if leader and any(_crosses(*leader, other.box) for other in placed):
                continue
            return label
    return None


def _candidates(w: float, h: float) -> list[tuple[float, float]]:
    """Offsets to try from an area's centre: the centre, then rings of eight directions ever further out."""
    found = [(0.0, 0.0)]
    for step in range(1, 13):
        # Sixteen directions, the ellipse stretched like the label, so near spots left and right come early.
        for n in range(16):
            angle = math.radians(90 + n * 22.5)
            found.append((step * (w * 0.3) * math.cos(angle), -step * (h * 0.55) * math.sin(angle)))
    return found


def _leader(canvas: ImageDraw.ImageDraw, label: PlacedLabel) -> None:
    """A thin line from a name set off its area back to the area, ending in a dot."""
    start, (tx, ty) = _leader_of(label)
    canvas.line((start, (tx, ty)), fill=WHITE, width=4)
    canvas.line((start, (tx, ty)), fill=INK, width=2)
    canvas.ellipse((tx - 4, ty - 4, tx + 4, ty + 4), fill=INK, outline=WHITE, width=1)


def _draw_label(canvas: ImageDraw.ImageDraw, label: PlacedLabel) -> None:
    style = Style(label.size, bold=label.level in LABEL_BOLD)
    centre = ((label.box[0] + label.box[2]) / 2, (label.box[1] + label.box[3]) / 2)
    # The halo first, wider than the letters, so dark ink reads on red, blue and on the outlines alike.
    canvas.text(
        centre,
        label.name,
        font=style.font,
        fill=WHITE,
        anchor="mm",
        stroke_width=style.stroke + HALO,
        stroke_fill=WHITE,
    )
    _text.draw(canvas, centre, label.name, style, INK, anchor="mm")


def _centre(ring: Ring) -> tuple[float, float]:
    corners = ring[:-1] if len(ring) > 1 and ring[0] == ring[-1] else ring
    return sum(p[0] for p in corners) / len(corners), sum(p[1] for p in corners) / len(corners)


def _legend(canvas: ImageDraw.ImageDraw, cy: int) -> None:
    style, label_style = Style(24), Style(26, bold=True)
    x = MARGIN
    _text.draw(canvas, (x, cy), "图例", label_style, INK, anchor="lm")
    x += label_style.width("图例") + 24
    for colour, text in COLOUR_LABELS.items():
        # One swatch per colour in the three strengths it is painted at: district, town, grid.
        for n, level in enumerate(("district", "town", "grid")):
            canvas.rectangle((x + n * 18, cy - 14, x + n * 18 + 18, cy + 14), fill=fill_rgb(colour, level))
        canvas.rectangle((x, cy - 14, x + 54, cy + 14), outline=INK, width=1)
        x += 62
        _text.draw(canvas, (x, cy), text, style, INK, anchor="lm")
        x += style.width(text) + 26
    canvas.rectangle((x, cy - 14, x + 40, cy + 14), fill=NO_DATA_RGB, outline=INK, width=1)
    x += 48
    _text.draw(canvas, (x, cy), NO_DATA_LABEL, style, INK, anchor="lm")
    x += style.width(NO_DATA_LABEL) + 26
    note_style, note = _text.fit(DEPTH_NOTE, WIDTH - MARGIN - x, 1, (22, 20, 18))
    _text.draw(canvas, (WIDTH - MARGIN, cy), note[0], note_style, MUTED, anchor="rm")
