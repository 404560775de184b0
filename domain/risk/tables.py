"""Piccolo tables of risk points, their assessments and checklists (the criteria library is domain.criteria's)."""

from __future__ import annotations

from piccolo.columns import Boolean, Integer, Real, Text, Timestamptz, Varchar
from piccolo.table import Table


class RiskPoint(Table, tablename="risk_point"):
    """A place, device or activity that carries risk (风险点), with its controls; lists are JSON text."""

    id = Varchar(length=26, primary_key=True)
    enterprise_id = Varchar(length=26, index=True)
    kind = Varchar(length=16)
    name = Varchar(length=100)
    area = Varchar(length=100, default="")
    lat = Real(null=True, default=None)
    lng = Real(null=True, default=None)
    # Position on the enterprise's site plan, as fractions of its width and height (0–1).
    plan_x = Real(null=True, default=None)
    plan_y = Real(null=True, default=None)
    # The largest distance a scan may be from the point and still prove presence (null: the policy's default).
    presence_radius_m = Real(null=True, default=None)
    responsible_post = Varchar(length=100, default="")
    responsible_person = Varchar(length=100, default="")
    hazard_sources = Text(default="[]")
    control_measures = Text(default="[]")
    emergency_measures = Text(default="[]")
    emergency_phone = Varchar(length=32, default="")
    # Derived from the latest assessment; null until the point is assessed.
    level = Varchar(length=16, null=True, default=None)
    colour = Varchar(length=16, null=True, default=None)
    control_level = Varchar(length=16, null=True, default=None)
    assessed_at = Timestamptz(null=True, default=None)
    qr_serial = Integer(default=1)
    status = Varchar(length=16, default="active")
    version = Integer(default=1)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class RiskAssessment(Table, tablename="risk_assessment"):
    """One assessment, kept for ever: who, when, the scheme version, the raw factors and the exact result."""

    id = Varchar(length=26, primary_key=True)
    risk_point_id = Varchar(length=26, index=True)
    enterprise_id = Varchar(length=26, index=True)
    method = Varchar(length=8)
    scheme_id = Varchar(length=40)
    scheme_version = Integer()
    factors = Text()
    # Decimal as text: exact on both engines (piccolo's SQLite adapter turns Numeric into float).
    score = Varchar(length=40)
    level = Varchar(length=16)
    colour = Varchar(length=16)
    control_level = Varchar(length=16)
    assessed_by = Varchar(length=26)
    assessed_at = Timestamptz()


class ChecklistItem(Table, tablename="checklist_item"):
    """An item of a risk point's inspection checklist (排查清单) with its cycle."""

    id = Varchar(length=26, primary_key=True)
    risk_point_id = Varchar(length=26, index=True)
    enterprise_id = Varchar(length=26, index=True)
    content = Varchar(length=500)
    basis = Varchar(length=300, default="")
    cycle_n = Integer(default=1)
    cycle_unit = Varchar(length=16)
    responsible_post = Varchar(length=100, default="")
    criterion_id = Varchar(length=40, null=True, default=None)
    active = Boolean(default=True)
    created_at = Timestamptz()


class ScanRecord(Table, tablename="scan_record"):
    """Proof of presence: who scanned which code, when (server and phone clocks), where."""

    id = Varchar(length=26, primary_key=True)
    user_id = Varchar(length=26, index=True)
    subject_kind = Varchar(length=16)
    subject_id = Varchar(length=26, index=True)
    enterprise_id = Varchar(length=26, index=True)
    device_id = Varchar(length=128, default="")
    server_time = Timestamptz()
    client_time = Timestamptz(null=True, default=None)
    lat = Real(null=True, default=None)
    lng = Real(null=True, default=None)
    distance_m = Real(null=True, default=None)
    # The phone's own estimate of its fix's error, in metres (null when it sent none).
    accuracy_m = Real(null=True, default=None)


class SitePlan(Table, tablename="site_plan"):
    """The current site plan image of an enterprise (older ones stay in the photo folder, addressed by hash)."""

    id = Varchar(length=26, primary_key=True)
    enterprise_id = Varchar(length=26, unique=True)
    sha256 = Varchar(length=64)
    width = Integer()
    height = Integer()
    uploaded_by = Varchar(length=26)
    uploaded_at = Timestamptz()
