"""The pure rules of the statutory statistics: periods, their due days (Zhoushan dates), backfill, funds, and the
hash of the frozen figures."""

import hashlib
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.history.chain import canonical
from domain.statutory.model import (
    Figures,
    LevelFigures,
    Period,
    PeriodKind,
    figures_sha256,
    funds_amount_yuan,
    parse_period,
    periods_due,
)

Q = PeriodKind.QUARTER


@pytest.mark.parametrize(
    ("period", "start", "end", "due"),
    [
        (Period(2026, Q, 1), date(2026, 1, 1), date(2026, 3, 31), date(2026, 4, 15)),
        (Period(2026, Q, 2), date(2026, 4, 1), date(2026, 6, 30), date(2026, 7, 15)),
        (Period(2026, Q, 3), date(2026, 7, 1), date(2026, 9, 30), date(2026, 10, 15)),
        (Period(2026, Q, 4), date(2026, 10, 1), date(2026, 12, 31), date(2027, 1, 15)),
        (Period(2026, PeriodKind.YEAR), date(2026, 1, 1), date(2026, 12, 31), date(2027, 1, 31)),
    ],
)
def test_a_quarter_is_due_on_the_15th_of_the_next_month_and_a_year_on_31_january(period, start, end, due):
    assert (period.start, period.end, period.due) == (start, end, due)
    assert parse_period(period.key) == period


def test_a_period_is_cut_at_zhoushan_midnights():
    start, end = Period(2026, Q, 1).window()
    assert start == datetime(2025, 12, 31, 16, tzinfo=UTC)
    assert end == datetime(2026, 3, 31, 16, tzinfo=UTC)


def test_nothing_is_due_the_day_before_and_the_period_is_due_on_its_day():
    first = date(2026, 2, 1)
    assert "2026-Q1" not in [p.key for p in periods_due(first, date(2026, 4, 14))]
    assert [p.key for p in periods_due(first, date(2026, 4, 15))] == ["2026-Q1"]
    keys = lambda today: [p.key for p in periods_due(first, today)]  # noqa: E731
    assert keys(date(2027, 1, 14)) == ["2026-Q1", "2026-Q2", "2026-Q3"]
    assert keys(date(2027, 1, 15)) == ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
    assert keys(date(2027, 1, 30)) == keys(date(2027, 1, 15))
    assert keys(date(2027, 1, 31)) == ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4", "2026"]


def test_backfill_lists_every_due_period_from_the_first_day_on_record():
    due = periods_due(date(2024, 11, 20), date(2026, 11, 29))
    assert [p.key for p in due] == [
        "2024-Q4",
        "2024",
        "2025-Q1",
        "2025-Q2",
        "2025-Q3",
        "2025-Q4",
        "2025",
        "2026-Q1",
        "2026-Q2",
        "2026-Q3",
    ]
    # a period that ended before the enterprise was on record is not owed
    assert "2024-Q3" not in [p.key for p in due]


@given(st.dates(min_value=date(2001, 1, 1), max_value=date(2090, 1, 1)), st.integers(0, 900))
def test_every_due_period_is_due_by_today_and_overlaps_the_record(first, days):
    today = date.fromordinal(first.toordinal() + days)
    due = periods_due(first, today)
    assert all(p.due <= today and p.end >= first for p in due)
    assert len({p.key for p in due}) == len(due)
    # tomorrow owes everything today owes, and maybe more
    assert {p.key for p in due} <= {p.key for p in periods_due(first, date.fromordinal(today.toordinal() + 1))}


def test_funds_are_read_from_the_amounts_a_plan_names():
    assert funds_amount_yuan("专项资金30万元已落实") == Decimal("300000")
    assert funds_amount_yuan("设备费 12.5万元，材料 800 元") == Decimal("125800.0")
    assert funds_amount_yuan("资金已落实") is None
    assert funds_amount_yuan("") is None


def test_the_figures_document_totals_its_levels_and_its_hash_is_of_the_canonical_text():
    period = Period(2026, Q, 3)
    general = LevelFigures(found=5, rectified=4, rectified_on_time=3, open=1, overdue=1, voided=1)
    major = LevelFigures(
        found=2, rectified=1, rectified_on_time=1, open=1, funds_recorded=1, funds_yuan=Decimal("300000")
    )
    document = Figures(period, {"general": general, "major": major}).to_json()
    assert document["total"] == {
        "found": 7,
        "rectified": 5,
        "rectifiedOnTime": 4,
        "open": 2,
        "overdue": 1,
        "voided": 1,
        "fundsRecorded": 1,
        "fundsYuan": "300000",
    }
    assert document["period"] == {
        "key": "2026-Q3",
        "kind": "quarter",
        "from": "2026-07-01",
        "to": "2026-09-30",
        "due": "2026-10-15",
    }
    assert figures_sha256(document) == hashlib.sha256(canonical(document)).hexdigest()
    changed = Figures(period, {"general": general, "major": LevelFigures(found=3)}).to_json()
    assert figures_sha256(changed) != figures_sha256(document)
    assert Figures(period).to_json()["total"]["found"] == 0  # a quiet quarter is still reported, with zeros
