"""Inspection cycles as calendar windows, and the checks of an inspection report: pure (no I/O, no framework).

A checklist item's cycle (n × hour / day / week / month / quarter / year) cuts time into windows [start, end) on
the wall calendar of Zhoushan (Asia/Shanghai): a day starts at 00:00, a week on Monday, a quarter in January,
April, July or October, a year on 1 January. For n > 1 the windows are counted from a fixed epoch, so every
server, and every run of the task generator, cuts the same windows. Windows come back in UTC, as they are stored.
"""

from __future__ import annotations

import dataclasses
import math
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from domain.access.model import Role
from domain.clock import LOCAL_TIME as LOCAL_TIME  # re-exported: the region's local time, read here by many
from domain.errors import InvalidInput
from domain.hazards.model import HazardLevel, Source
from domain.history.chain import Event, bound, replay_error
from domain.risk.model import MAX_RADIUS_M as MAX_RADIUS_M  # re-exported with the presence policy
from domain.risk.model import MIN_RADIUS_M as MIN_RADIUS_M
from domain.risk.model import RiskLevel

# A Monday at local midnight: n-day and n-week windows count from here, hour windows from its first hour,
# and month, quarter and year windows from its month (January 2000).
EPOCH = date(2000, 1, 3)
_EPOCH_YEAR = EPOCH.year
# A phone's clock may run a little ahead of ours (the hazard report allows the same).
CLOCK_SKEW = timedelta(minutes=10)
# A scan proves presence at an inspection when it was made within this long of it.
SCAN_LEEWAY = timedelta(hours=1)
MAX_TITLE = 200


class CycleUnit(StrEnum):
    """The units of an inspection cycle (the checklist's `cycle_unit`)."""

    HOUR = "hour"
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


# Each unit as a whole number of one of three base steps, so a week is 7 days and a quarter 3 months.
_BASE = {
    CycleUnit.HOUR: ("hour", 1),
    CycleUnit.DAY: ("day", 1),
    CycleUnit.WEEK: ("day", 7),
    CycleUnit.MONTH: ("month", 1),
    CycleUnit.QUARTER: ("month", 3),
    CycleUnit.YEAR: ("month", 12),
}


@dataclass(frozen=True, slots=True)
class Cycle:
    """Every `n` `unit`s."""

    n: int
    unit: CycleUnit

    def __post_init__(self) -> None:
        if self.n < 1:
            raise ValueError(f"a cycle is at least one {self.unit}")
        object.__setattr__(self, "unit", CycleUnit(self.unit))


@dataclass(frozen=True, slots=True)
class Window:
    """A half-open span of time [start, end), in UTC."""

    start: datetime
    end: datetime

    def contains(self, at: datetime) -> bool:
        """True when `at` falls in the window (its end belongs to the next one)."""
        return self.start <= at < self.end

    def key(self, item_id: str) -> str:
        """The task's natural key: `<checklist item id>:<window start, RFC 3339 UTC>`."""
        return f"{item_id}:{self.start.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}"


def _base_index(step: str, at: datetime) -> int:
    """How many base steps lie between the epoch and the step holding `at`, on the local calendar."""
    local = at.astimezone(LOCAL_TIME)
    if step == "month":
        return (local.year - _EPOCH_YEAR) * 12 + local.month - 1
    days = (local.date() - EPOCH).days
    return days * 24 + local.hour if step == "hour" else days


def _base_start(step: str, index: int) -> datetime:
    """The instant the `index`-th base step after the epoch begins."""
    if step == "month":
        year, month = divmod(index, 12)
        local = datetime(_EPOCH_YEAR + year, month + 1, 1, tzinfo=LOCAL_TIME)
    elif step == "hour":
        days, hour = divmod(index, 24)
        local = datetime.combine(EPOCH + timedelta(days=days), time(hour), tzinfo=LOCAL_TIME)
    else:
        local = datetime.combine(EPOCH + timedelta(days=index), time(0), tzinfo=LOCAL_TIME)
    return local.astimezone(UTC)


def window_at(cycle: Cycle, at: datetime) -> Window:
    """The window of the cycle that contains `at` (a timezone-aware instant)."""
    if at.tzinfo is None:
        raise ValueError("a naive time has no place on the calendar")
    step, per_unit = _BASE[cycle.unit]
    width = per_unit * cycle.n
    first = _base_index(step, at) // width * width
    return Window(_base_start(step, first), _base_start(step, first + width))


def next_window(cycle: Cycle, window: Window) -> Window:
    """The window that follows `window`."""
    return window_at(cycle, window.end)


def windows_between(cycle: Cycle, start: datetime, end: datetime) -> Iterator[Window]:
    """The windows that share an instant with [start, end), in order; none when end ≤ start."""
    if end <= start:
        return
    window = window_at(cycle, start)
    while window.start < end:
        yield window
        window = next_window(cycle, window)


class TaskStatus(StrEnum):
    """Where a task stands: open in its window, done by an inspection, or missed once its window ended undone."""

    OPEN = "open"
    DONE = "done"
    MISSED = "missed"


# --- an inspection report ----------------------------------------------------------------------------------------


class InspectionItemInvalid(InvalidInput):
    """A result names an item that is not on the risk point's checklist, names one twice, or misuses a hazard."""

    code = "INSPECTION_ITEM_INVALID"


class InspectionTimeInvalid(InvalidInput):
    """The inspection finishes before it starts, or in the future."""

    code = "INSPECTION_TIME_INVALID"


class InspectionScanInvalid(InvalidInput):
    """The scan named is not the caller's own scan of this risk point (another's, another point's, unknown)."""

    code = "INSPECTION_SCAN_INVALID"


class InspectionScanRequired(InvalidInput):
    """Someone from outside the enterprise, or staff at a 重大 / 较大 point, proves presence with a scan."""

    code = "INSPECTION_SCAN_REQUIRED"


class PresenceTooFar(InvalidInput):
    """The cited scan does not place its phone within the point's radius (or cannot: no fix, poor fix, no place)."""

    code = "PRESENCE_TOO_FAR"


class PresenceScanStale(InvalidInput):
    """The cited scan is older than the policy allows before the inspection, or was made well after it."""

    code = "PRESENCE_SCAN_STALE"


@dataclass(frozen=True, slots=True)
class ResultReport:
    """What the inspector says about one checklist item."""

    item_id: str
    ok: bool
    note: str = ""
    hazard_client_id: str | None = None
    hazard_title: str | None = None
    photo_ids: tuple[str, ...] = ()


def check_times(started_at: datetime, finished_at: datetime, now: datetime) -> None:
    """An inspection starts before it finishes, and has finished by now (give or take a phone's clock)."""
    if finished_at < started_at:
        raise InspectionTimeInvalid("finishedAt lies before startedAt", field="finishedAt", reason="before_start")
    if finished_at > now + CLOCK_SKEW:
        raise InspectionTimeInvalid("finishedAt lies in the future", field="finishedAt", reason="future")


def check_results(results: Iterable[ResultReport], checklist_ids: Iterable[str]) -> None:
    """Every result names a distinct item of the point's checklist; only failed items carry a hazard."""
    results = list(results)
    if not results:
        raise InspectionItemInvalid("an inspection has at least one result", field="results", reason="empty")
    known = set(checklist_ids)
    if unknown := [r.item_id for r in results if r.item_id not in known]:
        raise InspectionItemInvalid(
            "not an item of this risk point's checklist", field="results.itemId", reason="unknown", itemIds=unknown
        )
    if twice := _repeated(r.item_id for r in results):
        raise InspectionItemInvalid(
            "an item has two results", field="results.itemId", reason="duplicate", itemIds=twice
        )
    if passed := [r.item_id for r in results if r.ok and (r.hazard_client_id or r.hazard_title or r.photo_ids)]:
        raise InspectionItemInvalid(
            "only a failed item opens a hazard", field="results.ok", reason="not_failed", itemIds=passed
        )
    if twice := _repeated(r.hazard_client_id for r in results if r.hazard_client_id):
        raise InspectionItemInvalid(
            "two failed items name the same hazard",
            field="results.hazardClientId",
            reason="duplicate",
            hazardClientIds=twice,
        )


def _repeated(values: Iterable[str]) -> list[str]:
    return sorted(value for value, count in Counter(values).items() if count > 1)


# How long a phone may hold a scan offline before it reaches us (an offline queue replayed through sync).
OFFLINE_SCAN_WINDOW = timedelta(days=7)


def scan_moment(server_time: datetime, client_time: datetime | None) -> datetime:
    """When a scan was made: the phone's own time when it says one that is not after we received it (a scan
    queued offline arrives hours later) and not implausibly older, else the time we received it."""
    if client_time is None or client_time.tzinfo is None:
        return server_time
    if not server_time - OFFLINE_SCAN_WINDOW <= client_time <= server_time + SCAN_LEEWAY:
        return server_time
    return client_time


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres (haversine; ample for proof of presence at a risk point)."""
    radius = 6_371_000.0
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = math.radians(lat2 - lat1), math.radians(lng2 - lng1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * radius * math.asin(math.sqrt(a))


# --- presence (一扫): does the scan an inspection cites prove its inspector was at the point? --------------------


class Presence(StrEnum):
    """What the scan an inspection cites proves: presence, or which rule it failed (`none`: no scan cited)."""

    PROVEN = "proven"
    FAR = "far"
    STALE = "stale"
    NONE = "none"


# The largest GPS accuracy (metres, as the phone reports it) a phone may claim.
MAX_ACCURACY_M = 10_000


@dataclass(frozen=True, slots=True)
class PresencePolicy:
    """How near and how recent a scan must be to prove presence; a point may carry its own radius."""

    radius_m: float = 100.0
    """The largest distance from the point's recorded place (a large site sets its own on the point)."""
    max_age: timedelta = timedelta(hours=2)
    """The oldest scan an inspection may cite, counted back from the inspection's start."""
    accuracy_cap_m: float = 50.0
    """A fix the phone itself calls worse than this is no proof of place, whatever its distance."""
    after_leeway: timedelta = SCAN_LEEWAY
    """A scan made at most this long after the inspection finished still counts (scanned on the way out)."""

    def for_point(self, radius_m: float | None) -> PresencePolicy:
        """The policy at a point: its own radius when it has one."""
        return self if radius_m is None else dataclasses.replace(self, radius_m=float(radius_m))


DEFAULT_PRESENCE_POLICY = PresencePolicy()


@dataclass(frozen=True, slots=True)
class ScanFix:
    """A scan as presence reads it: when it was made and where the phone said it was."""

    at: datetime
    lat: float | None = None
    lng: float | None = None
    accuracy_m: float | None = None


@dataclass(frozen=True, slots=True)
class PresenceVerdict:
    """The judgement of one scan for one inspection: the value, the rule's reason, and the distance measured."""

    presence: Presence
    reason: str
    distance_m: float | None = None


def judge_presence(
    scan: ScanFix | None,
    *,
    point_lat: float | None,
    point_lng: float | None,
    started_at: datetime,
    finished_at: datetime,
    policy: PresencePolicy = DEFAULT_PRESENCE_POLICY,
) -> PresenceVerdict:
    """proven | far | stale | none for an inspection [started_at, finished_at] of a point citing `scan`.

    Time before place: a scan older than `max_age` before the start, or later than `after_leeway` after the
    finish, is stale. Then place: the point must have a recorded place and the scan a position; a fix whose
    reported accuracy is worse than the cap is far ("inaccurate"); otherwise the phone may be anywhere within its
    accuracy circle, so it is proven when distance − accuracy ≤ radius (no accuracy sent: distance ≤ radius).
    Every bound is inclusive.
    """
    if scan is None:
        return PresenceVerdict(Presence.NONE, "no_scan")
    placed = None not in (point_lat, point_lng, scan.lat, scan.lng)
    # measured whatever the verdict, so a stale scan still shows how far it was
    distance = round(distance_m(scan.lat, scan.lng, point_lat, point_lng), 1) if placed else None
    if scan.at < started_at - policy.max_age:
        return PresenceVerdict(Presence.STALE, "too_old", distance)
    if scan.at > finished_at + policy.after_leeway:
        return PresenceVerdict(Presence.STALE, "after", distance)
    if point_lat is None or point_lng is None:
        return PresenceVerdict(Presence.FAR, "point_unplaced")
    if distance is None:
        return PresenceVerdict(Presence.FAR, "no_position")
    accuracy = scan.accuracy_m or 0.0
    if accuracy > policy.accuracy_cap_m:
        return PresenceVerdict(Presence.FAR, "inaccurate", distance)
    if distance - accuracy > policy.radius_m:
        return PresenceVerdict(Presence.FAR, "too_far", distance)
    return PresenceVerdict(Presence.PROVEN, "within", distance)


def presence_required(role: Role, point_level: str | None) -> bool:
    """Who must prove presence: people from outside the enterprise always; its own staff at 重大 and 较大 points."""
    return role in (Role.INSPECTOR, Role.REGULATOR) or point_level in (RiskLevel.MAJOR, RiskLevel.LARGE)


def check_scan_found(scan_id: str | None, scan: ScanFix | None) -> None:
    """A scan id given names the caller's own scan of this point (`scan` found)."""
    if scan_id is not None and scan is None:
        # another's scan (or another tenant's) answers like a missing one: its existence is not ours to reveal
        raise InspectionScanInvalid("no such scan of yours of this risk point", field="scanId", reason="unknown")


def require_presence(verdict: PresenceVerdict, policy: PresencePolicy) -> None:
    """Refuse an inspection whose presence is not proven, with the rule that failed."""
    match verdict.presence:
        case Presence.PROVEN:
            return
        case Presence.NONE:
            raise InspectionScanRequired(
                "scan the risk point's code to prove you were there", field="scanId", reason="required"
            )
        case Presence.STALE:
            raise PresenceScanStale(
                "the scan was not made at this inspection",
                field="scanId",
                reason=verdict.reason,
                maxAgeMinutes=int(policy.max_age.total_seconds() // 60),
            )
        case Presence.FAR:
            raise PresenceTooFar(
                "the scan does not place you at the risk point",
                field="scanId",
                reason=verdict.reason,
                distanceM=verdict.distance_m,
                radiusM=policy.radius_m,
                accuracyCapM=policy.accuracy_cap_m,
            )


# --- the hazard of a failed item ---------------------------------------------------------------------------------

# A failed item's hazard is found the way the inspection was made: on grid rounds, in enforcement, or in the
# enterprise's own daily investigation.
_HAZARD_SOURCE = {Role.INSPECTOR: Source.GRID_INSPECTION, Role.REGULATOR: Source.ENFORCEMENT}


def hazard_source(role: Role) -> Source:
    """The source of a hazard opened by a failed item in an inspection by this role."""
    return _HAZARD_SOURCE.get(role, Source.DAILY)


def hazard_level(criterion_id: str | None) -> tuple[HazardLevel, bool]:
    """(level, confirmed): an item citing a major-hazard criterion proposes a major hazard, which a person confirms."""
    return (HazardLevel.MAJOR, False) if criterion_id else (HazardLevel.GENERAL, True)


def hazard_title(given: str | None, item_content: str) -> str:
    """The title of a failed item's hazard: the one given, else the item's content, cut to the column's length."""
    title = (given or "").strip() or item_content
    return title if len(title) <= MAX_TITLE else title[: MAX_TITLE - 1] + "…"


# ---------------------------------------------------------------------------------------------- replay (verify)


def derive_inspections(events: Sequence[Event]) -> dict[str, dict[str, Any]]:
    """The inspection row its chain describes, keyed by the inspection's id: every plain value its "record" event
    holds (risk point, enterprise, scan, times, presence, ...) and the counts of its results."""
    first = events[0]
    if first.action != "record":
        raise replay_error(first, ValueError(f"an inspection's chain opens with record, not {first.action}"))
    results = first.payload.get("results", [])
    row = {
        key: value for key, value in first.payload.items() if not isinstance(value, (list, dict)) and key != "client_id"
    }
    row |= {"items_checked": len(results), "items_failed": sum(not result["ok"] for result in results)}
    return {first.chain_id: row | bound(events[-1])}
