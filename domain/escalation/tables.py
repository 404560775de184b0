"""Piccolo table of escalations: one row per (subject, occasion, step), unique (migration 0010b)."""

from __future__ import annotations

from piccolo.columns import Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class Escalation(Table, tablename="escalation"):
    """A late duty raised to the next level once: a hazard past a deadline, or a day of missed inspection tasks."""

    id = Varchar(length=26, primary_key=True)
    subject_kind = Varchar(length=16)  # hazard | tasks
    subject_id = Varchar(length=26, index=True)  # the hazard, or the enterprise whose tasks were missed
    # What it was late against: the deadline (RFC 3339, UTC) for a hazard, the local day for tasks. A deadline
    # extended and missed again is a new occasion.
    occasion = Varchar(length=40)
    step = Integer()  # 1: the enterprise's principal; 2: the regulator of its region
    enterprise_id = Varchar(length=26, index=True)
    region_path = Varchar(length=200, index=True)
    level = Varchar(length=16, default="")
    due_at = Timestamptz()
    overdue_days = Integer()
    details = Text(default="{}")
    notification_id = Varchar(length=26)
    # The escalation's link in its own history chain (hazards only; see domain/escalation/services.py).
    chain_id = Varchar(length=26, null=True, default=None)
    chain_seq = Integer(null=True, default=None)
    escalated_at = Timestamptz(index=True)
