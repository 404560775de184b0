"""Inspection cycles cut time into calendar windows of Zhoushan: without gaps or overlaps, deterministic."""

import itertools
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.access.model import Role
from domain.inspections.model import (
    EPOCH,
    LOCAL_TIME,
    Cycle,
    CycleUnit,
    InspectionItemInvalid,
    InspectionTimeInvalid,
    ResultReport,
    Window,
    check_results,
    check_times,
    hazard_level,
    hazard_source,
    hazard_title,
    next_window,
    window_at,
    windows_between,
)

ZONES = [
    UTC,
    LOCAL_TIME,
    ZoneInfo("America/New_York"),
    ZoneInfo("Europe/London"),
    timezone(timedelta(hours=-3, minutes=-30)),
]
# Asia/Shanghai has kept UTC+8 without summer time since 1991; the windows are cut on that calendar.
instants = st.datetimes(
    min_value=datetime(1992, 1, 1), max_value=datetime(2150, 1, 1), timezones=st.sampled_from(ZONES)
)
cycles = st.builds(Cycle, n=st.integers(1, 1000), unit=st.sampled_from(list(CycleUnit)))
small_cycles = st.builds(Cycle, n=st.integers(1, 30), unit=st.sampled_from(list(CycleUnit)))
ONE_MICROSECOND = timedelta(microseconds=1)


def local(at: datetime) -> datetime:
    return at.astimezone(LOCAL_TIME)


@given(cycles, instants)
def test_a_window_contains_its_instant_and_is_not_empty(cycle, at):
    window = window_at(cycle, at)
    assert window.contains(at)
    assert window.start < window.end
    assert window.start.tzinfo is UTC and window.end.tzinfo is UTC


@given(cycles, instants)
def test_windows_tile_time_the_next_starts_where_one_ends(cycle, at):
    window = window_at(cycle, at)
    following = next_window(cycle, window)
    assert following.start == window.end
    assert window_at(cycle, window.end) == following
    assert window_at(cycle, window.end - ONE_MICROSECOND) == window
    assert window_at(cycle, window.start) == window
    assert window_at(cycle, window.start - ONE_MICROSECOND).end == window.start


@given(cycles, instants, st.sampled_from(ZONES))
def test_every_instant_of_a_window_and_every_way_of_writing_it_finds_the_same_window(cycle, at, zone):
    window = window_at(cycle, at)
    assert window_at(cycle, at.astimezone(zone)) == window
    middle = window.start + (window.end - window.start) / 2
    assert window_at(cycle, middle) == window == window_at(Cycle(cycle.n, cycle.unit), at)


@given(st.sampled_from(list(CycleUnit)), instants)
def test_single_unit_windows_start_on_the_local_calendar_boundary(unit, at):
    start, end = (local(t) for t in (lambda w: (w.start, w.end))(window_at(Cycle(1, unit), at)))
    assert (start.minute, start.second, start.microsecond) == (0, 0, 0)
    if unit is not CycleUnit.HOUR:
        assert start.hour == 0
    match unit:
        case CycleUnit.HOUR:
            assert end - start == timedelta(hours=1)
        case CycleUnit.DAY:
            assert end - start == timedelta(days=1)
        case CycleUnit.WEEK:
            assert start.weekday() == 0 and end - start == timedelta(days=7)
        case CycleUnit.MONTH:
            assert start.day == 1 and (end.month - start.month) % 12 == 1
        case CycleUnit.QUARTER:
            assert start.day == 1 and start.month in (1, 4, 7, 10)
        case CycleUnit.YEAR:
            assert (start.month, start.day) == (1, 1) and end.year == start.year + 1


@given(st.integers(2, 60), st.sampled_from([CycleUnit.DAY, CycleUnit.WEEK]), instants)
def test_longer_windows_count_from_the_fixed_epoch(n, unit, at):
    window = window_at(Cycle(n, unit), at)
    days = (local(window.start).date() - EPOCH).days
    assert days % (n * (7 if unit is CycleUnit.WEEK else 1)) == 0


@given(small_cycles, instants, st.integers(0, 24 * 90))
def test_the_windows_between_two_times_cover_them_in_order_with_nothing_left_out(cycle, start, hours):
    end = start + timedelta(hours=hours)
    windows = list(windows_between(cycle, start, end))
    if hours == 0:
        assert windows == []
        return
    assert windows[0].contains(start) and windows[-1].start < end <= windows[-1].end
    assert all(a.end == b.start for a, b in itertools.pairwise(windows))


def test_a_day_is_zhoushans_day_not_utcs():
    window = window_at(Cycle(1, CycleUnit.DAY), datetime(2026, 11, 28, 15, 59, tzinfo=UTC))  # 23:59 in Zhoushan
    assert window == Window(datetime(2026, 11, 27, 16, tzinfo=UTC), datetime(2026, 11, 28, 16, tzinfo=UTC))
    after_midnight = window_at(Cycle(1, CycleUnit.DAY), datetime(2026, 11, 28, 16, 0, tzinfo=UTC))
    assert after_midnight.start == window.end


def test_two_hour_patrols_start_on_even_hours_and_a_quarter_in_april():
    patrol = window_at(Cycle(2, CycleUnit.HOUR), datetime(2026, 11, 28, 9, 30, tzinfo=LOCAL_TIME))
    assert (local(patrol.start).hour, local(patrol.end).hour) == (8, 10)
    quarter = window_at(Cycle(1, CycleUnit.QUARTER), datetime(2026, 5, 20, tzinfo=LOCAL_TIME))
    assert (local(quarter.start).date().isoformat(), local(quarter.end).date().isoformat()) == (
        "2026-04-01",
        "2026-07-01",
    )


def test_the_window_key_is_the_item_and_the_start_in_utc():
    window = window_at(Cycle(1, CycleUnit.WEEK), datetime(2026, 11, 28, 12, tzinfo=LOCAL_TIME))
    assert window.key("01ITEM") == "01ITEM:2026-11-22T16:00:00Z"  # Monday 23 November, 00:00 in Zhoushan


def test_a_naive_time_or_an_empty_cycle_is_refused():
    with pytest.raises(ValueError):
        window_at(Cycle(1, CycleUnit.DAY), datetime(2026, 11, 28))
    with pytest.raises(ValueError):
        Cycle(0, CycleUnit.DAY)
    with pytest.raises(ValueError):
        Cycle(1, "decade")


NOW = datetime(2026, 11, 28, 10, tzinfo=UTC)


def test_an_inspection_finishes_after_it_starts_and_not_in_the_future():
    check_times(NOW - timedelta(minutes=20), NOW, NOW)
    check_times(NOW, NOW + timedelta(minutes=9), NOW)  # a phone's clock a little ahead
    for started, finished, reason in [
        (NOW, NOW - timedelta(seconds=1), "before_start"),
        (NOW, NOW + timedelta(minutes=11), "future"),
    ]:
        with pytest.raises(InspectionTimeInvalid) as refused:
            check_times(started, finished, NOW)
        assert refused.value.params["reason"] == reason


@pytest.mark.parametrize(
    "results, reason",
    [
        ([], "empty"),
        ([ResultReport("X", True)], "unknown"),
        ([ResultReport("A", True), ResultReport("A", False)], "duplicate"),
        ([ResultReport("A", True, hazard_title="漏油")], "not_failed"),
        (
            [ResultReport("A", False, hazard_client_id="h1"), ResultReport("B", False, hazard_client_id="h1")],
            "duplicate",
        ),
    ],
)
def test_results_name_distinct_items_of_the_checklist_and_only_failures_open_hazards(results, reason):
    with pytest.raises(InspectionItemInvalid) as refused:
        check_results(results, ["A", "B"])
    assert refused.value.params["reason"] == reason


def test_good_results_pass():
    check_results([ResultReport("A", True), ResultReport("B", False, "漏油", "h1", "罐根阀渗漏", ("P1",))], ["A", "B"])


def test_a_failed_item_opens_a_hazard_of_the_right_source_level_and_title():
    assert [hazard_source(role) for role in (Role.OFFICER, Role.PRINCIPAL, Role.INSPECTOR, Role.REGULATOR)] == [
        "daily",
        "daily",
        "grid_inspection",
        "enforcement",
    ]
    assert hazard_level("HC2017-05") == ("major", False)
    assert hazard_level(None) == ("general", True)
    assert hazard_title(None, "检查液位计") == "检查液位计"
    assert hazard_title("  ", "检查液位计") == "检查液位计"
    assert hazard_title("液位计失灵", "检查液位计") == "液位计失灵"
    assert len(hazard_title(None, "长" * 500)) == 200
