"""The colours artefacts are drawn in: one RGB per risk colour, grey for an unassessed point, and text inks."""

from __future__ import annotations

from domain.risk.model import Colour, RiskLevel

RGB = tuple[int, int, int]

# Saturated enough to tell orange from yellow on a cheap office printer, and close to the colours local
# four-colour maps use, so a printed card matches the regulator's map.
COLOUR_RGB: dict[Colour, RGB] = {
    Colour.RED: (230, 0, 18),
    Colour.ORANGE: (243, 130, 0),
    Colour.YELLOW: (255, 212, 0),
    Colour.BLUE: (0, 94, 184),
}
UNASSESSED_RGB: RGB = (150, 150, 150)
UNASSESSED_LABEL = "未评估"
COLOUR_CODE_LABELS: dict[Colour, str] = {
    Colour.RED: "红码",
    Colour.ORANGE: "橙码",
    Colour.YELLOW: "黄码",
    Colour.BLUE: "蓝码",
}

WHITE: RGB = (255, 255, 255)
INK: RGB = (34, 34, 34)
MUTED: RGB = (102, 102, 102)
RULE: RGB = (210, 214, 220)
SHADE: RGB = (243, 245, 248)


def colour_rgb(colour: Colour) -> RGB:
    """The RGB a risk colour is drawn in."""
    return COLOUR_RGB[Colour(colour)]


def level_rgb(level: RiskLevel | None) -> RGB:
    """The RGB of a risk level's colour; grey for a point not yet assessed."""
    return UNASSESSED_RGB if level is None else COLOUR_RGB[RiskLevel(level).colour]


def level_label(level: RiskLevel | None) -> str:
    """The level's Chinese name (e.g. 重大风险), or 未评估."""
    return UNASSESSED_LABEL if level is None else RiskLevel(level).label_zh


def ink_on(fill: RGB) -> RGB:
    """A text colour readable on `fill`: whichever of white and dark ink contrasts more (WCAG 2 ratio)."""
    return WHITE if contrast(fill, WHITE) >= contrast(fill, INK) else INK


def _luminance(rgb: RGB) -> float:
    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: RGB, b: RGB) -> float:
    """The WCAG 2 contrast ratio of two colours, 1 to 21."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)
