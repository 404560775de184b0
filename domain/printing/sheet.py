"""Sheets of QR labels (3 × 4 per A4 page) to stick on risk points, as a vector PDF.

Everything is drawn with PDF operators (fpdf2): the text in Noto Sans SC (a subset embedded, so it stays selectable
and sharp at any zoom), the QR modules as filled rectangles (one per run of dark modules in a row), the colour strips
as filled shapes. No raster image is embedded, so a print shop can scale the sheet without blurring a code.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from fpdf import FPDF

from domain.printing import _text
from domain.printing.fonts import font_path
from domain.printing.model import Label, chinese_date
from domain.printing.palette import INK, MUTED, RULE, WHITE, ink_on, level_label, level_rgb
from domain.printing.qr import qr_matrix

PAGE_WIDTH, PAGE_HEIGHT = 210.0, 297.0  # A4, mm
COLUMNS, ROWS = 3, 4
PER_PAGE = COLUMNS * ROWS
MARGIN_X, GRID_TOP, GRID_BOTTOM = 12.0, 30.0, PAGE_HEIGHT - 10.0
INSET = 1.5
STRIP = 8.0
FONT = "NotoSansSC"
PT = 25.4 / 72  # one point in mm
ENTERPRISE_STRIP = "企业安全码 · 扫码查看当前颜色"
# The enterprise's code changes colour with its data, so its sticker is printed in neutral ink: the colour is seen
# by scanning it, never frozen on paper.
ENTERPRISE_RGB = INK
_MEASURE = _text.Style(100)  # widths are measured at 100 px and scaled: the face's advances are linear in size


@dataclass(frozen=True, slots=True)
class PlacedQr:
    """Where a label's code went on its page (mm from the top left), for checking the drawing against the content."""

    page: int
    content: str
    left: float
    top: float
    module: float  # the side of one module, mm
    modules: int  # per side, quiet zone included


def text_width(text: str, size_pt: float) -> float:
    """The width in mm of `text` set at `size_pt` in the sheet's face."""
    return _MEASURE.width(text) / 100 * size_pt * PT


def fit(text: str, width_mm: float, max_lines: int, sizes: Sequence[float]) -> tuple[float, list[str]]:
    """The largest of `sizes` (pt) at which `text` wraps into `max_lines` of `width_mm`; else the smallest, cut with …."""
    for size in sizes:
        lines = _text.wrap(text, _MEASURE, width_mm / (size * PT) * 100)
        if len(lines) <= max_lines:
            return size, lines
    size = sizes[-1]
    width_px = width_mm / (size * PT) * 100
    return size, _text.truncate(_text.wrap(text, _MEASURE, width_px), max_lines, _MEASURE, width_px)


def render_label_sheet(
    labels: Sequence[Label], title: str, *, printed_on: date, enterprise: Label | None = None, subject: str = ""
) -> bytes:
    """The sheet as PDF bytes: the enterprise's own code first (when given), then one label per risk point."""
    return layout_label_sheet(labels, title, printed_on=printed_on, enterprise=enterprise, subject=subject)[0]


def layout_label_sheet(
    labels: Sequence[Label], title: str, *, printed_on: date, enterprise: Label | None = None, subject: str = ""
) -> tuple[bytes, list[PlacedQr]]:
    """The sheet as PDF bytes and where each QR code was drawn."""
    stickers = ([(enterprise, True)] if enterprise else []) + [(label, False) for label in labels]
    chunks = [stickers[i : i + PER_PAGE] for i in range(0, len(stickers), PER_PAGE)] or [[]]
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.add_font(FONT, "", font_path())
    pdf.set_title(title)
    pdf.set_subject(subject or title)
    pdf.set_creator("Shuangfang")
    # The document's date is the print date, not the wall clock, so the same sheet printed twice is the same file.
    pdf.set_creation_date(datetime.combine(printed_on, time(0), timezone(timedelta(hours=8))))
    placed: list[PlacedQr] = []
    for number, chunk in enumerate(chunks, 1):
        pdf.add_page()
        _header(pdf, title, printed_on, number, len(chunks), len(labels), subject)
        if not chunk:
            _set(pdf, 32, MUTED)
            words = "无风险点"
            pdf.text((PAGE_WIDTH - text_width(words, 32)) / 2, PAGE_HEIGHT / 2, words)
            continue
        cell_w = (PAGE_WIDTH - 2 * MARGIN_X) / COLUMNS
        cell_h = (GRID_BOTTOM - GRID_TOP) / ROWS
        for index, (label, is_enterprise) in enumerate(chunk):
            row, column = divmod(index, COLUMNS)
            left = MARGIN_X + column * cell_w + INSET
            top = GRID_TOP + row * cell_h + INSET
            box = (left, top, cell_w - 2 * INSET, cell_h - 2 * INSET)
            placed.append(_label(pdf, label, box, is_enterprise, number))
    return bytes(pdf.output()), placed


def _set(pdf: FPDF, size: float, rgb: tuple[int, int, int]) -> None:
    pdf.set_font(FONT, size=size)
    pdf.set_text_color(*rgb)


def _header(pdf: FPDF, title: str, printed_on: date, number: int, count: int, total: int, subject: str) -> None:
    right = f"风险点 {total} 个 · 第 {number}/{count} 页"
    right_w = text_width(right, 9)
    _set(pdf, 9, MUTED)
    pdf.text(PAGE_WIDTH - MARGIN_X - right_w, 16, right)
    size, lines = fit(title, PAGE_WIDTH - 2 * MARGIN_X - right_w - 8, 1, (16, 14, 12, 10))
    _set(pdf, size, INK)
    pdf.text(MARGIN_X, 16, lines[0])
    facts = f"印制日期：{chinese_date(printed_on)}" + (f"　统一社会信用代码：{subject}" if subject else "")
    _set(pdf, 9, MUTED)
    pdf.text(MARGIN_X, 23, facts)
    pdf.set_draw_color(*RULE)
    pdf.set_line_width(0.3)
    pdf.line(MARGIN_X, 26, PAGE_WIDTH - MARGIN_X, 26)


def _label(pdf: FPDF, label: Label, box: tuple[float, float, float, float], is_enterprise: bool, page: int) -> PlacedQr:
    left, top, width, height = box
    colour = ENTERPRISE_RGB if is_enterprise else level_rgb(label.level)
    pdf.set_draw_color(*RULE)
    pdf.set_line_width(0.35)
    pdf.rect(left, top, width, height, style="D", round_corners=True, corner_radius=2.5)
    pdf.set_fill_color(*colour)
    pdf.rect(left, top, width, STRIP, style="F", round_corners=("TOP_LEFT", "TOP_RIGHT"), corner_radius=2.5)
    strip_text = ENTERPRISE_STRIP if is_enterprise else level_label(label.level)
    size, strip = fit(strip_text, width - 6, 1, (11, 10, 9, 8))
    _set(pdf, size, ink_on(colour) if colour != INK else WHITE)
    pdf.text(left + (width - text_width(strip[0], size)) / 2, top + STRIP / 2 + size * PT * 0.36, strip[0])

    # Two title lines are always reserved so the QR codes line up across the sheet.
    title_size, title = fit(label.title, width - 6, 2, (10, 9, 8, 7))
    line_h = 10 * PT * 1.25
    block_top = top + STRIP + 1.5 + (2 * line_h - len(title) * title_size * PT * 1.25) / 2
    _set(pdf, title_size, INK)
    for n, line in enumerate(title):
        baseline = block_top + (n + 0.8) * title_size * PT * 1.25
        pdf.text(left + (width - text_width(line, title_size)) / 2, baseline, line)
    subtitle_top = top + STRIP + 2.5 + 2 * line_h  # a millimetre clear of a second title line's descenders
    sub_size, subtitle = fit(label.subtitle, width - 6, 1, (7.5, 7, 6.5, 6))
    _set(pdf, sub_size, MUTED)
    pdf.text(left + (width - text_width(subtitle[0], sub_size)) / 2, subtitle_top + sub_size * PT, subtitle[0])

    qr_top = subtitle_top + 7.5 * PT * 1.3 + 1
    room = min(width - 8, top + height - 1.5 - qr_top)
    return _qr(pdf, label.qr_content, left + (width - room) / 2, qr_top, room, page)


def _qr(pdf: FPDF, content: str, left: float, top: float, size: float, page: int) -> PlacedQr:
    """The code as filled rectangles, one per run of dark modules in a row; the quiet zone is left white."""
    matrix = qr_matrix(content)
    modules = len(matrix)
    module = size / modules
    pdf.set_fill_color(0, 0, 0)
    for row, cells in enumerate(matrix):
        column = 0
        while column < modules:
            if not cells[column]:
                column += 1
                continue
            start = column
            while column < modules and cells[column]:
                column += 1
            pdf.rect(left + start * module, top + row * module, (column - start) * module, module, style="F")
    return PlacedQr(page=page, content=content, left=left, top=top, module=module, modules=modules)
