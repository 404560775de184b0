"""The 企业安全码 (enterprise safety code) poster: the QR in a thick frame of the enterprise's colour."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw

from domain.clock import LOCAL_TIME
from domain.printing import _text
from domain.printing._text import Style
from domain.printing.model import SafetyCodeData, chinese_date
from domain.printing.palette import COLOUR_CODE_LABELS, INK, MUTED, WHITE, colour_rgb, ink_on
from domain.printing.qr import qr_image_within
from domain.risk.model import Colour

WIDTH, HEIGHT = 1000, 1400
DPI = 200
FRAME_SIZE = 720
BORDER = 44  # thick enough that the colour reads from across a gatehouse, not just at scanning distance
FRAME_TOP = 340
FRAME_BOX = ((WIDTH - FRAME_SIZE) // 2, FRAME_TOP, (WIDTH + FRAME_SIZE) // 2, FRAME_TOP + FRAME_SIZE)


def render_safety_code(data: SafetyCodeData) -> bytes:
    """The safety code as PNG bytes (1000 × 1400 px)."""
    colour = colour_rgb(data.colour)
    image = Image.new("RGB", (WIDTH, HEIGHT), WHITE)
    canvas = ImageDraw.Draw(image)
    centre = WIDTH / 2
    text_width = WIDTH - 120

    _text.draw(canvas, (centre, 110), "企业安全码", Style(72, bold=True), INK, anchor="mm")
    # One line at a readable size first; only names too long for that go to two smaller lines.
    options = [(44, 1), (40, 1), (36, 1), (36, 2), (32, 2), (28, 2)]
    name_style, name_lines = _text.fit_options(data.enterprise_name, text_width, options, bold=True)
    block = len(name_lines) * name_style.line_height
    y = 250 - block / 2
    for line in name_lines:
        _text.draw(canvas, (centre, y), line, name_style, INK, anchor="ma")
        y += name_style.line_height

    canvas.rounded_rectangle(FRAME_BOX, radius=56, fill=colour)
    inner = (FRAME_BOX[0] + BORDER, FRAME_BOX[1] + BORDER, FRAME_BOX[2] - BORDER, FRAME_BOX[3] - BORDER)
    canvas.rounded_rectangle(inner, radius=20, fill=WHITE)
    room = inner[2] - inner[0] - 24
    # The code's own quiet zone sits inside the white square, so the coloured frame never touches a module.
    qr = qr_image_within(data.qr_content, room)
    image.paste(qr, ((inner[0] + inner[2] - qr.width) // 2, (inner[1] + inner[3] - qr.height) // 2))

    label = COLOUR_CODE_LABELS[Colour(data.colour)]
    pill_style = Style(64, bold=True)
    pill_w = pill_style.width(label) + 96
    pill_top = FRAME_BOX[3] + 40
    pill = (centre - pill_w / 2, pill_top, centre + pill_w / 2, pill_top + 104)
    canvas.rounded_rectangle(pill, radius=52, fill=colour)
    _text.draw(canvas, (centre, pill_top + 52), label, pill_style, ink_on(colour), anchor="mm")

    credit_style, credit = _text.fit(f"统一社会信用代码：{data.credit_code or '—'}", text_width, 1, (30, 26, 22))
    _text.draw(canvas, (centre, pill[3] + 44), credit[0], credit_style, MUTED, anchor="ma")
    if data.computed_at is None:
        updated = f"更新日期：{chinese_date(data.printed_on)}"
    else:
        # The colour is dynamic: say when it was computed (local time) and under which scheme, so a printout dates itself.
        local = data.computed_at.astimezone(LOCAL_TIME)
        updated = f"赋码时间：{chinese_date(local.date())} {local:%H:%M} · 评分方案 v{data.scheme_version}"
    _text.draw(canvas, (centre, pill[3] + 96), updated, Style(28), MUTED, anchor="ma")

    buffer = io.BytesIO()
    image.save(buffer, format="PNG", dpi=(DPI, DPI))
    return buffer.getvalue()
