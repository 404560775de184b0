"""Every statement of the hazard roll-ups: the cells' own tables, and the SQL that sums the hazards and tasks into them.

The aggregate and the drill-down lists are generated from `domain.stats.model.COUNT_DEFINITIONS`. They read the
hazard, inspection-task and enterprise rows in SQL (one set-based statement per batch, not a call per row of
another area's store); the services call the functions at the end of this module and get records back.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.db.transactions import is_sqlite, transaction
from domain.stats.model import (
    ALL_INDUSTRIES,
    COUNT_DEFINITIONS,
    COUNTS,
    Count,
    Item,
    PeriodKind,
    region_codes_of_path,
)
from domain.stats.tables import RollupCell, RollupWatermark

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
    return not is_sqlite()


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


def as_datetime(value: Any) -> datetime:
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
class Batch:
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


def batches(enterprise_ids: list[str], batch_size: int, full: bool) -> list[Batch]:
    if not full:
        return [
            Batch(ids=enterprise_ids[start : start + batch_size]) for start in range(0, len(enterprise_ids), batch_size)
        ]
    bounds = enterprise_ids[batch_size - 1 :: batch_size]
    return [Batch(after, upto) for after, upto in zip([None, *bounds], [*bounds, None], strict=True)]


_TOUCHED_SQL = """
SELECT enterprise_id FROM hazard
 WHERE updated_at > {since} OR created_at > {since} OR (deadline > {since} AND deadline <= {now})
UNION SELECT enterprise_id FROM inspection_task
 WHERE created_at > {since} OR (window_end > {since} AND window_end <= {now})
    OR inspection_id IN (SELECT id FROM inspection WHERE created_at > {since})
UNION SELECT id AS enterprise_id FROM enterprise WHERE updated_at > {since} OR created_at > {since}
"""


async def touched_enterprises(since: datetime, now: datetime) -> list[str]:
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


# The enterprise cells written since the last completed run (by this run, or by a killed one: its `now` was later).
_SINCE = "scope_kind = 'enterprise' AND (as_of > {} OR as_of = {})"


# ... and every cell of an enterprise edited since (a move to another grid changes no figure of its own cells).
_MOVED = """SELECT c.period_key FROM rollup_cell c JOIN enterprise e ON e.id = c.scope_id
 WHERE c.scope_kind = 'enterprise' AND (e.updated_at > {} OR e.created_at > {})"""


async def written_periods(last: datetime, now: datetime, since: datetime) -> list[str]:
    """The periods whose ancestor cells may be stale: of the enterprise cells written since the last completed run,
    or of the enterprises edited since `since`."""
    sql = f"SELECT period_key FROM rollup_cell WHERE {_SINCE} UNION {_MOVED}"
    return sorted({row["period_key"] for row in await RollupCell.raw(sql, last, now, since, since).run()})


# --- the functions the services call ----------------------------------------------------------------------------------


async def watermark(watermark_id: str) -> datetime | None:
    """When the last completed run read its inputs (None: no run completed since the last full one began)."""
    row = (
        await RollupWatermark.select(RollupWatermark.computed_at)
        .where(RollupWatermark.id == watermark_id)
        .first()
        .run()
    )
    return None if row is None else as_datetime(row["computed_at"])


async def drop_watermark(watermark_id: str) -> None:
    """Forget the last run: a full run killed midway leaves ancestors unsummed, so the next run must be full too."""
    await RollupWatermark.delete().where(RollupWatermark.id == watermark_id).run()


async def write_enterprise_cells(batch: Batch, now: datetime) -> tuple[int, int]:
    """Recompute the enterprise cells of one batch in one transaction; (written, set to zero)."""
    select, select_args = _bind(
        _enterprise_cells_sql(), {"batch": batch.condition("enterprise_id"), "now": ("{}", [now])}
    )
    cells, cell_args = batch.condition("scope_id")
    return await _apply(select, select_args, f"scope_kind = 'enterprise' AND {cells}", cell_args, zero=True, now=now)


async def analyze_cells() -> None:
    """Refresh PostgreSQL's statistics of the cells (the ancestor pass plans over the cells just written)."""
    if _postgres():
        await RollupCell.raw("ANALYZE rollup_cell").run()


async def enterprise_region_paths() -> list[str]:
    """Every distinct region path an enterprise sits on."""
    return [row["region_path"] for row in await RollupCell.raw("SELECT DISTINCT region_path FROM enterprise").run()]


async def write_ancestor_cells(
    kind: str, keys: list[str] | None, *, other_kinds: list[str] | None, region_paths: list[str], now: datetime
) -> tuple[int, int]:
    """Re-sum the grid and region cells of one period kind (only the periods `keys`, when given) in one transaction;
    with `other_kinds`, also remove stored cells of a kind that is none of them. (written, deleted)."""
    if other_kinds is not None:
        own, own_args = f"period_kind NOT IN ({', '.join('{}' for _ in other_kinds)})", list(other_kinds)
    else:
        own, own_args = "period_kind = {}", [kind]
    chosen, chosen_args = (
        (own, own_args) if keys is None else (f"{own} AND {_in_list('period_key')}", [*own_args, _list_arg(keys)])
    )
    prefixes, prefix_args = _prefixes_sql(region_paths)
    return await _apply(
        _ancestor_cells_sql(chosen.replace("period_", "c.period_"), prefixes),
        [*chosen_args, *prefix_args, now],
        f"scope_kind != 'enterprise' AND {chosen}",
        chosen_args,
        zero=False,
        now=now,
    )


async def finish_run(watermark_id: str, *, full: bool, last: datetime | None, now: datetime) -> None:
    """Delete the enterprise cells that fell to zero (kept until their ancestors were re-summed) and move the
    watermark, in one transaction."""
    async with transaction():
        emptied, emptied_args = ("scope_kind = 'enterprise'", []) if full else (_SINCE, [last, now])
        await RollupCell.raw(f"DELETE FROM rollup_cell WHERE {emptied} AND {_ZERO}", *emptied_args).run()
        if full:
            await RollupWatermark.insert(RollupWatermark(id=watermark_id, computed_at=now, full_at=now)).run()
        else:
            await (
                RollupWatermark.update({RollupWatermark.computed_at: now})
                .where(RollupWatermark.id == watermark_id)
                .run()
            )


@dataclass(frozen=True, slots=True)
class StoredCell:
    """The stored counts of one scope, industry and period, and when they were taken."""

    period_key: str
    as_of: datetime
    counts: dict[str, int]


async def cells(scope_kind: str, scope_id: str, industry: str, where: str, *args: Any) -> list[StoredCell]:
    """The stored cells of a scope and industry matching `where` (on the cell's columns), in period order."""
    sql = "SELECT * FROM rollup_cell WHERE scope_kind = {} AND scope_id = {} AND industry = {} AND " + where
    rows = await RollupCell.raw(sql + " ORDER BY period_key", scope_kind, scope_id, industry, *args).run()
    return [
        StoredCell(row["period_key"], as_datetime(row["as_of"]), {name: int(row[name] or 0) for name in COUNTS})
        for row in rows
    ]


def _enterprises_sql(scope_kind: str, scope_id: str, scope_path: str, industry: str) -> tuple[str, list[Any]]:
    column = {"enterprise": "id = {}", "grid": "grid_id = {}", "region": "region_path LIKE {}"}
    value = scope_path + "%" if scope_kind == "region" else scope_id
    sql = "SELECT id FROM enterprise WHERE " + column[scope_kind]
    if industry != ALL_INDUSTRIES:
        return sql + " AND industry = {}", [value, industry]
    return sql, [value]


def _seconds_between(start: Any, end: Any) -> int:
    return int(as_datetime(end).timestamp()) - int(as_datetime(start).timestamp())


def _maybe(value: Any) -> datetime | None:
    return None if value is None else as_datetime(value)


def _item(kind: str, row: dict[str, Any]) -> Item:
    if kind == "hazard":
        return Item(
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
    return Item(
        "task",
        row["id"],
        row["enterprise_id"],
        row["status"],
        window_end=_maybe(row["window_end"]),
        done_at=_maybe(row["done_at"]),
    )


async def count_rows(
    count: Count,
    *,
    scope_kind: str,
    scope_id: str,
    scope_path: str,
    industry: str,
    start: datetime,
    end: datetime,
    as_of: datetime,
    after: str,
    limit: int,
) -> list[Item]:
    """Up to `limit` rows (by id, after `after`) that `count` counts in [start, end) for the scope's enterprises."""
    basis = count.period_by
    sql, args = _bind(
        f"SELECT * FROM {count.rows.table} WHERE {basis} >= {{start}} AND {basis} < {{end}} AND ({count.where()}) "
        f"AND enterprise_id IN ({{enterprises}}) AND id > {{after}} ORDER BY id LIMIT {limit}",
        {
            "start": ("{}", [start]),
            "end": ("{}", [end]),
            "now": ("{}", [as_of]),
            "enterprises": _enterprises_sql(scope_kind, scope_id, scope_path, industry),
            "after": ("{}", [after]),
        },
    )
    return [_item(count.rows.kind, row) for row in await RollupCell.raw(sql, *args).run()]
