"""Piccolo tables of the credit area: penalties, accidents, serious-dishonesty listings and computed grades."""

from __future__ import annotations

from piccolo.columns import Boolean, Date, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class CreditPenalty(Table, tablename="credit_penalty"):
    """An administrative penalty (行政处罚) recorded by a regulator; append-only, its record is also an event."""

    id = Varchar(length=26, primary_key=True)
    enterprise_id = Varchar(length=26, index=True)
    decision_no = Varchar(length=100)
    decided_on = Date(index=True)
    authority = Varchar(length=100)
    facts = Text(default="")
    # Decimal as text: exact on both engines (piccolo's SQLite adapter turns Numeric into float).
    amount = Varchar(length=24, null=True, default=None)
    kind = Varchar(length=32)
    violation = Varchar(length=40)
    execution = Varchar(length=16)
    accident_id = Varchar(length=26, null=True, default=None, index=True)
    recorded_by = Varchar(length=26)
    event_seq = Integer()
    created_at = Timestamptz()
    # The region of the department that imposed the penalty: it alone decides the listing that follows (migration 0020).
    authority_region_code = Varchar(length=12, null=True, default=None)


class CreditAccident(Table, tablename="credit_accident"):
    """A production-safety accident (生产安全事故) recorded by a regulator; append-only."""

    id = Varchar(length=26, primary_key=True)
    enterprise_id = Varchar(length=26, index=True)
    occurred_on = Date(index=True)
    grade = Varchar(length=16)
    deaths = Integer(default=0)
    injuries = Integer(default=0)
    concealed = Boolean(default=False)
    principal_fled = Boolean(default=False)
    description = Text(default="")
    recorded_by = Varchar(length=26)
    event_seq = Integer()
    created_at = Timestamptz()


class BlacklistListing(Table, tablename="blacklist_listing"):
    """One serious-dishonesty listing from candidate to its end; each step is also an event in the credit chain."""

    id = Varchar(length=26, primary_key=True)
    enterprise_id = Varchar(length=26, index=True)
    # The penalty the listing follows; one listing per penalty, so computing candidates twice finds the same row.
    penalty_id = Varchar(length=26, unique=True)
    status = Varchar(length=24, index=True)
    # JSON: the ground codes and the penalty and accident ids they rest on.
    basis = Text(default="{}")
    notified_on = Date(null=True, default=None)
    statement = Text(null=True, default=None)
    decided_on = Date(null=True, default=None)
    # The first day the enterprise is no longer listed (decided_on + 3 years).
    expires_on = Date(null=True, default=None, index=True)
    removed_on = Date(null=True, default=None)
    ended_on = Date(null=True, default=None)
    reason = Text(null=True, default=None)
    version = Integer(default=1)
    created_at = Timestamptz()
    updated_at = Timestamptz()
    # The last event of its chain about this row (domain.history.binding): `verify` replays the chain and
    # compares, so a row changed without its event, or a chain cut short, is named.
    chain_seq = Integer(null=True, default=None)
    chain_hash = Varchar(length=64, null=True, default=None)


class CreditGrade(Table, tablename="credit_grade"):
    """The latest local credit grade of an enterprise under a named scheme version; recomputed and overwritten."""

    enterprise_id = Varchar(length=26, primary_key=True)
    grade = Varchar(length=1)
    points = Integer()
    scheme_version = Varchar(length=40)
    basis = Text(default="[]")
    computed_on = Date()
    computed_at = Timestamptz()
