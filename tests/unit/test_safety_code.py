"""The safety-code scheme and the regional rule, rule by rule at their edges (pure: no database)."""

from __future__ import annotations

import io
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from domain.printing import region_map
from domain.printing.palette import COLOUR_RGB
from domain.printing.region_map import MapArea, polygons_of, render_region_map
from domain.risk.model import Colour
from domain.safety_code import model
from domain.safety_code.model import SafetyInputs, band_of, region_colour, score, worse

RED, ORANGE, YELLOW, BLUE = Colour.RED, Colour.ORANGE, Colour.YELLOW, Colour.BLUE


def rules(inputs: SafetyInputs) -> dict[str, model.Reason]:
    return {reason.rule: reason for reason in score(inputs).reasons}


def test_the_scheme_is_versioned_and_its_table_is_in_the_docstring():
    assert model.SCHEME_VERSION == 1 and model.REGION_RULE_VERSION == 1
    for rule in (
        "INHERENT_RISK",
        "OPEN_MAJOR_HAZARDS",
        "OVERDUE_MAJOR_HAZARDS",
        "OVERDUE_HAZARDS",
        "TASK_COMPLETION",
        "CREDIT_GRADE",
        "CREDIT_LISTED",
        "SCORE_BAND",
    ):
        assert rule in model.__doc__


def test_an_enterprise_with_nothing_against_it_is_blue_with_only_its_band_as_reason():
    result = score(SafetyInputs())
    assert (result.colour, result.score, result.scheme_version) == (BLUE, 0, 1)
    assert [(r.rule, r.value, r.at_least) for r in result.reasons] == [("SCORE_BAND", "0", BLUE)]


@pytest.mark.parametrize(
    ("total", "colour"),
    [(0, BLUE), (14, BLUE), (15, YELLOW), (34, YELLOW), (35, ORANGE), (59, ORANGE), (60, RED), (500, RED)],
)
def test_score_bands_include_their_lower_edge(total, colour):
    assert band_of(total) is colour


@pytest.mark.parametrize(
    ("counts", "points"),
    [
        ((0, 0, 0, 5), None),  # low points weigh nothing
        ((0, 0, 1, 0), 1),
        ((0, 1, 0, 0), 5),
        ((1, 0, 0, 0), 15),
        ((1, 2, 4, 9), 29),
        ((2, 0, 0, 0), 30),  # exactly the cap
        ((2, 0, 1, 0), 30),  # one more point is capped away
        ((9, 9, 9, 9), 30),
    ],
)
def test_inherent_risk_adds_15_5_1_0_per_point_up_to_30(counts, points):
    major, large, general, low = counts
    found = rules(SafetyInputs(major_points=major, large_points=large, general_points=general, low_points=low))
    if points is None:
        assert "INHERENT_RISK" not in found
    else:
        assert found["INHERENT_RISK"].points == points
        assert found["INHERENT_RISK"].value == f"major:{major} large:{large} general:{general} low:{low}"


def test_inherent_risk_alone_never_passes_yellow():
    result = score(SafetyInputs(major_points=50, large_points=50, general_points=50))
    assert (result.colour, result.score) == (YELLOW, 30)
    assert score(SafetyInputs(major_points=1)).colour is YELLOW
    assert score(SafetyInputs(large_points=2, general_points=4)).colour is BLUE  # 14
    assert score(SafetyInputs(large_points=3)).colour is YELLOW  # 15


def test_one_open_major_hazard_makes_at_least_orange_and_two_make_red_by_points():
    one = score(SafetyInputs(open_major_hazards=1))
    assert (one.colour, one.score) == (ORANGE, 25)  # band yellow, lifted by the rule
    reason = rules(SafetyInputs(open_major_hazards=1))["OPEN_MAJOR_HAZARDS"]
    assert (reason.value, reason.points, reason.at_least) == ("1", 25, ORANGE)
    assert rules(SafetyInputs(open_major_hazards=1))["SCORE_BAND"].at_least is YELLOW
    assert score(SafetyInputs(open_major_hazards=2)).colour is ORANGE  # 50
    assert score(SafetyInputs(open_major_hazards=2, general_points=10)).colour is RED  # 60
    assert "OPEN_MAJOR_HAZARDS" not in rules(SafetyInputs())


def test_an_overdue_major_hazard_makes_red_whatever_the_score():
    result = score(SafetyInputs(open_major_hazards=1, overdue_major_hazards=1, overdue_hazards=1))
    assert (result.colour, result.score) == (RED, 33)
    assert rules(SafetyInputs(overdue_major_hazards=1))["OVERDUE_MAJOR_HAZARDS"].at_least is RED


@pytest.mark.parametrize(
    ("overdue", "points", "colour"), [(1, 8, BLUE), (2, 16, YELLOW), (4, 32, YELLOW), (5, 32, YELLOW), (40, 32, YELLOW)]
)
def test_overdue_hazards_add_8_each_up_to_32(overdue, points, colour):
    result = score(SafetyInputs(overdue_hazards=overdue))
    assert rules(SafetyInputs(overdue_hazards=overdue))["OVERDUE_HAZARDS"].points == points
    assert result.colour is colour


@pytest.mark.parametrize(
    ("done", "due", "points"),
    [
        (0, 9, None),  # fewer than 10 due: not scored at all
        (0, 10, 20),
        (5, 10, 20),
        (59, 100, 20),
        (60, 100, 10),  # exactly 60 %: the next band
        (79, 100, 10),
        (80, 100, 5),
        (94, 100, 5),
        (949, 1000, 5),
        (95, 100, None),  # exactly 95 %: nothing
        (10, 10, None),
    ],
)
def test_task_completion_below_60_80_95_percent_adds_20_10_5(done, due, points):
    found = rules(SafetyInputs(tasks_done=done, tasks_due=due))
    if points is None:
        assert "TASK_COMPLETION" not in found
    else:
        assert (found["TASK_COMPLETION"].points, found["TASK_COMPLETION"].value) == (points, f"{done}/{due}")


@pytest.mark.parametrize(("grade", "points"), [("A", None), ("B", None), (None, None), ("C", 10), ("D", 25)])
def test_credit_grades_c_and_d_add_points(grade, points):
    found = rules(SafetyInputs(credit_grade=grade))
    assert (found["CREDIT_GRADE"].points if "CREDIT_GRADE" in found else None) == points


def test_a_listed_enterprise_is_red_with_the_basis_of_its_listing():
    result = score(SafetyInputs(credit_listed=True, credit_basis=("listed until 2029-01-29", "grade D")))
    assert result.colour is RED
    reason = rules(SafetyInputs(credit_listed=True, credit_basis=("listed until 2029-01-29",)))["CREDIT_LISTED"]
    assert (reason.value, reason.at_least) == ("listed until 2029-01-29", RED)


def test_behaviour_adds_up_across_rules_and_every_rule_that_fired_is_a_reason():
    inputs = SafetyInputs(large_points=1, overdue_hazards=2, tasks_due=20, tasks_done=15, credit_grade="C")
    result = score(inputs)
    assert result.score == 5 + 16 + 10 + 10
    assert result.colour is ORANGE
    assert [r.rule for r in result.reasons] == [
        "INHERENT_RISK",
        "OVERDUE_HAZARDS",
        "TASK_COMPLETION",
        "CREDIT_GRADE",
        "SCORE_BAND",
    ]


colours = st.sampled_from(list(Colour))


@given(colours, colours)
def test_worse_is_the_redder_of_two_colours(a, b):
    assert worse(a, b) == worse(b, a)
    assert model.COLOURS_WORST_FIRST.index(worse(a, b)) == min(
        model.COLOURS_WORST_FIRST.index(a), model.COLOURS_WORST_FIRST.index(b)
    )


inputs = st.builds(
    SafetyInputs,
    **{
        name: st.integers(0, 30)
        for name in (
            "major_points",
            "large_points",
            "general_points",
            "low_points",
            "open_major_hazards",
            "overdue_major_hazards",
            "overdue_hazards",
            "tasks_due",
            "tasks_done",
        )
    },
    credit_listed=st.booleans(),
    credit_grade=st.sampled_from([None, "A", "B", "C", "D"]),
)


@given(inputs)
def test_the_colour_is_the_worse_of_the_band_and_every_least_colour_and_the_score_is_the_sum(given_inputs):
    result = score(given_inputs)
    assert result.score == sum(r.points for r in result.reasons)
    expected = band_of(result.score)
    for reason in result.reasons:
        if reason.at_least is not None:
            expected = worse(expected, reason.at_least)
    assert result.colour is expected
    assert result.reasons[-1].rule == "SCORE_BAND"


# --- the regional rule ----------------------------------------------------------------------------------------------


def counts(red=0, orange=0, yellow=0, blue=0) -> dict[Colour, int]:
    return {RED: red, ORANGE: orange, YELLOW: yellow, BLUE: blue}


@pytest.mark.parametrize(
    ("given_counts", "colour"),
    [
        (counts(), None),  # no enterprises, no colour
        (counts(blue=1), BLUE),
        (counts(red=1), RED),
        (counts(red=1, blue=4), RED),  # exactly 20 %
        (counts(red=1, blue=5), BLUE),  # 16.7 %
        (counts(red=1, orange=1, blue=8), ORANGE),  # red 10 %, red-or-orange 20 %
        (counts(red=1, orange=1, blue=9), BLUE),  # 18.2 %
        (counts(red=1, yellow=1, blue=8), YELLOW),
        (counts(red=19, blue=81), BLUE),  # 19 % red: every colour short of blue is held by 19 % only
        (counts(red=20, blue=80), RED),
        (counts(orange=2, yellow=3, blue=5), ORANGE),
    ],
)
def test_a_region_takes_the_first_colour_held_with_worse_ones_by_at_least_a_fifth(given_counts, colour):
    assert region_colour(given_counts) == colour


@given(st.integers(0, 50), st.integers(0, 50), st.integers(0, 50), st.integers(0, 50))
def test_the_region_colour_is_never_worse_than_its_worst_enterprise_nor_better_than_the_majority(r, o, y, b):
    given_counts = counts(r, o, y, b)
    found = region_colour(given_counts)
    if r + o + y + b == 0:
        assert found is None
        return
    order = model.COLOURS_WORST_FIRST
    worst_held = next(c for c in order if given_counts[c])
    assert order.index(found) >= order.index(worst_held)
    # the colour (with worse ones) is held by at least a fifth, and anything worse by less
    index = order.index(found)
    total = r + o + y + b
    assert 5 * sum(given_counts[c] for c in order[: index + 1]) >= total
    assert all(5 * sum(given_counts[c] for c in order[: i + 1]) < total for i in range(index))


# --- the drawing -----------------------------------------------------------------------------------------------------


def test_geojson_polygons_and_multipolygons_become_rings_and_anything_else_nothing():
    ring = [[122.0, 30.0], [122.1, 30.0], [122.1, 30.1], [122.0, 30.0]]
    assert polygons_of({"type": "Polygon", "coordinates": [ring]}) == (
        ([(122.0, 30.0), (122.1, 30.0), (122.1, 30.1), (122.0, 30.0)],),
    )
    assert len(polygons_of({"type": "MultiPolygon", "coordinates": [[ring], [ring]]})) == 2
    assert polygons_of(None) == () and polygons_of({"type": "Point", "coordinates": [122.0, 30.0]}) == ()


def test_the_map_fills_each_outline_in_its_colour_deeper_levels_over_shallower_ones():
    square = [[122.0, 30.0], [122.2, 30.0], [122.2, 30.2], [122.0, 30.2], [122.0, 30.0]]
    inner = [[122.08, 30.08], [122.12, 30.08], [122.12, 30.12], [122.08, 30.12], [122.08, 30.08]]
    areas = [
        MapArea("某镇", "town", RED, polygons_of({"type": "Polygon", "coordinates": [square]})),
        MapArea("G-1", "grid", BLUE, polygons_of({"type": "Polygon", "coordinates": [inner]})),
        MapArea("无图形", "town", YELLOW, ()),
    ]
    image = Image.open(io.BytesIO(render_region_map(areas, "某区", date(2026, 11, 29), "rule")))
    assert image.format == "PNG" and image.size == (region_map.WIDTH, region_map.HEIGHT)
    rgb = image.convert("RGB")
    box = (
        region_map.MARGIN,
        region_map.HEADER,
        region_map.WIDTH - region_map.MARGIN,
        region_map.HEIGHT - region_map.FOOTER,
    )
    centre = ((box[0] + box[2]) // 2, (box[1] + box[3]) // 2)
    # the grid lies over the middle of the town (its label at the very centre); the town shows around it, each painted
    # at its level's strength (a grid in the full colour, a town in a tint of its own)
    assert rgb.getpixel((centre[0] + 60, centre[1] + 60)) == region_map.fill_rgb(BLUE, "grid") == COLOUR_RGB[BLUE]
    assert rgb.getpixel((centre[0] - 300, centre[1] + 300)) == region_map.fill_rgb(RED, "town") != COLOUR_RGB[RED]
    sampled = set(rgb.crop(box).getdata())
    assert COLOUR_RGB[YELLOW] not in sampled  # an area without an outline is not drawn


def test_a_map_with_no_outlines_still_renders_with_its_legend():
    image = Image.open(
        io.BytesIO(render_region_map([MapArea("某网格", "grid", RED, ())], "我的网格", date(2026, 1, 1), ""))
    )
    assert image.size == (region_map.WIDTH, region_map.HEIGHT)
