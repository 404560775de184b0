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

from PIL import Image, ImageOps

from domain.photos import images

QUALITY = 85


def enterprise_stamp(*, enterprise: str, accepted_at: datetime) -> tuple[str, ...]:
    """The lines burned into an enterprise's copy: the acceptance date and the enterprise, nothing of the reporter."""
    return (f"群众举报 受理 {accepted_at.astimezone(images.CAPTURE_ZONE):%Y-%m-%d}", enterprise)


def redacted_copy(path: Path, lines: tuple[str, ...], *, side: int = images.DISPLAY_SIDE) -> bytes:
    """A JPEG of the original's upright pixels at most `side` long, stamped with `lines`, without any metadata."""
    with Image.open(path, formats=tuple(images.MEDIA_TYPES)) as image:
        if image.format == "JPEG":
            image.draft("RGB", (side, side))
        upright = ImageOps.exif_transpose(image)
    upright.thumbnail((side, side), Image.Resampling.LANCZOS, reducing_gap=3.0)
    pixels = images._pixels_only(images._srgb(upright))
    images._burn_stamp(pixels, lines)
    return images._jpeg(pixels, QUALITY)
