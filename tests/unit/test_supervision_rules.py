"""分级分类监管, the pure rules: the edition's table, every class with its reasons, the visits owed and behind."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from fractions import Fraction

import pytest

from domain.history.chain import GENESIS_HASH, link
from domain.supervision.model import (
    CLASS_BANDS,
    EDITION,
    RULES,
    VISIT_QUOTAS,
    ClassInputs,
    SupervisionClass,
    classify,
    derive_classes,
    reasons_text,
    visit_standing,
)

A, B, C, D = SupervisionClass

# One enterprise per class, as the demo city has them (E7, E8, E3, E1).
SMALL_FISHERY = ClassInputs(
    supervising_department="嵊泗县海洋与渔业局",
    industry="fishing_vessels",
    large_points=1,
    credit_grade="A",
    safety_colour="blue",
)
SMALL_PROCESSOR = ClassInputs(
    supervising_department="普陀区应急管理局",
    industry="aquatic_processing",
    large_points=1,
    credit_grade="B",
    safety_colour="blue",
)
COLD_STORE = ClassInputs(
    supervising_department="定海区应急管理局",
    above_designated_size=True,
    industry="aquatic_processing",
    major_points=1,
    credit_grade="A",
    safety_colour="yellow",
)
TANK_FARM = ClassInputs(
    supervising_department="定海区应急管理局",
    above_designated_size=True,
    industry="oil_storage",
    major_points=2,
    large_points=1,
    credit_grade="A",
    safety_colour="red",
    open_major_hazards=7,
)


@pytest.mark.parametrize(
    ("inputs", "expected", "points"),
    [(SMALL_FISHERY, D, 5), (SMALL_PROCESSOR, C, 15), (COLD_STORE, B, 50), (TANK_FARM, A, 90)],
)
def test_each_class_is_reached_and_has_its_reasons(inputs, expected, points):
    result = classify(inputs)
    assert (result.supervision_class, result.points, result.edition) == (expected, points, EDITION)
    factors = [reason.factor for reason in result.reasons]
    # affiliation and size are always read, the band always closes the list, and the points add up
    assert factors[:2] == ["AFFILIATION", "SIZE"] and factors[-1] == "POINTS_BAND"
    assert sum(reason.points for reason in result.reasons) == points
    assert all(reason.name and reason.rule and reason.value for reason in result.reasons)


def test_a_listing_or_an_open_major_hazard_makes_any_enterprise_class_a():
    for change in ({"credit_listed": True}, {"open_major_hazards": 1}):
        result = classify(_with(SMALL_FISHERY, **change))
        assert result.supervision_class is A
        vetoes = [reason for reason in result.reasons if reason.at_least is A]
        assert len(vetoes) == 1 and vetoes[0].factor in ("CREDIT_LISTED", "OPEN_MAJOR_HAZARDS")
        assert result.reasons[-1].at_least is D  # the band alone says D: the veto is what moved it


def _with(inputs: ClassInputs, **changes) -> ClassInputs:
    return replace(inputs, **changes)


def test_the_factors_of_the_plan_each_move_the_points():
    base = classify(SMALL_FISHERY).points
    assert classify(_with(SMALL_FISHERY, supervising_department="嵊泗县应急管理局")).points == base + 10
    assert classify(_with(SMALL_FISHERY, above_designated_size=True)).points == base + 10
    assert classify(_with(SMALL_FISHERY, industry="hazardous_chemicals")).points == base + 20  # licensed
    assert classify(_with(SMALL_FISHERY, major_points=3)).points == base + 25
    assert classify(_with(SMALL_FISHERY, large_points=9)).points == base - 5 + 15  # capped
    assert classify(_with(SMALL_FISHERY, credit_grade="D")).points == base + 20
    assert classify(_with(SMALL_FISHERY, safety_colour="orange")).points == base + 10


def test_band_edges_are_inclusive():
    assert [lowest for lowest, _ in CLASS_BANDS] == [60, 35, 15, 0]
    exactly_15 = _with(SMALL_PROCESSOR)  # 10 (属地) + 5 (one 较大 point)
    assert classify(exactly_15).supervision_class is C
    assert classify(_with(exactly_15, large_points=0)).supervision_class is D


def test_the_rules_table_is_data_with_stable_codes():
    codes = [rule.factor for rule in RULES]
    assert len(codes) == len(set(codes)) and {"AFFILIATION", "SIZE", "LICENSED", "CREDIT_LISTED", "SAFETY_CODE"} <= set(
        codes
    )
    assert {cls: q.per_year for cls, q in VISIT_QUOTAS.items()} == {A: 4, B: 2, C: 1, D: Fraction(1, 2)}


def test_visits_owed_so_far_and_behind():
    # A on 3 December: 4 owed in the year, 3 by now (⌊4 × 337 / 365⌋)
    standing = visit_standing(A, date(2026, 12, 3), [date(2026, 3, 2), date(2026, 3, 2), date(2025, 12, 1)])
    assert (standing.owed, standing.owed_to_date, standing.done, standing.behind) == (4, 3, 1, True)
    # a quarter of 2026 has passed on 2 April (day 92 of 365; ⌊4 × 91 / 365⌋ = 0 the day before)
    assert not visit_standing(A, date(2026, 4, 1), []).behind
    assert visit_standing(A, date(2026, 4, 2), []).behind
    # D counts over this year and the last: a visit last year is enough, and it is due only at the period's end
    d = visit_standing(D, date(2026, 12, 3), [date(2025, 5, 5)])
    assert (d.period_start, d.owed, d.owed_to_date, d.done, d.behind) == (date(2025, 1, 1), 1, 0, 1, False)
    assert visit_standing(D, date(2026, 12, 31), []).behind
    assert visit_standing(C, date(2026, 12, 31), [], closed=True).owed == 0


def test_derive_replays_the_class_chain_and_refuses_a_jump():
    reasons = [r.as_json() for r in classify(TANK_FARM).reasons]
    payload = {"from": None, "to": "A", "edition": EDITION, "points": 90, "reasons": reasons, "inputs": {}}
    first = link(
        "class:e1", 1, "reclassify", "system", "admin", datetime(2026, 12, 3, tzinfo=UTC), payload, [], GENESIS_HASH
    )
    row = derive_classes([first])[""]
    assert (row["class_code"], row["version"], row["chain_seq"]) == ("A", 1, 1)
    assert row["reasons"] == reasons_text(reasons)
    jump = link(
        "class:e1", 2, "reclassify", "system", "admin", datetime(2026, 12, 4, tzinfo=UTC), payload, [], first.hash
    )
    with pytest.raises(Exception, match="follows the class A"):
        derive_classes([first, jump])
