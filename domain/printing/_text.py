"""Measuring, wrapping, shrinking and truncating Chinese text so that it never leaves its box."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from PIL import ImageDraw, ImageFont

from domain.printing.fonts import bold_stroke, cjk_font

ELLIPSIS = "…"
# 避头尾 (line-breaking rules of Chinese typesetting): closing punctuation never starts a line, opening never ends one.
_NO_LINE_START = set("，。、；：！？）】》」』〉”’…·%,.;:!?)]}>～—")
_NO_LINE_END = set("（【《「『〈“‘([{<")
# Latin words, numbers and codes (119, GB30871-2022, CO₂) stay whole; every other character is its own token,
# because Chinese may break between any two characters.
_TOKEN = re.compile(r"[A-Za-z0-9\u00c0-\u024f_.\-+/#@&%°²³]+|\s+|.", re.DOTALL)
# Noto Sans SC lacks subscript digits (CO₂, H₂S are common in hazard sources): plain digits beat tofu boxes.
_PRINTABLE = str.maketrans({**{chr(0x2080 + d): str(d) for d in range(10)}, "\t": " "})
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u2028\u2029\ufeff]")


def clean(text: str) -> str:
    """User text made drawable: no control or zero-width characters, subscript digits as plain digits."""
    return _CONTROL.sub("", (text or "").translate(_PRINTABLE))


@dataclass(frozen=True, slots=True)
class Style:
    """A size and weight of the CJK font, with the measures derived from it."""

    size: int
    bold: bool = False

    @property
    def font(self) -> ImageFont.FreeTypeFont:
        """The cached font object."""
        return cjk_font(self.size, self.bold)

    @property
    def stroke(self) -> int:
        """Stroke width that fakes bold; 0 for regular."""
        return bold_stroke(self.size) if self.bold else 0

    @property
    def line_height(self) -> int:
        """Ascender to descender plus a little leading, in px."""
        ascent, descent = self.font.getmetrics()
        return ascent + descent + round(self.size * 0.08) + 2 * self.stroke

    def width(self, text: str) -> float:
        """Advance width of `text` in px, including the bold stroke on both sides."""
        if not text:
            return 0.0
        # BASIC layout applies no kerning to this OpenType (CFF) face, so a string's advance is exactly the sum of
        # its characters' advances; cached per character, that is ~100 times faster than font.getlength on the
        # 8 MB face, which matters when wrapping thousands of characters at several sizes.
        return sum(_advance(self.size, char) for char in text) + 2 * self.stroke


@functools.lru_cache(maxsize=65_536)
def _advance(size: int, char: str) -> float:
    return cjk_font(size).getlength(char)


def wrap(text: str, style: Style, width: float) -> list[str]:
    """Break `text` into lines no wider than `width`: per character for Chinese, per word for Latin runs."""
    lines: list[str] = []
    for paragraph in clean(text).replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        lines.extend(_wrap_paragraph(paragraph, style, width))
    return lines or [""]


def _wrap_paragraph(paragraph: str, style: Style, width: float) -> list[str]:
    size = style.size
    limit = width - 2 * style.stroke  # the stroke widens a line once, not per character

    def advance(text: str) -> float:
        return sum(_advance(size, char) for char in text)

    lines: list[str] = []
    current, current_w = "", 0.0

    def flush() -> None:
        nonlocal current, current_w
        if current.strip():
            lines.append(current.rstrip())
        current, current_w = "", 0.0

    for token in _TOKEN.findall(paragraph):
        if token.isspace() and not current.strip():
            continue
        token_w = advance(token)
        if current_w + token_w <= limit:
            current, current_w = current + token, current_w + token_w
            continue
        if token.isspace():
            flush()
            continue
        carry = ""
        if len(current) > 1 and (token[0] in _NO_LINE_START or current[-1] in _NO_LINE_END):
            # Take the last character along so punctuation neither opens nor ends a line wrongly.
            carry, current = current[-1], current[:-1]
        flush()
        current, current_w = carry, advance(carry)
        if current_w + token_w <= limit:
            current, current_w = current + token, current_w + token_w
            continue
        for char in token:
            # A word wider than the whole line is broken per character rather than overflowing.
            char_w = _advance(size, char)
            if current and current_w + char_w > limit:
                flush()
            current, current_w = current + char, current_w + char_w
    flush()
    return lines or [""]


def ellipsize(text: str, style: Style, width: float, *, force: bool = False) -> str:
    """`text` if it fits in `width`, else cut and ended with …; `force` adds … even when it fits."""
    if not force and style.width(text) <= width:
        return text
    cut = text.rstrip()
    while cut and style.width(cut + ELLIPSIS) > width:
        cut = cut[:-1]
    return cut.rstrip() + ELLIPSIS if style.width(ELLIPSIS) <= width else ""


def truncate(lines: Sequence[str], keep: int, style: Style, width: float) -> list[str]:
    """The first `keep` lines, the last ending in … when anything was dropped."""
    if keep <= 0:
        return []
    if len(lines) <= keep:
        return list(lines)
    kept = list(lines[:keep])
    kept[-1] = ellipsize(kept[-1], style, width, force=True)
    return kept


def fit(
    text: str, width: float, max_lines: int, sizes: Iterable[int], *, bold: bool = False
) -> tuple[Style, list[str]]:
    """The largest of `sizes` at which `text` wraps into `max_lines`; at the smallest, the lines truncated with …."""
    return fit_options(text, width, [(size, max_lines) for size in sizes], bold=bold)


def fit_options(
    text: str, width: float, options: Sequence[tuple[int, int]], *, bold: bool = False
) -> tuple[Style, list[str]]:
    """The first (size, max lines) of `options` that holds `text`; failing all, the last one truncated with …."""
    style = Style(1)
    lines: list[str] = [""]
    max_lines = 1
    for size, max_lines in options:
        style = Style(size, bold)
        lines = wrap(text, style, width)
        if len(lines) <= max_lines:
            return style, lines
    return style, truncate(lines, max_lines, style, width)


def draw(
    canvas: ImageDraw.ImageDraw,
    xy: tuple[float, float],
    text: str,
    style: Style,
    fill: tuple[int, int, int],
    anchor: str = "la",
) -> None:
    """Draw one line of text; bold is faked with a stroke of the same colour."""
    canvas.text(xy, text, font=style.font, fill=fill, anchor=anchor, stroke_width=style.stroke, stroke_fill=fill)


def draw_lines(
    canvas: ImageDraw.ImageDraw, xy: tuple[float, float], lines: Sequence[str], style: Style, fill: tuple[int, int, int]
) -> float:
    """Draw lines top-down from `xy` (top left); return the y below the last line."""
    x, y = xy
    for line in lines:
        draw(canvas, (x, y), line, style, fill)
        y += style.line_height
    return y
