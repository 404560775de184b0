"""Printed artefacts and image intake: real CJK glyphs, exact QR grids, level colours, page counts, hostile uploads."""

from __future__ import annotations

import dataclasses
import functools
import io
import re
import struct
import zlib
from datetime import date

import pypdf
import pytest
import qrcode
import qrcode.constants
from PIL import Image, ImageChops, ImageDraw, ImageFile

from domain.errors import InvalidInput
from domain.printing import _text, card, safety_code, sheet
from domain.printing.card import render_risk_card
from domain.printing.fonts import cjk_font
from domain.printing.images import (
    ImageInfo,
    ImageNotAccepted,
    ImageTooManyPixels,
    inspect_image,
    normalise_plan,
)
from domain.printing.model import Label, MapPoint, RiskCardData, SafetyCodeData, measure_type_label
from domain.printing.palette import COLOUR_RGB, UNASSESSED_RGB, level_rgb
from domain.printing.qr import qr_matrix, qr_png, qr_svg
from domain.printing.safety_code import render_safety_code
from domain.printing.sheet import layout_label_sheet, render_label_sheet
from domain.printing.site_map import render_risk_map
from domain.risk.model import Colour, RiskLevel
from mobile_contract.errors import CATALOGUE

LEVELS = [*RiskLevel, None]
QR_CONTENT = "HTTPS://SF.ZHOUSHAN.GOV.CN/Q/RP1ABCDEFGHJKMNPQRSTVWXYZ0123456789ABCDEFG"
CARD_VOCABULARY = "岗位风险告知卡重大风险危险源管控措施应急舟山嵊泗岱山"
# Every fixed string the renderers draw, so a glyph missing from the font shows up here rather than on a wall.
FIXED_TEXT = (
    "岗位风险告知卡重大较一般低未评估风险点名称所在区域等级管控层级责任岗位人危险源措施应急处置工程技术管理培训教育"
    "个体防护电话火警救报印制日期扫码查看信息企业安全红橙黄蓝统社会用代更新无共第页图例制未标注位置上传平面分布四色"
    "（）：·…、0123456789"
)


def card_data(**changes: object) -> RiskCardData:
    base = RiskCardData(
        point_name="1号汽油储罐区（T-101~T-104）",
        enterprise_name="舟山市岱山县海港石化仓储有限公司",
        area="岱山县衢山镇 · 油品库区东侧",
        level=RiskLevel.MAJOR,
        hazard_sources=("汽油、柴油等甲B类易燃液体储罐", "油气挥发形成爆炸性混合气体", "雷击、静电放电"),
        control_measures=(
            ("engineering", "储罐设置液位、温度、压力监测及高高液位联锁"),
            ("management", "严格执行动火、受限空间作业许可制度"),
            ("ppe", "进入罐区穿防静电工作服"),
        ),
        emergency_measures=("发生泄漏时立即关闭进出料阀门，严禁一切火源", "发生火灾时拨打119并上报公司应急指挥部"),
        emergency_phone="0580-4471234",
        responsible_post="罐区班长",
        responsible_person="王海军",
        control_level_label="公司",
        qr_content=QR_CONTENT,
        printed_on=date(2025, 3, 1),
    )
    return dataclasses.replace(base, **changes)


@functools.cache
def rendered_card(level: RiskLevel | None) -> Image.Image:
    return Image.open(io.BytesIO(render_risk_card(card_data(level=level)))).convert("RGB")


def glyph(char: str, size: int = 48) -> bytes:
    image = Image.new("L", (size * 2, size * 2), 0)
    ImageDraw.Draw(image).text((size // 2, size // 4), char, font=cjk_font(size), fill=255)
    return image.tobytes()


def dark_modules(image: Image.Image, region: tuple[int, int, int, int], content: str) -> None:
    """Assert the QR inside `region` of `image` has exactly the modules qrcode computes for `content`."""
    grey = image.crop(region).convert("L")
    dark = grey.point(lambda v: 255 if v < 128 else 0)
    left, top, right, bottom = dark.getbbox()
    expected = qr_matrix(content, border=0)
    modules = len(expected)
    box = (right - left) / modules
    assert box >= 2 and abs((bottom - top) / modules - box) < 0.01
    for row in range(modules):
        for column in range(modules):
            x = left + (column + 0.5) * box
            y = top + (row + 0.5) * box
            assert (dark.getpixel((int(x), int(y))) == 255) == expected[row][column], (row, column)


def colour_mask(image: Image.Image, rgb: tuple[int, int, int]) -> Image.Image:
    """A mask of the pixels exactly `rgb`."""
    bands = [band.point(lambda v, c=c: 255 if v == c else 0) for band, c in zip(image.split(), rgb, strict=True)]
    return ImageChops.multiply(ImageChops.multiply(bands[0], bands[1]), bands[2])


# --- fonts ---------------------------------------------------------------------------------------------------------


def test_every_character_of_the_card_vocabulary_is_a_real_glyph_not_tofu():
    tofu = {glyph(chr(0x10FFFD)), glyph(chr(0xE000))}
    for char in CARD_VOCABULARY:
        drawn = glyph(char)
        assert any(drawn), f"{char} drew nothing"
        assert drawn not in tofu, f"{char} drew the missing-glyph box"


def test_every_fixed_string_the_renderers_draw_has_glyphs():
    tofu = glyph(chr(0x10FFFD))
    missing = [char for char in FIXED_TEXT if glyph(char) == tofu]
    assert missing == []


def test_the_font_is_cached_per_size():
    assert cjk_font(30) is cjk_font(30)
    assert cjk_font(30).size == 30


def test_subscript_digits_become_plain_digits_instead_of_tofu():
    assert _text.clean("CO₂、H₂S\x00") == "CO2、H2S"


# --- text layout ---------------------------------------------------------------------------------------------------


def test_chinese_wraps_between_any_two_characters_and_never_exceeds_the_width():
    style = _text.Style(30)
    lines = _text.wrap("危险化学品储罐区涉及甲类易燃液体存在火灾爆炸中毒窒息风险", style, 300)
    assert len(lines) > 1
    assert all(style.width(line) <= 300 for line in lines)
    assert "".join(lines) == "危险化学品储罐区涉及甲类易燃液体存在火灾爆炸中毒窒息风险"


def test_closing_punctuation_never_starts_a_line():
    style = _text.Style(30)
    for width in range(150, 400, 30):
        for line in _text.wrap("甲乙丙丁戊己庚辛壬癸，子丑寅卯辰巳午未申酉。" * 3, style, width)[1:]:
            assert line[0] not in "，。", (width, line)


def test_latin_words_and_numbers_stay_whole_when_they_fit():
    lines = _text.wrap("执行GB30871-2022标准的动火作业审批制度", _text.Style(30), 260)
    assert any("GB30871-2022" in line for line in lines)


def test_a_word_wider_than_the_line_is_broken_rather_than_overflowing():
    style = _text.Style(30)
    assert all(style.width(line) <= 200 for line in _text.wrap("X" * 100, style, 200))


def test_text_that_does_not_fit_is_shrunk_then_cut_with_an_ellipsis():
    style, lines = _text.fit("很长的名称" * 30, 400, 2, (40, 30, 20))
    assert style.size == 20 and len(lines) == 2 and lines[-1].endswith("…")
    assert all(style.width(line) <= 400 for line in lines)
    assert _text.fit("短名称", 400, 1, (40, 30))[0].size == 40


# --- QR ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("content", [QR_CONTENT, "https://example.cn/q/短", "A"])
def test_a_qr_png_has_exactly_the_module_grid_qrcode_computes_at_level_m(content):
    reference = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    reference.add_data(content)
    reference.make(fit=True)
    matrix = reference.get_matrix()
    image = Image.open(io.BytesIO(qr_png(content, box_size=8, border=4))).convert("L")
    assert image.size == (len(matrix) * 8, len(matrix) * 8)
    for row, cells in enumerate(matrix):
        for column, dark in enumerate(cells):
            assert (image.getpixel((column * 8 + 4, row * 8 + 4)) < 128) == dark


def test_the_qr_is_the_smallest_version_that_holds_the_content():
    assert len(qr_matrix("A", border=0)) == 21  # version 1
    assert len(qr_matrix(QR_CONTENT, border=0)) < len(qr_matrix(QR_CONTENT + "x" * 200, border=0))


def test_a_qr_svg_is_an_svg_document():
    svg = qr_svg(QR_CONTENT)
    assert svg.lstrip().startswith((b"<svg", b"<?xml")) and b"<path" in svg and svg.rstrip().endswith(b"</svg>")


# --- risk card -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("level", LEVELS, ids=str)
def test_the_card_is_an_a5_png_whose_title_band_is_the_level_colour(level):
    image = rendered_card(level)
    assert image.size == (card.WIDTH, card.HEIGHT) == (1240, 1748)
    expected = UNASSESSED_RGB if level is None else COLOUR_RGB[level.colour]
    assert level_rgb(level) == expected
    for xy in [(30, 120), (card.WIDTH // 2, 22), (card.WIDTH - 30, 200)]:
        assert image.getpixel(xy) == expected, xy


def test_the_card_title_region_carries_drawn_text_not_a_flat_band():
    title = rendered_card(RiskLevel.LOW).crop((card.PAD, 30, 700, 150))
    assert len(title.getcolors(maxcolors=100_000)) > 20


def test_the_card_qr_has_the_grid_of_its_content():
    footer_top = card.HEIGHT - card.FRAME - card.FOOTER_HEIGHT
    qr_left = card.CONTENT_RIGHT - card.QR_SIZE
    region = (qr_left - 8, footer_top + 10, card.CONTENT_RIGHT + 8, footer_top + 22 + card.QR_SIZE + 4)
    dark_modules(rendered_card(RiskLevel.MAJOR), region, QR_CONTENT)


def test_a_card_with_very_long_texts_renders_inside_its_frame():
    data = card_data(
        level=RiskLevel.GENERAL,
        point_name="超长的风险点名称" * 20,
        enterprise_name="很长的企业名称" * 20,
        area="区域" * 200,
        hazard_sources=tuple("危险源描述非常长" * 30 for _ in range(40)),
        control_measures=tuple(
            (kind, "措施内容" * 50) for kind in ["ppe", "engineering", "未知类型很长很长", "training"] * 10
        ),
        emergency_measures=tuple("应急处置" * 60 for _ in range(20)),
        emergency_phone="13800000000 / 0580-1234567 / 0580-7654321 / 0580-0000000",
        responsible_post="岗位" * 50,
        responsible_person="人" * 80,
        control_level_label="车间" * 20,
        qr_content=QR_CONTENT,
    )
    image = Image.open(io.BytesIO(render_risk_card(data))).convert("RGB")
    assert image.size == (1240, 1748)
    yellow = COLOUR_RGB[Colour.YELLOW]
    # The frame is drawn last and is whole: no text ran into or past it.
    for x in range(0, card.WIDTH, 7):
        assert image.getpixel((x, 3)) == image.getpixel((x, card.HEIGHT - 4)) == yellow
    for y in range(0, card.HEIGHT, 7):
        assert image.getpixel((3, y)) == image.getpixel((card.WIDTH - 4, y)) == yellow


def test_a_card_with_no_lists_renders_placeholders():
    image = render_risk_card(card_data(level=None, hazard_sources=(), control_measures=(), emergency_measures=()))
    assert Image.open(io.BytesIO(image)).size == (1240, 1748)


def test_control_measure_types_show_their_chinese_labels():
    assert [measure_type_label(k) for k in ("engineering", "management", "training", "ppe", "emergency")] == [
        "工程技术",
        "管理",
        "培训教育",
        "个体防护",
        "应急处置",
    ]
    assert measure_type_label("其他") == "其他"


# --- label sheet ---------------------------------------------------------------------------------------------------


def labels(count: int) -> list[Label]:
    return [
        Label(f"风险点{n}", "舟山海港石化 · 东区", LEVELS[n % len(LEVELS)], f"{QR_CONTENT[:-4]}{n:04d}")
        for n in range(count)
    ]


PRINTED_ON = date(2026, 12, 3)
CREDIT_CODE = "91330902MA2A0B1C2D"
OWN = Label("舟山海港石化有限公司", f"统一社会信用代码 {CREDIT_CODE}", None, f"{QR_CONTENT[:-4]}EEEE")


@functools.cache
def sheet_of_25() -> tuple[bytes, tuple]:
    pdf, placed = layout_label_sheet(
        labels(25), "海港石化 二维码标签", printed_on=PRINTED_ON, enterprise=OWN, subject=CREDIT_CODE
    )
    return pdf, tuple(placed)


def filled_rects(page) -> list[tuple[float, float, float, float]]:
    """Every `x y w h re` of the page's content stream, in mm from the top left (fpdf2 writes y up, in points)."""
    k = 72 / 25.4
    stream = page.get_contents().get_data().decode("latin-1")
    found = []
    for x, y, w, h in re.findall(r"([-\d.]+) ([-\d.]+) ([-\d.]+) ([-\d.]+) re\s+f\b", stream):
        x, y, w, h = (float(v) / k for v in (x, y, w, h))
        top = sheet.PAGE_HEIGHT - y - (h if h > 0 else 0)
        found.append((x, top, abs(w), abs(h)))
    return found


def text_of(page) -> str:
    """A page's text layer without spacing (pypdf spaces CJK glyphs and pads fpdf2's 2-byte codes with NULs)."""
    return re.sub(r"[\s\x00]", "", page.extract_text())


def decoded_matrix(rects, placed) -> list[list[bool]]:
    """The modules the rectangles inside one placed QR paint, read back onto its grid."""
    grid = [[False] * placed.modules for _ in range(placed.modules)]
    size = placed.module * placed.modules
    for x, y, w, h in rects:
        if not (
            placed.left - 0.01 <= x
            and x + w <= placed.left + size + 0.01
            and placed.top - 0.01 <= y
            and y + h <= placed.top + size + 0.01
        ):
            continue
        assert abs(h - placed.module) < 0.01  # one row of modules per rectangle
        row = round((y - placed.top) / placed.module)
        first, count = round((x - placed.left) / placed.module), round(w / placed.module)
        assert abs(count * placed.module - w) < 0.01
        for column in range(first, first + count):
            assert not grid[row][column]  # no module painted twice
            grid[row][column] = True
    return grid


def test_26_stickers_at_12_a_page_make_a_3_page_a4_pdf():
    pdf, _ = sheet_of_25()
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert pdf.startswith(b"%PDF") and len(reader.pages) == 3
    for page in reader.pages:
        assert (round(float(page.mediabox.width) * 25.4 / 72), round(float(page.mediabox.height) * 25.4 / 72)) == (
            210,
            297,
        )


def test_the_sheet_is_vector_no_image_anywhere_and_its_font_is_an_embedded_subset():
    pdf, _ = sheet_of_25()
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    for page in reader.pages:
        resources = page["/Resources"]
        xobjects = resources.get("/XObject", {})
        assert not [name for name, ref in xobjects.items() if ref.get_object().get("/Subtype") == "/Image"]
    assert b"/Subtype /Image" not in pdf and b"/DCTDecode" not in pdf
    fonts = [font.get_object() for page in reader.pages for font in page["/Resources"]["/Font"].values()]
    descendants = [f["/DescendantFonts"][0].get_object() for f in fonts if "/DescendantFonts" in f]
    assert descendants and all("+" in str(d["/BaseFont"]) for d in descendants)  # a subset, tagged ABCDEF+Name
    assert all("/ToUnicode" in f for f in fonts)  # so the text can be searched and copied


def test_every_qr_is_drawn_as_rectangles_that_decode_to_the_modules_qrcode_computes():
    pdf, placed = sheet_of_25()
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    expected_contents = [OWN.qr_content] + [label.qr_content for label in labels(25)]
    assert [p.content for p in placed] == expected_contents
    for code in placed:
        rects = filled_rects(reader.pages[code.page - 1])
        assert decoded_matrix(rects, code) == qr_matrix(code.content), code.content
        assert code.module * code.modules >= 30  # at least 3 cm across: scannable from arm's length


def test_the_text_layer_holds_the_title_date_enterprise_code_and_every_label():
    pdf, _ = sheet_of_25()
    pages = [text_of(page) for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]
    for text in pages:
        assert "印制日期：2026年12月3日" in text and CREDIT_CODE in text and "海港石化二维码标签" in text
    assert "企业安全码" in pages[0] and "舟山海港石化有限公司" in pages[0]
    for n, label in enumerate(labels(25)):
        page = pages[(n + 1) // sheet.PER_PAGE]
        assert label.title in page, label.title
    assert "风险点25个·第1/3页" in pages[0]


def test_the_same_sheet_printed_twice_is_the_same_file():
    again = render_label_sheet(
        labels(25), "海港石化 二维码标签", printed_on=PRINTED_ON, enterprise=OWN, subject=CREDIT_CODE
    )
    assert again == sheet_of_25()[0]


def test_exactly_12_stickers_fill_one_page():
    assert len(pypdf.PdfReader(io.BytesIO(render_label_sheet(labels(12), "t", printed_on=PRINTED_ON))).pages) == 1
    with_own = render_label_sheet(labels(12), "t", printed_on=PRINTED_ON, enterprise=OWN)
    assert len(pypdf.PdfReader(io.BytesIO(with_own)).pages) == 2


def test_no_labels_and_no_enterprise_gives_one_page_saying_there_are_no_risk_points():
    pdf = render_label_sheet([], "空企业", printed_on=PRINTED_ON)
    (page,) = pypdf.PdfReader(io.BytesIO(pdf)).pages
    assert "无风险点" in text_of(page)


# --- safety code ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("colour", list(Colour), ids=str)
def test_the_safety_code_is_framed_in_its_colour(colour):
    data = SafetyCodeData(
        "舟山市普陀区沈家门远洋渔业有限公司", "91330903MA28K1234X", colour, QR_CONTENT, date(2025, 3, 1)
    )
    image = Image.open(io.BytesIO(render_safety_code(data))).convert("RGB")
    assert image.size == (safety_code.WIDTH, safety_code.HEIGHT)
    left, top, right, bottom = safety_code.FRAME_BOX
    half = safety_code.BORDER // 2
    for xy in [(left + half, (top + bottom) // 2), ((left + right) // 2, top + half), (right - half, bottom - 80)]:
        assert image.getpixel(xy) == COLOUR_RGB[colour], xy
    inset = safety_code.BORDER + 24  # clear of the frame's rounded inner corners
    inner = (left + inset, top + inset, right - inset, bottom - inset)
    dark_modules(image, inner, QR_CONTENT)


# --- risk map ------------------------------------------------------------------------------------------------------

PLAN_BACKGROUND = (200, 230, 201)


def plan_png(size: tuple[int, int] = (800, 500)) -> bytes:
    plan = Image.new("RGB", size, PLAN_BACKGROUND)
    ImageDraw.Draw(plan).rectangle((300, 200, 500, 300), outline=(60, 60, 60), width=3)
    buffer = io.BytesIO()
    plan.save(buffer, "PNG")
    return buffer.getvalue()


MAP_POINTS = [
    MapPoint("罐区", RiskLevel.MAJOR, 0.15, 0.2),
    MapPoint("码头", RiskLevel.LARGE, 0.8, 0.2),
    MapPoint("配电房", RiskLevel.GENERAL, 0.15, 0.8),
    MapPoint("空压机房", RiskLevel.LOW, 0.8, 0.8),
    MapPoint("新增点位", None, 0.5, 0.5),
]


def test_each_point_is_drawn_in_its_level_colour_at_its_place_on_the_plan():
    image = Image.open(io.BytesIO(render_risk_map(plan_png(), MAP_POINTS, "海港石化", date(2025, 3, 1)))).convert("RGB")
    left, top, right, bottom = colour_mask(image, PLAN_BACKGROUND).getbbox()
    assert right - left == 1600  # 800 px scaled to the map width
    for point in MAP_POINTS:
        centre = (round(left + point.x * (right - left)), round(top + point.y * (bottom - top)))
        assert image.getpixel(centre) == level_rgb(point.level), point.name


def test_the_legend_shows_every_colour_below_the_plan_and_grey_only_for_unassessed_points():
    with_grey = Image.open(io.BytesIO(render_risk_map(None, MAP_POINTS, "海港石化", date(2025, 3, 1)))).convert("RGB")
    without = Image.open(io.BytesIO(render_risk_map(None, MAP_POINTS[:1], "海港石化", date(2025, 3, 1)))).convert("RGB")
    for image, expects_grey in ((with_grey, True), (without, False)):
        legend = image.crop((0, image.height - 110, image.width, image.height))
        # A legend swatch is a filled circle of ~600 px; anti-aliased text never has that many of one exact colour.
        for colour in COLOUR_RGB.values():
            assert colour_mask(legend, colour).histogram()[255] > 400, colour
        assert (colour_mask(legend, UNASSESSED_RGB).histogram()[255] > 400) is expects_grey


def test_a_map_without_a_plan_draws_a_grid_and_lists_unplaced_points():
    points = [*MAP_POINTS, MapPoint("维修车间", RiskLevel.LOW, None, None), MapPoint("越界点", RiskLevel.LOW, 1.5, 0.2)]
    image = Image.open(io.BytesIO(render_risk_map(None, points, "海港石化" * 30, date(2025, 3, 1))))
    assert image.format == "PNG" and image.width == 1680
    with_note = image.height
    without_note = Image.open(io.BytesIO(render_risk_map(None, MAP_POINTS, "海港石化", date(2025, 3, 1)))).height
    assert with_note > without_note  # the 未标注位置 note takes room


def test_a_tall_plan_is_scaled_to_fit_and_a_plan_that_is_not_an_image_is_refused():
    tall = Image.open(io.BytesIO(render_risk_map(plan_png((400, 2000)), MAP_POINTS, "海港石化", date(2025, 3, 1))))
    assert tall.width == 1680 and tall.height < 2400
    with pytest.raises(ImageNotAccepted):
        render_risk_map(b"<svg/>", MAP_POINTS, "海港石化", date(2025, 3, 1))


# --- image intake --------------------------------------------------------------------------------------------------


def encoded(fmt: str, size: tuple[int, int] = (64, 48), **options: object) -> bytes:
    image = Image.new("RGB", size, (10, 120, 200))
    ImageDraw.Draw(image).ellipse((5, 5, size[0] - 5, size[1] - 5), fill=(240, 200, 20))
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_header_only(width: int, height: int) -> bytes:
    """A PNG with a valid IHDR (correct CRC) declaring width × height, and no image data at all."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IEND", b"")


def png_with_text(text: bytes) -> bytes:
    png = encoded("PNG")
    return png[:33] + png_chunk(b"tEXt", b"Comment\x00" + text) + png[33:]


def animated(fmt: str) -> bytes:
    buffer = io.BytesIO()
    frames = [Image.new("RGB", (8, 8), colour) for colour in ((0, 0, 0), (255, 0, 0))]
    frames[0].save(buffer, fmt, save_all=True, append_images=frames[1:], duration=100)
    return buffer.getvalue()


JPEG = encoded("JPEG", (640, 480), quality=90)
PNG = encoded("PNG")
WEBP = encoded("WEBP", (120, 90))
MINIMAL_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"

REFUSED = {
    "zero bytes": (b"", "empty", None),
    "html named .jpg": (b"<!DOCTYPE html><html><body><script>alert(1)</script></body>", "unsupported_type", "html"),
    "svg": (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script/></svg>', "unsupported_type", "svg"),
    "minimal pdf": (MINIMAL_PDF, "unsupported_type", "pdf"),
    "gif": (encoded("GIF"), "unsupported_type", "gif"),
    "heic from an iphone": (
        b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(64),
        "unsupported_type",
        "heic",
    ),
    "plain text": ("隐患照片.jpg".encode(), "unsupported_type", "text"),
    "truncated jpeg": (JPEG[: len(JPEG) // 2], "corrupt", None),
    "truncated png": (PNG[:-20], "corrupt", None),
    "truncated webp": (WEBP[: len(WEBP) // 2], "corrupt", None),
    "png with a bad crc": (PNG[:29] + bytes([PNG[29] ^ 0xFF]) + PNG[30:], "corrupt", None),
    "png prefixed by html": (b"<html>" + PNG, "unsupported_type", "html"),
    "jpeg carrying a pdf": (JPEG + MINIMAL_PDF, "mismatch", "pdf"),
    "png with markup where browsers sniff": (png_with_text(b"<script>alert(1)</script>"), "mismatch", "markup"),
    "animated png": (animated("PNG"), "unsupported_type", "animated"),
    "animated webp": (animated("WEBP"), "unsupported_type", "animated"),
}


@pytest.mark.parametrize("name", REFUSED)
def test_what_is_not_a_whole_jpeg_png_or_webp_is_refused_as_not_an_image(name):
    data, reason, detected = REFUSED[name]
    with pytest.raises(ImageNotAccepted) as refused:
        inspect_image(data)
    assert refused.value.code == "PHOTO_NOT_AN_IMAGE"
    assert isinstance(refused.value, InvalidInput)
    assert refused.value.params["reason"] == reason
    if detected is not None:
        assert refused.value.params["detected"] == detected


def test_a_png_declaring_100000_by_100000_pixels_is_refused_as_too_many_pixels():
    with pytest.raises(ImageTooManyPixels) as refused:
        inspect_image(png_header_only(100_000, 100_000))
    assert refused.value.code == "PHOTO_TOO_MANY_PIXELS"


def test_pixels_are_counted_from_the_header_before_anything_is_decoded():
    # 64 MP is under Pillow's own limit, and the file has no image data: only a header check can refuse it
    # as too many pixels; a decode would have failed as corrupt instead.
    with pytest.raises(ImageTooManyPixels) as refused:
        inspect_image(png_header_only(8000, 8000))
    assert refused.value.params == {"width": 8000, "height": 8000, "pixels": 64_000_000, "max_pixels": 40_000_000}
    with pytest.raises(ImageTooManyPixels):
        inspect_image(JPEG, max_pixels=640 * 480 - 1)
    assert Image.MAX_IMAGE_PIXELS == 89_478_485  # and nothing process-wide was changed to get there


@pytest.mark.parametrize(
    ("data", "expected"),
    [(JPEG, ImageInfo("JPEG", 640, 480)), (PNG, ImageInfo("PNG", 64, 48)), (WEBP, ImageInfo("WEBP", 120, 90))],
)
def test_real_jpeg_png_and_webp_images_are_accepted_with_their_size(data, expected):
    assert inspect_image(data) == expected


def test_a_jpeg_with_bytes_after_its_end_is_accepted_as_phones_write_them():
    # Ultra HDR gain maps, MPF depth maps and Motion Photo videos all live after the first image's end marker.
    assert inspect_image(JPEG + b"\xff\xd8\xff\xe1" + bytes(500) + b"junk" * 100) == ImageInfo("JPEG", 640, 480)


def test_inspection_refuses_to_run_when_truncated_images_are_allowed_process_wide(monkeypatch):
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    with pytest.raises(RuntimeError):
        inspect_image(JPEG)


def test_both_image_errors_are_catalogued_as_422():
    assert CATALOGUE[ImageNotAccepted.code].status == CATALOGUE[ImageTooManyPixels.code].status == 422


def oriented_jpeg(orientation: int) -> bytes:
    image = Image.new("RGB", (300, 200), (255, 255, 255))
    ImageDraw.Draw(image).rectangle((0, 0, 40, 40), fill=(255, 0, 0))  # a marker in the stored top-left corner
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "Camera maker"
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif, quality=95)
    return buffer.getvalue()


def test_a_normalised_plan_is_turned_upright_by_its_exif_orientation_and_keeps_no_metadata():
    plan = Image.open(io.BytesIO(normalise_plan(oriented_jpeg(6))))
    assert plan.format == "PNG" and plan.mode == "RGB"
    assert plan.size == (200, 300)  # orientation 6: stored landscape, shown portrait
    red = plan.getpixel((plan.width - 10, 10))
    assert red[0] > 200 and red[1] < 60  # the stored top-left corner is shown top-right
    assert "exif" not in plan.info and len(plan.getexif()) == 0 and "icc_profile" not in plan.info


def test_a_normalised_plan_is_at_most_4096_px_on_its_longest_side():
    plan = Image.open(io.BytesIO(normalise_plan(encoded("PNG", (5000, 1000)))))
    assert plan.size == (4096, 819)


def test_a_transparent_plan_is_flattened_onto_white_not_black():
    buffer = io.BytesIO()
    Image.new("RGBA", (50, 50), (0, 0, 0, 0)).save(buffer, "PNG")
    assert Image.open(io.BytesIO(normalise_plan(buffer.getvalue()))).getpixel((25, 25)) == (255, 255, 255)


def test_a_plan_that_is_not_an_image_is_not_normalised():
    with pytest.raises(ImageNotAccepted):
        normalise_plan(MINIMAL_PDF)
