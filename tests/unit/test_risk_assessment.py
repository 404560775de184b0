"""Risk assessment: LEC and LS schemes as data, exact scores, every band edge, scheme checks, control levels."""

import dataclasses
import itertools
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import InvalidInput
from domain.risk.model import (
    CONTROL_LEVELS,
    LEC_BOUNDARY_UP,
    LEC_USUAL,
    LS_USUAL,
    LS_VARIANT,
    SEED_SCHEMES,
    Band,
    Colour,
    ControlLevel,
    Factor,
    FactorOption,
    InvalidAssessmentFactor,
    InvalidScheme,
    Method,
    RiskLevel,
    assess,
    check_scheme,
    controlled_at,
    grade,
    reachable_scores,
)

D = Decimal
MAJOR, LARGE, GENERAL, LOW = RiskLevel.MAJOR, RiskLevel.LARGE, RiskLevel.GENERAL, RiskLevel.LOW
SCHEME_IDS = [scheme.id for scheme in SEED_SCHEMES]


def lec(L, E, C):
    return {"L": L, "E": E, "C": C}


def ls(L, S):
    return {"L": L, "S": S}


# ---------------------------------------------------------------------------------------------------------------
# The seeded schemes themselves


@pytest.mark.parametrize("scheme", SEED_SCHEMES, ids=SCHEME_IDS)
def test_every_seeded_scheme_passes_its_own_consistency_check(scheme):
    assert check_scheme(scheme) is scheme


def test_the_seeded_schemes_have_distinct_ids_and_a_version():
    assert len({(scheme.id, scheme.version) for scheme in SEED_SCHEMES}) == len(SEED_SCHEMES)
    assert all(scheme.version >= 1 and scheme.edition and scheme.name for scheme in SEED_SCHEMES)


def test_the_lec_tables_are_the_ones_the_rules_give():
    tables = {factor.name: factor.values for factor in LEC_USUAL.factors}
    assert tables == {
        "L": tuple(map(D, ["10", "6", "3", "1", "0.5", "0.2", "0.1"])),
        "E": tuple(map(D, ["10", "6", "3", "2", "1", "0.5"])),
        "C": tuple(map(D, ["100", "40", "15", "7", "3", "1"])),
    }
    assert all(option.label_zh for factor in LEC_USUAL.factors for option in factor.options)


def test_the_ls_tables_run_from_one_to_five():
    for scheme in (LS_USUAL, LS_VARIANT):
        assert {factor.name: factor.values for factor in scheme.factors} == {
            "L": tuple(map(D, range(1, 6))),
            "S": tuple(map(D, range(1, 6))),
        }


def test_the_bands_are_written_as_the_rules_write_them():
    assert [band.describe("D") for band in LEC_USUAL.bands] == [
        "320 < D",
        "160 < D ≤ 320",
        "70 < D ≤ 160",
        "0 ≤ D ≤ 70",
    ]
    assert [band.describe("D") for band in LEC_BOUNDARY_UP.bands] == [
        "320 ≤ D",
        "160 ≤ D < 320",
        "70 ≤ D < 160",
        "0 ≤ D < 70",
    ]
    assert [band.describe(LS_VARIANT.score_symbol) for band in LS_VARIANT.bands] == [
        "20 ≤ R ≤ 25",
        "9 ≤ R ≤ 16",
        "4 ≤ R ≤ 8",
        "1 ≤ R ≤ 3",
    ]


# ---------------------------------------------------------------------------------------------------------------
# Every band edge, generated from the scheme data


def band_edges():
    """(scheme, band, bound, inclusive, side) for every finite bound of every band of every seeded scheme."""
    for scheme in SEED_SCHEMES:
        for band in scheme.bands:
            yield pytest.param(
                scheme, band, band.lower, band.lower_inclusive, "lower", id=f"{scheme.id}-{band.level}-lower"
            )
            if band.upper is not None:
                yield pytest.param(
                    scheme, band, band.upper, band.upper_inclusive, "upper", id=f"{scheme.id}-{band.level}-upper"
                )


EPSILON = D("0.001")


@pytest.mark.parametrize(("scheme", "band", "bound", "inclusive", "side"), list(band_edges()))
def test_a_band_holds_its_bound_exactly_when_the_scheme_says_the_bound_is_inclusive(
    scheme, band, bound, inclusive, side
):
    assert band.contains(bound) is inclusive


@pytest.mark.parametrize(("scheme", "band", "bound", "inclusive", "side"), list(band_edges()))
def test_a_band_holds_scores_just_inside_its_bound_and_not_just_outside(scheme, band, bound, inclusive, side):
    inside, outside = (bound + EPSILON, bound - EPSILON) if side == "lower" else (bound - EPSILON, bound + EPSILON)
    assert band.contains(inside)
    assert not band.contains(outside)


@pytest.mark.parametrize(("scheme", "band", "bound", "inclusive", "side"), list(band_edges()))
def test_a_score_on_a_bound_grades_into_whichever_adjacent_band_includes_it(scheme, band, bound, inclusive, side):
    if inclusive:
        assert grade(scheme, bound) == band.level
        return
    neighbours = [other for other in scheme.bands if other is not band and other.contains(bound)]
    if neighbours:  # LEC bands abut, so an excluded bound belongs to the band beside
        assert grade(scheme, bound) == neighbours[0].level != band.level
    else:  # only an unreachable score may fall between bands
        assert bound not in reachable_scores(scheme)
        with pytest.raises(InvalidScheme):
            grade(scheme, bound)


@pytest.mark.parametrize(("scheme", "band", "bound", "inclusive", "side"), list(band_edges()))
def test_the_nearest_reachable_scores_on_each_side_of_a_bound_grade_by_the_band_data(
    scheme, band, bound, inclusive, side
):
    scores = reachable_scores(scheme)
    below = [score for score in scores if score < bound]
    above = [score for score in scores if score > bound]
    # Seen from the bound, the band lies above a lower bound and below an upper one.
    nearest_inside = (above[:1] if side == "lower" else below[-1:]) or [None]
    nearest_outside = (below[-1:] if side == "lower" else above[:1]) or [None]
    if nearest_inside[0] is not None and band.contains(nearest_inside[0]):
        assert assess(scheme, factors_for(scheme, nearest_inside[0])).level == band.level
    if nearest_outside[0] is not None:
        assert assess(scheme, factors_for(scheme, nearest_outside[0])).level != band.level
    if bound in scores:
        on_bound = assess(scheme, factors_for(scheme, bound)).level
        assert (on_bound == band.level) is inclusive


def factors_for(scheme, score):
    """Some factor values of the scheme whose product is `score`."""
    names = [factor.name for factor in scheme.factors]
    for combination in itertools.product(*(factor.values for factor in scheme.factors)):
        product = D(1)
        for value in combination:
            product *= value
        if product == score:
            return dict(zip(names, combination, strict=True))
    raise AssertionError(f"{score} is not reachable in {scheme.id}")


@pytest.mark.parametrize("scheme", SEED_SCHEMES, ids=SCHEME_IDS)
def test_every_factor_combination_of_a_seeded_scheme_grades_into_exactly_one_band(scheme):
    names = [factor.name for factor in scheme.factors]
    for combination in itertools.product(*(factor.values for factor in scheme.factors)):
        result = assess(scheme, dict(zip(names, combination, strict=True)))
        holders = [band for band in scheme.bands if band.contains(result.score)]
        assert [band.level for band in holders] == [result.level]


# ---------------------------------------------------------------------------------------------------------------
# Hard-written expectations, worked out by hand from the rules' tables


def test_neither_320_nor_160_is_a_reachable_lec_score_so_only_70_tells_the_two_lec_schemes_apart():
    # Checked by hand: no L×E from the tables gives 3.2, 8, 1.6 or 4 (the cofactors of C for 320 and 160),
    # while 70 = 10 × 1 × 7 = 1 × 10 × 7.
    scores = reachable_scores(LEC_USUAL)
    assert D(320) not in scores
    assert D(160) not in scores
    assert D(70) in scores
    differing = [score for score in scores if grade(LEC_USUAL, score) != grade(LEC_BOUNDARY_UP, score)]
    assert differing == [D(70)]


def test_the_boundary_scores_themselves_grade_differently_under_the_two_lec_schemes():
    assert (grade(LEC_USUAL, D(320)), grade(LEC_BOUNDARY_UP, D(320))) == (LARGE, MAJOR)
    assert (grade(LEC_USUAL, D(160)), grade(LEC_BOUNDARY_UP, D(160))) == (GENERAL, LARGE)
    assert (grade(LEC_USUAL, D(70)), grade(LEC_BOUNDARY_UP, D(70))) == (LOW, GENERAL)
    assert (grade(LEC_USUAL, D("320.001")), grade(LEC_BOUNDARY_UP, D("319.999"))) == (MAJOR, LARGE)
    assert (grade(LEC_USUAL, D("160.001")), grade(LEC_BOUNDARY_UP, D("159.999"))) == (LARGE, GENERAL)
    assert (grade(LEC_USUAL, D("70.001")), grade(LEC_BOUNDARY_UP, D("69.999"))) == (GENERAL, LOW)


@pytest.mark.parametrize(
    ("factors", "score", "usual", "boundary_up"),
    [
        (lec(10, 10, 100), "10000", MAJOR, MAJOR),  # the largest score
        (lec(3, 3, 40), "360", MAJOR, MAJOR),  # the smallest score above 320
        (lec(10, 10, 3), "300", LARGE, LARGE),  # the largest score below 320
        (lec("0.5", 6, 100), "300", LARGE, LARGE),  # the same score from a decimal factor
        (lec(10, 6, 3), "180", LARGE, LARGE),  # the smallest score above 160
        (lec(10, 1, 15), "150", GENERAL, GENERAL),  # the largest score below 160
        (lec(10, "0.5", 15), "75", GENERAL, GENERAL),  # the smallest score above 70
        (lec(10, 1, 7), "70", LOW, GENERAL),  # on the 70 boundary: the schemes disagree
        (lec(1, 10, 7), "70", LOW, GENERAL),
        (lec(3, 3, 7), "63", LOW, LOW),  # the largest score below 70
        (lec("0.1", "0.5", 1), "0.05", LOW, LOW),  # the smallest score
    ],
)
def test_hand_worked_lec_scores_grade_as_expected_under_both_lec_schemes(factors, score, usual, boundary_up):
    first, second = assess(LEC_USUAL, factors), assess(LEC_BOUNDARY_UP, factors)
    assert first.score == second.score == D(score)
    assert str(first.score) == score
    assert (first.level, second.level) == (usual, boundary_up)


@pytest.mark.parametrize(
    ("factors", "score", "usual", "variant"),
    [
        (ls(5, 5), 25, MAJOR, MAJOR),
        (ls(4, 5), 20, MAJOR, MAJOR),  # the lowest red
        (ls(4, 4), 16, LARGE, LARGE),  # the highest orange
        (ls(5, 3), 15, LARGE, LARGE),  # the lowest orange of the usual bands
        (ls(3, 4), 12, GENERAL, LARGE),  # the highest yellow of the usual bands
        (ls(2, 5), 10, GENERAL, LARGE),
        (ls(3, 3), 9, GENERAL, LARGE),  # the lowest yellow of the usual bands, the lowest orange of the variant
        (ls(2, 4), 8, LOW, GENERAL),  # the highest blue of the usual bands, the highest yellow of the variant
        (ls(2, 2), 4, LOW, GENERAL),  # the lowest yellow of the variant
        (ls(1, 4), 4, LOW, GENERAL),
        (ls(1, 3), 3, LOW, LOW),  # the highest blue of the variant
        (ls(1, 1), 1, LOW, LOW),
    ],
)
def test_hand_worked_ls_scores_grade_as_expected_under_both_ls_schemes(factors, score, usual, variant):
    first, second = assess(LS_USUAL, factors), assess(LS_VARIANT, factors)
    assert first.score == second.score == D(score)
    assert (first.level, second.level) == (usual, variant)


def test_the_ls_usual_bands_leave_unreachable_scores_like_13_ungraded_and_that_is_consistent():
    assert [str(score) for score in reachable_scores(LS_USUAL)] == [
        "1",
        "2",
        "3",
        "4",
        "5",
        "6",
        "8",
        "9",
        "10",
        "12",
        "15",
        "16",
        "20",
        "25",
    ]
    with pytest.raises(InvalidScheme) as caught:
        grade(LS_USUAL, D(13))
    assert caught.value.params["reason"] == "gap"


# ---------------------------------------------------------------------------------------------------------------
# What an assessment carries


def test_an_assessment_carries_scheme_factors_score_level_colour_and_control_level():
    result = assess(LEC_USUAL, lec(6, 6, 15))
    assert result.method is Method.LEC
    assert (result.scheme_id, result.scheme_version) == ("lec-usual", 1)
    assert result.factors == {"L": D(6), "E": D(6), "C": D(15)}
    assert result.score == D(540)
    assert result.level is MAJOR
    assert result.colour is Colour.RED
    assert result.min_control_level is ControlLevel.COMPANY


@pytest.mark.parametrize(
    ("level", "colour", "label", "control"),
    [
        (MAJOR, Colour.RED, "重大风险", ControlLevel.COMPANY),
        (LARGE, Colour.ORANGE, "较大风险", ControlLevel.DEPARTMENT),
        (GENERAL, Colour.YELLOW, "一般风险", ControlLevel.WORKSHOP),
        (LOW, Colour.BLUE, "低风险", ControlLevel.TEAM),
    ],
)
def test_each_level_has_its_colour_its_chinese_name_and_its_typical_control_level(level, colour, label, control):
    assert level.colour is colour
    assert level.label_zh == label
    for scheme in SEED_SCHEMES:
        assert scheme.control_level_of(level) is control


# ---------------------------------------------------------------------------------------------------------------
# Exact decimals


def test_decimal_factors_multiply_exactly_where_floats_would_not():
    assert 0.1 * 3 != 0.3  # the reason scores are never floats
    assert assess(LEC_USUAL, lec("0.1", 3, 1)).score == D("0.3")
    assert assess(LEC_USUAL, lec("0.2", 3, 7)).score == D("4.2")
    assert assess(LEC_USUAL, lec("0.5", "0.5", 1)).score == D("0.25")
    assert str(assess(LEC_USUAL, lec("0.1", "0.5", 1)).score) == "0.05"
    assert str(assess(LEC_USUAL, lec("0.5", "0.5", 3)).score) == "0.75"


def test_a_score_has_one_spelling_however_the_factors_were_written():
    for spelling in ("0.5", "0.50", " 0.5 ", "5E-1", D("0.500")):
        result = assess(LEC_USUAL, lec(spelling, 10, 15))
        assert str(result.score) == "75"
        assert str(result.factors["L"]) == "0.5"
    assert str(assess(LEC_USUAL, lec("10.0", "6.00", 1)).score) == "60"


lec_combinations = st.tuples(*(st.sampled_from(factor.values) for factor in LEC_USUAL.factors))


@given(lec_combinations, st.sampled_from([LEC_USUAL, LEC_BOUNDARY_UP]))
def test_any_lec_score_equals_the_rational_product_of_its_factors(combination, scheme):
    result = assess(scheme, dict(zip("LEC", combination, strict=True)))
    expected = Fraction(1)
    for value in combination:
        expected *= Fraction(value)
    assert Fraction(result.score) == expected
    assert result.level == grade(scheme, result.score)


# ---------------------------------------------------------------------------------------------------------------
# Refused factors


@pytest.mark.parametrize(
    ("scheme", "factors", "reason"),
    [
        (LEC_USUAL, lec(4, 6, 15), "not_allowed"),  # 4 is not a likelihood in the table
        (LEC_USUAL, lec(10, 6, 50), "not_allowed"),
        (LEC_USUAL, lec(0, 6, 15), "not_allowed"),
        (LEC_USUAL, lec(-10, 6, 15), "not_allowed"),
        (LEC_USUAL, lec("0.3", 6, 15), "not_allowed"),
        (LEC_USUAL, lec(10, "0.1", 15), "not_allowed"),  # 0.1 is an L value, not an E value
        (LS_USUAL, ls(6, 1), "not_allowed"),
        (LS_USUAL, ls("2.5", 2), "not_allowed"),
        (LEC_USUAL, lec("ten", 6, 15), "not_a_number"),
        (LEC_USUAL, lec("", 6, 15), "not_a_number"),
        (LEC_USUAL, lec("NaN", 6, 15), "not_a_number"),
        (LEC_USUAL, lec("Infinity", 6, 15), "not_a_number"),
        (LEC_USUAL, lec(D("sNaN"), 6, 15), "not_a_number"),
        (LEC_USUAL, lec(0.5, 6, 15), "type"),  # a float, even an exact one, is refused
        (LEC_USUAL, lec(True, 6, 15), "type"),
        (LEC_USUAL, lec(None, 6, 15), "type"),
        (LEC_USUAL, lec([10], 6, 15), "type"),
        (LEC_USUAL, {"L": 10, "E": 6}, "missing_factor"),
        (LS_USUAL, {"L": 2}, "missing_factor"),
        (LEC_USUAL, {**lec(10, 6, 15), "S": 3}, "unknown_factor"),
        (LS_USUAL, {"L": 2, "S": 2, "E": 1}, "unknown_factor"),
        (LS_USUAL, {"l": 2, "s": 2}, "unknown_factor"),
    ],
)
def test_a_factor_outside_the_scheme_is_refused_with_a_clear_domain_error(scheme, factors, reason):
    with pytest.raises(InvalidAssessmentFactor) as caught:
        assess(scheme, factors)
    error = caught.value
    assert isinstance(error, InvalidInput)
    assert error.code == "ASSESSMENT_FACTOR_INVALID"
    assert error.params["reason"] == reason
    assert error.detail


def test_the_refusal_of_a_value_names_the_factor_and_the_values_the_table_allows():
    with pytest.raises(InvalidAssessmentFactor) as caught:
        assess(LEC_USUAL, lec(10, 4, 15))
    assert caught.value.params["factor"] == "E"
    assert caught.value.params["value"] == "4"
    assert caught.value.params["allowed"] == ["10", "6", "3", "2", "1", "0.5"]
    assert "0.5" in caught.value.detail and "lec-usual" in caught.value.detail


# ---------------------------------------------------------------------------------------------------------------
# check_scheme finds broken schemes


def with_band(scheme, index, **changes):
    bands = list(scheme.bands)
    bands[index] = dataclasses.replace(bands[index], **changes)
    return dataclasses.replace(scheme, bands=tuple(bands))


def refusal(scheme):
    with pytest.raises(InvalidScheme) as caught:
        check_scheme(scheme)
    assert caught.value.code == "RISK_SCHEME_INVALID"
    assert caught.value.params["scheme_id"] == scheme.id
    return caught.value.params


def test_check_scheme_finds_a_gap_where_a_reachable_score_falls_in_no_band():
    # 75 < D ≤ 160 for yellow leaves the reachable 75 = 10 × 0.5 × 15 in no band.
    params = refusal(with_band(LEC_USUAL, 2, lower=D(75)))
    assert (params["reason"], params["score"]) == ("gap", "75")


def test_check_scheme_finds_a_gap_made_by_a_single_flipped_inclusiveness():
    params = refusal(with_band(LS_USUAL, 3, upper_inclusive=False))  # 1 ≤ R < 8 leaves 8 = 2 × 4 out
    assert (params["reason"], params["score"]) == ("gap", "8")


def test_check_scheme_finds_an_overlap_where_a_reachable_score_falls_in_two_bands():
    # Blue up to 75 inclusive overlaps yellow (70, 160] on 75 = 10 × 0.5 × 15, the first reachable score above 70.
    params = refusal(with_band(LEC_USUAL, 3, upper=D(75)))
    assert params["reason"] == "overlap"
    assert params["score"] == "75"
    assert sorted(params["levels"]) == ["general", "low"]


def test_check_scheme_finds_an_overlap_on_a_shared_inclusive_boundary():
    params = refusal(with_band(LEC_USUAL, 2, lower_inclusive=True))  # 70 ≤ D ≤ 160 and D ≤ 70 share 70
    assert (params["reason"], params["score"]) == ("overlap", "70")


def test_check_scheme_ignores_a_gap_that_no_factor_combination_can_reach():
    # (150, 160] holds no reachable LEC score, so ending yellow at 150 changes nothing that can happen.
    gapped = with_band(LEC_USUAL, 2, upper=D(150))
    assert check_scheme(gapped) is gapped


def test_check_scheme_refuses_bands_that_grade_a_higher_score_lower():
    swapped = with_band(with_band(LS_USUAL, 0, level=LOW), 3, level=MAJOR)
    assert refusal(swapped)["reason"] == "order"


@pytest.mark.parametrize(
    ("broken", "reason"),
    [
        (with_band(LEC_USUAL, 1, lower=D(400)), "band"),  # upper below lower
        (with_band(LS_USUAL, 0, upper_inclusive=False, upper=D(20)), "band"),  # 20 ≤ R < 20 is empty
        (with_band(LEC_USUAL, 0, upper_inclusive=True), "band"),  # unbounded yet inclusive above
        (with_band(LEC_USUAL, 0, lower=D("NaN")), "band"),
        (dataclasses.replace(LEC_USUAL, bands=()), "band"),
        (dataclasses.replace(LEC_USUAL, factors=LEC_USUAL.factors[:2]), "factors"),
        (dataclasses.replace(LS_USUAL, factors=LEC_USUAL.factors), "factors"),
        (dataclasses.replace(LS_USUAL, method="RPN"), "method"),
        (
            dataclasses.replace(
                LS_USUAL, factors=(LS_USUAL.factors[0], Factor("S", "严重性", (FactorOption(D(1)), FactorOption(D(1)))))
            ),
            "factor_values",
        ),
        (dataclasses.replace(LS_USUAL, factors=(LS_USUAL.factors[0], Factor("S", "严重性", ()))), "factor_values"),
        (
            dataclasses.replace(LS_USUAL, factors=(LS_USUAL.factors[0], Factor("S", "严重性", (FactorOption(D(0)),)))),
            "factor_values",
        ),
        (dataclasses.replace(LS_USUAL, control_levels=LS_USUAL.control_levels[:3]), "control_levels"),
    ],
)
def test_check_scheme_refuses_malformed_factors_bands_and_control_levels(broken, reason):
    assert refusal(broken)["reason"] == reason


def test_a_new_scheme_version_is_just_data():
    stricter = dataclasses.replace(
        LS_USUAL,
        version=2,
        bands=(
            Band(MAJOR, D(15), True, D(25), True),
            Band(LARGE, D(9), True, D(12), True),
            Band(GENERAL, D(5), True, D(8), True),
            Band(LOW, D(1), True, D(4), True),
        ),
    )
    check_scheme(stricter)
    before, after = assess(LS_USUAL, ls(3, 5)), assess(stricter, ls(3, 5))
    assert (before.level, before.scheme_version) == (LARGE, 1)
    assert (after.level, after.scheme_version) == (MAJOR, 2)


# ---------------------------------------------------------------------------------------------------------------
# The control-level cascade


def test_control_levels_run_from_company_down_to_post():
    assert CONTROL_LEVELS == (
        ControlLevel.COMPANY,
        ControlLevel.DEPARTMENT,
        ControlLevel.WORKSHOP,
        ControlLevel.TEAM,
        ControlLevel.POST,
    )
    assert [level.label_zh for level in CONTROL_LEVELS] == ["公司", "部门", "车间", "班组", "岗位"]


@pytest.mark.parametrize(
    ("level", "levels"),
    [
        (ControlLevel.COMPANY, ["company", "department", "workshop", "team", "post"]),
        (ControlLevel.DEPARTMENT, ["department", "workshop", "team", "post"]),
        (ControlLevel.WORKSHOP, ["workshop", "team", "post"]),
        (ControlLevel.TEAM, ["team", "post"]),
        (ControlLevel.POST, ["post"]),
    ],
)
def test_a_risk_controlled_at_a_level_is_also_controlled_at_every_level_below(level, levels):
    assert controlled_at(level) == levels
    assert controlled_at(str(level)) == levels


@pytest.mark.parametrize(
    ("factors", "levels"),
    [
        (lec(10, 10, 100), ["company", "department", "workshop", "team", "post"]),
        (lec(10, 6, 3), ["department", "workshop", "team", "post"]),
        (lec(10, 1, 15), ["workshop", "team", "post"]),
        (lec(3, 3, 7), ["team", "post"]),
    ],
)
def test_an_assessed_risk_is_controlled_from_its_level_downwards(factors, levels):
    assert assess(LEC_USUAL, factors).controlled_at == levels


def test_a_scheme_may_place_a_level_elsewhere_and_the_cascade_follows():
    local = dataclasses.replace(
        LEC_USUAL,
        id="lec-local",
        control_levels=(
            (MAJOR, ControlLevel.COMPANY),
            (LARGE, ControlLevel.COMPANY),
            (GENERAL, ControlLevel.DEPARTMENT),
            (LOW, ControlLevel.POST),
        ),
    )
    check_scheme(local)
    assert assess(local, lec(10, 6, 3)).min_control_level is ControlLevel.COMPANY
    assert assess(local, lec(3, 3, 7)).controlled_at == ["post"]
