"""Piccolo tables of hazards (隐患) and the photos attached to them."""

from __future__ import annotations

from piccolo.columns import Boolean, Integer, Real, Text, Timestamptz, Varchar
from piccolo.table import Table


class Hazard(Table, tablename="hazard"):
    """The current state of one hazard; every change to it is also an event in its hash-chained history."""

    id = Varchar(length=26, primary_key=True)
    # "<creator id>:<client id>", unique: a phone's retried create finds the hazard it already made.
    client_key = Varchar(length=100, unique=True)
    enterprise_id = Varchar(length=26, index=True)
    risk_point_id = Varchar(length=26, null=True, default=None, index=True)
    inspection_id = Varchar(length=26, null=True, default=None, index=True)
    scan_id = Varchar(length=26, null=True, default=None)
    source = Varchar(length=32)
    category = Varchar(length=32)
    professional_type = Varchar(length=32, default="safety")
    title = Varchar(length=200)
    description = Text(default="")
    # Statutory level (一般 / 重大), whether a person confirmed it, and an optional internal sub-grade.
    level = Varchar(length=16, index=True)
    level_confirmed = Boolean(default=True)
    internal_grade = Varchar(length=32, null=True, default=None)
    major_criterion_id = Varchar(length=40, null=True, default=None)
    expert_reason = Text(null=True, default=None)
    governance_type = Varchar(length=16, null=True, default=None)
    status = Varchar(length=32, index=True)
    side = Varchar(length=16)
    reporter_id = Varchar(length=26, index=True)
    reporter_role = Varchar(length=16)
    assignee_id = Varchar(length=26, null=True, default=None, index=True)
    rectifier_id = Varchar(length=26, null=True, default=None)
    responsible_person = Varchar(length=100, default="")
    measures = Text(default="")
    funds = Varchar(length=100, default="")
    stoppage_scope = Text(default="")
    supervised = Boolean(default=False)
    deadline = Timestamptz(null=True, default=None, index=True)
    requested_deadline = Timestamptz(null=True, default=None)
    # Who asked for the pending extension: the one who decides it must be someone else.
    extension_requester_id = Varchar(length=26, null=True, default=None)
    has_after_photos = Boolean(default=False)
    lat = Real(null=True, default=None)
    lng = Real(null=True, default=None)
    found_at = Timestamptz()
    closed_at = Timestamptz(null=True, default=None)
    # The latest major-hazard documents (report, plan, evaluation, …) as JSON; their full record is the history.
    details = Text(default="{}")
    version = Integer(default=1)
    created_at = Timestamptz()
    updated_at = Timestamptz()
    # The last event of its chain about this row (domain.history.binding): `verify` replays the chain and
    # compares, so a row changed without its event, or a chain cut short, is named.
    chain_seq = Integer(null=True, default=None)
    chain_hash = Varchar(length=64, null=True, default=None)


class HazardPhoto(Table, tablename="hazard_photo"):
    """A photo attached to a hazard: `stage` says whether it shows the hazard (before) or the fix (after)."""

    id = Varchar(length=26, primary_key=True)
    hazard_id = Varchar(length=26, index=True)
    photo_id = Varchar(length=26, index=True)
    stage = Varchar(length=16)
    # The history event that attached it (its seq in the hazard's chain).
    event_seq = Integer()
    position = Integer(default=0)
    attached_at = Timestamptz()
