"""Pure rules of public reports: the receipt, the point-in-outline routing, the action table, the rate windows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.access.model import Actor, Role
from domain.errors import Forbidden
from domain.public_reports.model import (
    RECEIPT_ALPHABET,
    TRANSITIONS,
    Outline,
    RateLimit,
    ReportAction,
    ReportActionNotAllowed,
    ReportStatus,
    allowed_actions,
    geometry_contains,
    locate,
    new_receipt,
    next_status,
    normal_receipt,
    retry_after_s,
    shown_receipt,
    window_of,
)

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]], [[4, 4], [6, 4], [6, 6], [4, 6], [4, 4]]],
}
REGULATOR = Actor(user_id="r", role=Role.REGULATOR, region_path="/330900/")


def test_a_receipt_is_twelve_unambiguous_characters_shown_in_fours_and_read_back_forgivingly():
    receipt = new_receipt()
    assert len(receipt) == 12 and set(receipt) <= set(RECEIPT_ALPHABET) and not set(receipt) & set("ILOU")
    shown = shown_receipt(receipt)
    assert shown.count("-") == 2 and normal_receipt(shown) == receipt
    assert normal_receipt(" " + shown.lower() + " ") == receipt
    assert normal_receipt("O1L0-ABCD-EFGH") == "0110ABCDEFGH"
    assert normal_receipt("ABCD-EFGH-IJK") is None and normal_receipt("UUUU-UUUU-UUUU") is None


@given(st.text(max_size=30))
def test_any_text_reads_as_a_receipt_or_as_none_never_an_error(text):
    found = normal_receipt(text)
    assert found is None or (len(found) == 12 and set(found) <= set(RECEIPT_ALPHABET))


def test_a_point_is_inside_a_polygon_outside_its_hole_and_outside_beyond_its_edge():
    assert geometry_contains(SQUARE, 1, 1) and geometry_contains(SQUARE, 9, 5)
    assert not geometry_contains(SQUARE, 5, 5)  # in the hole
    assert not geometry_contains(SQUARE, 11, 5) and not geometry_contains(SQUARE, -0.1, 5)
    multi = {"type": "MultiPolygon", "coordinates": [SQUARE["coordinates"], [[[20, 20], [21, 20], [21, 21], [20, 20]]]]}
    assert geometry_contains(multi, 20.8, 20.2) and not geometry_contains(
        {"type": "Point", "coordinates": [1, 1]}, 1, 1
    )
    assert not geometry_contains(SQUARE, float("nan"), 1) and not geometry_contains(None, 1, 1)


def test_the_most_precise_outline_wins_a_grid_before_its_town_before_its_district():
    district = Outline("region", "330902", "330902", "/330900/330902/", SQUARE)
    town = Outline("region", "330902007", "330902007", "/330900/330902/330902007/", SQUARE)
    grid = Outline(
        "grid",
        "G1",
        "330902007",
        "/330900/330902/330902007/",
        {"type": "Polygon", "coordinates": [[[0, 0], [2, 0], [2, 2], [0, 0]]]},
    )
    assert locate([district, town, grid], 1.5, 0.5) == grid
    assert locate([district, town, grid], 8, 8) == town
    assert locate([district], 8, 8) == district and locate([district, town], 50, 50) is None


def test_every_pair_in_the_action_table_moves_and_every_pair_outside_is_refused():
    for status in ReportStatus:
        for action in ReportAction:
            if (status, action) in TRANSITIONS:
                assert next_status(status, action, REGULATOR) == TRANSITIONS[(status, action)]
            else:
                with pytest.raises(ReportActionNotAllowed):
                    next_status(status, action, REGULATOR)
    assert allowed_actions("received", REGULATOR) == ["accept", "dismiss", "forward", "reply"]
    assert allowed_actions("accepted", REGULATOR) == ["reply"]


@pytest.mark.parametrize("role", [Role.OFFICER, Role.PRINCIPAL, Role.INSPECTOR, Role.ADMIN])
def test_nobody_but_a_regulator_acts(role):
    actor = Actor(user_id="x", role=role)
    assert allowed_actions("received", actor) == []
    with pytest.raises(Forbidden):
        next_status("received", "reply", actor)


def test_a_fixed_window_ends_on_its_boundary_and_retry_after_counts_the_seconds_to_it():
    limit = RateLimit("t", 5, timedelta(hours=1))
    now = datetime(2026, 11, 29, 10, 59, 30, tzinfo=UTC)
    start, end = window_of(limit, now)
    assert end == datetime(2026, 11, 29, 11, 0, tzinfo=UTC) and start == int(end.timestamp()) - 3600
    assert retry_after_s(end, now) == 30 and retry_after_s(end, end) == 1
