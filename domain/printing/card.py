"""The 岗位风险告知卡 (risk notification card) posted at a risk point: A5 portrait PNG with its QR code."""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageDraw

from domain.printing import _text
from domain.printing._text import Style
from domain.printing.model import MEASURE_TYPE_LABELS, RiskCardData, chinese_date, measure_type_label
from domain.printing.palette import (
    COLOUR_RGB,
    INK,
    MUTED,
    RULE,
    SHADE,
    WHITE,
    contrast,
    ink_on,
    level_label,
    level_rgb,
)
from domain.printing.qr import qr_image_within
from domain.risk.model import Colour, RiskLevel

# A5 (148 × 210 mm) at 212 dpi: sharp enough for 7 pt text and a QR of 1.5 mm modules on an office printer.
WIDTH, HEIGHT = 1240, 1748
DPI = 212
FRAME = 14
PAD = 64
BAND_HEIGHT = 226
FOOTER_HEIGHT = 350
QR_SIZE = 270
SECTION_SIZES = (32, 30, 28, 26, 24, 22, 20)
EMERGENCY_RED = COLOUR_RGB[Colour.RED]  # the emergency phone is red on every card, whatever the level
CONTENT_LEFT, CONTENT_RIGHT = PAD, WIDTH - PAD
CONTENT_WIDTH = CONTENT_RIGHT - CONTENT_LEFT
_MEASURE_ORDER = list(MEASURE_TYPE_LABELS.values())
# More than the card can ever show at its smallest size (about 25 lines of 55 characters), so trimming here never
# changes what is printed, yet a pasted novel cannot make the layout loop over megabytes.
_MAX_ITEMS = 40
_MAX_CHARS = 1_500


def render_risk_card(data: RiskCardData) -> bytes:
    """The card as PNG bytes (1240 × 1748 px, A5 portrait)."""
    colour = level_rgb(data.level)
    image = Image.new("RGB", (WIDTH, HEIGHT), WHITE)
    canvas = ImageDraw.Draw(image)

    _draw_band(canvas, data, colour)
    top = _draw_facts(canvas, data, BAND_HEIGHT + 24)
    footer_top = HEIGHT - FRAME - FOOTER_HEIGHT
    sections_top = top + 24
    region = _draw_sections(_sections(data), colour, footer_top - 24 - sections_top)
    image.paste(region, (CONTENT_LEFT, sections_top))
    _draw_footer(canvas, image, data, footer_top)
    # Drawn last so nothing in the body can paint over the frame.
    canvas.rectangle((0, 0, WIDTH - 1, HEIGHT - 1), outline=colour, width=FRAME)

    buffer = io.BytesIO()
    image.save(buffer, format="PNG", dpi=(DPI, DPI), optimize=False)
    return buffer.getvalue()


def _draw_band(canvas: ImageDraw.ImageDraw, data: RiskCardData, colour: tuple[int, int, int]) -> None:
    canvas.rectangle((0, 0, WIDTH, BAND_HEIGHT), fill=colour)
    ink = ink_on(colour)

    badge_style = Style(56, bold=True)
    badge_text = level_label(data.level)
    badge_w = badge_style.width(badge_text) + 56
    badge_box = (CONTENT_RIGHT - badge_w, 36, CONTENT_RIGHT, 136)
    canvas.rounded_rectangle(badge_box, radius=18, fill=WHITE)
    # Orange and yellow text on white is too faint to read across a workshop, so those badges use dark ink.
    badge_ink = colour if contrast(colour, WHITE) >= 3 else INK
    _text.draw(canvas, ((badge_box[0] + badge_box[2]) / 2, 86), badge_text, badge_style, badge_ink, anchor="mm")

    title_width = badge_box[0] - 32 - CONTENT_LEFT
    title_style, title_lines = _text.fit("岗位风险告知卡", title_width, 1, (84, 72, 60), bold=True)
    _text.draw(canvas, (CONTENT_LEFT, 86), title_lines[0], title_style, ink, anchor="lm")

    subtitle_style, subtitle = _text.fit(data.enterprise_name, CONTENT_RIGHT - CONTENT_LEFT, 1, (36, 32, 28))
    _text.draw(canvas, (CONTENT_LEFT, 180), subtitle[0], subtitle_style, ink, anchor="lm")


def _draw_facts(canvas: ImageDraw.ImageDraw, data: RiskCardData, top: int) -> int:
    """The table of who and where; returns the y below it."""
    level = level_label(data.level)
    if data.level is not None:
        level += f"（{_colour_word(RiskLevel(data.level).colour)}）"
    control = data.control_level_label or "—"
    rows: list[list[tuple[str, str, int, tuple[int, ...], bool]]] = [
        [("风险点名称", data.point_name, 2, (40, 36, 32, 28), True)],
        [("所在区域", data.area or "—", 2, (32, 28, 24), False)],
        [("风险等级", level, 1, (32, 28, 24), False), ("管控层级", control, 1, (32, 28, 24), False)],
        [
            ("责任岗位", data.responsible_post or "—", 1, (32, 28, 24), False),
            ("责任人", data.responsible_person or "—", 1, (32, 28, 24), False),
        ],
    ]
    label_style = Style(28)
    label_w = 172
    total_w = CONTENT_RIGHT - CONTENT_LEFT
    y = top
    canvas.line((CONTENT_LEFT, y, CONTENT_RIGHT, y), fill=RULE, width=2)
    for row in rows:
        cell_w = total_w / len(row)
        laid = []
        for label, value, max_lines, sizes, bold in row:
            style, lines = _text.fit(value, cell_w - label_w - 32, max_lines, sizes, bold=bold)
            laid.append((label, style, lines))
        height = max(24 + len(lines) * style.line_height for _, style, lines in laid)
        height = max(height, 64)
        for index, (label, style, lines) in enumerate(laid):
            x = CONTENT_LEFT + index * cell_w
            canvas.rectangle((x, y, x + label_w, y + height), fill=SHADE)
            _text.draw(canvas, (x + label_w / 2, y + height / 2), label, label_style, MUTED, anchor="mm")
            block_h = len(lines) * style.line_height
            _text.draw_lines(canvas, (x + label_w + 16, y + (height - block_h) / 2), lines, style, INK)
            if index:
                canvas.line((x, y, x, y + height), fill=RULE, width=2)
        y += height
        canvas.line((CONTENT_LEFT, y, CONTENT_RIGHT, y), fill=RULE, width=2)
    return int(y)


def _colour_word(colour: Colour) -> str:
    return {Colour.RED: "红色", Colour.ORANGE: "橙色", Colour.YELLOW: "黄色", Colour.BLUE: "蓝色"}[colour]


@dataclass(frozen=True, slots=True)
class _Item:
    tag: str | None  # the measure type, shown once at the head of its group
    marker: str
    text: str
    placeholder: bool = False


def _sections(data: RiskCardData) -> list[tuple[str, list[_Item]]]:
    hazards = [_Item(None, f"{n}.", text) for n, text in enumerate(_nonblank(data.hazard_sources), 1)]
    groups: dict[str, list[str]] = {}
    for kind, content in data.control_measures[: _MAX_ITEMS * 2]:
        if content.strip():
            groups.setdefault(measure_type_label(kind.strip()) or "其他", []).append(_trimmed(content))

    def order(label: str) -> int:
        return _MEASURE_ORDER.index(label) if label in _MEASURE_ORDER else len(_MEASURE_ORDER)

    measures = []
    for label in sorted(groups, key=order):  # sorted is stable: unknown types keep their first-seen order
        measures += [_Item(label if i == 0 else "", "·", text) for i, text in enumerate(groups[label])]
    emergency = [_Item(None, f"{n}.", text) for n, text in enumerate(_nonblank(data.emergency_measures), 1)]
    return [("危险源", hazards), ("管控措施", measures), ("应急处置措施", emergency)]


def _nonblank(texts: tuple[str, ...]) -> list[str]:
    return [_trimmed(text) for text in texts if text.strip()][:_MAX_ITEMS]


def _trimmed(text: str) -> str:
    return text if len(text) <= _MAX_CHARS else text[:_MAX_CHARS] + _text.ELLIPSIS


@dataclass(frozen=True, slots=True)
class _Row:
    tag: str | None
    marker: str
    lines: list[str]
    placeholder: bool = False


@dataclass(frozen=True, slots=True)
class _Layout:
    style: Style
    heading: Style
    tag_style: Style
    tag_w: float
    marker_w: float
    sections: list[tuple[str, list[_Row]]]

    @property
    def row_gap(self) -> int:
        return round(self.style.size * 0.25)

    @property
    def heading_h(self) -> int:
        return self.heading.line_height + 8

    @property
    def section_gap(self) -> int:
        return round(self.style.size * 0.7)

    def height(self) -> int:
        total = 0
        for _, rows in self.sections:
            total += self.heading_h + self.section_gap
            total += sum(len(row.lines) * self.style.line_height + self.row_gap for row in rows)
        return total


def _layout(sections: list[tuple[str, list[_Item]]], size: int) -> _Layout:
    style = Style(size)
    tag_style = Style(size - 6)
    has_tags = any(item.tag is not None for _, items in sections for item in items)
    tag_w = tag_style.width("培训教育") + 28 if has_tags else 0
    marker_w = style.width("00.") + 8
    laid = []
    for title, items in sections:
        if not items:
            items = [_Item(None, "", "（未填写）", placeholder=True)]
        rows = []
        for item in items:
            indent = (tag_w + 14 if item.tag is not None else 0) + (marker_w if item.marker else 0)
            lines = _text.wrap(item.text, style, CONTENT_WIDTH - indent)
            rows.append(_Row(item.tag, item.marker, lines, item.placeholder))
        laid.append((title, rows))
    return _Layout(style, Style(size + 4, bold=True), tag_style, tag_w, marker_w, laid)


def _cut(layout: _Layout, cap: int) -> _Layout:
    """Every section cut to at most `cap` lines, the last kept line ending in … where something was dropped."""
    sections = []
    for title, rows in layout.sections:
        kept: list[_Row] = []
        budget = cap
        for row in rows:
            if budget <= 0:
                break
            kept.append(_Row(row.tag, row.marker, row.lines[:budget]))
            budget -= len(kept[-1].lines)
        if sum(len(row.lines) for row in rows) > cap and kept:
            last = kept[-1]
            indent = (layout.tag_w + 14 if last.tag is not None else 0) + (layout.marker_w if last.marker else 0)
            ending = _text.ellipsize(last.lines[-1], layout.style, CONTENT_WIDTH - indent, force=True)
            kept[-1] = _Row(last.tag, last.marker, [*last.lines[:-1], ending])
        sections.append((title, kept))
    return _Layout(layout.style, layout.heading, layout.tag_style, layout.tag_w, layout.marker_w, sections)


def _truncated(layout: _Layout, available: int) -> _Layout:
    """The layout cut to the largest common line budget that fits, so one long list cannot crowd out the others."""
    most = max(sum(len(row.lines) for row in rows) for _, rows in layout.sections)
    for cap in range(most, 1, -1):
        candidate = _cut(layout, cap)
        if candidate.height() <= available:
            return candidate
    return _cut(layout, 1)


def _draw_sections(
    sections: list[tuple[str, list[_Item]]], colour: tuple[int, int, int], available: int
) -> Image.Image:
    """The three lists, shrunk then truncated to fit; drawn on their own image so they cannot spill onto the rest."""
    region = Image.new("RGB", (CONTENT_WIDTH, available), WHITE)
    canvas = ImageDraw.Draw(region)
    layout = _layout(sections, SECTION_SIZES[-1])
    for size in SECTION_SIZES:
        candidate = _layout(sections, size)
        if candidate.height() <= available:
            layout = candidate
            break
    else:
        layout = _truncated(layout, available)

    y = 0
    for title, rows in layout.sections:
        canvas.rectangle((0, y + 6, 10, y + layout.heading.line_height - 6), fill=colour)
        _text.draw(canvas, (24, y), title, layout.heading, INK)
        y += layout.heading_h
        for row in rows:
            x = 0
            if row.tag is not None:
                if row.tag:
                    box = (x, y + 2, x + layout.tag_w, y + layout.style.line_height - 4)
                    canvas.rounded_rectangle(box, radius=8, fill=SHADE, outline=RULE)
                    tag = _text.ellipsize(row.tag, layout.tag_style, layout.tag_w - 12)
                    centre = ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
                    _text.draw(canvas, centre, tag, layout.tag_style, INK, anchor="mm")
                x += layout.tag_w + 14
            if row.marker:
                _text.draw(canvas, (x, y), row.marker, layout.style, MUTED)
                x += layout.marker_w
            ink = MUTED if row.placeholder else INK
            y = _text.draw_lines(canvas, (x, y), row.lines, layout.style, ink) + layout.row_gap
        y += layout.section_gap
    return region


def _draw_footer(canvas: ImageDraw.ImageDraw, image: Image.Image, data: RiskCardData, top: int) -> None:
    canvas.line((CONTENT_LEFT, top, CONTENT_RIGHT, top), fill=RULE, width=3)
    inner_bottom = HEIGHT - FRAME - 30

    qr = qr_image_within(data.qr_content, QR_SIZE)
    qr_left = CONTENT_RIGHT - QR_SIZE + (QR_SIZE - qr.width) // 2
    qr_top = top + 22 + (QR_SIZE - qr.height) // 2
    image.paste(qr, (qr_left, qr_top))
    caption = Style(26)
    _text.draw(canvas, (CONTENT_RIGHT - QR_SIZE / 2, inner_bottom), "扫码查看风险点信息", caption, MUTED, anchor="ms")

    left_w = CONTENT_RIGHT - QR_SIZE - 40 - CONTENT_LEFT
    label = Style(32, bold=True)
    y = top + 30
    _text.draw(canvas, (CONTENT_LEFT, y), "应急电话", label, INK)
    y += label.line_height + 6
    phone_style, phone = _text.fit(data.emergency_phone or "—", left_w, 1, (72, 64, 56, 48, 40, 32), bold=True)
    _text.draw(canvas, (CONTENT_LEFT, y), phone[0], phone_style, EMERGENCY_RED)
    y += phone_style.line_height + 8
    _text.draw(canvas, (CONTENT_LEFT, y), "火警 119　急救 120　报警 110", Style(30), INK)
    date_text = f"印制日期：{chinese_date(data.printed_on)}"
    _text.draw(canvas, (CONTENT_LEFT, inner_bottom), date_text, Style(26), MUTED, anchor="ls")
