"""The CJK font every artefact is drawn with: Noto Sans SC, installed by the pylopdf-fonts-zh-cn package."""

from __future__ import annotations

import functools

import pylopdf_fonts_zh_cn
from PIL import ImageFont


@functools.lru_cache(maxsize=1)
def font_path() -> str:
    """The path of NotoSansSC-Regular.otf inside the installed font package."""
    return str(pylopdf_fonts_zh_cn.sans_path())


@functools.lru_cache(maxsize=64)
def cjk_font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    """Noto Sans SC at `size` px, cached; `bold` gives the same face, to be drawn with `bold_stroke(size)`.

    The package ships the Regular weight only, so bold is faked when drawing: pass `stroke_width=bold_stroke(size)`
    and `stroke_fill` equal to the fill (the helpers in `domain.printing._text` do this). `bold` stays in the
    signature and the cache key so callers say what they mean and a real Bold face can drop in later.
    """
    if size < 1:
        raise ValueError(f"font size must be positive, got {size}")
    # BASIC layout: Chinese needs no shaping, and BASIC draws the same with or without libraqm on the server.
    return ImageFont.truetype(font_path(), size, layout_engine=ImageFont.Layout.BASIC)


def bold_stroke(size: int) -> int:
    """The stroke width (px) that makes the Regular face read as bold at `size` px."""
    return max(1, round(size / 28))
