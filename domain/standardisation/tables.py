"""Piccolo tables of safety standardisation: grades, and the frozen scope lists the compliance rate is taken over."""

from __future__ import annotations

from piccolo.columns import Boolean, Date, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class StandardisationGrade(Table, tablename="standardisation_grade"):
    """A standardisation grade held by an enterprise; never deleted, a revocation is recorded on it and as an event."""

    id = Varchar(length=26, primary_key=True)
    enterprise_id = Varchar(length=26, index=True)
    grade = Varchar(length=16)
    certificate_no = Varchar(length=100)
    authority = Varchar(length=100)
    valid_from = Date(index=True)
    valid_to = Date(index=True)
    revoked_on = Date(null=True, default=None)
    revocation_reason = Text(null=True, default=None)
    recorded_by = Varchar(length=26)
    revoked_by = Varchar(length=26, null=True, default=None)
    # The seq of the event that recorded it in the enterprise's standardisation chain (`std:<enterprise_id>`).
    event_seq = Integer()
    version = Integer(default=1)
    created_at = Timestamptz()
    updated_at = Timestamptz()
    # The last event of its chain about this row (domain.history.binding): `verify` replays the chain and
    # compares, so a row changed without its event, or a chain cut short, is named.
    chain_seq = Integer(null=True, default=None)
    chain_hash = Varchar(length=64, null=True, default=None)


class StandardisationScope(Table, tablename="standardisation_scope"):
    """A dated list of the enterprises a compliance rate is taken over, frozen when made: its members are rows."""

    id = Varchar(length=26, primary_key=True)
    name = Varchar(length=200)
    as_of = Date(index=True)
    region_code = Varchar(length=12, index=True)
    region_path = Varchar(length=200, index=True)
    # JSON: the criteria that chose the members (ScopeCriteria.to_json), kept for whoever reads the list later.
    criteria = Text(default="{}")
    member_count = Integer()
    created_by = Varchar(length=26)
    created_at = Timestamptz()


class StandardisationScopeMember(Table, tablename="standardisation_scope_member"):
    """One enterprise on a frozen scope list, with what it was when the list was made."""

    id = Varchar(length=26, primary_key=True)
    scope_id = Varchar(length=26, index=True)
    enterprise_id = Varchar(length=26, index=True)
    enterprise_name = Varchar(length=200)
    credit_code = Varchar(length=18)
    industry = Varchar(length=40)
    above_designated_size = Boolean(default=False)
    high_risk = Boolean(default=False)
    region_code = Varchar(length=12)
    region_path = Varchar(length=200, index=True)
