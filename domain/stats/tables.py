"""Piccolo tables of the hazard roll-ups: one row per scope x industry x period, and the incremental watermark."""

from __future__ import annotations

from piccolo.columns import BigInt, Integer, Timestamptz, Varchar
from piccolo.table import Table


class RollupCell(Table, tablename="rollup_cell"):
    """The counts behind every figure of one scope, industry and period (see `domain.stats.model.METRICS`)."""

    # "<scope kind>:<scope id>:<industry>:<period key>", the cell's natural key; every write is an upsert on it.
    id = Varchar(length=120, primary_key=True)
    scope_kind = Varchar(length=16)
    scope_id = Varchar(length=26)
    # Region path of the scope (an enterprise's or grid's region), so a regulator's subtree is one prefix match.
    scope_path = Varchar(length=200, index=True)
    industry = Varchar(length=40)
    period_kind = Varchar(length=8)
    period_key = Varchar(length=8)
    found = Integer(default=0)
    found_closed = Integer(default=0)
    overdue = Integer(default=0)
    major_open = Integer(default=0)
    closed = Integer(default=0)
    closed_with_deadline = Integer(default=0)
    closed_on_time = Integer(default=0)
    major_closed = Integer(default=0)
    close_seconds = BigInt(default=0)
    tasks_due = Integer(default=0)
    tasks_done = Integer(default=0)
    tasks_done_present = Integer(default=0)
    # The time the time-dependent counts (overdue, tasks whose window ended) were taken at; drill-downs use it.
    as_of = Timestamptz()
    # An enterprise cell's grid and industry when it was computed: an incremental run takes its old figures off the
    # ancestors they were added to, even after the enterprise moved (None on grid and region cells).
    grid_id = Varchar(length=26, null=True, default=None)
    enterprise_industry = Varchar(length=40, null=True, default=None)


class RollupWatermark(Table, tablename="rollup_watermark"):
    """When the last roll-up run read its inputs; the next incremental run looks at changes since then."""

    id = Varchar(length=16, primary_key=True)
    computed_at = Timestamptz()
    full_at = Timestamptz(null=True, default=None)
