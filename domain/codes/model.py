"""Pure rules of the codes: the QR content and the distance of a scan (the safety code's colour: domain.safety_code)."""

from __future__ import annotations

import math
from urllib.parse import urlsplit


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
