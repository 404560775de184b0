"""Every statement on the safety_code area's tables: the stored codes, their change log, and the map's counts.

The map's counts and drill-down join the codes with the enterprise rows in one SQL statement each (a `GROUP BY`
over both), rather than one call per enterprise to the org store.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from piccolo.query.functions.aggregate import Max

from domain.db.transactions import is_sqlite
from domain.history.store import ProtectedRows, append_event
from domain.ids import new_id
from domain.org.model import EnterpriseStatus
from domain.risk.model import Colour
from domain.safety_code.tables import SafetyCode, SafetyCodeChange

# --- a fragment for hand-written statements of other areas (the scan card: domain/codes/queries.py) ---------------

CODE_SQL = "SELECT enterprise_id, colour, scheme_version, computed_at FROM safety_code"
"""The stored colour of each enterprise's code, with its scheme version and when computed (join on `enterprise_id`)."""


# --- the codes ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SafetyCodeRecord:
    """An enterprise's stored dynamic code: colour, score, the inputs read and the reasons, when computed."""

    enterprise_id: str
    colour: Colour
    score: int
    inputs: dict[str, Any]
    reasons: list[dict[str, Any]]
    scheme_version: int
    computed_at: datetime
    colour_since: datetime


@dataclass(frozen=True, slots=True)
class StoredCode:
    """A code as stored (inputs and reasons as their JSON text), to compare a recompute with."""

    enterprise_id: str
    colour: str
    score: int
    inputs: str
    reasons: str
    scheme_version: int
    computed_at: datetime
    colour_since: datetime

    def record(self) -> SafetyCodeRecord:
        """The code as the services hand it out."""
        return SafetyCodeRecord(
            enterprise_id=self.enterprise_id,
            colour=Colour(self.colour),
            score=self.score,
            inputs=json.loads(self.inputs),
            reasons=json.loads(self.reasons),
            scheme_version=self.scheme_version,
            computed_at=self.computed_at,
            colour_since=self.colour_since,
        )


def _stored(row: dict) -> StoredCode:
    return StoredCode(**{f.name: row[f.name] for f in dataclasses.fields(StoredCode)})


async def code_for_update(enterprise_id: str) -> StoredCode | None:
    """The stored code, held until the transaction ends on PostgreSQL (SQLite writes one at a time).

    A row lock holds nothing while there is no row yet: two first recomputes of an enterprise would both insert and
    one would fail on the primary key. So PostgreSQL takes a transaction lock on the enterprise's id first, and the
    second recompute reads the row the first committed."""
    query = SafetyCode.select().where(SafetyCode.enterprise_id == enterprise_id)
    if not is_sqlite():
        await SafetyCode.raw("SELECT pg_advisory_xact_lock(hashtext({}))", f"safety_code:{enterprise_id}").run()
        query = query.lock_rows()
    row = await query.first().run()
    return None if row is None else _stored(row)


async def code(enterprise_id: str) -> SafetyCodeRecord | None:
    """The stored code of an enterprise, None when it never had one."""
    row = await SafetyCode.select().where(SafetyCode.enterprise_id == enterprise_id).first().run()
    return None if row is None else _stored(row).record()


async def save_code(stored: StoredCode, *, new: bool) -> None:
    """Insert the enterprise's code, or overwrite the one stored."""
    values = dataclasses.asdict(stored)
    if new:
        await SafetyCode.insert(SafetyCode(**values)).run()
        return
    await (
        SafetyCode.update({getattr(SafetyCode, key): value for key, value in values.items() if key != "enterprise_id"})
        .where(SafetyCode.enterprise_id == stored.enterprise_id)
        .run()
    )


async def enterprises_with_code(enterprise_ids: Sequence[str]) -> set[str]:
    """Those of the enterprises that have a stored code."""
    if not enterprise_ids:
        return set()
    rows = (
        await SafetyCode.select(SafetyCode.enterprise_id)
        .where(SafetyCode.enterprise_id.is_in(list(enterprise_ids)))
        .run()
    )
    return {row["enterprise_id"] for row in rows}


async def append_code_event(enterprise_id: str, **event: Any) -> None:
    """Append an event that the enterprise's code row, already written, carries as its chain head."""
    await append_event(bind=(SafetyCode, enterprise_id), **event)


# --- the change log ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChangeRecord:
    """One logged change of colour."""

    id: str
    enterprise_id: str
    seq: int
    old_colour: str | None
    new_colour: str
    score: int
    reasons: list[dict[str, Any]]
    inputs: dict[str, Any]
    scheme_version: int
    changed_at: datetime


def _change(row: dict) -> ChangeRecord:
    return ChangeRecord(
        **{f.name: row[f.name] for f in dataclasses.fields(ChangeRecord) if f.name not in ("reasons", "inputs")},
        reasons=json.loads(row["reasons"]),
        inputs=json.loads(row["inputs"]),
    )


async def last_change_seq(enterprise_id: str) -> int:
    """The sequence number of the enterprise's last logged change (0: none)."""
    last = (
        await SafetyCodeChange.select(Max(SafetyCodeChange.seq, alias="seq"))
        .where(SafetyCodeChange.enterprise_id == enterprise_id)
        .first()
        .run()
    )
    return last["seq"] if last and last["seq"] else 0


async def insert_change(**values: Any) -> None:
    """Log one change of colour (the unique (enterprise, seq) refuses a second of two racing recomputes)."""
    await SafetyCodeChange.insert(SafetyCodeChange(id=new_id(), **values)).run()


async def changes(enterprise_id: str, *, before: str | None, limit: int) -> list[ChangeRecord]:
    """Up to `limit` of the enterprise's changes, newest first, before the id `before` when given."""
    query = SafetyCodeChange.select().where(SafetyCodeChange.enterprise_id == enterprise_id)
    if before:
        query = query.where(SafetyCodeChange.id < before)
    return [_change(row) for row in await query.order_by(SafetyCodeChange.id, ascending=False).limit(limit).run()]


# --- the regional map --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ColourGroup:
    """How many enterprises of one grid and region path have one colour."""

    grid_id: str
    region_path: str
    colour: str
    count: int


async def colour_counts(prefix: str, grid_ids: list[str] | None) -> list[ColourGroup]:
    """The enterprises not closed with a stored code under the region path (in the grids, when given), counted by
    grid, region path and colour, in one `GROUP BY`."""
    sql = (
        "SELECT e.grid_id, e.region_path, s.colour, COUNT(*) AS n FROM enterprise e"
        " JOIN safety_code s ON s.enterprise_id = e.id WHERE e.status <> {} AND e.region_path LIKE {}"
    )
    args: list[Any] = [EnterpriseStatus.CLOSED.value, prefix + "%"]
    if grid_ids is not None:
        sql += " AND e.grid_id IN (" + ", ".join("{}" for _ in grid_ids) + ")"
        args += grid_ids
    rows = await SafetyCode.raw(sql + " GROUP BY e.grid_id, e.region_path, s.colour", *args).run()
    return [ColourGroup(row["grid_id"], row["region_path"], row["colour"], row["n"]) for row in rows]


@dataclass(frozen=True, slots=True)
class MapEnterprise:
    """An enterprise counted on the map: where it is and the colour it was counted in."""

    enterprise_id: str
    name: str
    grid_code: str
    region_code: str
    colour: Colour
    score: int


async def map_enterprises(
    condition: str, args: list[Any], *, colour: Colour | None, after: str | None, limit: int
) -> list[MapEnterprise]:
    """Up to `limit` enterprises (id order, after `after`) the map counts that meet `condition` (on `e`, the
    enterprise), of one colour when given: the same rows as `colour_counts`."""
    sql = (
        "SELECT e.id, e.name, g.code AS grid_code, e.region_code, s.colour, s.score FROM enterprise e"
        " JOIN safety_code s ON s.enterprise_id = e.id JOIN grid g ON g.id = e.grid_id"
        " WHERE e.status <> {} AND " + condition
    )
    args = [EnterpriseStatus.CLOSED.value, *args]
    if colour is not None:
        sql, args = sql + " AND s.colour = {}", [*args, colour.value]
    if after:
        sql, args = sql + " AND e.id > {}", [*args, after]
    rows = await SafetyCode.raw(sql + " ORDER BY e.id LIMIT {}", *args, limit).run()
    return [
        MapEnterprise(
            enterprise_id=r["id"],
            name=r["name"],
            grid_code=r["grid_code"],
            region_code=r["region_code"],
            colour=Colour(r["colour"]),
            score=r["score"],
        )
        for r in rows
    ]


# --- the rows hash chains protect (domain/evidence reads and binds them through this) ------------------------------

PROTECTED = ProtectedRows(SafetyCode)
