"""Draw the schematic site plans of the demo enterprises (no map tiles: boxes, roads and names)."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw

from domain.printing.fonts import cjk_font


def draw_site_plan(spec: dict) -> bytes:
    """A PNG site plan from `{"width", "height", "areas": [{"name", "box", "fill"}], "roads": [[x0, y0, x1, y1]]}`."""
    width, height = spec["width"], spec["height"]
    image = Image.new("RGB", (width, height), "#f6f4ee")
    canvas = ImageDraw.Draw(image)
    for x0, y0, x1, y1 in spec.get("roads", []):
        canvas.line([(x0 * width, y0 * height), (x1 * width, y1 * height)], fill="#c9c4b8", width=18)
    font = cjk_font(26)
    for area in spec["areas"]:
        x0, y0, x1, y1 = area["box"]
        box = (x0 * width, y0 * height, x1 * width, y1 * height)
        canvas.rectangle(box, fill=area.get("fill", "#e4e8ec"), outline="#7d8791", width=3)
        canvas.text((box[0] + 12, box[1] + 8), area["name"], font=font, fill="#39424b")
    canvas.rectangle((0, 0, width - 1, height - 1), outline="#39424b", width=4)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()
