"""The 岗位风险告知卡 (risk notification card) posted at a risk point: A5 portrait PNG pages with its QR code.

Nothing on the card is ever dropped: the lists shrink down to the smallest readable type, and what still does not fit
flows onto continuation pages (`layout_risk_card` says where every item went; tests check each one is placed).
"""

from __future__ import annotations

import dataclasses
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
# 22 px at 212 dpi is 7.5 pt: the smallest type a card on a workshop wall is still read at.
SECTION_SIZES = (32, 30, 28, 26, 24, 22)
CONTINUATION_BAND = 150
CONTINUATION_FOOTER = 90
FACT_LABEL_W = 172
EMERGENCY_RED = COLOUR_RGB[Colour.RED]  # the emergency phone is red on every card, whatever the level
CONTENT_LEFT, CONTENT_RIGHT = PAD, WIDTH - PAD
CONTENT_WIDTH = CONTENT_RIGHT - CONTENT_LEFT
_MEASURE_ORDER = list(MEASURE_TYPE_LABELS.values())
# The contract caps each list at 40 items of at most 500 characters, so these bounds never change a card made from
# accepted data; they only stop hand-made data from making the layout loop over megabytes.
_MAX_ITEMS = 40
_MAX_CHARS = 1_500


@dataclass(frozen=True, slots=True)
class TextRun:
    """One piece of text placed on a card page: its section, the item it belongs to, and its box in px."""

    page: int  # 1-based
    section: str  # 危险源 / 管控措施 / 应急处置措施
    item: int | None  # index into `CardLayout.items[section]`; None for headings and measure-type tags
    kind: str  # heading | tag | marker | text
    text: str
    box: tuple[float, float, float, float]  # left, top, right, bottom


@dataclass(frozen=True, slots=True)
class CardLayout:
    """Where every list item of a card goes: the pages, the type size, and each placed run of text."""

    pages: int
    size: int
    items: dict[str, list[str]]  # per section, the item texts in the order laid out
    regions: tuple[tuple[float, float, float, float], ...]  # per page, the box the lists flow in
    runs: tuple[TextRun, ...]


def layout_risk_card(data: RiskCardData) -> CardLayout:
    """The card's lists laid out: the largest type that needs the fewest pages, every item on some page."""
    sections = _sections(data)
    first = (CONTENT_LEFT, _facts_bottom(data, BAND_HEIGHT + 24) + 24, CONTENT_RIGHT, _footer_top() - 24)
    more = (CONTENT_LEFT, CONTINUATION_BAND + 32, CONTENT_RIGHT, HEIGHT - FRAME - CONTINUATION_FOOTER)
    flows = {size: _flow(_layout(sections, size), first, more) for size in SECTION_SIZES}
    fewest = min(len(pages) for pages in flows.values())
    # Nothing is ever cut: when the smallest readable type does not fit one page, the lists go on over
    # continuation pages, at the largest type that keeps the page count as low as the smallest type would.
    size = next(size for size in SECTION_SIZES if len(flows[size]) == fewest)
    pages = flows[size]
    runs = tuple(run for page in pages for run in page)
    items = {title: [item.text for item in section] for title, section in sections}
    regions = (first,) + (more,) * (len(pages) - 1)
    return CardLayout(pages=len(pages), size=size, items=items, regions=regions, runs=runs)


def render_risk_card_pages(data: RiskCardData) -> list[bytes]:
    """Every page of the card as PNG bytes (1240 × 1748 px, A5 portrait); most cards have one."""
    layout = layout_risk_card(data)
    return [_render_page(data, layout, number) for number in range(1, layout.pages + 1)]


def render_risk_card(data: RiskCardData, page: int = 1) -> bytes:
    """One page of the card as PNG bytes (1240 × 1748 px, A5 portrait)."""
    layout = layout_risk_card(data)
    if not 1 <= page <= layout.pages:
        raise ValueError(f"the card has {layout.pages} page(s), not {page}")
    return _render_page(data, layout, page)


def render_risk_card_pdf(data: RiskCardData) -> bytes:
    """All pages of the card as one PDF, A5 at 212 dpi, for printing a card that runs over several pages."""
    pages = [Image.open(io.BytesIO(png)).convert("RGB") for png in render_risk_card_pages(data)]
    buffer = io.BytesIO()
    # Pillow embeds RGB pages as JPEG: full chroma and high quality keep the QR edges and 7 pt text crisp.
    pages[0].save(
        buffer,
        format="PDF",
        save_all=True,
        append_images=pages[1:],
        resolution=DPI,
        quality=92,
        subsampling=0,
        title=f"{data.point_name} 岗位风险告知卡",
    )
    return buffer.getvalue()


def _footer_top() -> int:
    return HEIGHT - FRAME - FOOTER_HEIGHT


def _render_page(data: RiskCardData, layout: CardLayout, number: int) -> bytes:
    colour = level_rgb(data.level)
    image = Image.new("RGB", (WIDTH, HEIGHT), WHITE)
    canvas = ImageDraw.Draw(image)
    if number == 1:
        _draw_band(canvas, data, colour)
        _draw_facts(canvas, data, BAND_HEIGHT + 24)
        _draw_footer(canvas, image, data, _footer_top(), layout.pages)
    else:
        _draw_continuation(canvas, data, colour, number, layout.pages)
    _draw_runs(canvas, layout, number, colour)
    # Drawn last so nothing in the body can paint over the frame.
    canvas.rectangle((0, 0, WIDTH - 1, HEIGHT - 1), outline=colour, width=FRAME)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", dpi=(DPI, DPI), optimize=False)
    return buffer.getvalue()


def _draw_band(canvas: ImageDraw.ImageDraw, data: RiskCardData, colour: tuple[int, int, int]) -> None:
    canvas.rectangle((0, 0, WIDTH, BAND_HEIGHT), fill=colour)
    ink = ink_on(colour)
    badge_left = _draw_badge(canvas, data, colour, 36, 136)
    title_width = badge_left - 32 - CONTENT_LEFT
    title_style, title_lines = _text.fit("岗位风险告知卡", title_width, 1, (84, 72, 60), bold=True)
    _text.draw(canvas, (CONTENT_LEFT, 86), title_lines[0], title_style, ink, anchor="lm")

    subtitle_style, subtitle = _text.fit(data.enterprise_name, CONTENT_RIGHT - CONTENT_LEFT, 1, (36, 32, 28))
    _text.draw(canvas, (CONTENT_LEFT, 180), subtitle[0], subtitle_style, ink, anchor="lm")


def _draw_badge(
    canvas: ImageDraw.ImageDraw, data: RiskCardData, colour: tuple[int, int, int], top: int, bottom: int
) -> float:
    """The level badge at the right of the band; returns its left edge."""
    badge_style = Style(56 if bottom - top >= 90 else 40, bold=True)
    badge_text = level_label(data.level)
    badge_w = badge_style.width(badge_text) + 56
    badge_box = (CONTENT_RIGHT - badge_w, top, CONTENT_RIGHT, bottom)
    canvas.rounded_rectangle(badge_box, radius=18, fill=WHITE)
    # Orange and yellow text on white is too faint to read across a workshop, so those badges use dark ink.
    badge_ink = colour if contrast(colour, WHITE) >= 3 else INK
    centre = ((badge_box[0] + badge_box[2]) / 2, (top + bottom) / 2)
    _text.draw(canvas, centre, badge_text, badge_style, badge_ink, anchor="mm")
    return badge_box[0]


def _draw_continuation(
    canvas: ImageDraw.ImageDraw, data: RiskCardData, colour: tuple[int, int, int], number: int, count: int
) -> None:
    """The band and foot of a continuation page: which card it continues, and which page of how many it is."""
    canvas.rectangle((0, 0, WIDTH, CONTINUATION_BAND), fill=colour)
    ink = ink_on(colour)
    badge_left = _draw_badge(canvas, data, colour, 30, 100)
    title_style = Style(48, bold=True)
    _text.draw(canvas, (CONTENT_LEFT, 64), "岗位风险告知卡（续）", title_style, ink, anchor="lm")
    name_width = badge_left - 32 - CONTENT_LEFT - title_style.width("岗位风险告知卡（续）") - 24
    if name_width > 80:
        name_style, name = _text.fit(data.point_name, name_width, 1, (32, 28, 24))
        right = CONTENT_LEFT + title_style.width("岗位风险告知卡（续）") + 24
        _text.draw(canvas, (right, 66), name[0], name_style, ink, anchor="lm")
    enterprise_style, enterprise = _text.fit(data.enterprise_name, CONTENT_WIDTH, 1, (28, 24))
    _text.draw(canvas, (CONTENT_LEFT, 126), enterprise[0], enterprise_style, ink, anchor="lm")
    bottom = HEIGHT - FRAME - 30
    foot_top = HEIGHT - FRAME - CONTINUATION_FOOTER + 16
    canvas.line((CONTENT_LEFT, foot_top, CONTENT_RIGHT, foot_top), fill=RULE, width=2)
    _text.draw(
        canvas, (CONTENT_LEFT, bottom), f"印制日期：{chinese_date(data.printed_on)}", Style(26), MUTED, anchor="ls"
    )
    _text.draw(canvas, (CONTENT_RIGHT, bottom), f"第 {number}/{count} 页", Style(26, bold=True), INK, anchor="rs")


def _facts_rows(data: RiskCardData) -> list[tuple[float, list[tuple[str, Style, list[str]]]]]:
    """The table of who and where, each row with its height and its cells (label, style, lines)."""
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
    total_w = CONTENT_RIGHT - CONTENT_LEFT
    found = []
    for row in rows:
        cell_w = total_w / len(row)
        laid = []
        for label, value, max_lines, sizes, bold in row:
            style, lines = _text.fit(value, cell_w - FACT_LABEL_W - 32, max_lines, sizes, bold=bold)
            laid.append((label, style, lines))
        height = max(max(24 + len(lines) * style.line_height for _, style, lines in laid), 64)
        found.append((height, laid))
    return found


def _facts_bottom(data: RiskCardData, top: int) -> int:
    return int(top + sum(height for height, _ in _facts_rows(data)))


def _draw_facts(canvas: ImageDraw.ImageDraw, data: RiskCardData, top: int) -> int:
    """The table of who and where; returns the y below it."""
    label_style = Style(28)
    total_w = CONTENT_RIGHT - CONTENT_LEFT
    y = top
    canvas.line((CONTENT_LEFT, y, CONTENT_RIGHT, y), fill=RULE, width=2)
    for height, laid in _facts_rows(data):
        cell_w = total_w / len(laid)
        for index, (label, style, lines) in enumerate(laid):
            x = CONTENT_LEFT + index * cell_w
            canvas.rectangle((x, y, x + FACT_LABEL_W, y + height), fill=SHADE)
            _text.draw(canvas, (x + FACT_LABEL_W / 2, y + height / 2), label, label_style, MUTED, anchor="mm")
            block_h = len(lines) * style.line_height
            _text.draw_lines(canvas, (x + FACT_LABEL_W + 16, y + (height - block_h) / 2), lines, style, INK)
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
    item: int
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

    def indent(self, row: _Row) -> float:
        """How far a row's text starts from the left of the lists."""
        return (self.tag_w + 14 if row.tag is not None else 0) + (self.marker_w if row.marker else 0)


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
        for index, item in enumerate(items):
            indent = (tag_w + 14 if item.tag is not None else 0) + (marker_w if item.marker else 0)
            lines = _text.wrap(item.text, style, CONTENT_WIDTH - indent)
            rows.append(_Row(item.tag, item.marker, lines, index, item.placeholder))
        laid.append((title, rows))
    return _Layout(style, Style(size + 4, bold=True), tag_style, tag_w, marker_w, laid)


def _flow(layout: _Layout, first: tuple[float, ...], more: tuple[float, ...]) -> list[list[TextRun]]:
    """The rows placed top-down, onto a continuation page when the current one is full; never cut, never dropped.

    A heading is kept with the first line after it, an item moves whole to the next page when it fits there,
    and only an item taller than a whole page is split between pages (its marker stays with its first line).
    """
    line_h = layout.style.line_height
    pages: list[list[TextRun]] = [[]]
    region = first
    y = region[1]

    fresh = False  # nothing placed yet under the heading of a continuation page

    def new_page(title: str) -> None:
        nonlocal region, y, fresh
        fresh = True
        pages.append([])
        region, y = more, more[1]
        heading(f"{title}（续）")

    def heading(text: str) -> None:
        nonlocal y
        x = region[0] + 24
        box = (x, y, x + layout.heading.width(text), y + layout.heading.line_height)
        pages[-1].append(TextRun(len(pages), current, None, "heading", text, box))
        y += layout.heading_h

    page_lines = int((more[3] - more[1] - layout.heading_h) // line_h)
    for current, rows in layout.sections:
        # A heading goes with its first item (or as much of it as a page holds), never alone at a page's foot.
        first_lines = min(len(rows[0].lines), page_lines) if rows else 1
        if y + layout.heading_h + first_lines * line_h > region[3]:
            pages.append([])
            region, y = more, more[1]
        heading(current)
        group = ""
        for row in rows:
            group = row.tag or group
            lines, first_part = list(row.lines), True
            while lines:
                room = int((region[3] - y) // line_h)
                if room < len(lines) and (len(lines) <= page_lines or room < 2):
                    new_page(current)
                    continue
                placed, lines = lines[:room], lines[room:]
                # A group of measures carried onto a new page shows its type again at the top of that page.
                shown = dataclasses.replace(row, tag=group) if fresh and row.tag == "" else row
                _place_row(pages, layout, current, shown, placed, region[0], y, first_part, first_part or fresh)
                fresh = False
                y += len(placed) * line_h
                first_part = False
                if lines:
                    new_page(current)
            y += layout.row_gap
        y += layout.section_gap
    return pages


def _place_row(
    pages: list[list[TextRun]],
    layout: _Layout,
    section: str,
    row: _Row,
    lines: list[str],
    left: float,
    y: float,
    first_part: bool,
    show_tag: bool,
) -> None:
    line_h = layout.style.line_height
    number = len(pages)
    x = left
    item = None if row.placeholder else row.item
    if row.tag is not None:
        if row.tag and show_tag:
            box = (x, y + 2, x + layout.tag_w, y + line_h - 4)
            pages[-1].append(TextRun(number, section, None, "tag", row.tag, box))
        x += layout.tag_w + 14
    if row.marker:
        if first_part:
            box = (x, y, x + layout.style.width(row.marker), y + line_h)
            pages[-1].append(TextRun(number, section, item, "marker", row.marker, box))
        x += layout.marker_w
    for n, line in enumerate(lines):
        top = y + n * line_h
        kind = "placeholder" if row.placeholder else "text"
        pages[-1].append(
            TextRun(number, section, item, kind, line, (x, top, x + layout.style.width(line), top + line_h))
        )


def _draw_runs(canvas: ImageDraw.ImageDraw, layout: CardLayout, number: int, colour: tuple[int, int, int]) -> None:
    """Draw the placed runs of one page, in the styles the layout chose."""
    style = Style(layout.size)
    heading = Style(layout.size + 4, bold=True)
    tag_style = Style(layout.size - 6)
    for run in layout.runs:
        if run.page != number:
            continue
        left, top, right, bottom = run.box
        if run.kind == "heading":
            canvas.rectangle((left - 24, top + 6, left - 14, top + heading.line_height - 6), fill=colour)
            _text.draw(canvas, (left, top), run.text, heading, INK)
        elif run.kind == "tag":
            canvas.rounded_rectangle(run.box, radius=8, fill=SHADE, outline=RULE)
            tag = _text.ellipsize(run.text, tag_style, right - left - 12)
            _text.draw(canvas, ((left + right) / 2, (top + bottom) / 2), tag, tag_style, INK, anchor="mm")
        else:
            _text.draw(canvas, (left, top), run.text, style, INK if run.kind == "text" else MUTED)


def _draw_footer(canvas: ImageDraw.ImageDraw, image: Image.Image, data: RiskCardData, top: int, pages: int) -> None:
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
    if pages > 1:
        date_text += f"　第 1/{pages} 页，续见下页"
    _text.draw(canvas, (CONTENT_LEFT, inner_bottom), date_text, Style(26), MUTED, anchor="ls")
