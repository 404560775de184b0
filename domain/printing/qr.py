"""QR codes of risk points and enterprises, as PNG, SVG or a Pillow image to compose onto cards and labels."""

from __future__ import annotations

import io

import qrcode
import qrcode.constants
import qrcode.image.svg
from PIL import Image

# M recovers ~15 % of damaged modules: enough for a card that gets dirty on a plant wall, while keeping the code
# one version smaller than Q or H so modules stay large when printed small on a label.
ERROR_CORRECTION = qrcode.constants.ERROR_CORRECT_M
QUIET_ZONE = 4  # modules of white around the code, as the QR standard requires


def _code(content: str, *, box_size: int = 8, border: int = QUIET_ZONE) -> qrcode.QRCode:
    code = qrcode.QRCode(version=None, error_correction=ERROR_CORRECTION, box_size=box_size, border=border)
    code.add_data(content)
    code.make(fit=True)  # the smallest version that holds the content
    return code


def qr_matrix(content: str, *, border: int = QUIET_ZONE) -> list[list[bool]]:
    """The modules of the code (True is dark), quiet zone included."""
    return _code(content, border=border).get_matrix()


def qr_image(content: str, *, box_size: int = 8, border: int = QUIET_ZONE) -> Image.Image:
    """The code as a black-on-white RGB image, `box_size` px per module."""
    image = _code(content, box_size=box_size, border=border).make_image()
    return image.get_image().convert("RGB")


def qr_image_within(content: str, max_px: int, *, border: int = QUIET_ZONE) -> Image.Image:
    """The code at the largest whole number of px per module that fits in `max_px` (never resampled)."""
    modules = len(qr_matrix(content, border=border))
    # Whole pixels per module keep every module the same size; a resampled QR blurs and scans badly.
    return qr_image(content, box_size=max(1, max_px // modules), border=border)


def qr_png(content: str, *, box_size: int = 8, border: int = QUIET_ZONE) -> bytes:
    """The code as a 1-bit PNG."""
    buffer = io.BytesIO()
    _code(content, box_size=box_size, border=border).make_image().save(buffer, format="PNG")
    return buffer.getvalue()


def qr_svg(content: str) -> bytes:
    """The code as an SVG document of a single path (scales to any print size)."""
    image = _code(content, box_size=10).make_image(image_factory=qrcode.image.svg.SvgPathImage)
    return image.to_string(encoding="utf-8")
