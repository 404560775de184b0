"""Wire types of the hazard roll-ups: figures per period with their numerators and denominators, and the items
behind a figure."""

from __future__ import annotations

import datetime

from mobile_contract.base import WireOut


class HazardFigure(WireOut):
    """One figure: a count (`denominator` null) or a rate / mean as a decimal string (null over a zero denominator);
    `itemsUrl` lists what the numerator counts (add `part=denominator` for the denominator)."""

    metric: str
    value: str | None
    numerator: int
    denominator: int | None


class HazardPeriodFigures(WireOut):
    """The figures of one period (`2026-11`, `2026-Q4`, `2026`), counted as of `asOf`."""

    period: str
    as_of: datetime.datetime
    figures: list[HazardFigure]


class HazardStatistics(WireOut):
    """`GET /v1/stats/hazards`: the scope's figures; a period with nothing found, closed or due is absent."""

    scope_kind: str
    scope_id: str
    scope_name: str
    industry: str
    period_kind: str
    periods: list[HazardPeriodFigures]


class FigureItem(WireOut):
    """A hazard (or inspection task) counted in a figure; `secondsToClose` sums to meanDaysToClose's numerator."""

    kind: str
    id: str
    enterprise_id: str
    status: str
    title: str | None = None
    level: str | None = None
    found_at: datetime.datetime | None = None
    closed_at: datetime.datetime | None = None
    deadline: datetime.datetime | None = None
    seconds_to_close: int | None = None
    window_end: datetime.datetime | None = None
    done_at: datetime.datetime | None = None


class FigureItemPage(WireOut):
    """`GET /v1/stats/hazards/items`: one page of the items behind a figure."""

    metric: str
    part: str
    period: str
    items: list[FigureItem]
    next_cursor: str | None
