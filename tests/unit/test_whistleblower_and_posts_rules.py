"""Pure rules of issue 13's whistleblower protection (the enterprise-facing wording, the enterprise's photo copy) and
of posts (岗位): no database, no app."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from PIL import Image

from domain.errors import InvalidInput
from domain.photos import images
from domain.photos.redaction import enterprise_stamp, redacted_copy
from domain.posts.model import MAX_POSTS, PostUnknown, chosen_posts, normal_post
from domain.public_reports.model import (
    PublicReportWordingCopied,
    PublicReportWordingRequired,
    check_enterprise_wording,
)
from tests.unit.test_photo_images import camera_jpeg

REPORTER = ("东门消防通道被堵", "我是夜班装卸工，凌晨两点看到叉车把东门消防通道堵死了。")


@pytest.mark.parametrize(
    ("title", "description", "field"),
    [
        (None, "经核实存在通道占用", "title"),
        ("通道占用", None, "description"),
        ("   ", "经核实存在通道占用", "title"),
        ("通道占用", "\n\t ", "description"),
    ],
)
def test_accepting_needs_both_of_the_regulators_own_words(title, description, field):
    with pytest.raises(PublicReportWordingRequired) as refused:
        check_enterprise_wording(title, description, REPORTER)
    assert refused.value.params["field"] == field


@pytest.mark.parametrize(
    ("title", "description", "field"),
    [
        ("东门消防通道被堵", "经核实存在通道占用，请整改", "title"),  # the reporter's title as it is
        (
            "通道占用",
            " 我是夜班装卸工，凌晨两点看到叉车把东门消防通道堵死了。 ",
            "description",
        ),  # spaces do not hide it
        (
            "通道占用",
            "现场核实：我是夜班装卸工，凌晨两点看到叉车把东门消防通道堵死了。请整改。",
            "description",
        ),  # inside
        ("通道占用", "东门消防通道被堵", "description"),  # the reporter's title as the description
    ],
)
def test_the_reporters_own_text_is_refused_whole_or_inside(title, description, field):
    with pytest.raises(PublicReportWordingCopied) as refused:
        check_enterprise_wording(title, description, REPORTER)
    assert refused.value.params["field"] == field


def test_the_regulators_own_words_pass_and_short_common_phrases_are_not_called_copies():
    check_enterprise_wording("东门消防通道占用（核实）", "经现场核实，东门消防通道存在车辆占用，请立即清理。", REPORTER)
    # a reporter's text shorter than COPIED_INSIDE_MIN may recur by chance inside the regulator's words
    check_enterprise_wording("消防通道堵塞整改", "经核实：消防通道堵塞，请整改。", ("消防通道堵塞", ""))
    # an empty reporter title is no text to copy
    check_enterprise_wording("通道占用", "经核实存在通道占用", ("", "很长的一段举报描述，不会出现在监管人员的话里。"))


def test_the_enterprises_copy_has_new_bytes_no_metadata_the_display_size_and_the_stamp(tmp_path):
    original = tmp_path / "original.jpg"
    original.write_bytes(camera_jpeg(size=(2400, 1800), orientation=6))
    lines = enterprise_stamp(
        enterprise="舟山港兴石化储运有限公司", accepted_at=datetime(2026, 12, 2, 17, 30, tzinfo=UTC)
    )
    assert lines == ("群众举报 受理 2026-12-03", "舟山港兴石化储运有限公司")  # the date in Zhoushan (UTC+8)
    copy = redacted_copy(original, lines)
    assert copy != original.read_bytes()
    with Image.open(io.BytesIO(copy)) as image:
        assert image.format == "JPEG" and max(image.size) == images.DISPLAY_SIDE
        assert image.size == (1200, 1600)  # upright: the EXIF orientation applied to the pixels, then dropped
        assert not image.getexif() and not {"exif", "icc_profile", "xmp", "comment"} & set(image.info)
    assert b"Exif" not in copy and b"http://ns.adobe.com/xap" not in copy and b"camera comment" not in copy
    # the stamp is burned in: the same pixels without lines differ only in the bottom band
    plain = redacted_copy(original, ())
    with Image.open(io.BytesIO(copy)) as stamped, Image.open(io.BytesIO(plain)) as unstamped:
        top = (0, 0, stamped.width, stamped.height // 2)
        assert stamped.crop(top).tobytes() == unstamped.crop(top).tobytes()
        bottom = (0, stamped.height - 20, stamped.width, stamped.height)
        assert _mean(stamped.crop(bottom)) < _mean(unstamped.crop(bottom)) - 10


def _mean(image: Image.Image) -> float:
    grey = image.convert("L")
    return sum(grey.getdata()) / (grey.width * grey.height)


def test_posts_are_normalised_deduplicated_and_must_be_the_enterprises():
    known = ["罐区操作工", "储运部 安全员", "泵房操作工"]
    assert normal_post("  储运部   安全员 ") == "储运部 安全员"
    assert chosen_posts([" 罐区操作工", "罐区操作工 ", "储运部  安全员"], known) == ("罐区操作工", "储运部 安全员")
    assert chosen_posts([], known) == ()
    with pytest.raises(PostUnknown) as refused:
        chosen_posts(["罐区操作工", "测爆员", "安全员"], known)
    assert refused.value.params["posts"] == ["测爆员", "安全员"]
    for bad in ([""], ["  "], ["x" * 101], [f"p{i}" for i in range(MAX_POSTS + 1)]):
        with pytest.raises(InvalidInput):
            chosen_posts(bad, [*known, *bad])
