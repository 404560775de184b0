"""The scan card's reads: two hand-written statements, composed from the owning stores' fragments.

The scan is the phone's hottest path, so the card is read in two statements, prepared once per connection (constant
text, see domain/db/sql.py), and the scan record is written in a third:

1. the subject: the risk point with its enterprise (`POINT`), or the enterprise with its safety code (`ENTERPRISE`);
2. the lists, after the code and the scope have been checked against the subject: the point's active checklist,
   its open hazards and (for enterprise staff) its tasks due now with whether the caller holds each one's post
   (`POINT_LISTS`, `POINT_LISTS_FOR_STAFF`), or the enterprise's open hazards (`ENTERPRISE_HAZARDS`).

The lists come back as one UNION ALL of rows tagged by `part`, in columns shared by position (`a`…`t3`); each part's
order and limit are its fragment's own, and the rows are put back in that order here (a UNION does not promise to
keep it). The codes area has no tables: every table name comes from its owner's store.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from domain.db.sql import Statement
from domain.hazards import store as hazards_store
from domain.inspections import store as inspections_store
from domain.org import store as org_store
from domain.posts import store as posts_store
from domain.risk import store as risk_store
from domain.risk.model import Colour
from domain.safety_code import store as safety_code_store

# What a card lists at most: the newest open hazards, and the tasks due at a point (closing soonest first).
OPEN_HAZARDS_SHOWN = 20
DUE_TASKS_SHOWN = 100

POINT = (
    "SELECT p.*, e.id AS e_id, e.name AS e_name, e.industry AS e_industry, e.address AS e_address,"
    " e.status AS e_status, e.grid_id AS e_grid_id, e.region_path AS e_region_path"
    f" FROM ({risk_store.POINT_SQL}) p LEFT JOIN ({org_store.ENTERPRISE_CARD_SQL}) e ON e.id = p.enterprise_id"
)
"""A risk point and what the card needs of its enterprise; `{}`: the point's id."""

ENTERPRISE = (
    "SELECT e.*, s.colour AS code_colour, s.scheme_version AS code_scheme_version, s.computed_at AS code_computed_at"
    f" FROM ({org_store.ENTERPRISE_CARD_SQL}) e LEFT JOIN ({safety_code_store.CODE_SQL}) s ON s.enterprise_id = e.id"
    " WHERE e.id = {}"
)
"""An enterprise with its stored safety code (null columns when it has none yet); `{}`: the enterprise's id."""

_NO_TEXT, _NO_NUMBER, _NO_TIME = "CAST(NULL AS TEXT)", "CAST(NULL AS INTEGER)", "CAST(NULL AS TIMESTAMPTZ)"
_CHECKLIST = (
    "SELECT 'c' AS part, id, content AS a, basis AS b, cycle_unit AS c, responsible_post AS d, criterion_id AS e,"
    f" cycle_n AS n, {_NO_TIME} AS t1, {_NO_TIME} AS t2, {_NO_TIME} AS t3"
    f" FROM ({risk_store.ACTIVE_CHECKLIST_SQL}) c"
)
_HAZARDS_OF_POINT, _HAZARDS_OF_ENTERPRISE = (
    f"SELECT 'h' AS part, id, title AS a, level AS b, status AS c, {_NO_TEXT} AS d, {_NO_TEXT} AS e,"
    f" {_NO_NUMBER} AS n, deadline AS t1, {_NO_TIME} AS t2, {_NO_TIME} AS t3"
    f" FROM ({hazards_store.open_hazards_sql(of_point=of_point, limit=OPEN_HAZARDS_SHOWN)}) h"
    for of_point in (True, False)
)
# A task shows its item's content and current post (a post changed on the item moves its open tasks along).
_TASK_POST = "COALESCE(i.responsible_post, t.responsible_post)"
_DUE_TASKS = (
    f"SELECT 't' AS part, t.id, COALESCE(i.content, '') AS a, t.checklist_item_id AS b, t.status AS c,"
    f" {_TASK_POST} AS d, t.inspection_id AS e,"
    f" CASE WHEN {_TASK_POST} IN ({posts_store.POSTS_OF_USER_SQL}) THEN 1 ELSE 0 END AS n,"
    " t.window_start AS t1, t.window_end AS t2, t.done_at AS t3"
    f" FROM ({inspections_store.due_tasks_sql(DUE_TASKS_SHOWN)}) t"
    f" LEFT JOIN ({risk_store.ITEM_LABELS_SQL}) i ON i.id = t.checklist_item_id"
)

POINT_LISTS = f"{_CHECKLIST} UNION ALL {_HAZARDS_OF_POINT}"
"""A point's checklist and open hazards; `{}`: the point's id, the enterprise's id, the point's id."""
POINT_LISTS_FOR_STAFF = f"{POINT_LISTS} UNION ALL {_DUE_TASKS}"
"""`POINT_LISTS` and the tasks due; `{}`: as `POINT_LISTS`, then the user's id, the actor's enterprise id, the point's
id, now, now."""
ENTERPRISE_HAZARDS = _HAZARDS_OF_ENTERPRISE
"""An enterprise's open hazards (tagged rows as above); `{}`: the enterprise's id."""


# The subjects are index lookups of one row: declared short, so SQLite runs them in the event loop's thread.
_POINT, _ENTERPRISE = Statement(POINT, short=True), Statement(ENTERPRISE, short=True)
_POINT_LISTS, _POINT_LISTS_FOR_STAFF = Statement(POINT_LISTS), Statement(POINT_LISTS_FOR_STAFF)
_ENTERPRISE_HAZARDS = Statement(ENTERPRISE_HAZARDS)


@dataclass(frozen=True, slots=True)
class CardEnterprise:
    """What a scan card shows of an enterprise and decides its scope and code by."""

    id: str
    name: str
    industry: str
    address: str
    status: str
    grid_id: str
    region_path: str
    lat: float | None = None
    lng: float | None = None
    qr_serial: int = 0


@dataclass(frozen=True, slots=True)
class CardSafetyCode:
    """An enterprise's stored code as its card shows it."""

    colour: Colour
    scheme_version: int
    computed_at: datetime


@dataclass(frozen=True, slots=True)
class PointSubject:
    """A scanned risk point and its enterprise (None when the enterprise is gone)."""

    point: risk_store.RiskPointRecord
    enterprise: CardEnterprise | None


@dataclass(frozen=True, slots=True)
class EnterpriseSubject:
    """A scanned enterprise and its stored safety code (None when never computed)."""

    enterprise: CardEnterprise
    safety_code: CardSafetyCode | None


@dataclass(frozen=True, slots=True)
class CardHazard:
    """A hazard not yet closed, as a card lists it."""

    id: str
    title: str
    level: str
    status: str
    deadline: datetime | None


@dataclass(frozen=True, slots=True)
class CardTask:
    """A task due at the point, with its item's content and current post, and whether the caller holds that post."""

    id: str
    checklist_item_id: str
    content: str
    responsible_post: str
    status: str
    inspection_id: str | None
    window_start: datetime
    window_end: datetime
    done_at: datetime | None
    held: bool


@dataclass(frozen=True, slots=True)
class CardLists:
    """A card's lists, each in its own order."""

    checklist: list[risk_store.ChecklistRecord]
    open_hazards: list[CardHazard]
    due_tasks: list[CardTask]


def _time(value: Any) -> datetime | None:
    """A timestamp as piccolo reads it: SQLite hands back the text of an expression's value, stored in UTC."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


_ENTERPRISE_COLUMNS = ("id", "name", "industry", "address", "status", "grid_id", "region_path")


async def point_subject(risk_point_id: str) -> PointSubject | None:
    """The scanned point and its enterprise, in one statement; None when there is no such point."""
    rows = await _POINT.rows(risk_point_id)
    if not rows:
        return None
    row = rows[0]
    values = {name: row[name] for name in risk_store.RiskPointRecord.__slots__}
    for name in ("assessed_at", "updated_at"):
        values[name] = _time(values[name])
    enterprise = None
    if row["e_id"] is not None:
        enterprise = CardEnterprise(**{name: row[f"e_{name}"] for name in _ENTERPRISE_COLUMNS})
    return PointSubject(point=risk_store.point_record(values), enterprise=enterprise)


async def enterprise_subject(enterprise_id: str) -> EnterpriseSubject | None:
    """The scanned enterprise and its stored safety code, in one statement; None when there is no such enterprise."""
    rows = await _ENTERPRISE.rows(enterprise_id)
    if not rows:
        return None
    row = rows[0]
    enterprise = CardEnterprise(
        **{name: row[name] for name in (*_ENTERPRISE_COLUMNS, "lat", "lng", "qr_serial")},
    )
    code = None
    if row["code_colour"] is not None:
        code = CardSafetyCode(Colour(row["code_colour"]), row["code_scheme_version"], _time(row["code_computed_at"]))
    return EnterpriseSubject(enterprise=enterprise, safety_code=code)


def _lists(rows: Sequence[Mapping[str, Any]], risk_point_id: str = "") -> CardLists:
    checklist, hazards, tasks = [], [], []
    for row in rows:
        match row["part"]:
            case "c":
                checklist.append(
                    risk_store.ChecklistRecord(
                        id=row["id"],
                        risk_point_id=risk_point_id,
                        content=row["a"],
                        basis=row["b"],
                        cycle_n=row["n"],
                        cycle_unit=row["c"],
                        responsible_post=row["d"],
                        criterion_id=row["e"],
                    )
                )
            case "h":
                hazards.append(CardHazard(row["id"], row["a"], row["b"], row["c"], _time(row["t1"])))
            case "t":
                tasks.append(
                    CardTask(
                        id=row["id"],
                        checklist_item_id=row["b"],
                        content=row["a"],
                        responsible_post=row["d"],
                        status=row["c"],
                        inspection_id=row["e"],
                        window_start=_time(row["t1"]),
                        window_end=_time(row["t2"]),
                        done_at=_time(row["t3"]),
                        held=bool(row["n"]),
                    )
                )
    # each part in its fragment's order: checklist by id, hazards newest first, tasks closing soonest first
    checklist.sort(key=lambda item: item.id)
    hazards.sort(key=lambda hazard: hazard.id, reverse=True)
    tasks.sort(key=lambda task: (task.window_end, task.id))
    return CardLists(checklist=checklist, open_hazards=hazards, due_tasks=tasks)


async def point_lists(
    point: risk_store.RiskPointRecord, *, staff_of: str | None = None, user_id: str = "", now: datetime | None = None
) -> CardLists:
    """A point's checklist and open hazards and, for staff of `staff_of` (their enterprise), its tasks due `now`."""
    if staff_of is None:
        rows = await _POINT_LISTS.rows(point.id, point.enterprise_id, point.id)
    else:
        rows = await _POINT_LISTS_FOR_STAFF.rows(
            point.id, point.enterprise_id, point.id, user_id, staff_of, point.id, now, now
        )
    return _lists(rows, point.id)


async def enterprise_hazards(enterprise_id: str) -> list[CardHazard]:
    """An enterprise's newest open hazards."""
    return _lists(await _ENTERPRISE_HAZARDS.rows(enterprise_id)).open_hazards
