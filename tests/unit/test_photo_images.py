"""Photo intake, perceptual hash and derivatives on real files: what is accepted, what is refused and with which code.

The factories here make small camera-like files (EXIF orientation, GPS, capture time, ICC, XMP) and the attack
corpus; tests/api/test_photos.py sends the same files through the API.
"""

from __future__ import annotations

import io
import struct
import time
import zipfile
import zlib
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from PIL import ExifTags, Image, ImageCms, ImageDraw

from domain.photos import images
from domain.photos.images import PhotoCorrupt, PhotoEmpty, PhotoHiddenContent, PhotoUnsupportedType
from domain.printing.images import ImageNotAccepted, ImageTooManyPixels

MAX_PIXELS = 50_000_000
TAKEN = datetime(2026, 11, 28, 14, 3, 5, tzinfo=timezone(timedelta(hours=8)))


def scene(size=(640, 480), seed: int = 0) -> Image.Image:
    """A photo-like picture: red sky over blue ground (so orientation shows), a gradient and some shapes."""
    width, height = size
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    for y in range(height):
        top = y < height // 2
        shade = (y * 97 // height + seed * 13) % 60
        draw.line([(0, y), (width, y)], fill=(200 + shade // 2, 40 + shade, 40) if top else (40, 40 + shade, 200))
    for n in range(6):
        x, y = (n * 97 + seed * 31) % width, (n * 53 + seed * 17) % height
        draw.ellipse([x, y, x + width // 8, y + height // 8], fill=((n * 40) % 256, 255 - n * 30, (seed * 50) % 256))
    return image


def camera_exif(orientation: int = 6) -> Image.Exif:
    """EXIF as a phone writes it: orientation, make, capture time with offset, and a GPS fix in Zhoushan."""
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "Xiaomi"
    taken = exif.get_ifd(ExifTags.IFD.Exif)
    taken[ExifTags.Base.DateTimeOriginal] = TAKEN.strftime("%Y:%m:%d %H:%M:%S")
    taken[ExifTags.Base.OffsetTimeOriginal] = "+08:00"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps.update(
        {
            ExifTags.GPS.GPSLatitudeRef: "N",
            ExifTags.GPS.GPSLatitude: (30.0, 3.0, 0.72),
            ExifTags.GPS.GPSLongitudeRef: "E",
            ExifTags.GPS.GPSLongitude: (121.0, 57.0, 0.0),
        }
    )
    return exif


def camera_jpeg(size=(640, 480), orientation: int = 6, seed: int = 0, quality: int = 90) -> bytes:
    """A JPEG as a phone stores it: sideways pixels with orientation 6, EXIF with GPS, an ICC profile and XMP."""
    buffer = io.BytesIO()
    scene(size, seed).save(
        buffer,
        "JPEG",
        quality=quality,
        exif=camera_exif(orientation),
        icc_profile=ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes(),
        xmp=b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF/></x:xmpmeta>',
        comment=b"camera comment",
    )
    return buffer.getvalue()


def encoded(image: Image.Image, image_format: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, image_format, **options)
    return buffer.getvalue()


def png_with_alpha() -> bytes:
    image = scene((300, 200), seed=2).convert("RGBA")
    image.putalpha(Image.linear_gradient("L").resize((300, 200)))
    return encoded(image, "PNG")


def webp() -> bytes:
    return encoded(scene((320, 240), seed=3), "WEBP", quality=80)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(width: int = 100_000, height: int = 100_000) -> bytes:
    """A valid, tiny PNG whose header claims width × height pixels (its data would inflate to gigabytes)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"\0" * 1024))
        + _chunk(b"IEND", b"")
    )


def attack_corpus() -> dict[str, tuple[bytes, str]]:
    """name → (bytes, the code they must be refused with)."""
    photo = camera_jpeg(seed=5)
    middle = (photo.index(b"\xff\xda") + len(photo)) // 2
    table = photo.index(b"\xff\xc4")
    zip_file = io.BytesIO()
    with zipfile.ZipFile(zip_file, "w") as archive:
        archive.writestr("payload.html", "<script>alert(1)</script>")
    pdf = b"%PDF-1.7 1 0 obj <</Type /Catalog>> endobj"
    with_pdf_comment = photo[:2] + b"\xff\xfe" + struct.pack(">H", len(pdf) + 2) + pdf + photo[2:]  # a COM segment
    return {
        "zero-bytes": (b"", "PHOTO_EMPTY"),
        "html-renamed-jpg": (
            b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>",
            "PHOTO_NOT_AN_IMAGE",
        ),
        "svg-renamed-jpg": (
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
            "PHOTO_NOT_AN_IMAGE",
        ),
        "pdf": (b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<<>>\n%%EOF\n", "PHOTO_NOT_AN_IMAGE"),
        "jpeg-plus-zip": (photo + zip_file.getvalue(), "PHOTO_HIDDEN_CONTENT"),
        "jpeg-plus-html": (photo + b"<html><script>alert(1)</script></html>", "PHOTO_HIDDEN_CONTENT"),
        "jpeg-with-pdf-inside": (with_pdf_comment, "PHOTO_HIDDEN_CONTENT"),
        "truncated-jpeg": (photo[: len(photo) * 2 // 3], "PHOTO_CORRUPT"),
        "corrupt-jpeg-scan": (
            photo[:middle] + bytes((n * 151 + 255) % 256 for n in range(600)) + photo[middle + 600 :],
            "PHOTO_CORRUPT",
        ),
        "corrupt-jpeg-table": (photo[: table + 5] + b"\xee" * 16 + photo[table + 21 :], "PHOTO_CORRUPT"),
        "gif": (encoded(scene((64, 48)), "GIF"), "PHOTO_UNSUPPORTED_TYPE"),
        "bmp": (encoded(scene((64, 48)), "BMP"), "PHOTO_UNSUPPORTED_TYPE"),
        "tiff": (encoded(scene((64, 48)), "TIFF"), "PHOTO_UNSUPPORTED_TYPE"),
        "pixel-bomb-png": (png_bomb(), "PHOTO_TOO_MANY_PIXELS"),
    }


def inspect(tmp_path: Path, data: bytes, max_pixels: int = MAX_PIXELS) -> images.Inspected:
    path = tmp_path / "upload.part"
    path.write_bytes(data)
    return images.inspect_photo(path, max_pixels=max_pixels)


def test_a_camera_jpeg_is_accepted_upright_with_its_capture_time_and_place(tmp_path):
    found = inspect(tmp_path, camera_jpeg((640, 480), orientation=6))
    assert (found.format, found.media_type) == ("JPEG", "image/jpeg")
    assert (found.width, found.height) == (480, 640)  # orientation 6 stands the landscape pixels up
    assert found.taken_at == TAKEN
    assert found.lat == pytest.approx(30.0502, abs=1e-4) and found.lng == pytest.approx(121.95, abs=1e-4)
    assert len(found.phash) == 16 and int(found.phash, 16) >= 0


@pytest.mark.parametrize("data, image_format", [(png_with_alpha(), "PNG"), (webp(), "WEBP")], ids=["png", "webp"])
def test_png_and_webp_are_accepted(tmp_path, data, image_format):
    found = inspect(tmp_path, data)
    assert found.format == image_format and found.width > found.height
    assert found.taken_at is None and found.lat is None


@pytest.mark.parametrize("name", list(attack_corpus()))
def test_every_file_of_the_attack_corpus_is_refused_with_its_code(tmp_path, name):
    data, code = attack_corpus()[name]
    with pytest.raises((ImageNotAccepted, ImageTooManyPixels)) as refused:
        inspect(tmp_path, data)
    assert refused.value.code == code, refused.value.detail


def test_the_refusals_say_what_the_file_is(tmp_path):
    corpus = attack_corpus()
    for name, detected in [("html-renamed-jpg", "html"), ("svg-renamed-jpg", "svg"), ("pdf", "pdf"), ("gif", "gif")]:
        with pytest.raises(ImageNotAccepted) as refused:
            inspect(tmp_path, corpus[name][0])
        assert refused.value.params["detected"] == detected
    for name, reason in [
        ("jpeg-plus-zip", "trailing_data"),
        ("jpeg-with-pdf-inside", "pdf"),
        ("truncated-jpeg", "truncated"),
        ("corrupt-jpeg-scan", "damaged"),
        ("corrupt-jpeg-table", "damaged"),
    ]:
        with pytest.raises(ImageNotAccepted) as refused:
            inspect(tmp_path, corpus[name][0])
        assert refused.value.params["reason"] == reason, name


def test_a_pixel_bomb_is_refused_from_its_header_at_once(tmp_path):
    started = time.perf_counter()
    with pytest.raises(ImageTooManyPixels):
        inspect(tmp_path, png_bomb())
    with pytest.raises(ImageTooManyPixels) as refused:
        inspect(tmp_path, png_bomb(8000, 8000), max_pixels=50_000_000)  # 64 Mpx: our cap, not Pillow's
    assert refused.value.params["pixels"] == 64_000_000
    assert time.perf_counter() - started < 0.5


def test_the_pixel_cap_is_checked_before_any_decoding(tmp_path):
    damaged = attack_corpus()["corrupt-jpeg-table"][0]  # well-formed segments, but decoding fails
    frame = damaged.index(b"\xff\xc0")
    huge = damaged[: frame + 5] + struct.pack(">HH", 9_000, 9_000) + damaged[frame + 9 :]
    with pytest.raises(ImageTooManyPixels):
        inspect(tmp_path, huge, max_pixels=MAX_PIXELS)
    with pytest.raises(PhotoCorrupt):
        inspect(tmp_path, huge, max_pixels=10**9)  # with a cap that allows it, decoding finds the damage


def multi_picture(*extra_sizes: tuple[int, int]) -> bytes:
    """A camera photo with secondary images (gain map, depth map) in a Multi-Picture Format file, as Pillow saves it."""
    extras = [scene(size, seed=n + 3) for n, size in enumerate(extra_sizes)]
    return encoded(scene(seed=1), "MPO", save_all=True, append_images=extras, exif=camera_exif(1))


def mp_index(data: bytes) -> tuple[int, list[int]]:
    """(where the MPF offsets count from, byte offsets in the file of each MP entry) of a little-endian index."""
    base = data.index(b"MPF\x00") + 4
    ifd = struct.unpack_from("<L", data, base + 4)[0]
    count = struct.unpack_from("<H", data, base + ifd)[0]
    tags = {struct.unpack_from("<H", data, base + ifd + 2 + 12 * n)[0]: base + ifd + 2 + 12 * n for n in range(count)}
    number = struct.unpack_from("<L", data, tags[0xB001] + 8)[0]
    entries = base + struct.unpack_from("<L", data, tags[0xB002] + 8)[0]
    return base, [entries + 16 * n for n in range(number)]


def image_starts(data: bytes) -> list[int]:
    return [at for at in range(len(data)) if data.startswith(b"\xff\xd8\xff", at)]


def with_true_sizes(data: bytes) -> bytes:
    """The file with each MP entry's size set to its image's real size (Pillow 13 gets them wrong from the third)."""
    _, entries = mp_index(data)
    ends = [*image_starts(data)[1:], len(data)]
    for entry, start, end in zip(entries, image_starts(data), ends, strict=True):
        data = data[: entry + 4] + struct.pack("<L", end - start) + data[entry + 8 :]
    return data


def declared_images(data: bytes) -> list[tuple[int, int]]:
    base, entries = mp_index(data)
    return [
        (base + struct.unpack_from("<L", data, entry + 8)[0], struct.unpack_from("<L", data, entry + 4)[0])
        for entry in entries[1:]
    ]


def test_pillow_writes_an_mpf_index_that_points_exactly_at_its_one_secondary_image():
    data = multi_picture((160, 120))
    [(start, size)] = declared_images(data)
    assert start == image_starts(data)[1] and start + size == len(data)
    assert images.mpf_secondary_images(data) == [(start, size)]
    # With two secondary images Pillow 13 writes the last one's size wrong (it subtracts a size, not a position):
    # such an index does not describe the file, and the file is refused (below); fixed, it reads exactly.
    two = multi_picture((160, 120), (80, 60))
    assert declared_images(two)[-1][0] + declared_images(two)[-1][1] != len(two)
    assert images.mpf_secondary_images(with_true_sizes(two)) == list(
        zip(
            image_starts(two)[1:],
            [image_starts(two)[2] - image_starts(two)[1], len(two) - image_starts(two)[2]],
            strict=True,
        )
    )


def test_phone_extras_after_a_jpeg_pass_only_when_they_are_declared_images_or_padding(tmp_path):
    photo, _gain_map = camera_jpeg(seed=1), encoded(scene((160, 120)), "JPEG")
    mpo = multi_picture((160, 120))
    found = inspect(tmp_path, mpo)  # an Ultra HDR gain map / depth map, declared by the MPF index
    assert (found.format, found.width, found.height) == ("JPEG", 640, 480)
    assert inspect(tmp_path, with_true_sizes(multi_picture((160, 120), (80, 60))) + b"\0" * 64).format == "JPEG"
    assert inspect(tmp_path, photo + b"\0" * 300).format == "JPEG"
    with pytest.raises(PhotoHiddenContent):
        inspect(tmp_path, mpo + b"\0\0\0\x18ftypmp42")  # a Motion Photo's video
    with pytest.raises(PhotoHiddenContent):
        inspect(tmp_path, png_with_alpha() + b"PK\x05\x06" + b"\0" * 18)


def test_animated_and_other_images_are_unsupported_not_corrupt(tmp_path):
    frames = [scene((64, 48), seed=n) for n in range(3)]
    buffer = io.BytesIO()
    frames[0].save(buffer, "PNG", save_all=True, append_images=frames[1:])
    with pytest.raises(PhotoUnsupportedType) as refused:
        inspect(tmp_path, buffer.getvalue())
    assert refused.value.params["detected"] == "animated"
    with pytest.raises(PhotoUnsupportedType) as refused:
        inspect(tmp_path, b"\0\0\0\x18ftypheic" + b"\0" * 100)
    assert refused.value.params["detected"] == "heic"
    with pytest.raises(PhotoEmpty):
        inspect(tmp_path, b"")


def test_the_dhash_sees_a_resaved_resized_copy_as_near_and_another_scene_as_far(tmp_path):
    original = inspect(tmp_path, camera_jpeg((640, 480), orientation=1, seed=4))
    copy = inspect(tmp_path, encoded(scene((640, 480), seed=4).resize((480, 360)), "PNG"))
    other = inspect(tmp_path, camera_jpeg((640, 480), orientation=1, seed=9))
    rotated = inspect(tmp_path, camera_jpeg((640, 480), orientation=6, seed=4))
    assert images.hamming(original.phash, copy.phash) <= 4
    assert images.is_near_duplicate(original.phash, copy.phash)
    assert not images.is_near_duplicate(original.phash, other.phash)
    assert not images.is_near_duplicate(original.phash, "") and not images.is_near_duplicate("", "")
    assert rotated.phash != original.phash  # the hash is of the upright image: the same pixels turned are another view


def test_hamming_counts_differing_bits():
    assert images.hamming("0" * 16, "f" * 16) == 64
    assert images.hamming("00000000000000ff", "0000000000000000") == 8
    assert images.is_near_duplicate("00000000000000ff", "0000000000000000", threshold=8)
    assert not images.is_near_duplicate("00000000000000ff", "0000000000000000", threshold=7)


def _has_metadata(data: bytes) -> bool:
    image = Image.open(io.BytesIO(data))
    return bool(image.getexif()) or any(key in image.info for key in ("exif", "icc_profile", "xmp", "comment"))


def test_derivatives_are_upright_small_stamped_and_carry_no_metadata(tmp_path):
    path = tmp_path / "original"
    path.write_bytes(camera_jpeg((2400, 1800), orientation=6))
    lines = images.stamp_lines(
        taken_at=TAKEN,
        uploaded_at=TAKEN,
        lat=30.0502,
        lng=121.95,
        place="2号储罐区",
        enterprise="舟山港兴石化储运有限公司",
    )
    display, thumb = images.render_derivatives(path, lines)
    plain, _ = images.render_derivatives(path, ())
    for data in (display, thumb):
        assert data.startswith(b"\xff\xd8") and b"Exif" not in data and b"ICC_PROFILE" not in data
        assert b"xmpmeta" not in data and b"camera comment" not in data and not _has_metadata(data)
    shown, small = Image.open(io.BytesIO(display)), Image.open(io.BytesIO(thumb))
    assert shown.size == (1200, 1600) and small.size == (240, 320)
    # The stored top (red) was turned to the right by orientation 6; the blue ground is now on the left.
    red, blue = shown.getpixel((1100, 500)), shown.getpixel((100, 500))
    assert red[0] > 150 > red[2] and blue[2] > 150 > blue[0]
    stamped, unstamped = shown.crop((0, 1500, 1200, 1600)), Image.open(io.BytesIO(plain)).crop((0, 1500, 1200, 1600))
    assert stamped.convert("L").getextrema()[0] < 60  # the darkened band
    assert stamped.tobytes() != unstamped.tobytes()


def test_a_small_transparent_png_gets_white_behind_it_and_is_never_enlarged(tmp_path):
    path = tmp_path / "original"
    image = Image.new("RGBA", (40, 30), (0, 0, 0, 0))
    path.write_bytes(encoded(image, "PNG"))
    display, thumb = images.render_derivatives(path, ("拍摄 2026-11-28 14:03:05",))
    assert Image.open(io.BytesIO(display)).size == (40, 30)
    assert Image.open(io.BytesIO(thumb)).getpixel((20, 5)) > (240, 240, 240)


def test_the_stamp_says_when_where_and_for_whom():
    lines = images.stamp_lines(taken_at=TAKEN, uploaded_at=TAKEN, lat=-30.5, lng=121.95, place="", enterprise="某企业")
    assert lines == ("拍摄 2026-11-28 14:03:05", "地点 30.50000°S 121.95000°E", "某企业")
    uploaded = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)
    assert images.stamp_lines(taken_at=None, uploaded_at=uploaded, lat=None, lng=None) == ("上传 2026-11-28 14:00:00",)


def test_a_second_jpeg_appended_without_a_true_mpf_index_is_hidden_content(tmp_path):
    photo, other = camera_jpeg(seed=1), encoded(scene((160, 120), seed=7), "JPEG")
    mpo = multi_picture((160, 120))
    base, entries = mp_index(mpo)
    offset_at, size_at = entries[1] + 8, entries[1] + 4

    def patched(data: bytes, at: int, value: int) -> bytes:
        return data[:at] + struct.pack("<L", value) + data[at + 4 :]

    lies = {
        "no index at all": photo + other,
        "an index, and one more image than it declares": mpo + other,
        "an offset one byte off": patched(mpo, offset_at, struct.unpack_from("<L", mpo, offset_at)[0] + 1),
        "a size one byte short": patched(mpo, size_at, struct.unpack_from("<L", mpo, size_at)[0] - 1),
        "an offset beyond the file": patched(mpo, offset_at, 10**9),
        "an index whose IFD offset points outside it": patched(mpo, base + 4, 60_000),
        "an index whose last size is wrong (as Pillow 13 writes three images)": multi_picture((160, 120), (80, 60)),
        "a second index entry, but only one image": with_true_sizes(multi_picture((160, 120), (80, 60)))[
            : image_starts(multi_picture((160, 120), (80, 60)))[2]
        ],
    }
    for name, data in lies.items():
        with pytest.raises(PhotoHiddenContent) as refused:
            inspect(tmp_path, data)
        assert refused.value.params["reason"] == "undeclared_image", name
