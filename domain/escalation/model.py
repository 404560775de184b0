"""When a late duty is raised to the next level (pure rules).

| subject | late when | step 1: the enterprise's principal | step 2: the regulator of the region |
|---|---|---|---|
| hazard | its deadline has passed in an owing status (`domain.hazards.model.is_overdue`) | at once | at once for a major hazard; for a general one after `GENERAL_TO_REGULATOR_AFTER` (7 days) overdue |
| inspection tasks | tasks of a local (Zhoushan) day whose windows ended undone (`missed`, or `open` until the hourly generator marks them) | once the day is over, one digest per enterprise and day | never: missed rounds are the enterprise's to answer |

Each (subject, occasion, step) escalates once. The occasion of a hazard is its deadline, so a deadline extended and
missed again escalates again; the occasion of tasks is the day. Missed tasks are sent as a daily digest rather than
one message a task, because two-hourly patrols would otherwise bury the principal in messages. Days older than
`TASK_LOOKBACK` are left alone: a sweep that did not run for a while does not wake anyone about last month.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from domain.inspections.model import LOCAL_TIME
from domain.notifications.model import Audience

STEP_PRINCIPAL = 1
STEP_REGULATOR = 2
AUDIENCE_OF_STEP = {STEP_PRINCIPAL: Audience.ENTERPRISE, STEP_REGULATOR: Audience.REGULATOR}
GENERAL_TO_REGULATOR_AFTER = timedelta(days=7)
TASK_LOOKBACK_DAYS = 7


def hazard_steps(level: str, deadline: datetime, now: datetime) -> list[int]:
    """The steps an overdue hazard has reached by now, lowest first (none before its deadline)."""
    if now <= deadline:
        return []
    if level == "major" or now - deadline >= GENERAL_TO_REGULATOR_AFTER:
        return [STEP_PRINCIPAL, STEP_REGULATOR]
    return [STEP_PRINCIPAL]


def overdue_days(deadline: datetime, now: datetime) -> int:
    """Whole days past the deadline."""
    return max(0, (now - deadline).days)


def local_day(at: datetime) -> date:
    """The Zhoushan calendar day of a moment."""
    return at.astimezone(LOCAL_TIME).date()


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The start and end of a local day, as aware datetimes."""
    start = datetime.combine(day, time(0), tzinfo=LOCAL_TIME)
    return start, start + timedelta(days=1)


def task_days(now: datetime, lookback_days: int = TASK_LOOKBACK_DAYS) -> tuple[datetime, datetime]:
    """The span whose missed tasks are escalated: the last `lookback_days` whole local days before today."""
    today_start, _ = day_bounds(local_day(now))
    return today_start - timedelta(days=lookback_days), today_start
