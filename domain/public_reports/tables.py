"""Piccolo tables of public reports (12350 / 吹哨人): the report, the reporter's contact kept apart, photos, replies.

The contact has its own table so that no query written for the report, a hazard, a history payload, the sync feed
or a notification can pick it up by accident: only `domain.public_reports.services.report_detail` reads it, and
only for a regulator.
"""

from __future__ import annotations

from piccolo.columns import Integer, Real, Text, Timestamptz, Varchar
from piccolo.table import Table


class PublicReport(Table, tablename="public_report"):
    """A hazard reported by a member of the public, routed to the grid and region that must look at it."""

    id = Varchar(length=26, primary_key=True)
    # What the reporter types to follow the report (XXXX-XXXX-XXXX without the dashes); unguessable, unique.
    receipt = Varchar(length=16, unique=True)
    # sha256 of "<device id>:<client id>": a phone's retried submit finds its report; no raw device id is kept.
    client_key = Varchar(length=64, unique=True)
    status = Varchar(length=16, index=True)
    title = Varchar(length=100, default="")
    description = Text(default="")
    occurred_at = Timestamptz(null=True, default=None)
    lat = Real(null=True, default=None)
    lng = Real(null=True, default=None)
    # What the reporter named, as typed (kept even when it matched no enterprise).
    given_enterprise_name = Varchar(length=200, default="")
    given_credit_code = Varchar(length=18, default="")
    given_region_code = Varchar(length=12, default="")
    # Where it was routed: the enterprise (if one was named and found), its grid, and the region whose regulators
    # see it (a subtree is one prefix match on `region_path`, as for enterprises).
    routed_by = Varchar(length=16)
    enterprise_id = Varchar(length=26, null=True, default=None, index=True)
    grid_id = Varchar(length=26, null=True, default=None, index=True)
    region_code = Varchar(length=12, index=True)
    region_path = Varchar(length=200, index=True)
    hazard_id = Varchar(length=26, null=True, default=None)
    dismiss_reason = Text(default="")
    decided_by = Varchar(length=26, null=True, default=None)
    decided_at = Timestamptz(null=True, default=None)
    version = Integer(default=1)
    created_at = Timestamptz()
    updated_at = Timestamptz()
    # The last event of its chain about this row (domain.history.binding): `verify` replays the chain and
    # compares, so a row changed without its event, or a chain cut short, is named.
    chain_seq = Integer(null=True, default=None)
    chain_hash = Varchar(length=64, null=True, default=None)


class PublicReportContact(Table, tablename="public_report_contact"):
    """How to reach the reporter, if they chose to say: regulators only, never enterprises (identity protected)."""

    report_id = Varchar(length=26, primary_key=True)
    name = Varchar(length=100, default="")
    phone = Varchar(length=32, default="")
    created_at = Timestamptz()


class PublicReportPhoto(Table, tablename="public_report_photo"):
    """A photo the reporter uploaded with the report, in their order."""

    id = Varchar(length=26, primary_key=True)
    report_id = Varchar(length=26, index=True)
    photo_id = Varchar(length=26, index=True)
    position = Integer(default=0)


class PublicReportReply(Table, tablename="public_report_reply"):
    """A reply to the reporter, shown with the receipt (author kept for the record, never shown publicly)."""

    id = Varchar(length=26, primary_key=True)
    report_id = Varchar(length=26, index=True)
    text = Text()
    author_id = Varchar(length=26)
    created_at = Timestamptz()


class PublicRateCounter(Table, tablename="public_rate_counter"):
    """Requests of one hashed device or address in one fixed window: the public endpoints' rate limit."""

    # "<limit name>:<sha256 of the device id or address, 32 hex>:<window start, Unix seconds>"
    id = Varchar(length=80, primary_key=True)
    hits = Integer(default=0)
    window_end = Timestamptz(index=True)
