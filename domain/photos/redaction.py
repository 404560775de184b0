"""Copies of a whistleblower's photo for the enterprise it is about: new pixels, nothing of the reporter.

Pure: reads the original it is given, returns new bytes. The copy is re-encoded from the pixels alone (no EXIF,
GPS, XMP, ICC profile, comment or MPF secondary image can ride along), scaled to the display size (the full
resolution stays with the regulator) and stamped with the enterprise's name and the date the report was accepted,
never with the reporter's place or capture time. Its bytes, and so its SHA-256, differ from the original's: the
hash on the enterprise's hazard cannot be matched against the reporter's own copy.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from domain.photos import images
from domain.photos.budget import DecodeBudget


def enterprise_stamp(*, enterprise: str, accepted_at: datetime) -> tuple[str, ...]:
    """The lines burned into an enterprise's copy: the acceptance date and the enterprise, nothing of the reporter."""
    return (f"群众举报 受理 {accepted_at.astimezone(images.CAPTURE_ZONE):%Y-%m-%d}", enterprise)


def redacted_copy(
    path: Path, lines: tuple[str, ...], *, side: int = images.DISPLAY_SIDE, budget: DecodeBudget | None = None
) -> bytes:
    """A JPEG of the original's upright pixels at most `side` long, stamped with `lines`, without any metadata.

    It is the display copy `images.render_derivatives` makes (sRGB pixels drawn into a new image, so no EXIF, GPS,
    XMP, ICC profile or comment can ride along), stamped with the enterprise's lines instead of the capture's;
    its decode reserves its cost in `budget` like every other.
    """
    display, _ = images.render_derivatives(path, lines, display_side=side, budget=budget)
    return display
