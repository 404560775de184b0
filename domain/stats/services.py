"""Use cases of the hazard roll-ups: recompute cells (incrementally or in full), read figures, list their items.

The roll-up is set-based in SQL on both engines. The enterprise cells of a batch of enterprises come from one
GROUP BY over their hazards (by enterprise, local found month and local closed month) and one over their tasks;
quarters and years are sums of months. They are computed into a temporary table and written by one
`INSERT … SELECT … ON CONFLICT DO UPDATE … WHERE` that touches only cells whose figures differ (a run over unchanged
data writes nothing); a stored cell no longer computed is set to zero and deleted at the end of the run. Every grid
and region cell is an SQL sum over the stored enterprise cells of its periods, written the same way, one period kind
per transaction. An incremental run re-aggregates the enterprises touched since the watermark (hazards or tasks
changed, deadlines or task windows passed, the enterprise itself edited) and then the ancestor cells of the periods
whose enterprise cells were written since the last completed run (`as_of`, so also by a run killed before its
ancestors); nothing is ever added as a delta, so any sequence of runs converges on what a full run computes. The
watermark moves only after the last batch (a full run removes it first), so a killed run is redone by the next.
"""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from piccolo.engine.postgres import PostgresEngine

from domain.access.model import Actor, Role
from domain.org.scope import require_region
from domain.org.store import enterprise_condition
from domain.clock import utcnow
from domain.db.paging import Page, clamp_limit, decode_cursor, encode_cursor
from domain.db.transactions import transaction
from domain.errors import InvalidInput, NotFound
from domain.org.model import Industry
from domain.org.tables import Enterprise, Grid, Region
from domain.stats.model import (
    ALL_INDUSTRIES,
    COUNT_DEFINITIONS,
    COUNTS,
    METRICS,
    Count,
    PeriodKind,
    ScopeKind,
    listed_count,
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
BATCH_SIZE = 10_000  # enterprises per transaction
_CELL_COLUMNS = (
    "id",
    "scope_kind",
    "scope_id",
    "scope_path",
    "industry",
    "period_kind",
    "period_key",
    *COUNTS,
    "as_of",
)


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


def _as_datetime(value: Any) -> datetime:
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def _timestamp(placeholder: str = "{}") -> str:
    """A timestamp parameter where its type cannot be inferred (a SELECT list)."""
    return f"CAST({placeholder} AS TIMESTAMPTZ)" if _postgres() else placeholder


async def _count(sql: str, *args: Any) -> int:
    """Run an INSERT, UPDATE or DELETE and return how many rows it wrote."""
    if _postgres():
        rows = await RollupCell.raw(
            f"WITH written AS ({sql} RETURNING 1) SELECT COUNT(*) AS n FROM written", *args
        ).run()
        return int(rows[0]["n"])
    return len(await RollupCell.raw(f"{sql} RETURNING 1", *args).run())


_ZERO = " AND ".join(f"{name} = 0" for name in COUNTS)
_SUMS = ", ".join(f"SUM({name}) AS {name}" for name in COUNTS)
_NONZERO = " OR ".join(f"SUM({name}) <> 0" for name in COUNTS)
_KINDS = f"SELECT '{PeriodKind.MONTH}' AS period_kind UNION ALL SELECT '{PeriodKind.QUARTER}' UNION ALL SELECT '{PeriodKind.YEAR}'"
# The period key of a month key for each kind: the month itself, its quarter (`2026-Q4`) and its year.
_PERIOD_KEY = (
    f"CASE k.period_kind WHEN '{PeriodKind.MONTH}' THEN m.month "
    f"WHEN '{PeriodKind.QUARTER}' THEN substr(m.month, 1, 4) || '-Q' || "
    f"CAST((CAST(substr(m.month, 6, 2) AS INTEGER) + 2) / 3 AS TEXT) ELSE substr(m.month, 1, 4) END"
)


# --- enterprise cells --------------------------------------------------------------------------------------------------


def _bind(sql: str, fragments: dict[str, tuple[str, list[Any]]]) -> tuple[str, list[Any]]:
    """Put each `{name}` of `sql` in `fragments` in place (a text with `{}` placeholders and its arguments), and
    return the text with the arguments in the order their placeholders appear."""
    args: list[Any] = []

    def fill(match: re.Match[str]) -> str:
        text, values = fragments[match.group(1)]
        args.extend(values)
        return text

    return re.sub(r"\{(" + "|".join(fragments) + r")\}", fill, sql), args


def _summed(count: Count) -> str:
    """SQL summing one count over the rows of its pass (its rows' own condition is the pass's WHERE)."""
    if count.seconds_between is None:
        value = "1"
    else:
        first, second = count.seconds_between
        value = f"{_whole_seconds(second)} - {_whole_seconds(first)}"
    return f"SUM({value})" if count.condition is None else f"SUM(CASE WHEN {count.condition} THEN {value} ELSE 0 END)"


def _typed(expression: str, count: Count) -> str:
    """A count as a 4-byte integer (PostgreSQL sums those as 8-byte integers, not as slow numerics); seconds as 8."""
    return f"CAST({expression} AS {'BIGINT' if count.seconds_between else 'INTEGER'}) AS {count.name}"


def _enterprise_cells_sql() -> str:
    """The enterprise cells of one batch (`{batch}`: the condition choosing its enterprises' rows), generated from
    `COUNT_DEFINITIONS`: one pass over each kind of rows (hazards, tasks) grouped by enterprise and the local month of
    each time a count places its rows by; each count goes to its own month, and each month to its quarter and year.
    `{now}` is the time of the run."""
    passes, months = [], []
    for rows in dict.fromkeys(count.rows for count in COUNT_DEFINITIONS):
        counts = [count for count in COUNT_DEFINITIONS if count.rows == rows]
        times = list(dict.fromkeys(count.period_by for count in counts))
        name = f"{rows.table}_pass"
        passes.append(
            f"{name} AS (\n  SELECT enterprise_id, "
            + ", ".join(f"{_local_month(time)} AS {time}_month" for time in times)
            + ",\n    "
            + ",\n    ".join(f"{_summed(count)} AS {count.name}" for count in counts)
            + f"\n  FROM {rows.table} WHERE {rows.condition} AND {{batch}}\n  GROUP BY enterprise_id, "
            + ", ".join(f"{time}_month" for time in times)
            + "\n)"
        )
        for time in times:
            columns = ", ".join(
                _typed(count.name if count.rows == rows and count.period_by == time else "0", count)
                for count in COUNT_DEFINITIONS
            )
            months.append(
                f"  SELECT enterprise_id, {time}_month AS month, {columns}\n  FROM {name} WHERE {time}_month IS NOT NULL"
            )
    union = "\n  UNION ALL\n".join(months)
    return f"""
WITH {", ".join(passes)}, months AS (
{union}
), cells AS (
  SELECT m.enterprise_id AS enterprise_id, k.period_kind AS period_kind, {_PERIOD_KEY} AS period_key, {_SUMS}
  FROM months m CROSS JOIN ({_KINDS}) k
  GROUP BY m.enterprise_id, k.period_kind, {_PERIOD_KEY}
  HAVING {_NONZERO}
)
SELECT 'enterprise:' || c.enterprise_id || ':{ALL_INDUSTRIES}:' || c.period_key, 'enterprise', c.enterprise_id,
  e.region_path, '{ALL_INDUSTRIES}', c.period_kind, c.period_key, {", ".join(f"c.{name}" for name in COUNTS)},
  {_timestamp("{now}")}
FROM cells c JOIN enterprise e ON e.id = c.enterprise_id
"""


def _int(expression: str, name: str | None = None) -> str:
    """A count as a 4-byte integer: PostgreSQL sums those as 8-byte integers, not as (slow) numerics."""
    return f"CAST({expression} AS INTEGER) AS {name or expression}"


@dataclass(frozen=True, slots=True)
class _Batch:
    """The enterprises of one batch: a range of ids (full runs: every id, existing or not, falls in one) or a list."""

    after: str | None = None
    upto: str | None = None
    ids: list[str] | None = None

    def condition(self, column: str) -> tuple[str, list[Any]]:
        if self.ids is not None:
            return _in_list(column), [_list_arg(self.ids)]
        parts, args = ["1 = 1"], []
        if self.after is not None:
            parts, args = [*parts, f"{column} > {{}}"], [*args, self.after]
        if self.upto is not None:
            parts, args = [*parts, f"{column} <= {{}}"], [*args, self.upto]
        return " AND ".join(parts), args


def _batches(enterprise_ids: list[str], batch_size: int, full: bool) -> list[_Batch]:
    if not full:
        return [
            _Batch(ids=enterprise_ids[start : start + batch_size])
            for start in range(0, len(enterprise_ids), batch_size)
        ]
    bounds = enterprise_ids[batch_size - 1 :: batch_size]
    return [_Batch(after, upto) for after, upto in zip([None, *bounds], [*bounds, None], strict=True)]


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


# --- writing: one batch of cells in one transaction -------------------------------------------------------------------

_NEXT_TABLE = f"""CREATE TEMP TABLE rollup_next (id VARCHAR(120) PRIMARY KEY, scope_kind VARCHAR(16),
  scope_id VARCHAR(26), scope_path VARCHAR(200), industry VARCHAR(40), period_kind VARCHAR(8), period_key VARCHAR(8),
  {", ".join(f"{name} BIGINT" for name in COUNTS)}, as_of TIMESTAMPTZ)"""
_COLUMNS = ", ".join(_CELL_COLUMNS)
# Only cells whose figures (or place) differ are written, so a run over unchanged data writes nothing.
_UPSERT = (
    f"INSERT INTO rollup_cell ({_COLUMNS}) SELECT {_COLUMNS} FROM rollup_next WHERE 1 = 1 "
    f"ON CONFLICT (id) DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in _CELL_COLUMNS[1:])} "
    f"WHERE {' OR '.join(f'rollup_cell.{c} <> excluded.{c}' for c in ('scope_path', *COUNTS))}"
)
_GONE = "NOT EXISTS (SELECT 1 FROM rollup_next n WHERE n.id = rollup_cell.id)"


async def _apply(
    select: str, select_args: list[Any], stale: str, stale_args: list[Any], *, zero: bool, now: datetime
) -> tuple[int, int]:
    """In one transaction: compute cells with `select` into a temporary table, upsert those that differ, and remove
    the stored cells matching `stale` that are no longer computed (set to zero when `zero`, for the final pass to
    delete: an enterprise cell's period must still be found by the ancestor pass if this run is killed before it).
    Returns (written, removed)."""
    async with transaction():
        if _postgres():
            # the batch's sorts and hashes fit in memory instead of spilling to disk (this transaction only)
            await RollupCell.raw("SET LOCAL work_mem = '256MB'").run()
        await RollupCell.raw(_NEXT_TABLE).run()
        await RollupCell.raw(f"INSERT INTO rollup_next ({_COLUMNS}) {select}", *select_args).run()
        written = await _count(_UPSERT)
        if zero:
            zeroes = ", ".join(f"{name} = 0" for name in COUNTS)
            removed = await _count(
                f"UPDATE rollup_cell SET {zeroes}, as_of = {{}} WHERE {stale} AND {_GONE} AND NOT ({_ZERO})",
                now,
                *stale_args,
            )
        else:
            removed = await _count(f"DELETE FROM rollup_cell WHERE {stale} AND {_GONE}", *stale_args)
        await RollupCell.raw("DROP TABLE rollup_next").run()
    return written, removed


# --- ancestors ---------------------------------------------------------------------------------------------------------


def _prefixes_sql(region_paths: list[str]) -> tuple[str, list[Any]]:
    """A relation (region_path, code, prefix): every region on each enterprise region path, with its own path."""
    triples = []
    for path in region_paths:
        codes = region_codes_of_path(path)
        triples += [(path, code, "/" + "/".join(codes[: depth + 1]) + "/") for depth, code in enumerate(codes)]
    if _postgres():
        sql = "SELECT * FROM unnest({}::text[], {}::text[], {}::text[]) AS m(region_path, code, prefix)"
        return sql, [[t[0] for t in triples], [t[1] for t in triples], [t[2] for t in triples]]
    sql = (
        "SELECT json_extract(value, '$[0]') AS region_path, json_extract(value, '$[1]') AS code, "
        "json_extract(value, '$[2]') AS prefix FROM json_each({})"
    )
    return sql, [json.dumps(triples)]


def _ancestor_cells_sql(periods: str, prefixes: str) -> str:
    """Every grid and region cell (each industry and all) of the periods chosen by `periods` (a condition on the
    enterprise cells `c`), summed from the stored enterprise cells that are not empty. Placeholders: the arguments
    of `periods`, of `prefixes`, then now (as_of)."""
    counts = ", ".join(f"b.{name}" for name in COUNTS)
    return f"""
WITH base AS (
  SELECT e.grid_id AS grid_id, e.region_path AS region_path, e.industry AS industry, c.period_kind AS period_kind,
    c.period_key AS period_key, {
        ", ".join(
            _int(f"SUM(c.{name})", name) if name != "close_seconds" else f"SUM(c.{name}) AS {name}" for name in COUNTS
        )
    }
  FROM rollup_cell c JOIN enterprise e ON e.id = c.scope_id
  WHERE c.scope_kind = 'enterprise' AND {periods} AND NOT ({" AND ".join(f"c.{name} = 0" for name in COUNTS)})
  GROUP BY e.grid_id, e.region_path, e.industry, c.period_kind, c.period_key
), industries AS (
  SELECT grid_id, region_path, industry AS cell_industry, period_kind, period_key, {counts} FROM base b
  UNION ALL
  SELECT grid_id, region_path, '{ALL_INDUSTRIES}', period_kind, period_key, {counts} FROM base b
), scoped AS (
  SELECT 'grid' AS kind, b.grid_id AS scope_id, COALESCE(g.region_path, b.region_path) AS scope_path,
    b.cell_industry, b.period_kind, b.period_key, {counts}
  FROM industries b LEFT JOIN grid g ON g.id = b.grid_id
  UNION ALL
  SELECT 'region', m.code, m.prefix, b.cell_industry, b.period_kind, b.period_key, {counts}
  FROM industries b JOIN ({prefixes}) m ON m.region_path = b.region_path
)
SELECT kind || ':' || scope_id || ':' || cell_industry || ':' || period_key, kind, scope_id, MIN(scope_path),
  cell_industry, period_kind, period_key, {_SUMS}, {_timestamp()}
FROM scoped GROUP BY kind, scope_id, cell_industry, period_kind, period_key
"""


# --- the runs ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RollupReport:
    """What a run did."""

    full: bool
    enterprises: int
    written: int
    deleted: int
    now: datetime


# The enterprise cells written since the last completed run (by this run, or by a killed one: its `now` was later).
_SINCE = "scope_kind = 'enterprise' AND (as_of > {} OR as_of = {})"


# ... and every cell of an enterprise edited since (a move to another grid changes no figure of its own cells).
_MOVED = """SELECT c.period_key FROM rollup_cell c JOIN enterprise e ON e.id = c.scope_id
 WHERE c.scope_kind = 'enterprise' AND (e.updated_at > {} OR e.created_at > {})"""


async def _written_periods(last: datetime, now: datetime, since: datetime) -> list[str]:
    """The periods whose ancestor cells may be stale: of the enterprise cells written since the last completed run,
    or of the enterprises edited since `since`."""
    sql = f"SELECT period_key FROM rollup_cell WHERE {_SINCE} UNION {_MOVED}"
    return sorted({row["period_key"] for row in await RollupCell.raw(sql, last, now, since, since).run()})


async def refresh_rollups(
    *, full: bool = False, now: datetime | None = None, batch_size: int = BATCH_SIZE, pause: float = 0.0
) -> RollupReport:
    """Recompute the cells touched since the last run (all cells when `full`, or when there was no run yet)."""
    now = now or utcnow()
    watermark = await RollupWatermark.select().where(RollupWatermark.id == WATERMARK_ID).first().run()
    full = full or watermark is None
    last = None if watermark is None else _as_datetime(watermark["computed_at"])
    if full:
        # A full run killed midway leaves ancestors unsummed everywhere: without a watermark the next run is full.
        await RollupWatermark.delete().where(RollupWatermark.id == WATERMARK_ID).run()
        enterprises = [row["id"] for row in await Enterprise.select(Enterprise.id).order_by(Enterprise.id).run()]
    else:
        enterprises = await _touched_enterprises(last - SAFETY_MARGIN, now)
    written = deleted = 0
    for batch in _batches(enterprises, max(batch_size, 1), full):
        select, select_args = _bind(
            _enterprise_cells_sql(), {"batch": batch.condition("enterprise_id"), "now": ("{}", [now])}
        )
        cells, cell_args = batch.condition("scope_id")
        counts = await _apply(
            select,
            select_args,
            f"scope_kind = 'enterprise' AND {cells}",
            cell_args,
            zero=True,
            now=now,
        )
        written, deleted = written + counts[0], deleted + counts[1]
        if pause:
            await asyncio.sleep(pause)
    if full and _postgres():
        await RollupCell.raw("ANALYZE rollup_cell").run()  # the ancestor pass plans over the cells just written
    # Ancestors are re-summed for every period (full) or for the periods whose enterprise cells were written since
    # the last completed run, one period kind per transaction.
    periods = None if full else await _written_periods(last, now, last - SAFETY_MARGIN)
    kinds = [str(kind) for kind in PeriodKind]
    prefixes, prefix_args = _prefixes_sql(
        [row["region_path"] for row in await RollupCell.raw("SELECT DISTINCT region_path FROM enterprise").run()]
    )
    for kind in kinds:
        keys = None if periods is None else [key for key in periods if period_kind_of(key) == kind]
        if keys == []:
            continue
        # the last kind of a full run also takes any stored cell of a kind that is none of them (it is stale)
        if full and kind == kinds[-1]:
            own, own_args = "period_kind NOT IN ({}, {})", kinds[:-1]
        else:
            own, own_args = "period_kind = {}", [kind]
        chosen, chosen_args = (
            (own, own_args) if keys is None else (f"{own} AND {_in_list('period_key')}", [*own_args, _list_arg(keys)])
        )
        counts = await _apply(
            _ancestor_cells_sql(chosen.replace("period_", "c.period_"), prefixes),
            [*chosen_args, *prefix_args, now],
            f"scope_kind != 'enterprise' AND {chosen}",
            chosen_args,
            zero=False,
            now=now,
        )
        written, deleted = written + counts[0], deleted + counts[1]
        if pause:
            await asyncio.sleep(pause)
    async with transaction():
        # the enterprise cells that fell to zero, kept until their ancestors were re-summed
        emptied, emptied_args = ("scope_kind = 'enterprise'", []) if full else (_SINCE, [last, now])
        await RollupCell.raw(f"DELETE FROM rollup_cell WHERE {emptied} AND {_ZERO}", *emptied_args).run()
        if full:
            await RollupWatermark.insert(RollupWatermark(id=WATERMARK_ID, computed_at=now, full_at=now)).run()
        else:
            await (
                RollupWatermark.update({RollupWatermark.computed_at: now})
                .where(RollupWatermark.id == WATERMARK_ID)
                .run()
            )
    return RollupReport(full=full, enterprises=len(enterprises), written=written, deleted=deleted, now=now)


# --- reading: the caller's scope ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Scope:
    """The scope a figure is of: an enterprise, a grid or a region, with the SQL choosing its enterprises."""

    kind: ScopeKind
    id: str
    name: str
    path: str


def _within(path: str, actor: Actor) -> bool:
    return actor.role is Role.ADMIN or (
        actor.role is Role.REGULATOR and bool(actor.region_path) and path.startswith(actor.region_path or "\0")
    )


async def resolve_scope(
    actor: Actor, *, region_code: str | None = None, grid_id: str | None = None, enterprise_id: str | None = None
) -> Scope:
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
        row = (
            await Enterprise.select(Enterprise.id, Enterprise.name, Enterprise.region_path)
            .where(Enterprise.id == enterprise_id, enterprise_condition(actor))
            .first()
            .run()
        )
        if row is None:
            raise NotFound("no such enterprise", entity="enterprise", id=enterprise_id)
        return Scope(ScopeKind.ENTERPRISE, row["id"], row["name"], row["region_path"])
    if grid_id is not None:
        row = await Grid.select(Grid.id, Grid.name, Grid.region_path).where(Grid.id == grid_id).first().run()
        if row is None or not (_within(row["region_path"], actor) or grid_id in actor.grid_ids):
            raise NotFound("no such grid", entity="grid", id=grid_id)
        return Scope(ScopeKind.GRID, row["id"], row["name"], row["region_path"])
    row = await require_region(actor, region_code or "")
    return Scope(ScopeKind.REGION, row.code, row.name, row.path)


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
    return [
        Figure(
            metric.name,
            metric_value(metric, counts),
            int(counts.get(metric.numerator) or 0),
            None if metric.denominator is None else int(counts.get(metric.denominator) or 0),
        )
        for metric in METRICS.values()
    ]


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


async def hazard_figures(
    actor: Actor, scope: Scope, *, industry: str | None, period_kind: str, first: str | None, last: str | None
) -> ScopeFigures:
    """The stored figures of the scope for each period of the kind between `first` and `last` (keys, inclusive);
    a period with nothing found, closed or due has no cell and is not listed."""
    industry = _industry(industry)
    for name, key in (("from", first), ("to", last)):
        if key is not None and period_kind_of(key) != period_kind:
            raise InvalidInput(f"{name} is not a {period_kind} key", field=name, value=key)
    rows = await _cells(
        scope,
        industry,
        "period_kind = {} AND period_key >= {} AND period_key <= {}",
        period_kind,
        first or "",
        last or "~",
    )
    periods = [PeriodFigures(row["period_key"], _as_datetime(row["as_of"]), figures_of(row)) for row in rows]
    return ScopeFigures(scope, industry, period_kind, periods)


# --- reading: the items behind a figure --------------------------------------------------------------------------------


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


async def figure_items(
    actor: Actor,
    scope: Scope,
    *,
    metric: str,
    part: str,
    industry: str | None,
    period: str,
    cursor: str | None,
    limit: int | None,
) -> Page[Item]:
    """The hazards (or tasks) counted in one figure's numerator or denominator, by id; their number is the stored
    count (for meanDaysToClose's numerator, the sum of their `seconds_to_close` is)."""
    if metric not in METRICS:
        raise InvalidInput("not a metric", field="metric", value=metric)
    count = listed_count(METRICS[metric], part)
    if count is None:
        raise InvalidInput("this figure has no such part", field="part", value=part)
    return await count_items(scope, count=count, industry=industry, period=period, cursor=cursor, limit=limit)


async def count_items(
    scope: Scope, *, count: Count, industry: str | None, period: str, cursor: str | None, limit: int | None
) -> Page[Item]:
    """The rows one count of the scope's cell counts in a period, by id, chosen by the count's own definition."""
    industry = _industry(industry)
    start, end = period_window(period)
    cells = await _cells(scope, industry, "period_key = {}", period)
    as_of = _as_datetime(cells[0]["as_of"]) if cells else utcnow()
    after, limit = decode_cursor(cursor), clamp_limit(limit)
    table, basis = count.rows.table, count.period_by
    sql, args = _bind(
        f"SELECT * FROM {table} WHERE {basis} >= {{start}} AND {basis} < {{end}} AND ({count.where()}) "
        f"AND enterprise_id IN ({{enterprises}}) AND id > {{after}} ORDER BY id LIMIT {limit + 1}",
        {
            "start": ("{}", [start]),
            "end": ("{}", [end]),
            "now": ("{}", [as_of]),
            "enterprises": _enterprises_sql(scope, industry),
            "after": ("{}", [after or ""]),
        },
    )
    rows = await RollupCell.raw(sql, *args).run()
    more = len(rows) > limit
    rows = rows[:limit]
    if count.rows.kind == "hazard":
        items = [
            Item(
                "hazard",
                row["id"],
                row["enterprise_id"],
                row["status"],
                title=row["title"],
                level=row["level"],
                found_at=_maybe(row["found_at"]),
                closed_at=_maybe(row["closed_at"]),
                deadline=_maybe(row["deadline"]),
                seconds_to_close=_seconds_between(row["found_at"], row["closed_at"]) if row["closed_at"] else None,
            )
            for row in rows
        ]
    else:
        items = [
            Item(
                "task",
                row["id"],
                row["enterprise_id"],
                row["status"],
                window_end=_maybe(row["window_end"]),
                done_at=_maybe(row["done_at"]),
            )
            for row in rows
        ]
    return Page(items, encode_cursor(rows[-1]["id"]) if more and rows else None)


def _maybe(value: Any) -> datetime | None:
    return None if value is None else _as_datetime(value)
