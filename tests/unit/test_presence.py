"""Presence (一扫) as a policy: a pure judgement of the scan an inspection cites, tested at its boundaries."""

from datetime import UTC, datetime, timedelta

import pytest

from domain.access.model import Role
from domain.codes.model import distance_m
from domain.inspections.model import (
    DEFAULT_PRESENCE_POLICY,
    InspectionScanInvalid,
    InspectionScanRequired,
    Presence,
    PresencePolicy,
    PresenceScanStale,
    PresenceTooFar,
    ScanFix,
    check_scan_found,
    judge_presence,
    presence_required,
    require_presence,
)

START = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)
END = START + timedelta(minutes=30)
POINT = (29.9446, 122.1027)  # a tank farm on the Zhoushan archipelago
METRES_PER_DEGREE_LAT = distance_m(0.0, 0.0, 1.0, 0.0)


def north(metres: float) -> tuple[float, float]:
    """A place `metres` due north of the point."""
    return POINT[0] + metres / METRES_PER_DEGREE_LAT, POINT[1]


def judge(scan: ScanFix | None, policy: PresencePolicy = DEFAULT_PRESENCE_POLICY, place=POINT):
    return judge_presence(
        scan, point_lat=place[0], point_lng=place[1], started_at=START, finished_at=END, policy=policy
    )


def fix(metres: float = 0.0, *, at: datetime = START, accuracy: float | None = None) -> ScanFix:
    return ScanFix(at, *north(metres), accuracy)


def test_the_default_policy_is_100_metres_2_hours_and_a_50_metre_accuracy_cap():
    assert (DEFAULT_PRESENCE_POLICY.radius_m, DEFAULT_PRESENCE_POLICY.max_age) == (100.0, timedelta(hours=2))
    assert DEFAULT_PRESENCE_POLICY.accuracy_cap_m == 50.0
    assert DEFAULT_PRESENCE_POLICY.for_point(None) is DEFAULT_PRESENCE_POLICY
    assert DEFAULT_PRESENCE_POLICY.for_point(800).radius_m == 800.0


def test_no_scan_is_presence_none():
    assert judge(None).presence is Presence.NONE


@pytest.mark.parametrize(
    ("metres", "presence"), [(0, "proven"), (99.9, "proven"), (100.0, "proven"), (100.2, "far"), (40_000, "far")]
)
def test_the_radius_bounds_the_distance_inclusively(metres, presence):
    verdict = judge(fix(metres))
    assert verdict.presence == presence
    assert verdict.distance_m == pytest.approx(metres, abs=0.1)
    assert verdict.reason == ("within" if presence == "proven" else "too_far")


def test_a_point_of_a_large_site_proves_presence_within_its_own_radius():
    policy = DEFAULT_PRESENCE_POLICY.for_point(500)
    assert judge(fix(450), policy).presence is Presence.PROVEN
    assert judge(fix(520), policy).presence is Presence.FAR
    assert judge(fix(150)).presence is Presence.FAR  # the default 100 m elsewhere


@pytest.mark.parametrize(
    ("scan_at", "presence", "reason"),
    [
        (START - timedelta(hours=2), "proven", "within"),
        (START - timedelta(hours=2, seconds=1), "stale", "too_old"),
        (START - timedelta(hours=3), "stale", "too_old"),
        (END, "proven", "within"),
        (END + timedelta(hours=1), "proven", "within"),
        (END + timedelta(hours=1, seconds=1), "stale", "after"),
    ],
)
def test_the_scan_is_at_most_two_hours_older_than_the_start_and_not_after_the_inspection(scan_at, presence, reason):
    verdict = judge(fix(10, at=scan_at))
    assert (verdict.presence, verdict.reason) == (presence, reason)


def test_stale_is_judged_before_far_and_still_measures_the_distance():
    verdict = judge(fix(40_000, at=START - timedelta(hours=3)))
    assert verdict.presence is Presence.STALE and verdict.distance_m == pytest.approx(40_000, abs=0.1)


@pytest.mark.parametrize(
    ("metres", "accuracy", "presence", "reason"),
    [
        (130, 30, "proven", "within"),  # 130 − 30 = 100: the phone may have been at the radius
        (131, 30, "far", "too_far"),
        (140, 50, "proven", "within"),  # the cap itself still counts
        (10, 50.1, "far", "inaccurate"),  # a fix worse than the cap proves nothing, even next to the point
        (100, 0, "proven", "within"),
        (101, None, "far", "too_far"),  # no accuracy sent: the distance alone
    ],
)
def test_accuracy_widens_the_radius_up_to_its_cap(metres, accuracy, presence, reason):
    verdict = judge(fix(metres, accuracy=accuracy))
    assert (verdict.presence, verdict.reason) == (presence, reason)


def test_without_a_fix_or_without_a_place_of_the_point_presence_is_not_proven():
    assert judge(ScanFix(START)).reason == "no_position"
    assert judge(ScanFix(START)).presence is Presence.FAR
    assert judge(fix(0), place=(None, None)).reason == "point_unplaced"


def test_outsiders_always_and_staff_at_major_and_large_points_must_prove_presence():
    for level in ("major", "large", "general", "low", None):
        assert presence_required(Role.INSPECTOR, level) and presence_required(Role.REGULATOR, level)
        assert presence_required(Role.OFFICER, level) == (level in ("major", "large"))
        assert presence_required(Role.PRINCIPAL, level) == (level in ("major", "large"))


@pytest.mark.parametrize(
    ("scan", "error", "reason"),
    [
        (None, InspectionScanRequired, "required"),
        (fix(40_000), PresenceTooFar, "too_far"),
        (fix(10, accuracy=900), PresenceTooFar, "inaccurate"),
        (fix(10, at=START - timedelta(hours=3)), PresenceScanStale, "too_old"),
    ],
)
def test_each_failed_rule_is_refused_with_its_own_code(scan, error, reason):
    with pytest.raises(error) as refused:
        require_presence(judge(scan), DEFAULT_PRESENCE_POLICY)
    assert refused.value.params["reason"] == reason
    assert refused.value.params["field"] == "scanId"
    require_presence(judge(fix(5)), DEFAULT_PRESENCE_POLICY)


def test_a_scan_id_that_names_no_scan_of_the_callers_is_refused_like_an_unknown_one():
    check_scan_found(None, None)
    check_scan_found("S", fix())
    with pytest.raises(InspectionScanInvalid) as refused:
        check_scan_found("S", None)
    assert refused.value.params["reason"] == "unknown"
