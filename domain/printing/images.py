"""Intake of uploaded images (hazard photos, site plans): accept real JPEG, PNG and WebP only, and refuse the rest.

Checks, cheapest first, so hostile bytes are refused before anything is decoded:

1. empty → ImageNotAccepted(reason="empty");
2. the magic bytes at offset 0 must be JPEG, PNG or WebP, so HTML, SVG, PDF, GIF, HEIC or text renamed to .jpg, and
   anything *prefixed* to an image, are refused → reason="unsupported_type" (params["detected"] names what it
   looks like, so the phone can say "HEIC: convert to JPEG");
3. polyglots: a PDF header anywhere (PDF readers find it well past the start) or markup in the first 1 KiB
   (where browsers sniff) → reason="mismatch"; so does Pillow naming a format other than the magic bytes';
4. width × height from the header (Image.open is lazy) above `max_pixels` → ImageTooManyPixels, before decoding;
   Pillow's own DecompressionBombError (beyond 2 × Image.MAX_IMAGE_PIXELS) maps to the same error;
5. `verify()` on one open (PNG: every chunk's CRC), then a full decode of a fresh open with
   ImageFile.LOAD_TRUNCATED_IMAGES False: truncated or corrupt data → reason="corrupt".

Bytes after a JPEG's end-of-image marker are accepted: phones append data there on purpose (Ultra HDR gain maps,
MPF depth maps, Motion Photo videos), and every derivative we serve is re-encoded. They are still scanned for a PDF
header, so a JPEG carrying a PDF is refused. Animated PNG/WebP are refused: a photo or plan is one still image.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Literal

from PIL import Image, ImageFile, ImageOps

from domain.errors import DomainError, InvalidInput

ImageFormat = Literal["JPEG", "PNG", "WEBP"]
ACCEPTED_FORMATS: tuple[ImageFormat, ...] = ("JPEG", "PNG", "WEBP")
DEFAULT_MAX_PIXELS = 40_000_000  # a 48 MP phone photo is refused; 40 MP still covers every common camera mode
PLAN_MAX_SIDE = 4096

_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
# Browsers sniff markup in about the first 1 KiB; searching the whole file for "<svg" would refuse ~1 in 500 large
# photos whose compressed data happens to contain it, while "%PDF-" is long enough to search everywhere.
_MARKUP_WINDOW = 1024
_MARKUP = (b"<html", b"<script", b"<svg", b"<!doctype", b"<iframe", b"<body", b"<?php", b"<head")
_PDF = b"%PDF-"


class ImageNotAccepted(InvalidInput):
    """Not a JPEG, PNG or WebP image, or a damaged one; params['reason'] is empty|unsupported_type|corrupt|mismatch."""

    code = "PHOTO_NOT_AN_IMAGE"


class ImageTooManyPixels(InvalidInput):
    """The image's header declares more pixels than allowed; refused before decoding."""

    code = "PHOTO_TOO_MANY_PIXELS"


@dataclass(frozen=True, slots=True)
class ImageInfo:
    """What an accepted image is: its format and its size in pixels."""

    format: ImageFormat
    width: int
    height: int


def inspect_image(data: bytes, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> ImageInfo:
    """The format and size of an acceptable image, or ImageNotAccepted / ImageTooManyPixels."""
    _, info = _open_checked(data, max_pixels, fast=True)
    return info


def open_image(data: bytes, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> Image.Image:
    """An acceptable image, fully decoded, upright (EXIF orientation applied) and flattened to RGB on white."""
    image, _ = _open_checked(data, max_pixels, fast=False)
    return _flatten_rgb(ImageOps.exif_transpose(image))


def normalise_plan(data: bytes, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> bytes:
    """An accepted site plan re-encoded as PNG: upright, RGB, longest side ≤ 4096 px, and no metadata at all."""
    image = open_image(data, max_pixels=max_pixels)
    image.thumbnail((PLAN_MAX_SIDE, PLAN_MAX_SIDE), Image.Resampling.LANCZOS)
    # A fresh image carries no EXIF (GPS!), ICC profile or text chunks from the upload.
    clean = Image.new("RGB", image.size)
    clean.paste(image)
    buffer = io.BytesIO()
    clean.save(buffer, format="PNG")
    return buffer.getvalue()


def _open_checked(data: bytes, max_pixels: int, *, fast: bool) -> tuple[Image.Image, ImageInfo]:
    if ImageFile.LOAD_TRUNCATED_IMAGES:
        # The flag is process-wide and we do not flip it (other threads decode too); with it on, truncated
        # uploads would pass as whole, so refuse to pretend.
        raise RuntimeError("inspect_image needs PIL.ImageFile.LOAD_TRUNCATED_IMAGES to be False")
    if not data:
        raise ImageNotAccepted("the file is empty", reason="empty")
    sniffed = _sniff(data)
    if sniffed is None:
        detected = _describe(data)
        raise ImageNotAccepted(
            f"only JPEG, PNG and WebP images are accepted; this looks like {detected}",
            reason="unsupported_type",
            detected=detected,
        )
    hidden = _hidden_content(data)
    if hidden is not None:
        raise ImageNotAccepted(
            f"the {sniffed} file also carries {hidden} content", reason="mismatch", format=sniffed, detected=hidden
        )

    try:
        # Only the three decoders we accept may look at the bytes: no other Pillow plugin is ever tried.
        with Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS) as probe:
            if probe.format != sniffed:
                raise ImageNotAccepted(
                    f"the file starts like {sniffed} but decodes as {probe.format}",
                    reason="mismatch",
                    format=sniffed,
                    detected=str(probe.format),
                )
            width, height = probe.size
            _check_pixels(width, height, max_pixels)
            if getattr(probe, "is_animated", False):
                raise ImageNotAccepted(
                    "animated images are not accepted", reason="unsupported_type", detected="animated"
                )
            probe.verify()
        image = Image.open(io.BytesIO(data), formats=(sniffed,))
        if fast and sniffed == "JPEG":
            # libjpeg's scaled decoding still reads every byte of entropy-coded data (so truncation is caught)
            # at a fraction of the time and memory of a full decode.
            image.draft(None, (max(1, width // 8), max(1, height // 8)))
        image.load()
    except DomainError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        # The warning only arrives as an exception where the application turned warnings into errors.
        raise ImageTooManyPixels(
            f"the image declares more pixels than allowed: {error}", max_pixels=max_pixels
        ) from None
    except Exception as error:
        raise ImageNotAccepted(
            f"the {sniffed} image is truncated or damaged: {type(error).__name__}: {error}",
            reason="corrupt",
            format=sniffed,
        ) from None
    return image, ImageInfo(format=sniffed, width=width, height=height)


def _check_pixels(width: int, height: int, max_pixels: int) -> None:
    if width <= 0 or height <= 0:
        raise ImageNotAccepted(f"the image declares a size of {width}×{height}", reason="corrupt")
    if width * height > max_pixels:
        raise ImageTooManyPixels(
            f"{width}×{height} is {width * height} pixels, more than the {max_pixels} allowed",
            width=width,
            height=height,
            pixels=width * height,
            max_pixels=max_pixels,
        )


def _sniff(data: bytes) -> ImageFormat | None:
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(_PNG_MAGIC):
        return "PNG"
    if len(data) >= 12 and data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def _describe(data: bytes) -> str:
    """A name for what a refused file looks like, for the phone to explain the refusal."""
    head = data[:_MARKUP_WINDOW].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if _PDF in data[:_MARKUP_WINDOW]:
        return "pdf"
    if data[4:8] == b"ftyp":
        brand = data[8:12]
        if brand in (b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1"):
            return "heic"
        if brand in (b"avif", b"avis"):
            return "avif"
        return "video"
    if data.startswith(b"BM"):
        return "bmp"
    if data.startswith((b"II*\x00", b"MM\x00*")):
        return "tiff"
    if b"<svg" in head:
        return "svg"
    if any(marker in head for marker in (b"<html", b"<!doctype", b"<head", b"<body", b"<script")):
        return "html"
    if head.startswith(b"<?xml"):
        return "xml"
    if data.startswith((b"PK\x03\x04", b"\x1f\x8b", b"7z\xbc\xaf")):
        return "archive"
    try:
        data[:_MARKUP_WINDOW].decode("utf-8")
    except UnicodeDecodeError:
        return "unknown"
    return "text"


def _hidden_content(data: bytes) -> str | None:
    if _PDF in data:
        return "pdf"
    head = data[:_MARKUP_WINDOW].lower()
    if any(marker in head for marker in _MARKUP):
        return "markup"
    return None


def _flatten_rgb(image: Image.Image) -> Image.Image:
    """RGB, with any transparency composited onto white (a transparent plan would otherwise turn black)."""
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return image if image.mode == "RGB" else image.convert("RGB")
