"""Use cases of the hazard roll-ups: recompute cells (incrementally or in full), read figures, list their items.

The enterprise cells come from one SQL GROUP BY over `hazard` (by enterprise, local found month and local closed
month) and one over `inspection_task`; quarters and years are sums of months, and every grid and region cell is an
SQL sum over the stored enterprise cells of its periods. An incremental run re-aggregates the enterprises touched
since the watermark (hazards or tasks changed, deadlines or task windows passed, the enterprise itself edited) and
then every ancestor cell of their periods; nothing is ever added as a delta, so any sequence of runs converges on
what a full run computes. Every write is an upsert (or the delete of a cell that fell to zero) in a transaction of
one batch; the watermark moves only after the last batch, so a killed run is simply redone by the next.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from piccolo.engine.postgres import PostgresEngine

from domain.accounts.model import Actor, Role
from domain.accounts.scope import enterprise_condition
from domain.clock import utcnow
from domain.db.paging import Page, clamp_limit, decode_cursor, encode_cursor
from domain.errors import InvalidInput, NotFound
from domain.hazards.model import OWING_STATUSES, HazardLevel, Status
from domain.org.model import Industry
from domain.org.tables import Enterprise, Grid, Region
from domain.stats.model import (
    ALL_INDUSTRIES,
    CLOSED_COUNTS,
    COUNTS,
    FOUND_COUNTS,
    METRICS,
    TASK_COUNTS,
    Metric,
    ScopeKind,
    add_counts,
    cell_id,
    enterprise_cells,
    is_empty,
    metric_value,
    period_kind_of,
    period_window,
    region_codes_of_path,
)
from domain.stats.tables import RollupCell, RollupWatermark

WATERMARK_ID = "hazards"
# Changes are looked for from a little before the last run read its inputs: a transaction that committed just
# after that read with an earlier updated_at is still seen (re-aggregating twice is harmless).
SAFETY_MARGIN = timedelta(minutes=5)
BATCH_SIZE = 2000
_CLOSED = f"status IN ('{Status.CLOSED}', '{Status.WRITTEN_OFF}') AND closed_at IS NOT NULL"
_OWING = ", ".join(f"'{status}'" for status in sorted(OWING_STATUSES))
_MAJOR = f"level = '{HazardLevel.MAJOR}'"
_CELL_COLUMNS = ("id", "scope_kind", "scope_id", "scope_path", "industry", "period_kind", "period_key", *COUNTS, "as_of")


def _postgres() -> bool:
    return isinstance(RollupCell._meta.db, PostgresEngine)


# --- the engine-specific fragments -------------------------------------------------------------------------------------


def _local_month(column: str) -> str:
    """SQL for the local (UTC+8) month key of a timestamp column."""
    if _postgres():
        return f"to_char({column} AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM')"
    return f"strftime('%Y-%m', {column}, '+8 hours')"


def _whole_seconds(column: str) -> str:
    """SQL for a timestamp as whole seconds since the epoch (fractions truncated, alike on both engines)."""
    if _postgres():
        return f"EXTRACT(EPOCH FROM date_trunc('second', {column}))::bigint"
    return f"CAST(strftime('%s', {column}) AS INTEGER)"


def _in_list(column: str) -> str:
    """SQL testing a column against one placeholder holding a list (an array, or JSON text on SQLite)."""
    return f"{column} = ANY({{}})" if _postgres() else f"{column} IN (SELECT value FROM json_each({{}}))"


def _list_arg(values: list[str]) -> Any:
    return list(values) if _postgres() else json.dumps(list(values))


def _marks(count: int) -> str:
    return ", ".join(f"${n}" for n in range(1, count + 1)) if _postgres() else ", ".join("?" * count)


def _as_datetime(value: Any) -> datetime:
    return datetime.fromisoformat(value) if isinstance(value, str) else value


# --- enterprise cells --------------------------------------------------------------------------------------------------


def _hazard_months_sql(filtered: bool) -> str:
    """One pass over the hazards: counts by enterprise, local found month and local closed month."""
    return f"""
SELECT enterprise_id, {_local_month('found_at')} AS found_month, {_local_month('closed_at')} AS closed_month,
  COUNT(*) AS found,
  SUM(CASE WHEN {_CLOSED} THEN 1 ELSE 0 END) AS found_closed,
  SUM(CASE WHEN status IN ({_OWING}) AND deadline < {{}} THEN 1 ELSE 0 END) AS overdue,
  SUM(CASE WHEN {_MAJOR} AND NOT ({_CLOSED}) THEN 1 ELSE 0 END) AS major_open,
  SUM(CASE WHEN {_CLOSED} AND deadline IS NOT NULL THEN 1 ELSE 0 END) AS closed_with_deadline,
  SUM(CASE WHEN {_CLOSED} AND deadline IS NOT NULL AND closed_at <= deadline THEN 1 ELSE 0 END) AS closed_on_time,
  SUM(CASE WHEN {_CLOSED} AND {_MAJOR} THEN 1 ELSE 0 END) AS major_closed,
  SUM(CASE WHEN {_CLOSED} THEN {_whole_seconds('closed_at')} - {_whole_seconds('found_at')} ELSE 0 END)
    AS close_seconds
FROM hazard WHERE status != '{Status.VOIDED}' {'AND ' + _in_list('enterprise_id') if filtered else ''}
GROUP BY enterprise_id, found_month, closed_month
"""


def _task_months_sql(filtered: bool) -> str:
    return f"""
SELECT enterprise_id, {_local_month('window_end')} AS month, COUNT(*) AS tasks_due,
  SUM(CASE WHEN status = 'done' THEN 1 ELSE 0 END) AS tasks_done
FROM inspection_task WHERE window_end <= {{}} {'AND ' + _in_list('enterprise_id') if filtered else ''}
GROUP BY enterprise_id, month
"""


async def _month_rows(enterprise_ids: list[str] | None, now: datetime) -> list[tuple[str, str, dict[str, int]]]:
    """(enterprise, month, counts) rows of the given enterprises (all when None), as of `now`."""
    filtered = enterprise_ids is not None
    extra = [_list_arg(enterprise_ids)] if filtered else []
    rows: list[tuple[str, str, dict[str, int]]] = []
    for row in await RollupCell.raw(_hazard_months_sql(filtered), now, *extra).run():
        rows.append((row["enterprise_id"], row["found_month"], {name: int(row[name] or 0) for name in FOUND_COUNTS}))
        if row["closed_month"] is not None and row["found_closed"]:
            closed = {name: int(row[name] or 0) for name in CLOSED_COUNTS if name != "closed"}
            rows.append((row["enterprise_id"], row["closed_month"], closed | {"closed": int(row["found_closed"])}))
    for row in await RollupCell.raw(_task_months_sql(filtered), now, *extra).run():
        rows.append((row["enterprise_id"], row["month"], {name: int(row[name] or 0) for name in TASK_COUNTS}))
    return rows


_TOUCHED_SQL = """
SELECT enterprise_id FROM hazard
 WHERE updated_at > {since} OR created_at > {since} OR (deadline > {since} AND deadline <= {now})
UNION SELECT enterprise_id FROM inspection_task
 WHERE created_at > {since} OR (window_end > {since} AND window_end <= {now})
    OR inspection_id IN (SELECT id FROM inspection WHERE created_at > {since})
UNION SELECT id AS enterprise_id FROM enterprise WHERE updated_at > {since} OR created_at > {since}
"""


async def _touched_enterprises(since: datetime, now: datetime) -> list[str]:
    """Enterprises whose cells may have changed since `since`: changed or created hazards and tasks, deadlines and
    task windows that passed (overdue and tasks due depend on the time), the enterprise record itself."""
    sql = _TOUCHED_SQL.replace("{since}", "{}").replace("{now}", "{}")
    args = [since, since, since, now, since, since, now, since, since, since]
    return sorted({row["enterprise_id"] for row in await RollupCell.raw(sql, *args).run()})


# --- writing ----------------------------------------------------------------------------------------------------------


def _row_values(row: dict[str, Any]) -> tuple:
    return tuple(row[column] for column in _CELL_COLUMNS)


def _same(stored: dict[str, Any] | None, new: dict[str, Any]) -> bool:
    return stored is not None and all(int(stored[name] or 0) == new[name] for name in COUNTS)


async def _write(upserts: list[dict[str, Any]], deletes: list[str], *, batch_size: int, pause: float) -> None:
    """Upsert and delete cells in transactions of `batch_size` rows each (`pause` seconds after each: test-only)."""
    columns = ", ".join(_CELL_COLUMNS)
    updates = ", ".join(f"{column} = excluded.{column}" for column in _CELL_COLUMNS[1:])
    upsert_sql = f"INSERT INTO rollup_cell ({columns}) VALUES ({_marks(len(_CELL_COLUMNS))}) ON CONFLICT (id) DO UPDATE SET {updates}"  # noqa: E501
    delete_sql = f"DELETE FROM rollup_cell WHERE id = {_marks(1)}"
    work = [(upsert_sql, _row_values(row)) for row in upserts] + [(delete_sql, (key,)) for key in deletes]
    for start in range(0, len(work), batch_size):
        batch = work[start : start + batch_size]
        async with RollupCell._meta.db.transaction() as transaction:
            for sql in (upsert_sql, delete_sql):
                args = [values for statement, values in batch if statement == sql]
                if args:
                    await transaction.connection.executemany(sql, args)
        if pause:
            await asyncio.sleep(pause)


async def _stored(condition: str, *args: Any) -> dict[str, dict[str, Any]]:
    sql = f"SELECT id, {', '.join(COUNTS)} FROM rollup_cell WHERE {condition}"
    return {row["id"]: row for row in await RollupCell.raw(sql, *args).run()}


def _plan(computed: dict[str, dict[str, Any]], stored: dict[str, dict[str, Any]]) -> tuple[list[dict], list[str]]:
    """The cells to upsert (new or changed) and to delete (stored but now empty)."""
    upserts = [row for key, row in computed.items() if not _same(stored.get(key), row)]
    return upserts, sorted(key for key in stored if key not in computed)


# --- ancestors ---------------------------------------------------------------------------------------------------------

_ANCESTOR_SQL = """
SELECT e.grid_id AS grid_id, e.region_path AS region_path, e.industry AS industry, c.period_kind AS period_kind,
  c.period_key AS period_key, {sums}
FROM rollup_cell c JOIN enterprise e ON e.id = c.scope_id
WHERE c.scope_kind = 'enterprise' {period_filter}
GROUP BY e.grid_id, e.region_path, e.industry, c.period_kind, c.period_key
"""


async def _ancestor_cells(period_keys: list[str] | None, now: datetime) -> dict[str, dict[str, Any]]:
    """Every grid and region cell of the given periods (all when None), summed from the stored enterprise cells."""
    sums = ", ".join(f"SUM(c.{name}) AS {name}" for name in COUNTS)
    sql = _ANCESTOR_SQL.format(sums=sums, period_filter="AND " + _in_list("c.period_key") if period_keys is not None else "")  # noqa: E501
    args = [_list_arg(period_keys)] if period_keys is not None else []
    grid_paths = {row["id"]: row["region_path"] for row in await Grid.select(Grid.id, Grid.region_path).run()}
    cells: dict[str, dict[str, Any]] = {}

    def add(kind: ScopeKind, scope_id: str, path: str, industry: str, row: dict[str, Any]) -> None:
        key = cell_id(kind, scope_id, industry, row["period_key"])
        cell = cells.setdefault(key, {"id": key, "scope_kind": str(kind), "scope_id": scope_id, "scope_path": path,
                                      "industry": industry, "period_kind": row["period_kind"],
                                      "period_key": row["period_key"], "as_of": now})  # fmt: skip
        add_counts(cell, row)

    for row in await RollupCell.raw(sql, *args).run():
        for industry in (row["industry"], ALL_INDUSTRIES):
            add(ScopeKind.GRID, row["grid_id"], grid_paths.get(row["grid_id"], row["region_path"]), industry, row)
            codes = region_codes_of_path(row["region_path"])
            for depth, code in enumerate(codes, start=1):
                add(ScopeKind.REGION, code, "/" + "/".join(codes[:depth]) + "/", industry, row)
    return cells


# --- the runs ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RollupReport:
    """What a run did."""

    full: bool
    enterprises: int
    written: int
    deleted: int
    now: datetime


async def refresh_rollups(*, full: bool = False, now: datetime | None = None, batch_size: int = BATCH_SIZE,
                          pause: float = 0.0) -> RollupReport:  # fmt: skip
    """Recompute the cells touched since the last run (all cells when `full`, or when there was no run yet)."""
    now = now or utcnow()
    watermark = await RollupWatermark.select().where(RollupWatermark.id == WATERMARK_ID).first().run()
    full = full or watermark is None
    enterprises = {row["id"]: row for row in await Enterprise.select(Enterprise.id, Enterprise.region_path).run()}
    if full:
        touched = None
        stored = await _stored("scope_kind = 'enterprise'")
    else:
        touched = await _touched_enterprises(_as_datetime(watermark["computed_at"]) - SAFETY_MARGIN, now)
        stored = await _stored("scope_kind = 'enterprise' AND " + _in_list("scope_id"), _list_arg(touched))
    computed: dict[str, dict[str, Any]] = {}
    for (enterprise_id, period_key), counts in enterprise_cells(await _month_rows(touched, now)).items():
        if enterprise_id not in enterprises:
            continue
        key = cell_id(ScopeKind.ENTERPRISE, enterprise_id, ALL_INDUSTRIES, period_key)
        computed[key] = {"id": key, "scope_kind": str(ScopeKind.ENTERPRISE), "scope_id": enterprise_id,
                         "scope_path": enterprises[enterprise_id]["region_path"], "industry": ALL_INDUSTRIES,
                         "period_kind": str(period_kind_of(period_key)), "period_key": period_key, "as_of": now,
                         **{name: counts.get(name, 0) for name in COUNTS}}  # fmt: skip
    upserts, deletes = _plan(computed, stored)
    await _write(upserts, deletes, batch_size=batch_size, pause=pause)
    # Every period any touched enterprise has (or had) a cell in: their ancestors are re-summed whether or not this
    # run changed the enterprise cell, so a run killed between the two passes is completed by the next.
    periods = None if full else sorted({key.rsplit(":", 1)[1] for key in (*computed, *stored)})
    ancestors = await _ancestor_cells(periods, now)
    if full:
        stored_ancestors = await _stored("scope_kind != 'enterprise'")
    else:
        stored_ancestors = await _stored("scope_kind != 'enterprise' AND " + _in_list("period_key"), _list_arg(periods))
    ancestor_upserts, ancestor_deletes = _plan(ancestors, stored_ancestors)
    await _write(ancestor_upserts, ancestor_deletes, batch_size=batch_size, pause=pause)
    async with RollupWatermark._meta.db.transaction():
        if watermark is None:
            await RollupWatermark.insert(RollupWatermark(id=WATERMARK_ID, computed_at=now, full_at=now)).run()
        else:
            values = {RollupWatermark.computed_at: now} | ({RollupWatermark.full_at: now} if full else {})
            await RollupWatermark.update(values).where(RollupWatermark.id == WATERMARK_ID).run()
    return RollupReport(full=full, enterprises=len(enterprises) if touched is None else len(touched),
                        written=len(upserts) + len(ancestor_upserts), deleted=len(deletes) + len(ancestor_deletes),
                        now=now)  # fmt: skip


# --- reading: the caller's scope ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Scope:
    """The scope a figure is of: an enterprise, a grid or a region, with the SQL choosing its enterprises."""

    kind: ScopeKind
    id: str
    name: str
    path: str


def _within(path: str, actor: Actor) -> bool:
    return actor.role is Role.ADMIN or (actor.role is Role.REGULATOR and bool(actor.region_path)
                                        and path.startswith(actor.region_path or "\0"))  # fmt: skip


async def resolve_scope(actor: Actor, *, region_code: str | None = None, grid_id: str | None = None,
                        enterprise_id: str | None = None) -> Scope:  # fmt: skip
    """The scope asked for (default: the caller's own), or `NotFound` when it is missing or not the caller's."""
    if sum(value is not None for value in (region_code, grid_id, enterprise_id)) > 1:
        raise InvalidInput("give at most one of regionCode, gridId and enterpriseId", field="regionCode")
    if region_code is None and grid_id is None and enterprise_id is None:
        if actor.role in (Role.OFFICER, Role.PRINCIPAL) and actor.enterprise_id:
            enterprise_id = actor.enterprise_id
        elif actor.role is Role.INSPECTOR and actor.grid_ids:
            grid_id = sorted(actor.grid_ids)[0]
        elif actor.role is Role.REGULATOR and actor.region_path:
            region_code = region_codes_of_path(actor.region_path)[-1]
        else:
            roots = await Region.select(Region.code).where(Region.parent_code.is_null()).order_by(Region.code).run()
            region_code = roots[0]["code"] if roots else ""
    if enterprise_id is not None:
        row = await Enterprise.select(Enterprise.id, Enterprise.name, Enterprise.region_path).where(
            Enterprise.id == enterprise_id, enterprise_condition(actor)).first().run()  # fmt: skip
        if row is None:
            raise NotFound("no such enterprise", entity="enterprise", id=enterprise_id)
        return Scope(ScopeKind.ENTERPRISE, row["id"], row["name"], row["region_path"])
    if grid_id is not None:
        row = await Grid.select(Grid.id, Grid.name, Grid.region_path).where(Grid.id == grid_id).first().run()
        if row is None or not (_within(row["region_path"], actor) or grid_id in actor.grid_ids):
            raise NotFound("no such grid", entity="grid", id=grid_id)
        return Scope(ScopeKind.GRID, row["id"], row["name"], row["region_path"])
    row = await Region.select(Region.code, Region.name, Region.path).where(Region.code == region_code).first().run()
    if row is None or not _within(row["path"], actor):
        raise NotFound("no such region", entity="region", id=region_code)
    return Scope(ScopeKind.REGION, row["code"], row["name"], row["path"])


def _industry(industry: str | None) -> str:
    industry = industry or ALL_INDUSTRIES
    if industry != ALL_INDUSTRIES and industry not in {str(item) for item in Industry}:
        raise InvalidInput("not an industry", field="industry", value=industry)
    return industry


# --- reading: figures --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Figure:
    metric: str
    value: Decimal | None
    numerator: int
    denominator: int | None


@dataclass(frozen=True, slots=True)
class PeriodFigures:
    period: str
    as_of: datetime
    figures: list[Figure]


@dataclass(frozen=True, slots=True)
class ScopeFigures:
    scope: Scope
    industry: str
    period_kind: str
    periods: list[PeriodFigures]


def figures_of(counts: dict[str, Any]) -> list[Figure]:
    """Every metric of one cell's counts."""
    return [Figure(metric.name, metric_value(metric, counts), int(counts.get(metric.numerator) or 0),
                   None if metric.denominator is None else int(counts.get(metric.denominator) or 0))
            for metric in METRICS.values()]  # fmt: skip


async def _cells(scope: Scope, industry: str, where: str, *args: Any) -> list[dict[str, Any]]:
    """The stored cells of a scope and industry (an enterprise's cells are its industry's, stored under "*")."""
    if scope.kind is ScopeKind.ENTERPRISE:
        if industry != ALL_INDUSTRIES:
            own = await Enterprise.select(Enterprise.industry).where(Enterprise.id == scope.id).first().run()
            if own is None or own["industry"] != industry:
                return []
        industry = ALL_INDUSTRIES
    sql = "SELECT * FROM rollup_cell WHERE scope_kind = {} AND scope_id = {} AND industry = {} AND " + where
    return await RollupCell.raw(sql + " ORDER BY period_key", str(scope.kind), scope.id, industry, *args).run()


async def hazard_figures(actor: Actor, scope: Scope, *, industry: str | None, period_kind: str,
                         first: str | None, last: str | None) -> ScopeFigures:  # fmt: skip
    """The stored figures of the scope for each period of the kind between `first` and `last` (keys, inclusive);
    a period with nothing found, closed or due has no cell and is not listed."""
    industry = _industry(industry)
    for name, key in (("from", first), ("to", last)):
        if key is not None and period_kind_of(key) != period_kind:
            raise InvalidInput(f"{name} is not a {period_kind} key", field=name, value=key)
    rows = await _cells(scope, industry, "period_kind = {} AND period_key >= {} AND period_key <= {}",
                        period_kind, first or "", last or "~")  # fmt: skip
    periods = [PeriodFigures(row["period_key"], _as_datetime(row["as_of"]), figures_of(row)) for row in rows]
    return ScopeFigures(scope, industry, period_kind, periods)


# --- reading: the items behind a figure --------------------------------------------------------------------------------

_NOT_VOIDED = f"status != '{Status.VOIDED}'"
# (metric, part) -> (the column that places an item in the period, the further condition); `{as_of}` is the cell's.
_ITEM_CONDITIONS: dict[tuple[str, str], tuple[str, str]] = {
    ("found", "numerator"): ("found_at", _NOT_VOIDED),
    ("closureRate", "denominator"): ("found_at", _NOT_VOIDED),
    ("closureRate", "numerator"): ("found_at", f"{_NOT_VOIDED} AND {_CLOSED}"),
    ("overdue", "numerator"): ("found_at", f"{_NOT_VOIDED} AND status IN ({_OWING}) AND deadline < {{as_of}}"),
    ("majorOpen", "numerator"): ("found_at", f"{_NOT_VOIDED} AND {_MAJOR} AND NOT ({_CLOSED})"),
    ("closed", "numerator"): ("closed_at", _CLOSED),
    ("meanDaysToClose", "numerator"): ("closed_at", _CLOSED),
    ("meanDaysToClose", "denominator"): ("closed_at", _CLOSED),
    ("onTimeRate", "denominator"): ("closed_at", f"{_CLOSED} AND deadline IS NOT NULL"),
    ("onTimeRate", "numerator"): ("closed_at", f"{_CLOSED} AND deadline IS NOT NULL AND closed_at <= deadline"),
    ("majorClosed", "numerator"): ("closed_at", f"{_CLOSED} AND {_MAJOR}"),
    ("taskCompletionRate", "denominator"): ("window_end", "window_end <= {as_of}"),
    ("taskCompletionRate", "numerator"): ("window_end", "window_end <= {as_of} AND status = 'done'"),
}


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


def _enterprises_sql(scope: Scope, industry: str) -> tuple[str, list[Any]]:
    column = {ScopeKind.ENTERPRISE: "id = {}", ScopeKind.GRID: "grid_id = {}", ScopeKind.REGION: "region_path LIKE {}"}
    value = scope.path + "%" if scope.kind is ScopeKind.REGION else scope.id
    sql = "SELECT id FROM enterprise WHERE " + column[scope.kind]
    if industry != ALL_INDUSTRIES:
        return sql + " AND industry = {}", [value, industry]
    return sql, [value]


def _seconds_between(start: Any, end: Any) -> int:
    return int(_as_datetime(end).timestamp()) - int(_as_datetime(start).timestamp())


async def figure_items(actor: Actor, scope: Scope, *, metric: str, part: str, industry: str | None, period: str,
                       cursor: str | None, limit: int | None) -> Page[Item]:  # fmt: skip
    """The hazards (or tasks) counted in one figure's numerator or denominator, by id; their number is the stored
    count (for meanDaysToClose's numerator, the sum of their `seconds_to_close` is)."""
    if metric not in METRICS:
        raise InvalidInput("not a metric", field="metric", value=metric)
    if (metric, part) not in _ITEM_CONDITIONS:
        raise InvalidInput("this figure has no such part", field="part", value=part)
    industry = _industry(industry)
    start, end = period_window(period)
    cells = await _cells(scope, industry, "period_key = {}", period)
    as_of = _as_datetime(cells[0]["as_of"]) if cells else utcnow()
    after, limit = decode_cursor(cursor), clamp_limit(limit)
    basis, condition = _ITEM_CONDITIONS[(metric, part)]
    table = "inspection_task" if METRICS[metric].items == "task" else "hazard"
    enterprises, enterprise_args = _enterprises_sql(scope, industry)
    args: list[Any] = []
    where = condition
    if "{as_of}" in where:
        where, args = where.replace("{as_of}", "{}"), [as_of]
    sql = (f"SELECT * FROM {table} WHERE {basis} >= {{}} AND {basis} < {{}} AND ({where}) "
           f"AND enterprise_id IN ({enterprises}) AND id > {{}} ORDER BY id LIMIT {limit + 1}")  # fmt: skip
    rows = await RollupCell.raw(sql, start, end, *args, *enterprise_args, after or "").run()
    more = len(rows) > limit
    rows = rows[:limit]
    if table == "hazard":
        items = [Item("hazard", row["id"], row["enterprise_id"], row["status"], title=row["title"], level=row["level"],
                      found_at=_maybe(row["found_at"]), closed_at=_maybe(row["closed_at"]), deadline=_maybe(row["deadline"]),
                      seconds_to_close=_seconds_between(row["found_at"], row["closed_at"]) if row["closed_at"] else None)
                 for row in rows]  # fmt: skip
    else:
        items = [Item("task", row["id"], row["enterprise_id"], row["status"], window_end=_maybe(row["window_end"]),
                      done_at=_maybe(row["done_at"])) for row in rows]  # fmt: skip
    return Page(items, encode_cursor(rows[-1]["id"]) if more and rows else None)


def _maybe(value: Any) -> datetime | None:
    return None if value is None else _as_datetime(value)
