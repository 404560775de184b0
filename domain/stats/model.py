"""Hazard roll-ups: the periods, the counts a cell stores, and the exact definition of every figure.

A cell is one scope (enterprise, grid, town, district, city) x industry (an enterprise industry, or "*" for all)
x period (month `2026-11`, quarter `2026-Q4`, year `2026`, in local time, Asia/Shanghai, UTC+8 without DST).
Every figure is numerator / denominator of counts stored in the cell; an ancestor's counts are the sums of the
counts of the enterprises inside it, never an average of rates. "now" is the cell's `as_of`.

| metric | numerator | denominator | period by |
|---|---|---|---|
| found | hazards with status != voided | — | found_at |
| closed | hazards with status closed or written_off | — | closed_at |
| closureRate | hazards found in the period now closed or written_off | hazards found (status != voided) | found_at |
| onTimeRate | closed hazards with a deadline and closed_at <= deadline | closed hazards with a deadline | closed_at |
| overdue | hazards found, status in OWING_STATUSES, deadline < now | — | found_at |
| majorOpen | major hazards found, status not closed / written_off / voided | — | found_at |
| majorClosed | major hazards closed or written_off | — | closed_at |
| meanDaysToClose | sum over closed hazards of (closed_at - found_at) in whole seconds (each time truncated to the second) / 86400 | closed hazards | closed_at |
| taskCompletionRate | inspection tasks with status done | inspection tasks with window_end <= now | window_end |
| taskCompletionRateWithPresence | tasks done by an inspection whose presence is proven | tasks with window_end <= now | window_end |

A rate's value is numerator / denominator rounded half-even to 4 places (None when the denominator is 0); counts
have no denominator. Scopes: an enterprise; a grid (its enterprises by `grid_id`); a region (its enterprises by
`region_path` prefix). The lists behind a figure (`/v1/stats/hazards/items`) apply the same conditions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from enum import StrEnum

from domain.errors import InvalidInput
from domain.hazards.model import OWING_STATUSES, HazardLevel, Status
from domain.inspections.model import Presence

ALL_INDUSTRIES = "*"
LOCAL_OFFSET = timedelta(hours=8)  # Asia/Shanghai: UTC+8 all year
SECONDS_PER_DAY = 86400


class ScopeKind(StrEnum):
    ENTERPRISE = "enterprise"
    GRID = "grid"
    REGION = "region"


class PeriodKind(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


@dataclass(frozen=True, slots=True)
class Rows:
    """What a count counts: a table, the kind of item its rows are listed as, and the condition all its counts share."""

    table: str
    kind: str  # "hazard" or "task"
    condition: str


@dataclass(frozen=True, slots=True)
class Count:
    """One count a cell stores, defined once: the roll-up sums it and the drill-down lists its rows from this alone.

    A row counts in the period its `period_by` time falls in when it meets its rows' condition and `condition` (SQL
    over the row; `{now}` is the cell's `as_of`). A count of seconds sums, over those rows, the whole seconds from the
    first column of `seconds_between` to the second (each time truncated to the second)."""

    name: str
    rows: Rows
    period_by: str
    condition: str | None = None
    seconds_between: tuple[str, str] | None = None

    def where(self) -> str:
        """The whole condition on a row, `{now}` left in."""
        return self.rows.condition if self.condition is None else f"{self.rows.condition} AND {self.condition}"


HAZARDS = Rows("hazard", "hazard", f"status != '{Status.VOIDED}'")
TASKS = Rows("inspection_task", "task", "window_end <= {now}")
_CLOSED = f"status IN ('{Status.CLOSED}', '{Status.WRITTEN_OFF}') AND closed_at IS NOT NULL"
_OWING = ", ".join(f"'{status}'" for status in sorted(OWING_STATUSES))
_MAJOR = f"level = '{HazardLevel.MAJOR}'"
_DONE = "status = 'done'"
# A task done by an inspection whose scan proved presence (一扫).
_DONE_PRESENT = f"{_DONE} AND inspection_id IN (SELECT id FROM inspection WHERE presence = '{Presence.PROVEN}')"

# The counts a cell stores, in column order; each is a plain sum, so cells add up exactly.
COUNT_DEFINITIONS = (
    Count("found", HAZARDS, "found_at"),
    Count("found_closed", HAZARDS, "found_at", _CLOSED),
    Count("overdue", HAZARDS, "found_at", f"status IN ({_OWING}) AND deadline < {{now}}"),
    Count("major_open", HAZARDS, "found_at", f"{_MAJOR} AND NOT ({_CLOSED})"),
    Count("closed", HAZARDS, "closed_at", _CLOSED),
    Count("closed_with_deadline", HAZARDS, "closed_at", f"{_CLOSED} AND deadline IS NOT NULL"),
    Count("closed_on_time", HAZARDS, "closed_at", f"{_CLOSED} AND deadline IS NOT NULL AND closed_at <= deadline"),
    Count("major_closed", HAZARDS, "closed_at", f"{_CLOSED} AND {_MAJOR}"),
    Count("close_seconds", HAZARDS, "closed_at", _CLOSED, seconds_between=("found_at", "closed_at")),
    Count("tasks_due", TASKS, "window_end"),
    Count("tasks_done", TASKS, "window_end", _DONE),
    Count("tasks_done_present", TASKS, "window_end", _DONE_PRESENT),
)
COUNTS = tuple(count.name for count in COUNT_DEFINITIONS)
COUNT_BY_NAME = {count.name: count for count in COUNT_DEFINITIONS}


@dataclass(frozen=True, slots=True)
class Metric:
    """One figure: the stored count over the stored count, what its items are, and which part lists which."""

    name: str
    numerator: str
    denominator: str | None
    items: str  # "hazard" or "task"
    scale: int = 1  # the numerator is divided by this (seconds to days)


METRICS = {
    metric.name: metric
    for metric in (
        Metric("found", "found", None, "hazard"),
        Metric("closed", "closed", None, "hazard"),
        Metric("closureRate", "found_closed", "found", "hazard"),
        Metric("onTimeRate", "closed_on_time", "closed_with_deadline", "hazard"),
        Metric("overdue", "overdue", None, "hazard"),
        Metric("majorOpen", "major_open", None, "hazard"),
        Metric("majorClosed", "major_closed", None, "hazard"),
        Metric("meanDaysToClose", "close_seconds", "closed", "hazard", SECONDS_PER_DAY),
        Metric("taskCompletionRate", "tasks_done", "tasks_due", "task"),
        Metric("taskCompletionRateWithPresence", "tasks_done_present", "tasks_due", "task"),
    )
}
# The list behind meanDaysToClose's numerator is its closed hazards, each with its seconds: the count is the
# denominator's, the sum of their seconds the numerator.
ITEM_COUNT = {("meanDaysToClose", "numerator"): "closed"}


def listed_count(metric: Metric, part: str) -> Count | None:
    """The count whose rows are listed behind a figure's numerator or denominator (None: the figure has no such part)."""
    name = ITEM_COUNT.get((metric.name, part)) or {
        "numerator": metric.numerator,
        "denominator": metric.denominator,
    }.get(part)
    return None if name is None else COUNT_BY_NAME[name]


@dataclass(frozen=True, slots=True)
class Item:
    """A hazard or an inspection task behind a figure."""

    kind: str
    id: str
    enterprise_id: str
    status: str
    title: str | None = None
    level: str | None = None
    found_at: datetime | None = None
    closed_at: datetime | None = None
    deadline: datetime | None = None
    seconds_to_close: int | None = None
    window_end: datetime | None = None
    done_at: datetime | None = None


def metric_value(metric: Metric, counts: dict[str, int]) -> Decimal | None:
    """The figure: a count, or numerator / denominator rounded half-even to 4 places (None over zero)."""
    numerator = Decimal(counts.get(metric.numerator, 0)) / metric.scale
    if metric.denominator is None:
        return numerator
    denominator = counts.get(metric.denominator, 0)
    if not denominator:
        return None
    return (numerator / denominator).quantize(Decimal("0.0001"), rounding=ROUND_HALF_EVEN)


def local_month(at: datetime) -> str:
    """The local month key (`2026-11`) of a UTC time."""
    return (at + LOCAL_OFFSET).strftime("%Y-%m")


def period_kind_of(key: str) -> PeriodKind:
    """The kind of a period key, or `InvalidInput` when it is none."""
    parts = key.split("-")
    try:
        if len(parts) == 1 and len(key) == 4 and int(key) > 0:
            return PeriodKind.YEAR
        if len(parts) == 2 and len(parts[0]) == 4 and int(parts[0]) > 0:
            if parts[1] in ("Q1", "Q2", "Q3", "Q4"):
                return PeriodKind.QUARTER
            if len(parts[1]) == 2 and 1 <= int(parts[1]) <= 12:
                return PeriodKind.MONTH
    except ValueError:
        pass
    raise InvalidInput("not a period key (2026, 2026-Q4 or 2026-11)", field="period", value=key)


def period_window(key: str) -> tuple[datetime, datetime]:
    """The UTC [start, end) of a local period key."""
    kind = period_kind_of(key)
    year = int(key[:4])
    if kind is PeriodKind.YEAR:
        first, months = 1, 12
    elif kind is PeriodKind.QUARTER:
        first, months = (int(key[-1]) - 1) * 3 + 1, 3
    else:
        first, months = int(key[5:]), 1
    end_year, end_month = year + (first - 1 + months) // 12, (first - 1 + months) % 12 + 1
    start = datetime(year, first, 1, tzinfo=UTC) - LOCAL_OFFSET
    return start, datetime(end_year, end_month, 1, tzinfo=UTC) - LOCAL_OFFSET


def region_codes_of_path(path: str) -> list[str]:
    """The codes of every region on a materialised path, root first ("/330900/330902/" -> both)."""
    return [code for code in path.split("/") if code]
