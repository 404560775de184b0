"""Pure rules of the statutory hazard statistics (安全生产事故隐患排查治理暂行规定): periods, due dates, figures.

An enterprise analyses its hazards quarterly and yearly and submits the analysis, signed by its principal, by the
15th of the month after the quarter and by 31 January (Zhoushan dates). Each period's figures are frozen as a
snapshot on its due day and never recomputed; the snapshot keeps its figures as canonical JSON and their SHA-256.

The figures of a period count the hazards found in it (voided ones, records made in error, apart), as they stood
at the period's end: rectified means closed or written off by then; on time, no later than the deadline (a fix on
the spot has none); open, not rectified by then; overdue, open with a deadline already passed at the end.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from domain.errors import Conflict
from domain.history.chain import Event, bound, canonical, replay_error, sha256_hex

LOCAL_TIME = ZoneInfo("Asia/Shanghai")
QUARTER_DUE_DAY = 15  # of the month after the quarter
YEAR_DUE = (1, 31)  # month, day of the next year
FIGURES_VERSION = 1


class StatisticsAlreadySigned(Conflict):
    """The principal signed this snapshot before; a snapshot is signed once."""

    code = "STATISTICS_ALREADY_SIGNED"


class PeriodKind(StrEnum):
    """The two statutory periods."""

    QUARTER = "quarter"
    YEAR = "year"


@dataclass(frozen=True, slots=True, order=True)
class Period:
    """A quarter (`number` 1–4) or a year (`number` 0) of statistics."""

    year: int
    kind: PeriodKind
    number: int = 0

    @property
    def key(self) -> str:
        """`2026-Q3` or `2026`: unique per enterprise."""
        return f"{self.year}-Q{self.number}" if self.kind is PeriodKind.QUARTER else str(self.year)

    @property
    def start(self) -> date:
        """The first day of the period."""
        return date(self.year, 3 * self.number - 2 if self.kind is PeriodKind.QUARTER else 1, 1)

    @property
    def end(self) -> date:
        """The last day of the period."""
        return self.next_start - timedelta(days=1)

    @property
    def next_start(self) -> date:
        """The first day after the period."""
        if self.kind is PeriodKind.YEAR or self.number == 4:
            return date(self.year + 1, 1, 1)
        return date(self.year, 3 * self.number + 1, 1)

    @property
    def due(self) -> date:
        """The day the statistics are due, and frozen."""
        if self.kind is PeriodKind.YEAR:
            return date(self.year + 1, *YEAR_DUE)
        return self.next_start.replace(day=QUARTER_DUE_DAY)

    def window(self) -> tuple[datetime, datetime]:
        """The period as UTC instants [start, end): local midnights, as hazards' times are stored."""
        return local_midnight(self.start), local_midnight(self.next_start)


def local_midnight(day: date) -> datetime:
    """00:00 of a Zhoushan day, in UTC."""
    return datetime.combine(day, time(), LOCAL_TIME).astimezone(UTC)


def local_date(at: datetime) -> date:
    """The Zhoushan day of an instant."""
    return at.astimezone(LOCAL_TIME).date()


def parse_period(key: str) -> Period:
    """The period of a key (`2026-Q3`, `2026`); ValueError otherwise."""
    match = re.fullmatch(r"(\d{4})(?:-Q([1-4]))?", key)
    if not match:
        raise ValueError(f"not a period key: {key!r}")
    year, quarter = int(match[1]), match[2]
    return Period(year, PeriodKind.QUARTER, int(quarter)) if quarter else Period(year, PeriodKind.YEAR)


def periods_due(first_day: date, today: date) -> list[Period]:
    """Every period that overlaps the enterprise's time on record (from `first_day`) and is due by `today`."""
    periods: list[Period] = []
    for year in range(first_day.year, today.year + 1):
        candidates = [Period(year, PeriodKind.QUARTER, n) for n in range(1, 5)] + [Period(year, PeriodKind.YEAR)]
        periods += [p for p in candidates if p.end >= first_day and p.due <= today]
    return sorted(periods, key=lambda p: (p.due, p.kind is PeriodKind.YEAR))


# --- figures -------------------------------------------------------------------------------------------------------

_AMOUNT = re.compile(r"(\d+(?:\.\d+)?)\s*(万元|元)")


def funds_amount_yuan(text: str) -> Decimal | None:
    """The amount in yuan named in a hazard's funds text (`专项资金30万元已落实` → 300000), if one is named;
    several amounts are added."""
    amounts = [Decimal(number) * (10000 if unit == "万元" else 1) for number, unit in _AMOUNT.findall(text or "")]
    return sum(amounts, Decimal(0)) if amounts else None


@dataclass(frozen=True, slots=True)
class LevelFigures:
    """The counts of one level (or of all) in a period."""

    found: int = 0
    rectified: int = 0
    rectified_on_time: int = 0
    open: int = 0
    overdue: int = 0
    voided: int = 0
    funds_recorded: int = 0  # hazards whose funds text names an amount
    funds_yuan: Decimal = Decimal(0)

    def __add__(self, other: LevelFigures) -> LevelFigures:
        return LevelFigures(**{name: getattr(self, name) + getattr(other, name) for name in self.__slots__})

    def to_json(self) -> dict[str, Any]:
        """The counts in the wire's camelCase; the amount as a decimal string."""
        return {
            "found": self.found,
            "rectified": self.rectified,
            "rectifiedOnTime": self.rectified_on_time,
            "open": self.open,
            "overdue": self.overdue,
            "voided": self.voided,
            "fundsRecorded": self.funds_recorded,
            "fundsYuan": str(self.funds_yuan),
        }


@dataclass(frozen=True, slots=True)
class Figures:
    """A period's figures by statutory level, and their total."""

    period: Period
    by_level: dict[str, LevelFigures] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The document that is frozen and hashed."""
        levels = {level: self.by_level.get(level, LevelFigures()) for level in ("general", "major")}
        total = sum(levels.values(), LevelFigures())
        return {
            "version": FIGURES_VERSION,
            "period": {
                "key": self.period.key,
                "kind": str(self.period.kind),
                "from": self.period.start.isoformat(),
                "to": self.period.end.isoformat(),
                "due": self.period.due.isoformat(),
            },
            "general": levels["general"].to_json(),
            "major": levels["major"].to_json(),
            "total": total.to_json(),
        }


def figures_sha256(document: dict[str, Any]) -> str:
    """SHA-256 of the canonical encoding of a figures document (the history's encoding, version 1), which is also
    the stored text: hashing the stored bytes gives the same digest."""
    return sha256_hex(canonical(document))


# ---------------------------------------------------------------------------------------------- replay (verify)


def derive_snapshots(events: Sequence[Event]) -> dict[str, dict[str, Any]]:
    """The snapshot rows an enterprise's statistics chain describes, keyed by period: frozen once with figures whose
    digest the event states, signed at most once over that same digest; with the seq and hash of the last event."""
    snapshots: dict[str, dict[str, Any]] = {}
    for event in events:
        try:
            p = event.payload
            if event.action == "freezeStatistics":
                if p["period"] in snapshots:
                    raise ValueError(f"period {p['period']} frozen twice")
                if figures_sha256(p["figures"]) != p["figures_sha256"]:
                    raise ValueError("the figures do not hash to the digest the event states")
                snapshots[p["period"]] = {
                    "period_key": p["period"],
                    "figures": canonical(p["figures"]).decode("utf-8"),
                    "figures_sha256": p["figures_sha256"],
                    "frozen_at": event.at,
                    "freeze_event_seq": event.seq,
                    "signed_at": None,
                    "signed_by": None,
                    "sign_event_seq": None,
                } | bound(event)
            elif event.action == "signStatistics":
                snapshot = snapshots[p["period"]]
                if snapshot["signed_at"] is not None or p["figures_sha256"] != snapshot["figures_sha256"]:
                    raise ValueError("signed twice, or over other figures than were frozen")
                snapshots[p["period"]] = (
                    snapshot
                    | {"signed_at": event.at, "signed_by": event.actor_id, "sign_event_seq": event.seq}
                    | bound(event)
                )
        except Exception as error:
            raise replay_error(event, error) from None
    return snapshots
