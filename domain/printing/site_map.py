"""The 风险四色分布图 of an enterprise: its risk points on the site plan, coloured by level, with a legend."""

from __future__ import annotations

import io
import math
from collections import Counter
from collections.abc import Sequence
from datetime import date

from PIL import Image, ImageDraw

from domain.printing import _text
from domain.printing._text import Style
from domain.printing.images import open_image
from domain.printing.model import MapPoint, chinese_date
from domain.printing.palette import INK, MUTED, RULE, UNASSESSED_LABEL, UNASSESSED_RGB, WHITE, level_rgb
from domain.risk.model import RiskLevel

MAP_WIDTH = 1600
MAP_MAX_HEIGHT = 1800  # a tall plan is scaled to this height instead, and centred
BLANK_PLAN_HEIGHT = 1000
MARGIN = 40
HEADER = 168
HALO, DOT, RING = 30, 13, 4
HALO_ALPHA = 90  # of 255: the halo marks the area without hiding the plan under it
LABEL_STYLE = Style(24)
LABEL_MAX_WIDTH = 340
UNPLACED_MAX_LINES = 3
GRID_STEP = 50


def render_risk_map(plan_png: bytes | None, points: Sequence[MapPoint], enterprise_name: str, on: date) -> bytes:
    """The map as PNG bytes: plan (or a blank grid) 1600 px wide, points, legend and unplaced points."""
    plan = _plan(plan_png)
    placed = [p for p in points if _is_placed(p)]
    unplaced = [p for p in points if not _is_placed(p)]

    width = MAP_WIDTH + 2 * MARGIN
    plan_box = ((width - plan.width) // 2, HEADER, (width - plan.width) // 2 + plan.width, HEADER + plan.height)
    legend_top = plan_box[3] + 30
    note_style = Style(24)
    note_lines = _unplaced_lines(unplaced, MAP_WIDTH, note_style)
    height = legend_top + 60 + (len(note_lines) * note_style.line_height + 20 if note_lines else 0) + MARGIN

    image = Image.new("RGBA", (width, height), (*WHITE, 255))
    image.paste(plan, plan_box[:2])
    canvas = ImageDraw.Draw(image)
    # Outside the plan, so the frame hides none of it.
    canvas.rectangle((plan_box[0] - 2, plan_box[1] - 2, plan_box[2] + 1, plan_box[3] + 1), outline=RULE, width=2)

    title = f"{enterprise_name} 安全风险四色分布图"
    title_style, title_lines = _text.fit(title, MAP_WIDTH, 1, (48, 44, 40, 36, 32, 28), bold=True)
    _text.draw(canvas, (MARGIN, 70), title_lines[0], title_style, INK, anchor="lm")
    _text.draw(canvas, (MARGIN, 126), f"制图日期：{chinese_date(on)}", Style(26), MUTED, anchor="lm")

    # Least severe first, so red is drawn over anything it overlaps.
    ordered = sorted(placed, key=lambda p: 0 if p.level is None else RiskLevel(p.level).severity)
    centres = [(_centre(p, plan_box), p) for p in ordered]
    image = _halos(image, centres)
    canvas = ImageDraw.Draw(image)
    for (cx, cy), point in centres:
        canvas.ellipse((cx - DOT - RING, cy - DOT - RING, cx + DOT + RING, cy + DOT + RING), fill=WHITE)
        canvas.ellipse((cx - DOT, cy - DOT, cx + DOT, cy + DOT), fill=level_rgb(point.level))
    image = _labels(image, centres, plan_box)

    canvas = ImageDraw.Draw(image)
    _legend(canvas, points, legend_top)
    y = legend_top + 60
    _text.draw_lines(canvas, (MARGIN, y), note_lines, note_style, MUTED)

    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="PNG")
    return buffer.getvalue()


def _plan(plan_png: bytes | None) -> Image.Image:
    if plan_png is None:
        return _blank_plan()
    plan = open_image(plan_png)
    scale = min(MAP_WIDTH / plan.width, MAP_MAX_HEIGHT / plan.height)
    size = (max(1, round(plan.width * scale)), max(1, round(plan.height * scale)))
    return plan.resize(size, Image.Resampling.LANCZOS)


def _blank_plan() -> Image.Image:
    """A light grid standing in for a plan not uploaded yet, so points placed on it still mean something."""
    plan = Image.new("RGB", (MAP_WIDTH, BLANK_PLAN_HEIGHT), (248, 250, 252))
    canvas = ImageDraw.Draw(plan)
    for x in range(0, MAP_WIDTH + 1, GRID_STEP):
        canvas.line((x, 0, x, BLANK_PLAN_HEIGHT), fill=(226, 232, 240) if x % (4 * GRID_STEP) else (203, 213, 225))
    for y in range(0, BLANK_PLAN_HEIGHT + 1, GRID_STEP):
        canvas.line((0, y, MAP_WIDTH, y), fill=(226, 232, 240) if y % (4 * GRID_STEP) else (203, 213, 225))
    _text.draw(canvas, (MAP_WIDTH / 2, BLANK_PLAN_HEIGHT / 2), "未上传平面图", Style(44), (180, 188, 200), anchor="mm")
    return plan


def _is_placed(point: MapPoint) -> bool:
    # A position outside the plan (or NaN) is a data error; listing the point beats pinning it to an edge.
    return all(v is not None and math.isfinite(v) and 0 <= v <= 1 for v in (point.x, point.y))


def _centre(point: MapPoint, box: tuple[int, int, int, int]) -> tuple[int, int]:
    assert point.x is not None and point.y is not None
    left, top, right, bottom = box
    # Clamped one pixel inside, so a point at x = 1 sits on the plan rather than on its border.
    return (
        min(right - 1, left + round(point.x * (right - left))),
        min(bottom - 1, top + round(point.y * (bottom - top))),
    )


def _halos(image: Image.Image, centres: list[tuple[tuple[int, int], MapPoint]]) -> Image.Image:
    overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
    canvas = ImageDraw.Draw(overlay)
    for (cx, cy), point in centres:
        canvas.ellipse((cx - HALO, cy - HALO, cx + HALO, cy + HALO), fill=(*level_rgb(point.level), HALO_ALPHA))
    return Image.alpha_composite(image, overlay)


Box = tuple[float, float, float, float]


def _labels(
    image: Image.Image, centres: list[tuple[tuple[int, int], MapPoint]], plan_box: tuple[int, int, int, int]
) -> Image.Image:
    """Names beside their dots, each in the first free spot of right, left, above, below; never off the plan."""
    taken: list[Box] = [(cx - DOT - RING, cy - DOT - RING, cx + DOT + RING, cy + DOT + RING) for (cx, cy), _ in centres]
    placed: list[tuple[Box, str, MapPoint]] = []
    pad_x, pad_y = 10, 4
    height = LABEL_STYLE.line_height + 2 * pad_y
    for (cx, cy), point in reversed(centres):  # the most severe points choose their spot first
        name = _text.ellipsize(_text.clean(point.name).replace("\n", " ") or "—", LABEL_STYLE, LABEL_MAX_WIDTH)
        width = LABEL_STYLE.width(name) + 2 * pad_x
        gap = DOT + RING + 6
        candidates = [
            (cx + gap, cy - height / 2),
            (cx - gap - width, cy - height / 2),
            (cx - width / 2, cy - gap - height),
            (cx - width / 2, cy + gap),
        ]
        boxes = [_inside((x, y, x + width, y + height), plan_box) for x, y in candidates]
        box = next((b for b in boxes if not any(_overlaps(b, other) for other in taken)), boxes[0])
        taken.append(box)
        placed.append((box, name, point))

    overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
    canvas = ImageDraw.Draw(overlay)
    for box, _, point in placed:
        outline = (*level_rgb(point.level), 255)
        canvas.rounded_rectangle(box, radius=8, fill=(255, 255, 255, 225), outline=outline, width=2)
    image = Image.alpha_composite(image, overlay)
    canvas = ImageDraw.Draw(image)
    for box, name, _ in placed:
        _text.draw(canvas, (box[0] + pad_x, (box[1] + box[3]) / 2), name, LABEL_STYLE, INK, anchor="lm")
    return image


def _inside(box: Box, bounds: tuple[int, int, int, int]) -> Box:
    left, top, right, bottom = box
    dx = max(bounds[0] + 2 - left, 0) - max(right - (bounds[2] - 2), 0)
    dy = max(bounds[1] + 2 - top, 0) - max(bottom - (bounds[3] - 2), 0)
    return (left + dx, top + dy, right + dx, bottom + dy)


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _legend(canvas: ImageDraw.ImageDraw, points: Sequence[MapPoint], top: int) -> None:
    counts = Counter(None if p.level is None else RiskLevel(p.level) for p in points)
    entries: list[tuple[tuple[int, int, int], str]] = [
        (level_rgb(level), f"{level.label_zh}（{counts.get(level, 0)}）") for level in RiskLevel
    ]
    if counts.get(None):
        entries.append((UNASSESSED_RGB, f"{UNASSESSED_LABEL}（{counts[None]}）"))
    style = Style(26)
    label_style = Style(26, bold=True)
    x = MARGIN
    cy = top + 24
    _text.draw(canvas, (x, cy), "图例", label_style, INK, anchor="lm")
    x += label_style.width("图例") + 30
    for colour, text in entries:
        canvas.ellipse((x, cy - 14, x + 28, cy + 14), fill=colour)
        x += 40
        _text.draw(canvas, (x, cy), text, style, INK, anchor="lm")
        x += style.width(text) + 44
    _text.draw(canvas, (MARGIN + MAP_WIDTH, cy), f"共 {len(points)} 个风险点", style, MUTED, anchor="rm")


def _unplaced_lines(unplaced: list[MapPoint], width: int, style: Style) -> list[str]:
    if not unplaced:
        return []
    names = "、".join(_text.clean(p.name).replace("\n", " ") or "—" for p in unplaced)
    text = f"未标注位置（{len(unplaced)} 个）：{names}"
    return _text.truncate(_text.wrap(text, style, width), UNPLACED_MAX_LINES, style, width)
