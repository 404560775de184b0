"""Pure rules of the codes: the QR content (the distance of a scan: domain.inspections.model; the colour: safety_code)."""

from __future__ import annotations

from urllib.parse import urlsplit

from domain.inspections.model import distance_m as distance_m  # re-exported: the distance of a scan


def qr_content(public_base_url: str, token: str) -> str:
    """What a printed code holds: `<BASE>/Q/<token>`, upper-case where case does not matter.

    Scheme and host are case-insensitive, so writing them upper-case keeps the whole code in QR's alphanumeric
    mode and one version smaller (33×33 instead of 37×37 modules); a base URL with its own path keeps its case.
    """
    parts = urlsplit(public_base_url)
    base = public_base_url.upper() if parts.path in ("", "/") else public_base_url
    return f"{base.rstrip('/')}/Q/{token}"
