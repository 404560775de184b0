"""The 岗位风险告知卡 never drops an item: every hazard source, control measure and emergency step of every demo risk
point (and of a card stuffed to the contract's limits) is placed, inside its page's list area, overlapping nothing,
and drawn where the layout says."""

from __future__ import annotations

import dataclasses
import io
import itertools
import re
from collections import Counter
from datetime import date

import pytest
from PIL import Image

from domain.printing import _text, card
from domain.printing.card import CardLayout, layout_risk_card, render_risk_card, render_risk_card_pages
from domain.printing.model import RiskCardData, measure_type_label
from domain.risk.model import RiskLevel
from seed import zhoushan
from seed.risk_points import RISK_POINTS

ENTERPRISE_NAMES = {key: name for key, name, *_ in zhoushan.ENTERPRISES}
SECTIONS = ("危险源", "管控措施", "应急处置措施")
QR = "https://sf.example/q/RP1ABCDEFGHJKMNPQRSTVWXYZ0123456789"


def card_of(enterprise_key: str, point: dict) -> RiskCardData:
    """The card data of a demo point, as the printables service fills it from the seeded row."""
    return RiskCardData(
        point_name=point["name"],
        enterprise_name=ENTERPRISE_NAMES[enterprise_key],
        area=point.get("area", ""),
        level=RiskLevel.MAJOR,
        hazard_sources=tuple(point["hazardSources"]),
        control_measures=tuple((m["type"], m["content"]) for m in point["controlMeasures"]),
        emergency_measures=tuple(point["emergencyMeasures"]),
        emergency_phone=point.get("emergencyPhone", ""),
        responsible_post=point.get("responsiblePost", ""),
        responsible_person=point.get("responsiblePerson", ""),
        control_level_label="公司",
        qr_content=QR,
        printed_on=date(2026, 12, 2),
    )


DEMO_POINTS = [(key, point) for key, points in RISK_POINTS.items() for point in points]


def squashed(text: str) -> str:
    """Text as wrapping keeps it: cleaned for drawing, without the whitespace a line break swallows."""
    return re.sub(r"\s+", "", _text.clean(text))


def assert_everything_is_placed(layout: CardLayout, data: RiskCardData) -> None:
    """Every item of each list is laid out whole, inside its page's list area, and no two runs overlap."""
    expected = {
        "危险源": [t for t in data.hazard_sources if t.strip()],
        "管控措施": [content for _, content in data.control_measures if content.strip()],
        "应急处置措施": [t for t in data.emergency_measures if t.strip()],
    }
    for section in SECTIONS:
        assert Counter(map(squashed, layout.items[section])) == Counter(map(squashed, expected[section])), section
        for index, text in enumerate(layout.items[section]):
            runs = [r for r in layout.runs if (r.section, r.item, r.kind) == (section, index, "text")]
            assert runs, (section, text)
            assert "".join(squashed(r.text) for r in runs) == squashed(text), (section, index)
            pages = [r.page for r in runs]
            assert all(b - a in (0, 1) for a, b in itertools.pairwise(pages)), (
                section,
                index,
            )  # read on, not scattered
        headings = [r for r in layout.runs if r.kind == "heading" and r.section == section]
        assert headings and headings[0].text == section
    tags = {r.text for r in layout.runs if r.kind == "tag"}
    assert tags == {measure_type_label(kind) for kind, content in data.control_measures if content.strip()}
    assert {r.page for r in layout.runs} == set(range(1, layout.pages + 1))
    for run in layout.runs:
        left, top, right, bottom = layout.regions[run.page - 1]
        x0, y0, x1, y1 = run.box
        assert left <= x0 < x1 <= right and top <= y0 < y1 <= bottom, run
        assert x1 <= card.WIDTH - card.FRAME and y1 <= card.HEIGHT - card.FRAME
    for page in range(1, layout.pages + 1):
        boxes = sorted((r.box, r) for r in layout.runs if r.page == page)
        for n, (a, run_a) in enumerate(boxes):
            for b, run_b in boxes[n + 1 :]:
                if b[0] >= a[2]:
                    continue  # sorted by left edge, yet later boxes may still overlap vertically: keep scanning
                assert a[3] <= b[1] or b[3] <= a[1] or a[2] <= b[0] or b[2] <= a[0], (run_a, run_b)


def assert_runs_are_drawn(layout: CardLayout, data: RiskCardData) -> None:
    """Ink lies inside every placed run on its rendered page: the layout is what gets drawn."""
    pages = [Image.open(io.BytesIO(png)).convert("L") for png in render_risk_card_pages(data)]
    assert len(pages) == layout.pages and {page.size for page in pages} == {(card.WIDTH, card.HEIGHT)}
    for run in layout.runs:
        if run.text.strip():
            left, top, right, bottom = (round(v) for v in run.box)
            assert pages[run.page - 1].crop((left, top, right, bottom)).getextrema()[0] < 140, run


@pytest.mark.parametrize(("enterprise_key", "point"), DEMO_POINTS, ids=[point["key"] for _, point in DEMO_POINTS])
def test_every_source_measure_and_emergency_step_of_every_demo_point_is_laid_out_and_drawn(enterprise_key, point):
    data = card_of(enterprise_key, point)
    layout = layout_risk_card(data)
    assert_everything_is_placed(layout, data)
    assert_runs_are_drawn(layout, data)
    assert layout.size >= min(card.SECTION_SIZES) >= 22  # never shrunk below 7.5 pt to squeeze things in


def test_the_demo_has_points_and_most_fit_one_page():
    layouts = [layout_risk_card(card_of(key, point)) for key, point in DEMO_POINTS]
    assert len(layouts) >= 30
    assert sum(layout.pages == 1 for layout in layouts) >= len(layouts) - 3


def stuffed() -> RiskCardData:
    """A point at the contract's limits: 40 items of 500 characters in each list, mixed measure types."""
    line = "作业前确认可燃气体检测合格、办理作业票并落实监护人全程在场，GB30871-2022 第5.2条；"
    long = (line * 20)[:500]
    kinds = ["engineering", "management", "training", "ppe", "emergency"]
    return dataclasses.replace(
        card_of(*DEMO_POINTS[0]),
        hazard_sources=tuple(f"{n}号危险源：{long}"[:500] for n in range(40)),
        control_measures=tuple((kinds[n % 5], f"措施{n}：{long}"[:500]) for n in range(40)),
        emergency_measures=tuple(f"步骤{n}：{long}"[:500] for n in range(40)),
    )


def test_a_point_at_the_contracts_limits_keeps_every_item_over_continuation_pages():
    data = stuffed()
    layout = layout_risk_card(data)
    assert layout.pages > 5 and layout.size == min(card.SECTION_SIZES)
    assert_everything_is_placed(layout, data)
    assert_runs_are_drawn(layout, data)


def test_forty_short_measures_keep_everything_and_a_continuation_heading_says_so():
    data = dataclasses.replace(
        card_of(*DEMO_POINTS[0]),
        control_measures=tuple(
            ("management", f"第{n}条管理措施：严格执行作业许可制度，落实监护人和应急器材，作业结束清点人员和工具")
            for n in range(40)
        ),
    )
    layout = layout_risk_card(data)
    assert layout.pages >= 2
    assert_everything_is_placed(layout, data)
    continued = [r for r in layout.runs if r.kind == "heading" and r.page > 1]
    assert continued and continued[0].text.endswith("（续）")


def test_a_short_card_gets_the_largest_type_and_a_longer_one_shrinks_before_it_turns_the_page():
    data = card_of(*DEMO_POINTS[-1])
    short = dataclasses.replace(
        data, control_measures=data.control_measures[:1], hazard_sources=data.hazard_sources[:1]
    )
    assert (layout_risk_card(short).pages, layout_risk_card(short).size) == (1, max(card.SECTION_SIZES))
    shrunk = [(key, point) for key, point in DEMO_POINTS if layout_risk_card(card_of(key, point)).size < 32]
    assert shrunk
    for key, point in shrunk:  # each took the largest type that still needed no more pages than the smallest
        layout = layout_risk_card(card_of(key, point))
        first, more = (
            layout.regions[0],
            (
                card.CONTENT_LEFT,
                card.CONTINUATION_BAND + 32,
                card.CONTENT_RIGHT,
                card.HEIGHT - card.FRAME - card.CONTINUATION_FOOTER,
            ),
        )
        larger = card._layout(card._sections(card_of(key, point)), layout.size + 2)
        assert len(card._flow(larger, first, more)) > layout.pages, point["key"]


def test_a_page_past_the_last_is_refused():
    data = card_of(*DEMO_POINTS[0])
    pages = layout_risk_card(data).pages
    assert render_risk_card(data, page=pages).startswith(b"\x89PNG")
    for page in (0, pages + 1):
        with pytest.raises(ValueError):
            render_risk_card(data, page=page)
