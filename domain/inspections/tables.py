"""Piccolo tables of inspection tasks (generated from checklist cycles) and the inspections that do them."""

from __future__ import annotations

from piccolo.columns import Boolean, Integer, Real, Text, Timestamptz, Varchar
from piccolo.table import Table


class InspectionTask(Table, tablename="inspection_task"):
    """One checklist item due in one window of its cycle; generating the same window twice finds this row."""

    id = Varchar(length=26, primary_key=True)
    # "<checklist item id>:<window start, RFC 3339 UTC>", unique: task generation is idempotent.
    window_key = Varchar(length=80, unique=True)
    checklist_item_id = Varchar(length=26, index=True)
    risk_point_id = Varchar(length=26, index=True)
    enterprise_id = Varchar(length=26, index=True)
    responsible_post = Varchar(length=100, default="")
    window_start = Timestamptz()
    window_end = Timestamptz(index=True)
    status = Varchar(length=16, default="open", index=True)
    inspection_id = Varchar(length=26, null=True, default=None)
    done_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()


class Inspection(Table, tablename="inspection"):
    """One inspection of a risk point against its checklist, with proof of presence."""

    id = Varchar(length=26, primary_key=True)
    client_key = Varchar(length=100, unique=True)
    risk_point_id = Varchar(length=26, index=True)
    enterprise_id = Varchar(length=26, index=True)
    inspector_id = Varchar(length=26, index=True)
    inspector_role = Varchar(length=16)
    scan_id = Varchar(length=26, null=True, default=None)
    # What the cited scan proved under the presence policy (proven | far | stale | none) and the distance measured.
    presence = Varchar(length=8, default="none")
    presence_distance_m = Real(null=True, default=None)
    started_at = Timestamptz()
    finished_at = Timestamptz()
    items_checked = Integer()
    items_failed = Integer()
    created_at = Timestamptz()
    # The last event of its chain about this row (domain.history.binding): `verify` replays the chain and
    # compares, so a row changed without its event, or a chain cut short, is named.
    chain_seq = Integer(null=True, default=None)
    chain_hash = Varchar(length=64, null=True, default=None)


class InspectionResult(Table, tablename="inspection_result"):
    """The result of one checklist item in one inspection; a failed item links the hazard it opened."""

    id = Varchar(length=26, primary_key=True)
    inspection_id = Varchar(length=26, index=True)
    checklist_item_id = Varchar(length=26, index=True)
    task_id = Varchar(length=26, null=True, default=None)
    ok = Boolean()
    note = Text(default="")
    hazard_id = Varchar(length=26, null=True, default=None)
