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
    "grid_id",
    "enterprise_industry",
)


def _postgres() -> bool:
    return not is_sqlite()


# --- the engine-specific fragments -------------------------------------------------------------------------------------


def _local_month(column: str) -> str:
    """SQL for the local (UTC+8) month of a timestamp column, to group by: its first instant on PostgreSQL (where
    truncating is far cheaper than formatting every row), its key on SQLite; `_month_key` makes either the key."""
    if _postgres():
        return f"date_trunc('month', {column} AT TIME ZONE 'Asia/Shanghai')"
    return f"strftime('%Y-%m', {column}, '+8 hours')"


def _month_key(month: str) -> str:
    """SQL for the month key (`2026-11`) of what `_local_month` gave: formatted once a group, not once a row."""
    return f"to_char({month}, 'YYYY-MM')" if _postgres() else month


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


def _sum(expression: str, count: Count) -> str:
    """SQL summing one count's values. PostgreSQL sums BIGINTs as NUMERIC, slow and large in a hash table (the
    enterprise cells' grouping spilled to disk on it), so a count of seconds is summed as DOUBLE PRECISION, exact
    for whole numbers below 2**53 (285 million years of seconds), and cast back; other counts are 4-byte integers."""
    if count.seconds_between is not None and _postgres():
        return f"CAST(SUM(CAST({expression} AS DOUBLE PRECISION)) AS BIGINT)"
    return f"SUM({expression})"


def _sums() -> str:
    """Each stored count summed, under its own name."""
    return ", ".join(f"{_sum(count.name, count)} AS {count.name}" for count in COUNT_DEFINITIONS)


def _nonzero() -> str:
    """SQL: some count of the group is not zero (the same sums as `_sums`, which PostgreSQL computes once)."""
    return " OR ".join(f"{_sum(count.name, count)} <> 0" for count in COUNT_DEFINITIONS)


_QUARTER = "substr(m.month, 1, 4) || '-Q' || CAST((CAST(substr(m.month, 6, 2) AS INTEGER) + 2) / 3 AS TEXT)"
_YEAR = "substr(m.month, 1, 4)"


def _periods_sql() -> str:
    """The cells of `months` (enterprise_id, month, the counts): each month's figures summed into the month, its
    quarter (`2026-Q4`) and its year, cells whose counts are all zero left out. PostgreSQL groups each row into the
    three in one pass (GROUPING SETS); SQLite, which has none, repeats each row once a period kind and groups once."""
    if _postgres():
        return f"""
  SELECT enterprise_id, CASE WHEN GROUPING(month) = 0 THEN '{PeriodKind.MONTH}'
      WHEN GROUPING(quarter) = 0 THEN '{PeriodKind.QUARTER}' ELSE '{PeriodKind.YEAR}' END AS period_kind,
    COALESCE(month, quarter, year) AS period_key, {_sums()}
  FROM (SELECT m.*, {_QUARTER} AS quarter, {_YEAR} AS year FROM months m) p
  GROUP BY GROUPING SETS ((enterprise_id, month), (enterprise_id, quarter), (enterprise_id, year))
  HAVING {_nonzero()}"""
    kinds = " UNION ALL ".join(f"SELECT '{kind}' AS period_kind" for kind in PeriodKind)
    key = f"CASE k.period_kind WHEN '{PeriodKind.MONTH}' THEN m.month WHEN '{PeriodKind.QUARTER}' THEN {_QUARTER} ELSE {_YEAR} END"
    return f"""
  SELECT m.enterprise_id AS enterprise_id, k.period_kind AS period_kind, {key} AS period_key, {_sums()}
  FROM months m CROSS JOIN ({kinds}) k
  GROUP BY m.enterprise_id, k.period_kind, {key}
  HAVING {_nonzero()}"""


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
    return _sum(value if count.condition is None else f"CASE WHEN {count.condition} THEN {value} ELSE 0 END", count)


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
                f"  SELECT enterprise_id, {_month_key(f'{time}_month')} AS month, {columns}\n"
                f"  FROM {name} WHERE {time}_month IS NOT NULL"
            )
    union = "\n  UNION ALL\n".join(months)
    return f"""
WITH {", ".join(passes)}, months AS (
{union}
), cells AS ({_periods_sql()}
)
SELECT 'enterprise:' || c.enterprise_id || ':{ALL_INDUSTRIES}:' || c.period_key AS id, 'enterprise' AS scope_kind,
  c.enterprise_id AS scope_id, e.region_path AS scope_path, '{ALL_INDUSTRIES}' AS industry, c.period_kind AS period_kind,
  c.period_key AS period_key, {", ".join(f"c.{name} AS {name}" for name in COUNTS)}, {_timestamp("{now}")} AS as_of,
  e.grid_id AS grid_id, e.industry AS enterprise_industry
FROM cells c JOIN enterprise e ON e.id = c.enterprise_id
"""


@dataclass(frozen=True, slots=True)
class Batch:
    """The enterprises of one batch of an incremental run."""

    ids: list[str]

    def condition(self, column: str) -> tuple[str, list[Any]]:
        return _in_list(column), [_list_arg(self.ids)]


def batches(enterprise_ids: list[str], batch_size: int) -> list[Batch]:
    return [Batch(enterprise_ids[start : start + batch_size]) for start in range(0, len(enterprise_ids), batch_size)]


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


# --- ancestors: sums over enterprise figures, or differences of them -----------------------------------------------


def _prefixes_sql(region_paths: list[str]) -> tuple[str, list[Any]]:
    """A relation (region_path, code, prefix): every region on each enterprise region path, with its own path."""
    triples = []
    for path in sorted(set(region_paths)):
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


def _summed_counts(prefix: str = "") -> str:
    """Each count summed (counts as 4-byte integers, PostgreSQL's fast sum; seconds as `_sum` does)."""
    return ", ".join(
        f"CAST(SUM({prefix}{count.name}) AS INTEGER) AS {count.name}"
        if count.seconds_between is None
        else f"{_sum(prefix + count.name, count)} AS {count.name}"
        for count in COUNT_DEFINITIONS
    )


def _ancestor_cells_sql(placed: str, prefixes: str) -> str:
    """Every grid and region cell (each industry and all) of the figures in `placed`, a relation of enterprise
    figures by placement (grid_id, region_path, industry, period_kind, period_key, the counts): sums of cells, or
    signed differences of them. Cells whose counts are all zero are left out. Placeholders: those of `placed`, of
    `prefixes`, then now (as_of)."""
    counts = ", ".join(f"b.{name}" for name in COUNTS)
    return f"""
WITH base AS (
  SELECT grid_id, region_path, industry, period_kind, period_key, {_summed_counts()}
  FROM ({placed}) p GROUP BY grid_id, region_path, industry, period_kind, period_key
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
SELECT kind || ':' || scope_id || ':' || cell_industry || ':' || period_key AS id, kind AS scope_kind,
  scope_id, MIN(scope_path) AS scope_path, cell_industry AS industry, period_kind, period_key, {_sums()},
  {_timestamp()} AS as_of, CAST(NULL AS VARCHAR(26)) AS grid_id, CAST(NULL AS VARCHAR(40)) AS enterprise_industry
FROM scoped GROUP BY kind, scope_id, cell_industry, period_kind, period_key HAVING {_nonzero()}
"""


_PLACED = "grid_id, scope_path AS region_path, enterprise_industry AS industry, period_kind, period_key"


# --- a full run: every cell into a fresh table that replaces the old one ---------------------------------------------


def _same(new: str, old: str) -> str:
    """SQL: the stored cell `old` has the figures and placement of the computed cell `new`."""
    nullable = " AND ".join(
        f"COALESCE({old}.{column}, '') = COALESCE({new}.{column}, '')" for column in ("grid_id", "enterprise_industry")
    )
    counts = " AND ".join(f"{old}.{name} = {new}.{name}" for name in COUNTS)
    return f"{old}.id IS NOT NULL AND {old}.scope_path = {new}.scope_path AND {nullable} AND {counts}"


def _kept(select: str) -> str:
    """The cells of `select` with the stored `as_of` of each one that is unchanged, so an unchanged cell keeps its
    time (and a full run over current cells changes no row)."""
    columns = ", ".join(
        f"f.{column}" if column != "as_of" else f"CASE WHEN {_same('f', 'o')} THEN o.as_of ELSE f.as_of END"
        for column in _CELL_COLUMNS
    )
    return f"SELECT {columns} FROM ({select}) f LEFT JOIN rollup_cell o ON o.id = f.id"


async def _table_and_indexes() -> tuple[str, list[str]]:
    """The statements that make the cell table (SQLite; PostgreSQL copies it with LIKE) and its indexes but the
    primary key, as they stand."""
    if _postgres():
        rows = await RollupCell.raw(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'rollup_cell' AND schemaname = current_schema()"
        ).run()
        return "", [row["indexdef"] for row in rows if row["indexname"] != "rollup_cell_pkey"]
    rows = await RollupCell.raw(
        "SELECT type, sql FROM sqlite_master WHERE tbl_name = 'rollup_cell' AND sql IS NOT NULL"
    ).run()
    table = next(row["sql"] for row in rows if row["type"] == "table")
    return table, [row["sql"] for row in rows if row["type"] == "index"]


async def replace_all_cells(watermark_id: str, region_paths: list[str], now: datetime) -> tuple[int, int]:
    """In one transaction: compute every enterprise cell (one pass over the hazards and one over the tasks) into a
    fresh table, every grid and region cell from those (one scan of them), swap the fresh table in for the old one
    with the old one's indexes, and set the watermark. A run killed before its commit leaves everything as it was.
    Returns (written: cells new or changed, removed: stored cells no longer computed)."""
    table, indexes = await _table_and_indexes()
    select, select_args = _bind(_enterprise_cells_sql(), {"batch": ("1 = 1", []), "now": ("{}", [now])})
    prefixes, prefix_args = _prefixes_sql(region_paths)
    ancestors = _ancestor_cells_sql(
        f"SELECT {_PLACED}, {', '.join(COUNTS)} FROM rollup_cell_next WHERE scope_kind = 'enterprise'", prefixes
    )
    into = f"INSERT INTO rollup_cell_next ({_COLUMNS}) "
    async with transaction():
        if _postgres():
            # the sorts and hashes fit in memory instead of spilling to disk, and so do the sorts that build the
            # fresh table's indexes (this transaction only)
            await RollupCell.raw("SET LOCAL work_mem = '256MB'").run()
            await RollupCell.raw("SET LOCAL maintenance_work_mem = '512MB'").run()
            await RollupCell.raw("DROP TABLE IF EXISTS rollup_cell_next").run()
            await RollupCell.raw("CREATE TABLE rollup_cell_next (LIKE rollup_cell INCLUDING DEFAULTS)").run()
        else:
            await RollupCell.raw("DROP TABLE IF EXISTS rollup_cell_next").run()
            await RollupCell.raw(re.sub(r'"?rollup_cell"?', "rollup_cell_next", table, count=1)).run()
        await RollupCell.raw(into + _kept(select), *select_args).run()
        if _postgres():
            # statistics of the fresh cells: the ancestor pass hashes them instead of sorting (they stay with the
            # table through the rename; the few ancestor cells added after do not change its shape)
            await RollupCell.raw("ANALYZE rollup_cell_next").run()
        await RollupCell.raw(into + _kept(ancestors), *prefix_args, now).run()
        # new or changed cells carry this run's time (an unchanged one kept its own)
        written = await RollupCell.raw("SELECT COUNT(*) AS n FROM rollup_cell_next WHERE as_of = {}", now).run()
        gone = await RollupCell.raw(
            "SELECT COUNT(*) AS n FROM rollup_cell o WHERE NOT EXISTS "
            "(SELECT 1 FROM rollup_cell_next n WHERE n.id = o.id)"
        ).run()
        await RollupCell.raw("DROP TABLE rollup_cell").run()
        await RollupCell.raw("ALTER TABLE rollup_cell_next RENAME TO rollup_cell").run()
        if _postgres():
            await RollupCell.raw("ALTER TABLE rollup_cell ADD CONSTRAINT rollup_cell_pkey PRIMARY KEY (id)").run()
        for statement in indexes:
            await RollupCell.raw(statement).run()
        await RollupWatermark.delete().where(RollupWatermark.id == watermark_id).run()
        await RollupWatermark.insert(RollupWatermark(id=watermark_id, computed_at=now, full_at=now)).run()
    return int(written[0]["n"]), int(gone[0]["n"])


# --- an incremental run: each batch's enterprise cells, and their differences onto the ancestors ----------------------

_TEMP_TABLE = f"""CREATE TEMP TABLE {{name}} (id VARCHAR(120) PRIMARY KEY, scope_kind VARCHAR(16),
  scope_id VARCHAR(26), scope_path VARCHAR(200), industry VARCHAR(40), period_kind VARCHAR(8), period_key VARCHAR(8),
  {", ".join(f"{name} BIGINT" for name in COUNTS)}, as_of TIMESTAMPTZ, grid_id VARCHAR(26),
  enterprise_industry VARCHAR(40))"""
_COLUMNS = ", ".join(_CELL_COLUMNS)
# Only cells whose figures (or place) differ are written, so a run over unchanged data writes nothing.
_UPSERT = (
    f"INSERT INTO rollup_cell ({_COLUMNS}) SELECT {_COLUMNS} FROM rollup_next WHERE 1 = 1 "
    f"ON CONFLICT (id) DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in _CELL_COLUMNS[1:])} "
    f"WHERE {' OR '.join(f'rollup_cell.{c} <> excluded.{c}' for c in ('scope_path', *COUNTS))} "
    "OR COALESCE(rollup_cell.grid_id, '') <> COALESCE(excluded.grid_id, '') "
    "OR COALESCE(rollup_cell.enterprise_industry, '') <> COALESCE(excluded.enterprise_industry, '')"
)
# Each ancestor cell moves by the difference (a cell not stored yet starts from it).
_ADD_DELTA = (
    f"INSERT INTO rollup_cell ({_COLUMNS}) SELECT {_COLUMNS} FROM rollup_delta WHERE 1 = 1 "
    f"ON CONFLICT (id) DO UPDATE SET {', '.join(f'{c} = rollup_cell.{c} + excluded.{c}' for c in COUNTS)}, "
    "scope_path = excluded.scope_path, as_of = excluded.as_of"
)
_GONE = "NOT EXISTS (SELECT 1 FROM rollup_next n WHERE n.id = rollup_cell.id)"


async def write_batch(batch: Batch, now: datetime) -> tuple[int, int]:
    """In one transaction: recompute the enterprise cells of one batch, add the difference between their new and
    stored figures to every grid and region cell above them (the stored figures taken off the grid, region and
    industry they were computed under), remove ancestor cells that fell to zero, and write the enterprise cells
    that differ. A period is never re-summed; a batch whose figures did not change writes nothing. (written, removed)"""
    select, select_args = _bind(
        _enterprise_cells_sql(), {"batch": batch.condition("enterprise_id"), "now": ("{}", [now])}
    )
    cells, cell_args = batch.condition("scope_id")
    stored = f"FROM rollup_cell WHERE scope_kind = 'enterprise' AND {cells}"
    async with transaction():
        if _postgres():
            await RollupCell.raw("SET LOCAL work_mem = '256MB'").run()
        await RollupCell.raw(_TEMP_TABLE.format(name="rollup_next")).run()
        await RollupCell.raw(f"INSERT INTO rollup_next ({_COLUMNS}) {select}", *select_args).run()
        paths = await RollupCell.raw(
            f"SELECT scope_path FROM rollup_next UNION SELECT scope_path {stored}", *cell_args
        ).run()
        prefixes, prefix_args = _prefixes_sql([row["scope_path"] for row in paths])
        negated = ", ".join(f"-{name} AS {name}" for name in COUNTS)
        placed = (
            f"SELECT {_PLACED}, {', '.join(COUNTS)} FROM rollup_next UNION ALL SELECT {_PLACED}, {negated} {stored}"
        )
        await RollupCell.raw(_TEMP_TABLE.format(name="rollup_delta")).run()
        await RollupCell.raw(
            f"INSERT INTO rollup_delta ({_COLUMNS}) {_ancestor_cells_sql(placed, prefixes)}",
            *cell_args,
            *prefix_args,
            now,
        ).run()
        written = await _count(_ADD_DELTA)
        removed = await _count(f"DELETE FROM rollup_cell WHERE id IN (SELECT id FROM rollup_delta) AND {_ZERO}")
        written += await _count(_UPSERT)
        removed += await _count(
            f"DELETE FROM rollup_cell WHERE scope_kind = 'enterprise' AND {cells} AND {_GONE}", *cell_args
        )
        await RollupCell.raw("DROP TABLE rollup_next").run()
        await RollupCell.raw("DROP TABLE rollup_delta").run()
    return written, removed


# --- the functions the services call ----------------------------------------------------------------------------------


async def watermark(watermark_id: str) -> datetime | None:
    """When the last completed run read its inputs (None: no run completed yet)."""
    row = (
        await RollupWatermark.select(RollupWatermark.computed_at)
        .where(RollupWatermark.id == watermark_id)
        .first()
        .run()
    )
    return None if row is None else as_datetime(row["computed_at"])


async def move_watermark(watermark_id: str, now: datetime) -> None:
    """An incremental run is complete: the next one looks at changes since `now`."""
    await RollupWatermark.update({RollupWatermark.computed_at: now}).where(RollupWatermark.id == watermark_id).run()


async def enterprise_region_paths() -> list[str]:
    """Every distinct region path an enterprise sits on."""
    return [row["region_path"] for row in await RollupCell.raw("SELECT DISTINCT region_path FROM enterprise").run()]


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
