"""Use cases of the hazard roll-ups: recompute cells (incrementally or in full), read figures, list their items.

The roll-up is set-based in SQL on both engines. The enterprise cells of a set of enterprises come from one
GROUP BY over their hazards (by enterprise, local found month and local closed month) and one over their tasks;
quarters and years are sums of months. Grid and region cells (each industry and all) are sums of enterprise cells.

A full run is one transaction: every enterprise cell into a fresh table, every grid and region cell from one scan of
those, then the fresh table (with the old one's indexes) replaces the old one and the watermark is set; an unchanged
cell keeps its `as_of`, so a full run over current cells changes no row. A run killed before its commit changed
nothing.

An incremental run recomputes the enterprises touched since the watermark (hazards or tasks changed, deadlines or
task windows passed, the enterprise itself edited), a batch per transaction: each ancestor cell moves by the
difference between the batch's new enterprise figures and the stored ones (the stored ones taken off the grid,
regions and industry they were computed under, so a moved enterprise leaves its old ancestors), in SQL, in the same
transaction that writes the enterprise cells; a period is never re-summed. A batch whose figures did not change
writes nothing, so a killed run redone by the next one adds no difference twice; the watermark moves only after the
last batch.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from domain.access.model import Actor, Role
from domain.clock import utcnow
from domain.db.paging import Page, clamp_limit, decode_cursor, encode_cursor
from domain.errors import InvalidInput, NotFound
from domain.org import store as org_store
from domain.org.model import Industry
from domain.org.scope import require_region
from domain.stats import store
from domain.stats.model import (
    ALL_INDUSTRIES,
    METRICS,
    Count,
    Item,
    ScopeKind,
    listed_count,
    metric_value,
    period_kind_of,
    period_window,
    region_codes_of_path,
)

__all__ = ["Item"]

WATERMARK_ID = "hazards"
# Changes are looked for from a little before the last run read its inputs: a transaction that committed just
# after that read with an earlier updated_at is still seen (re-aggregating twice is harmless).
SAFETY_MARGIN = timedelta(minutes=5)
BATCH_SIZE = 10_000  # enterprises per transaction


# --- the runs ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RollupReport:
    """What a run did."""

    full: bool
    enterprises: int
    written: int
    deleted: int
    now: datetime


async def refresh_rollups(
    *, full: bool = False, now: datetime | None = None, batch_size: int = BATCH_SIZE, pause: float = 0.0
) -> RollupReport:
    """Recompute the cells touched since the last run (all cells when `full`, or when there was no run yet)."""
    now = now or utcnow()
    last = await store.watermark(WATERMARK_ID)
    if full or last is None:
        written, deleted = await store.replace_all_cells(WATERMARK_ID, await store.enterprise_region_paths(), now)
        enterprises = await org_store.all_enterprise_ids()
        return RollupReport(full=True, enterprises=len(enterprises), written=written, deleted=deleted, now=now)
    enterprises = await store.touched_enterprises(last - SAFETY_MARGIN, now)
    written = deleted = 0
    for batch in store.batches(enterprises, max(batch_size, 1)):
        counts = await store.write_batch(batch, now)
        written, deleted = written + counts[0], deleted + counts[1]
        if pause:
            await asyncio.sleep(pause)
    await store.move_watermark(WATERMARK_ID, now)
    return RollupReport(full=False, enterprises=len(enterprises), written=written, deleted=deleted, now=now)


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
            roots = await org_store.root_region_codes()
            region_code = roots[0] if roots else ""
    if enterprise_id is not None:
        enterprise = await org_store.visible_enterprise(actor, enterprise_id)
        if enterprise is None:
            raise NotFound("no such enterprise", entity="enterprise", id=enterprise_id)
        return Scope(ScopeKind.ENTERPRISE, enterprise.id, enterprise.name, enterprise.region_path)
    if grid_id is not None:
        grid = await org_store.grid(grid_id)
        if grid is None or not (_within(grid.region_path, actor) or grid_id in actor.grid_ids):
            raise NotFound("no such grid", entity="grid", id=grid_id)
        return Scope(ScopeKind.GRID, grid.id, grid.name, grid.region_path)
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


async def _cells(scope: Scope, industry: str, where: str, *args: Any) -> list[store.StoredCell]:
    """The stored cells of a scope and industry (an enterprise's cells are its industry's, stored under "*")."""
    if scope.kind is ScopeKind.ENTERPRISE:
        if industry != ALL_INDUSTRIES and await org_store.enterprise_industry(scope.id) != industry:
            return []
        industry = ALL_INDUSTRIES
    return await store.cells(str(scope.kind), scope.id, industry, where, *args)


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
    periods = [PeriodFigures(cell.period_key, cell.as_of, figures_of(cell.counts)) for cell in rows]
    return ScopeFigures(scope, industry, period_kind, periods)


# --- reading: the items behind a figure --------------------------------------------------------------------------------


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
    stored = await _cells(scope, industry, "period_key = {}", period)
    as_of = stored[0].as_of if stored else utcnow()
    after, limit = decode_cursor(cursor), clamp_limit(limit)
    items = await store.count_rows(
        count,
        scope_kind=str(scope.kind),
        scope_id=scope.id,
        scope_path=scope.path,
        industry=industry,
        start=start,
        end=end,
        as_of=as_of,
        after=after or "",
        limit=limit + 1,
    )
    more = len(items) > limit
    items = items[:limit]
    return Page(items, encode_cursor(items[-1].id) if more and items else None)
