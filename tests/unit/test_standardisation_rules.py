"""The pure rules of standardisation: a grade's validity on a day (expiry and revocation boundaries), its default
term, revocation checks, the best grade held, the rate, and the region a figure may speak for."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import Conflict, InvalidInput
from domain.standardisation.model import (
    Grade,
    GradeAlreadyRevoked,
    GradeInputInvalid,
    GradeStatus,
    GradeTerm,
    best_grade,
    check_revocation,
    check_term,
    compliance_rate,
    default_valid_to,
    is_valid_on,
    narrowest_path,
    status_on,
)

TERM = GradeTerm(date(2024, 3, 1), date(2027, 2, 28))
REVOKED = GradeTerm(date(2024, 3, 1), date(2027, 2, 28), revoked_on=date(2025, 6, 10))


@pytest.mark.parametrize(
    ("day", "valid"),
    [
        (date(2024, 2, 29), False),  # the day before it starts
        (date(2024, 3, 1), True),  # its first day
        (date(2027, 2, 28), True),  # its last day
        (date(2027, 3, 1), False),  # the day after: expired
    ],
)
def test_a_grade_is_valid_from_its_first_to_its_last_day_inclusive(day, valid):
    assert is_valid_on(TERM, day) is valid


@pytest.mark.parametrize(
    ("day", "valid", "status"),
    [
        (date(2025, 6, 9), True, GradeStatus.VALID),  # the day before the revocation takes effect
        (date(2025, 6, 10), False, GradeStatus.REVOKED),  # revoked on that day: no longer valid that day
        (date(2026, 1, 1), False, GradeStatus.REVOKED),
        (date(2027, 3, 1), False, GradeStatus.REVOKED),  # a revocation outranks expiry once it has taken effect
    ],
)
def test_a_revoked_grade_stops_counting_on_the_day_of_revocation(day, valid, status):
    assert is_valid_on(REVOKED, day) is valid
    assert status_on(REVOKED, day) is status


def test_status_before_during_and_after_the_term():
    assert status_on(TERM, date(2024, 1, 1)) is GradeStatus.PENDING
    assert status_on(TERM, date(2025, 1, 1)) is GradeStatus.VALID
    assert status_on(TERM, date(2027, 3, 1)) is GradeStatus.EXPIRED


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)))
def test_the_default_term_is_three_years_less_a_day(start):
    end = default_valid_to(start)
    assert is_valid_on(GradeTerm(start, end), end)
    assert not is_valid_on(GradeTerm(start, end), end + timedelta(days=1))
    assert 365 * 3 - 1 <= (end - start).days <= 366 * 3


def test_a_grade_awarded_on_29_february_runs_to_the_end_of_february():
    assert default_valid_to(date(2024, 2, 29)) == date(2027, 2, 28)
    assert default_valid_to(date(2024, 3, 1)) == date(2027, 2, 28)


def test_a_term_must_end_after_it_starts_and_last_at_most_three_years():
    check_term(date(2024, 3, 1), date(2027, 2, 28))
    check_term(date(2024, 3, 1), date(2024, 3, 1))
    with pytest.raises(GradeInputInvalid) as before:
        check_term(date(2024, 3, 1), date(2024, 2, 29))
    assert before.value.params["reason"] == "before_valid_from"
    with pytest.raises(GradeInputInvalid) as longer:
        check_term(date(2024, 3, 1), date(2027, 3, 1))
    assert longer.value.params["reason"] == "longer_than_validity"
    assert isinstance(longer.value, InvalidInput)


def test_a_revocation_is_recorded_once_within_the_term_and_not_ahead_of_time():
    today = date(2026, 1, 1)
    check_revocation(TERM, date(2024, 3, 1), today)
    check_revocation(TERM, today, today)
    with pytest.raises(GradeAlreadyRevoked) as twice:
        check_revocation(REVOKED, date(2025, 7, 1), today)
    assert isinstance(twice.value, Conflict)
    for day, reason in [
        (date(2024, 2, 29), "outside_term"),
        (date(2027, 3, 1), "outside_term"),
        (date(2026, 1, 2), "in_future"),
    ]:
        with pytest.raises(GradeInputInvalid) as refused:
            check_revocation(TERM, day, date(2030, 1, 1) if reason == "outside_term" else today)
        assert refused.value.params["reason"] == reason


def test_the_best_grade_is_the_highest_valid_on_the_day():
    old_first = GradeTerm(date(2020, 1, 1), date(2022, 12, 31))
    grades = [(Grade.THIRD, TERM), (Grade.FIRST, old_first), (Grade.SECOND, REVOKED)]
    assert best_grade(grades, date(2021, 6, 1)) is Grade.FIRST
    assert best_grade(grades, date(2025, 1, 1)) is Grade.SECOND
    assert best_grade(grades, date(2025, 6, 10)) is Grade.THIRD  # the second was revoked that day
    assert best_grade(grades, date(2030, 1, 1)) is None
    assert best_grade([], date(2025, 1, 1)) is None


def test_the_rate_is_exact_to_four_places_and_absent_for_an_empty_list():
    assert compliance_rate(2, 4) == Decimal("0.5000")
    assert compliance_rate(2, 3) == Decimal("0.6667")
    assert compliance_rate(1, 8) == Decimal("0.1250")
    assert compliance_rate(4, 4) == Decimal("1.0000")
    assert compliance_rate(0, 0) is None


def test_a_figure_speaks_for_the_deepest_of_regions_on_one_line_of_descent():
    city, dinghai, cengang, putuo = "/330900/", "/330900/330902/", "/330900/330902/330902007/", "/330900/330903/"
    assert narrowest_path([city]) == city
    assert narrowest_path([dinghai, city]) == dinghai
    assert narrowest_path([city, cengang, dinghai]) == cengang
    assert narrowest_path([dinghai, putuo]) is None  # side by side: nothing to speak for
    assert narrowest_path([city, dinghai, putuo]) is None
    # a path is a prefix by whole codes only: /3309/ is not an ancestor of /330900/
    assert narrowest_path(["/3309/", city]) is None
