"""Sheets of QR labels (3 × 4 per A4 page) to stick on risk points, as a printable PDF."""

from __future__ import annotations

import io
from collections.abc import Sequence

from PIL import Image, ImageDraw

from domain.printing import _text
from domain.printing._text import Style
from domain.printing.model import Label
from domain.printing.palette import INK, MUTED, RULE, WHITE, ink_on, level_label, level_rgb
from domain.printing.qr import qr_image_within

# A4 (210 × 297 mm) at 150 dpi; a label is then about 64 × 67 mm with a QR of roughly 28 mm.
DPI = 150
PAGE_WIDTH, PAGE_HEIGHT = 1240, 1754
COLUMNS, ROWS = 3, 4
PER_PAGE = COLUMNS * ROWS
MARGIN_X, GRID_TOP, GRID_BOTTOM = 48, 116, PAGE_HEIGHT - 56
INSET = 8
STRIP = 52


def render_label_sheet(labels: Sequence[Label], title: str) -> bytes:
    """A PDF of labels, 12 to an A4 page; no labels gives one page saying 无风险点."""
    chunks = [list(labels[i : i + PER_PAGE]) for i in range(0, len(labels), PER_PAGE)] or [[]]
    pages = [_page(chunk, title, number, len(chunks), len(labels)) for number, chunk in enumerate(chunks, 1)]
    buffer = io.BytesIO()
    pages[0].save(
        buffer,
        format="PDF",
        save_all=True,
        append_images=pages[1:],
        resolution=DPI,
        # Pillow embeds RGB pages as JPEG: full chroma and high quality keep QR edges and small text crisp.
        quality=92,
        subsampling=0,
        title=title,
    )
    return buffer.getvalue()


def _page(labels: list[Label], title: str, number: int, count: int, total: int) -> Image.Image:
    page = Image.new("RGB", (PAGE_WIDTH, PAGE_HEIGHT), WHITE)
    canvas = ImageDraw.Draw(page)
    right_text = f"共 {total} 个 · 第 {number}/{count} 页"
    right_style = Style(24)
    _text.draw(canvas, (PAGE_WIDTH - MARGIN_X, 66), right_text, right_style, MUTED, anchor="rm")
    title_width = PAGE_WIDTH - 2 * MARGIN_X - right_style.width(right_text) - 40
    title_style, title_lines = _text.fit(title, title_width, 1, (36, 32, 28, 24), bold=True)
    _text.draw(canvas, (MARGIN_X, 66), title_lines[0], title_style, INK, anchor="lm")
    canvas.line((MARGIN_X, 100, PAGE_WIDTH - MARGIN_X, 100), fill=RULE, width=2)

    if not labels:
        _text.draw(canvas, (PAGE_WIDTH / 2, PAGE_HEIGHT / 2), "无风险点", Style(64, bold=True), MUTED, anchor="mm")
        return page

    cell_w = (PAGE_WIDTH - 2 * MARGIN_X) / COLUMNS
    cell_h = (GRID_BOTTOM - GRID_TOP) / ROWS
    for index, label in enumerate(labels):
        row, column = divmod(index, COLUMNS)
        left = round(MARGIN_X + column * cell_w + INSET)
        top = round(GRID_TOP + row * cell_h + INSET)
        _label(page, canvas, label, (left, top, round(left + cell_w - 2 * INSET), round(top + cell_h - 2 * INSET)))
    return page


def _label(page: Image.Image, canvas: ImageDraw.ImageDraw, label: Label, box: tuple[int, int, int, int]) -> None:
    left, top, right, bottom = box
    width = right - left
    colour = level_rgb(label.level)
    canvas.rounded_rectangle(box, radius=14, outline=RULE, width=2)
    strip = (left, top, right, top + STRIP)
    canvas.rounded_rectangle(strip, radius=14, fill=colour, corners=(True, True, False, False))
    strip_text = level_label(label.level)
    strip_centre = ((left + right) / 2, top + STRIP / 2)
    _text.draw(canvas, strip_centre, strip_text, Style(28, bold=True), ink_on(colour), anchor="mm")

    text_width = width - 32
    title_style, title_lines = _text.fit(label.title, text_width, 2, (30, 28, 26, 24, 22), bold=True)
    title_top = top + STRIP + 10
    # Two title lines are always reserved so the QR codes line up across the sheet.
    title_block = 2 * Style(30, bold=True).line_height
    offset = (title_block - len(title_lines) * title_style.line_height) / 2
    for n, line in enumerate(title_lines):
        y = title_top + offset + n * title_style.line_height
        _text.draw(canvas, ((left + right) / 2, y), line, title_style, INK, anchor="ma")
    subtitle_top = title_top + title_block
    subtitle_style, subtitle = _text.fit(label.subtitle, text_width, 1, (22, 20, 18))
    _text.draw(canvas, ((left + right) / 2, subtitle_top), subtitle[0], subtitle_style, MUTED, anchor="ma")

    qr_top = subtitle_top + Style(22).line_height + 2
    room = min(width - 40, bottom - 8 - qr_top)
    qr = qr_image_within(label.qr_content, int(room))
    page.paste(qr, (left + (width - qr.width) // 2, int(qr_top + (room - qr.height) / 2)))
