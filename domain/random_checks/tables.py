"""Piccolo tables of 双随机一公开: plans (with the published draw), the once-only draw claim, and the picks."""

from __future__ import annotations

from piccolo.columns import Date, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class RandomCheckPlan(Table, tablename="random_check_plan"):
    """A random-check plan; after the draw it also holds the frozen pools and the picks, as published (JSON)."""

    id = Varchar(length=26, primary_key=True)
    name = Varchar(length=200)
    year = Integer()
    period = Varchar(length=100, default="")
    region_code = Varchar(length=12, index=True)
    region_path = Varchar(length=200, index=True)
    industries = Text(default="[]")  # JSON list; empty: every industry
    classes = Text(default="[]")  # JSON list of A–D; empty: every class
    rates = Text(default="{}")  # JSON object class -> decimal text
    exclusion_months = Integer(default=0)
    officer_ids = Text(default="[]")  # JSON list, sorted: the officer pool chosen by the plan maker
    status = Varchar(length=16, default="draft", index=True)
    created_by = Varchar(length=26)
    created_at = Timestamptz()
    approved_by = Varchar(length=26, null=True, default=None)
    approved_at = Timestamptz(null=True, default=None)
    # Secret until the draw: only its SHA-256 (`seed_hash`) is shown before; never sent by any endpoint earlier.
    seed = Varchar(length=64, null=True, default=None)
    seed_hash = Varchar(length=64, null=True, default=None)
    drawn_by = Varchar(length=26, null=True, default=None)
    drawn_at = Timestamptz(null=True, default=None)
    pools = Text(null=True, default=None)
    picks = Text(null=True, default=None)
    closed_by = Varchar(length=26, null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)
    version = Integer(default=1)
    updated_at = Timestamptz()
    # The last event of the plan's chain (`random-check:<id>`), compared by `verify`.
    chain_seq = Integer(null=True, default=None)
    chain_hash = Varchar(length=64, null=True, default=None)


class RandomCheckDraw(Table, tablename="random_check_draw"):
    """The claim of a plan's one draw: its primary key refuses a second, even two racing on two connections."""

    plan_id = Varchar(length=26, primary_key=True)
    drawn_by = Varchar(length=26)
    drawn_at = Timestamptz()


class RandomCheckPick(Table, tablename="random_check_pick"):
    """A picked enterprise of a drawn plan, its two officers, and the result recorded (unique per plan and
    enterprise, by the migration's index)."""

    id = Varchar(length=26, primary_key=True)
    plan_id = Varchar(length=26, index=True)
    enterprise_id = Varchar(length=26, index=True)
    enterprise_name = Varchar(length=200)
    class_code = Varchar(length=1)
    officer_ids = Text(default="[]")  # JSON list of the two drawn officers, in draw order
    position = Integer()
    inspected_on = Date(null=True, default=None)
    findings = Text(null=True, default=None)
    hazard_ids = Text(default="[]")
    penalty_ids = Text(default="[]")
    recorded_by = Varchar(length=26, null=True, default=None)
    recorded_at = Timestamptz(null=True, default=None)
    version = Integer(default=1)
    # The last event of the plan's results chain (`random-check-results:<plan id>`) about this pick.
    chain_seq = Integer(null=True, default=None)
    chain_hash = Varchar(length=64, null=True, default=None)
