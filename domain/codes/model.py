"""Pure rules of the codes: the inherent colour of an enterprise code, the QR content, the distance of a scan."""

from __future__ import annotations

import math
from collections.abc import Iterable
from urllib.parse import urlsplit

from domain.risk.model import Colour, RiskLevel

_COLOUR_OF_WORST = {
    RiskLevel.MAJOR: Colour.RED,
    RiskLevel.LARGE: Colour.ORANGE,
    RiskLevel.GENERAL: Colour.YELLOW,
    RiskLevel.LOW: Colour.BLUE,
}
_SEVERITY = [RiskLevel.LOW, RiskLevel.GENERAL, RiskLevel.LARGE, RiskLevel.MAJOR]


def inherent_safety_colour(levels: Iterable[RiskLevel | None]) -> Colour:
    """The enterprise code's colour from inherent risk alone: the colour of its worst assessed point (blue if none).

    The dynamic colour, which also weighs behaviour (open major hazards, overdue work, credit), replaces this rule
    with the workers issue; until then the code shows what the enterprise's own risk grading says.
    """
    assessed = [level for level in levels if level is not None]
    if not assessed:
        return Colour.BLUE
    return _COLOUR_OF_WORST[max(assessed, key=_SEVERITY.index)]


def qr_content(public_base_url: str, token: str) -> str:
    """What a printed code holds: `<BASE>/Q/<token>`, upper-case where case does not matter.

    Scheme and host are case-insensitive, so writing them upper-case keeps the whole code in QR's alphanumeric
    mode and one version smaller (33×33 instead of 37×37 modules); a base URL with its own path keeps its case.
    """
    parts = urlsplit(public_base_url)
    base = public_base_url.upper() if parts.path in ("", "/") else public_base_url
    return f"{base.rstrip('/')}/Q/{token}"


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres (haversine; ample for proof of presence at a risk point)."""
    radius = 6_371_000.0
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = math.radians(lat2 - lat1), math.radians(lng2 - lng1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * radius * math.asin(math.sqrt(a))
