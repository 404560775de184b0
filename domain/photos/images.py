"""Photo evidence as pixels: what an original must be, its perceptual hash, and the derivatives people look at.

Pure: these functions read only the bytes or the path they are given and touch no database.

Intake (`inspect_photo`), cheapest check first, each refusal with its own code:

1. zero bytes → PhotoEmpty;
2. the magic bytes must be JPEG, PNG or WebP (the file name and the declared type are ignored): other images
   (GIF, BMP, TIFF, HEIC, AVIF …) → PhotoUnsupportedType; anything else (HTML, SVG, PDF, text, archives) →
   ImageNotAccepted (`PHOTO_NOT_AN_IMAGE`, params.detected names what it looks like);
3. one image and nothing else (polyglots → PhotoHiddenContent, params.reason):
   - `trailing_data`: the file must end where its image ends (JPEG: the end-of-image marker; PNG: the IEND chunk;
     WebP: the RIFF size), or NUL padding. So a JPEG with an appended ZIP, HTML, PDF or video (a Motion Photo) is
     refused: the phone sends the still. The original is served byte for byte later, so what is not image is not
     kept;
   - `undeclared_image`: after a JPEG, further complete JPEGs pass only as the secondary images (HDR gain maps,
     depth maps) of a Multi-Picture Format index (CIPA DC-007: an APP2 `MPF\\0` segment of the first image) whose
     entries point exactly at each of them, offset and size; any other appended image is refused;
   - `pdf`: a PDF header anywhere (PDF readers find it far from the start);
   - `markup`: HTML or SVG tags in the first 1 KiB (where browsers sniff);
   - `archive`: a ZIP end record in the last 64 KiB (where unzip looks for it, even inside the image);
   a file whose structure stops before its end marker is truncated → PhotoCorrupt (reason `truncated`);
4. width × height from the header (`Image.open` decodes nothing) above the cap → ImageTooManyPixels, before any
   decoding; Pillow's DecompressionBombError (and its warning, where warnings are errors) end in the same refusal,
   and `limit_pillow` keeps Pillow's threshold at or above the cap;
5. every byte of image data is decoded (a JPEG at 1/8 scale, which still reads its whole entropy-coded stream; a
   PNG after its CRCs are verified); a failure → PhotoCorrupt (reason `damaged`). That decode also gives the
   perceptual hash, and the EXIF gives the capture time and place the form may have left out.

Memory: a decode first reserves its cost (`decode_cost`: the pixels it will hold, at the reduced JPEG scale) from
the process's `DecodeBudget` (see budget.py), and the full-size pixels are dropped as soon as a small copy is made.
"""

from __future__ import annotations

import io
import math
import mmap
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Literal

from PIL import ExifTags, Image, ImageCms, ImageDraw, ImageFile

from domain.errors import DomainError, InvalidInput
from domain.photos.budget import DecodeBudget
from domain.printing._text import Style, clean, draw_lines, ellipsize
from domain.printing.images import ImageNotAccepted, ImageTooManyPixels

Buffer = bytes | bytearray | mmap.mmap
ImageFormat = Literal["JPEG", "PNG", "WEBP"]
MEDIA_TYPES: dict[str, str] = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
DISPLAY_SIDE = 1600  # long side of the stamped copy people look at on a phone or a desk
THUMB_SIDE = 320  # long side of the copy in lists
NEAR_DUPLICATE_BITS = 6  # re-saved, resized or lightly cropped copies of one photo stay within ~4 of 64 bits
CAPTURE_ZONE = timezone(timedelta(hours=8))  # EXIF times without an offset are Zhoushan's local time (UTC+8)

_SNIFF_WINDOW = 1024  # browsers sniff markup, and PDF readers look for their header, about this far
_ZIP_WINDOW = 65_535 + 22  # an end-of-central-directory record and the longest comment it may carry
_MARKUP = (b"<html", b"<script", b"<svg", b"<!doctype", b"<iframe", b"<body", b"<?php", b"<head", b"<object")
# Other images people send, by signature (offset, magic), so the phone can say "convert HEIC to JPEG".
_OTHER_IMAGES = (
    (0, b"GIF8", "gif"),
    (0, b"BM", "bmp"),
    (0, b"II*\x00", "tiff"),
    (0, b"MM\x00*", "tiff"),
    (0, b"\x00\x00\x01\x00", "ico"),
    (0, b"8BPS", "psd"),
    (0, b"qoif", "qoi"),
    (0, b"\xff\x0a", "jxl"),
    (4, b"ftypheic", "heic"),
    (4, b"ftypheix", "heic"),
    (4, b"ftyphevc", "heic"),
    (4, b"ftypmif1", "heic"),
    (4, b"ftypmsf1", "heic"),
    (4, b"ftypavif", "avif"),
    (4, b"ftypavis", "avif"),
    (4, b"jP  ", "jpeg2000"),
    (4, b"JXL ", "jxl"),
)
_ARCHIVES = (b"PK\x03\x04", b"PK\x05\x06", b"\x1f\x8b", b"7z\xbc\xaf", b"Rar!")
# JPEG markers that stand alone (no length): TEM and the restart markers.
_STANDALONE = frozenset({0x01, *range(0xD0, 0xD8)})


class PhotoEmpty(ImageNotAccepted):
    """The upload has no bytes at all."""

    code = "PHOTO_EMPTY"


class PhotoUnsupportedType(ImageNotAccepted):
    """An image, but not JPEG, PNG or WebP (or an animation); params['detected'] says which."""

    code = "PHOTO_UNSUPPORTED_TYPE"


class PhotoHiddenContent(ImageNotAccepted):
    """An image that carries something else too; params['reason']: trailing_data|undeclared_image|pdf|markup|archive."""

    code = "PHOTO_HIDDEN_CONTENT"


class PhotoCorrupt(ImageNotAccepted):
    """A JPEG, PNG or WebP that is truncated or does not decode; params['reason'] is truncated|damaged."""

    code = "PHOTO_CORRUPT"


class PhotoTooLarge(InvalidInput):
    """The upload is larger than the configured cap; refused while it streams, before it is all read."""

    code = "PHOTO_TOO_LARGE"


@dataclass(frozen=True, slots=True)
class Inspected:
    """An accepted original: format, upright size, perceptual hash, and what its EXIF says about the capture."""

    format: ImageFormat
    width: int
    height: int
    phash: str
    taken_at: datetime | None = None
    lat: float | None = None
    lng: float | None = None

    @property
    def media_type(self) -> str:
        """The content type the original is served with."""
        return MEDIA_TYPES[self.format]


def limit_pillow(max_pixels: int) -> None:
    """Keep Pillow's own bomb check (a backstop) from refusing what our cap accepts; below it, nothing changes.

    Pillow warns above `Image.MAX_IMAGE_PIXELS` (89.5 M by default) and raises above twice that; our header check
    refuses anything over the cap first, and both of Pillow's signals end in the same refusal. Process-wide state is
    only touched when the cap is set above Pillow's limit.
    """
    if Image.MAX_IMAGE_PIXELS is not None and max_pixels > Image.MAX_IMAGE_PIXELS:
        Image.MAX_IMAGE_PIXELS = max_pixels


def inspect_photo(path: Path, *, max_pixels: int, budget: DecodeBudget | None = None) -> Inspected:
    """Check an uploaded original (see the module's rules) and read what it is; raises an ImageNotAccepted kind."""
    if ImageFile.LOAD_TRUNCATED_IMAGES:
        # Process-wide, and we never flip it: with it on, a truncated upload would decode as whole.
        raise RuntimeError("inspect_photo needs PIL.ImageFile.LOAD_TRUNCATED_IMAGES to be False")
    with open(path, "rb") as handle:
        if not (size := handle.seek(0, io.SEEK_END)):
            raise PhotoEmpty("the file is empty")
        with mmap.mmap(handle.fileno(), size, access=mmap.ACCESS_READ) as data:
            image_format = sniff(data)
            check_single_image(data, image_format)
    return _decode(path, image_format, max_pixels, budget)


def sniff(data: Buffer) -> ImageFormat:
    """The accepted format the magic bytes announce, or the refusal that says what the file is instead."""
    head = bytes(data[:_SNIFF_WINDOW])
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "WEBP"
    for offset, magic, name in _OTHER_IMAGES:
        if head[offset : offset + len(magic)] == magic:
            raise PhotoUnsupportedType(f"{name} images are not accepted; send JPEG, PNG or WebP", detected=name)
    detected = _what_else(head)
    raise ImageNotAccepted(
        f"only JPEG, PNG and WebP images are accepted; this looks like {detected}",
        reason="unsupported_type",
        detected=detected,
    )


def _what_else(head: bytes) -> str:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if b"%pdf-" in head.lower():
        return "pdf"
    if b"<svg" in text:
        return "svg"
    if any(tag in text for tag in _MARKUP):
        return "html"
    if text.startswith(b"<?xml"):
        return "xml"
    if head.startswith(_ARCHIVES):
        return "archive"
    if head[4:8] == b"ftyp":
        return "video"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return "unknown"
    return "text"


def check_single_image(data: Buffer, image_format: ImageFormat) -> None:
    """Refuse a file that is more than its one image (a polyglot), or whose image stops before its end marker."""
    end = _IMAGE_END[image_format](data, 0)
    if image_format == "JPEG":
        appended = []
        while data[end : end + 3] == b"\xff\xd8\xff":
            start, end = end, _jpeg_end(data, end)  # a whole JPEG of its own: an MPF secondary image, if declared
            appended.append((start, end - start))
        if appended and appended != mpf_secondary_images(data):
            raise PhotoHiddenContent(
                f"{len(appended)} more image(s) follow the photo that its MPF index does not declare",
                reason="undeclared_image",
                images=len(appended),
            )
    if end < len(data) and bytes(data[end:]).strip(b"\x00"):
        raise PhotoHiddenContent(
            f"{len(data) - end} bytes follow the end of the image",
            reason="trailing_data",
            trailing_bytes=len(data) - end,
        )
    if data.find(b"%PDF-") >= 0:
        raise PhotoHiddenContent("the image also carries a PDF", reason="pdf")
    if any(tag in bytes(data[:_SNIFF_WINDOW]).lower() for tag in _MARKUP):
        raise PhotoHiddenContent("the image starts with markup that browsers would read as a page", reason="markup")
    record = data.rfind(b"PK\x05\x06", max(0, len(data) - _ZIP_WINDOW))
    if record >= 0 and data[record + 4 : record + 8] == b"\x00\x00\x00\x00":
        raise PhotoHiddenContent("the image also carries a ZIP archive", reason="archive")


def mpf_secondary_images(data: Buffer) -> list[tuple[int, int]] | None:
    """(offset, size) in the file of each further image the first JPEG's MPF index declares; None without an index.

    The index is the APP2 segment `MPF\\0` before the first scan: a TIFF header (the base of its offsets), an IFD
    with NumberOfImages (B001) and MPEntry (B002: 16 bytes an image, attribute, size, offset, two entry numbers).
    The first entry is the primary image (offset 0). Anything unreadable or out of bounds reads as no index.
    """
    pos, size = 2, len(data)
    while pos + 4 <= size and data[pos] == 0xFF:
        marker = data[pos + 1]
        if marker == 0xFF:  # a fill byte before the marker
            pos += 1
            continue
        if marker in (0xDA, 0xD9):
            return None
        if marker in _STANDALONE:
            pos += 2
            continue
        length = data[pos + 2] << 8 | data[pos + 3]
        if marker == 0xE2 and bytes(data[pos + 4 : pos + 8]) == b"MPF\x00":
            return _mp_entries(bytes(data[pos + 8 : pos + 2 + length]), base=pos + 8)
        pos += 2 + length
    return None


def _mp_entries(index: bytes, *, base: int) -> list[tuple[int, int]] | None:
    order = {b"II*\x00": "<", b"MM\x00*": ">"}.get(index[:4])
    if order is None:
        return None
    number = entries = None
    try:
        (ifd,) = struct.unpack_from(order + "L", index, 4)
        (count,) = struct.unpack_from(order + "H", index, ifd)
        for n in range(count):
            tag, _kind, items, value = struct.unpack_from(order + "HHLL", index, ifd + 2 + 12 * n)
            if tag == 0xB001:
                number = value
            elif tag == 0xB002:
                entries = (value, items)
        if not number or entries is None or entries[1] != 16 * number:
            return None
        declared = [struct.unpack_from(order + "LLLHH", index, entries[0] + 16 * n) for n in range(number)]
    except struct.error:
        return None
    if declared[0][2] != 0:
        return None
    return [(base + offset, length) for _attribute, length, offset, _first, _second in declared[1:]]


def _truncated(what: str) -> PhotoCorrupt:
    return PhotoCorrupt(f"the image stops early: {what}", reason="truncated")


def _damaged(what: str) -> PhotoCorrupt:
    return PhotoCorrupt(f"the image is damaged: {what}", reason="damaged")


def _jpeg_end(data: Buffer, start: int) -> int:
    """The offset just past the end-of-image marker of the JPEG starting at `start`."""
    size, pos, frames, scans = len(data), start + 2, 0, 0
    while True:
        if pos >= size:
            raise _truncated("no end-of-image marker")
        if data[pos] != 0xFF:
            raise _damaged(f"a marker was expected at byte {pos}")
        while pos < size and data[pos] == 0xFF:  # any marker may be preceded by fill bytes
            pos += 1
        if pos >= size:
            raise _truncated("no end-of-image marker")
        marker, pos = data[pos], pos + 1
        if marker == 0xD9:
            if not (frames and scans):
                raise _damaged("an end-of-image marker before any image data")
            return pos
        if marker in _STANDALONE:
            continue
        if marker in (0x00, 0xD8) or 0x02 <= marker <= 0xBF:
            raise _damaged(f"marker 0x{marker:02X} at byte {pos - 1}")
        if pos + 2 > size:
            raise _truncated("a segment header is cut off")
        length = data[pos] << 8 | data[pos + 1]
        if length < 2:
            raise _damaged(f"a segment of length {length}")
        pos += length
        if pos > size:
            raise _truncated("a segment is cut off")
        frames += 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC)
        if marker == 0xDA:
            if not frames:
                raise _damaged("scan data before the frame header")
            scans += 1
            pos = _entropy_end(data, pos)


def _entropy_end(data: Buffer, pos: int) -> int:
    """The offset of the marker that ends the entropy-coded data starting at `pos`."""
    while True:
        found = data.find(b"\xff", pos)
        if found < 0 or found + 1 >= len(data):
            raise _truncated("the scan data has no end")
        following = data[found + 1]
        # FF00 is a stuffed data byte, FFD0–FFD7 a restart marker, FFFF fill: all part of the scan.
        if following == 0x00 or 0xD0 <= following <= 0xD7:
            pos = found + 2
        elif following == 0xFF:
            pos = found + 1
        else:
            return found


def _png_end(data: Buffer, start: int) -> int:
    """The offset just past the IEND chunk (walks chunk lengths only; the CRCs are Pillow's to verify)."""
    size, pos = len(data), start + 8
    while True:
        if pos + 8 > size:
            raise _truncated("no IEND chunk")
        length = int.from_bytes(data[pos : pos + 4], "big")
        kind = bytes(data[pos + 4 : pos + 8])
        if length > 0x7FFFFFFF or not kind.isalpha() or (pos == start + 8 and kind != b"IHDR"):
            raise _damaged(f"a chunk header at byte {pos}")
        pos += 12 + length
        if pos > size:
            raise _truncated(f"the {kind.decode()} chunk is cut off")
        if kind == b"IEND":
            return pos


def _webp_end(data: Buffer, start: int) -> int:
    """The offset just past the RIFF container, as its size field states."""
    end = start + 8 + int.from_bytes(data[start + 4 : start + 8], "little")
    if end > len(data):
        raise _truncated("the RIFF container is cut off")
    return end


_IMAGE_END = {"JPEG": _jpeg_end, "PNG": _png_end, "WEBP": _webp_end}


def _decode(path: Path, image_format: ImageFormat, max_pixels: int, budget: DecodeBudget | None) -> Inspected:
    try:
        # Only the decoder the magic bytes named may look at the file: no other Pillow plugin is ever tried.
        with Image.open(path, formats=(image_format,)) as probe:
            width, height = probe.size
            _check_pixels(width, height, max_pixels)
            # A JPEG's further frames are MPF secondary images (checked above), never an animation.
            if image_format != "JPEG" and getattr(probe, "is_animated", False):
                raise PhotoUnsupportedType("animated images are not accepted", detected="animated")
            if image_format == "PNG":
                probe.verify()
        with Image.open(path, formats=(image_format,)) as image:
            if image_format == "JPEG":
                # libjpeg's scaled decoding reads every byte of entropy-coded data (so damage is still caught)
                # for a fraction of the time and memory; grey is all the hash needs.
                image.draft("L", (max(1, width // 8), max(1, height // 8)))
            with _reserved(budget, image):
                image.load()
                exif = image.getexif()  # after the load: a PNG's getexif decodes the whole image to look for eXIf
                small = _hash_source(image)
                image.close()  # the full-size pixels go now, not when the reservation is long over
    except DomainError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ImageTooManyPixels(f"the image declares too many pixels: {error}", max_pixels=max_pixels) from None
    except Exception as error:
        raise _damaged(f"{type(error).__name__}: {error}") from None
    orientation = exif.get(ExifTags.Base.Orientation)
    if orientation in (5, 6, 7, 8):
        width, height = height, width
    taken_at, lat, lng = capture_from_exif(exif)
    return Inspected(image_format, width, height, dhash(_upright(small, orientation)), taken_at, lat, lng)


# Bytes a decoded pixel takes in Pillow's memory: one for 1/L/P, two for 16-bit grey, four for all else (RGB too).
_PIXEL_BYTES = {"1": 1, "L": 1, "P": 1, "I;16": 2, "I;16L": 2, "I;16B": 2, "I;16N": 2}
# Modes whose shrinking needs a full-size working copy first: premultiplied alpha (Pillow's reduce and resize make
# one), or a conversion to a mode `reduce` takes.
_COPIED_TO_SHRINK = {
    "LA": 4,
    "PA": 4,
    "RGBA": 4,
    "La": 4,
    "RGBa": 4,
    "P": 4,
    "1": 1,
    "I;16": 4,
    "I;16L": 4,
    "I;16B": 4,
    "I;16N": 4,
}


def decode_cost(image: Image.Image, resized_to: int = 0) -> int:
    """Bytes of memory decoding this opened (and, for a JPEG, drafted) image and shrinking it will hold at once.

    `resized_to`: the long side of a resampled copy (Pillow resamples one axis at a time, and the first pass holds
    `resized_to` × the other full side). Measured in bench/photo_memory.py: the peaks match within a few MB.
    """
    width, height = image.size
    pixel_bytes = _PIXEL_BYTES.get(image.mode, 4)
    first_pass = resized_to * max(width, height) * 4 if resized_to and resized_to < max(width, height) else 0
    return width * height * (pixel_bytes + _COPIED_TO_SHRINK.get(image.mode, 0)) + first_pass


@contextmanager
def _reserved(budget: DecodeBudget | None, image: Image.Image, resized_to: int = 0) -> Iterator[None]:
    if budget is None:
        yield
        return
    with budget.reserve(decode_cost(image, resized_to)):
        yield


def _hash_source(image: Image.Image) -> Image.Image:
    """A small grey copy of a decoded image, still large enough for the 9×8 hash to see the same picture."""
    if image.mode not in ("L", "LA", "RGB", "RGBA", "I", "F", "CMYK", "YCbCr", "PA"):
        image = image.convert("RGBA" if "transparency" in image.info else "RGB" if image.mode == "P" else "L")
    factor = max(1, min(image.size) // 128)  # the hash's own resize reduces by a factor first too
    small = image.reduce(factor) if factor > 1 else image.copy()
    return small if small.mode == "L" else _flat_rgb(small).convert("L")


_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def _upright(image: Image.Image, orientation: object) -> Image.Image:
    """The image turned as its EXIF orientation says (as `ImageOps.exif_transpose`, without copying when upright)."""
    method = _TRANSPOSE.get(orientation) if isinstance(orientation, int) else None
    return image.transpose(method) if method is not None else image


def _check_pixels(width: int, height: int, max_pixels: int) -> None:
    if width <= 0 or height <= 0:
        raise _damaged(f"a declared size of {width}×{height}")
    if width * height > max_pixels:
        raise ImageTooManyPixels(
            f"{width}×{height} is more than the {max_pixels} pixels allowed",
            width=width,
            height=height,
            pixels=width * height,
            max_pixels=max_pixels,
        )


# --- perceptual hash ------------------------------------------------------------------------------------------------


def dhash(image: Image.Image) -> str:
    """The 64-bit difference hash (16 hex digits) of an upright image: is each of 8×8 cells brighter than its right?"""
    grey = image if image.mode == "L" else _flat_rgb(image).convert("L")
    small = grey.resize((9, 8), Image.Resampling.LANCZOS, reducing_gap=2.0).tobytes()
    bits = 0
    for row in range(8):
        for col in range(8):
            bits = bits << 1 | (small[row * 9 + col] > small[row * 9 + col + 1])
    return f"{bits:016x}"


def hamming(a_hex: str, b_hex: str) -> int:
    """How many of the 64 bits two hashes differ in."""
    return (int(a_hex, 16) ^ int(b_hex, 16)).bit_count()


def is_near_duplicate(a: str, b: str, threshold: int = NEAR_DUPLICATE_BITS) -> bool:
    """True when two dHashes differ in at most `threshold` bits (a missing hash is never a duplicate)."""
    return bool(a and b) and hamming(a, b) <= threshold


# --- capture data from EXIF ----------------------------------------------------------------------------------------


def capture_from_exif(exif: Image.Exif) -> tuple[datetime | None, float | None, float | None]:
    """(time taken, latitude, longitude) from EXIF; each None when absent or unreadable."""
    return _exif_time(exif.get_ifd(ExifTags.IFD.Exif)), *_exif_position(exif.get_ifd(ExifTags.IFD.GPSInfo))


def _exif_time(tags: dict) -> datetime | None:
    text, offset = tags.get(ExifTags.Base.DateTimeOriginal), tags.get(ExifTags.Base.OffsetTimeOriginal)
    try:
        taken = datetime.strptime(str(text).strip("\x00 "), "%Y:%m:%d %H:%M:%S")
        if offset:
            return datetime.strptime(f"{taken:%Y-%m-%d %H:%M:%S}{str(offset).strip()}", "%Y-%m-%d %H:%M:%S%z")
    except ValueError:
        return None
    return taken.replace(tzinfo=CAPTURE_ZONE)


def _exif_position(gps: dict) -> tuple[float | None, float | None]:
    try:
        lat = _degrees(gps[ExifTags.GPS.GPSLatitude], gps[ExifTags.GPS.GPSLatitudeRef], "S")
        lng = _degrees(gps[ExifTags.GPS.GPSLongitude], gps[ExifTags.GPS.GPSLongitudeRef], "W")
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None, None
    if not (math.isfinite(lat) and math.isfinite(lng) and abs(lat) <= 90 and abs(lng) <= 180):
        return None, None
    return lat, lng


def _degrees(dms, ref, negative: str) -> float:
    degrees, minutes, seconds = (float(part) for part in dms)
    value = degrees + minutes / 60 + seconds / 3600
    ref = ref.decode() if isinstance(ref, bytes) else str(ref)
    return -value if ref.strip("\x00 ").upper() == negative else value


# --- derivatives ----------------------------------------------------------------------------------------------------


def stamp_lines(
    *,
    taken_at: datetime | None,
    uploaded_at: datetime,
    lat: float | None,
    lng: float | None,
    place: str = "",
    enterprise: str = "",
) -> tuple[str, ...]:
    """The text burned into a display copy: when it was taken, where, and for which enterprise."""
    when = (
        f"拍摄 {taken_at.astimezone(CAPTURE_ZONE):%Y-%m-%d %H:%M:%S}"
        if taken_at
        else (f"上传 {uploaded_at.astimezone(CAPTURE_ZONE):%Y-%m-%d %H:%M:%S}")
    )
    where = [part for part in (place, _coordinates(lat, lng)) if part]
    lines = [when, "地点 " + " · ".join(where) if where else "", enterprise]
    return tuple(line for line in lines if line)


def _coordinates(lat: float | None, lng: float | None) -> str:
    if lat is None or lng is None:
        return ""
    return f"{abs(lat):.5f}°{'S' if lat < 0 else 'N'} {abs(lng):.5f}°{'W' if lng < 0 else 'E'}"


def render_derivatives(
    path: Path,
    lines: tuple[str, ...],
    *,
    display_side: int = DISPLAY_SIDE,
    thumb_side: int = THUMB_SIDE,
    budget: DecodeBudget | None = None,
) -> tuple[bytes, bytes]:
    """(display, thumb) JPEGs of an accepted original: upright, sRGB, no metadata at all; the display stamped."""
    with Image.open(path, formats=tuple(MEDIA_TYPES)) as image:
        if image.format == "JPEG":
            # Decode at the smallest 1/2^n scale still at least the display size: a 12 MP photo decodes in a quarter.
            ratio = display_side / max(image.size)
            image.draft("RGB", (math.ceil(image.width * ratio), math.ceil(image.height * ratio)))
        with _reserved(budget, image, display_side):
            image.load()
            orientation = image.getexif().get(ExifTags.Base.Orientation)  # after the load (see _decode)
            # Shrunk in place before anything else: the full-size pixels are freed here, never copied (turning
            # them upright first, as before, held a second full-size copy).
            image.thumbnail((display_side, display_side), Image.Resampling.LANCZOS, reducing_gap=3.0)
        display = _pixels_only(_srgb(_upright(image, orientation)))
    thumb = display.copy()
    thumb.thumbnail((thumb_side, thumb_side), Image.Resampling.LANCZOS)
    _burn_stamp(display, lines)
    return _jpeg(display, 82), _jpeg(thumb, 75)


def _srgb(image: Image.Image) -> Image.Image:
    """The image in sRGB: its ICC profile applied (rather than dropped, which would shift its colours), flattened."""
    profile = image.info.get("icc_profile")
    flat = _flat_rgb(image)
    if not profile:
        return flat
    try:
        return ImageCms.profileToProfile(flat, io.BytesIO(profile), ImageCms.createProfile("sRGB"), outputMode="RGB")
    except (ImageCms.PyCMSError, OSError, ValueError):
        return flat  # a broken profile: the pixels as they are beat no picture


def _flat_rgb(image: Image.Image) -> Image.Image:
    """RGB, with transparency composited onto white (a transparent PNG would otherwise turn black)."""
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info:
        return Image.alpha_composite(Image.new("RGBA", image.size, "white"), image.convert("RGBA")).convert("RGB")
    return image if image.mode == "RGB" else image.convert("RGB")


def _pixels_only(image: Image.Image) -> Image.Image:
    """A new image holding the pixels and nothing else: no EXIF (GPS!), ICC, XMP or comments can ride along."""
    fresh = Image.new("RGB", image.size)
    fresh.paste(image)
    return fresh


def _burn_stamp(image: Image.Image, lines: tuple[str, ...]) -> None:
    """Darken a band at the bottom and write the lines on it in white (as many as fit)."""
    style = Style(max(12, round(min(image.size) * 0.026)))
    pad = max(4, style.size // 2)
    room = (image.height - 2 * pad) // style.line_height
    shown = [ellipsize(clean(line), style, image.width - 2 * pad) for line in lines[: max(0, room)]]
    if not shown:
        return
    box = (0, image.height - 2 * pad - style.line_height * len(shown), image.width, image.height)
    band = image.crop(box)
    image.paste(Image.blend(band, Image.new("RGB", band.size), 0.55), box)
    draw_lines(ImageDraw.Draw(image), (pad, box[1] + pad), shown, style, (255, 255, 255))


def _jpeg(image: Image.Image, quality: int) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()
