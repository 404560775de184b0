"""Piccolo tables of the statutory hazard statistics."""

from __future__ import annotations

from piccolo.columns import Date, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class StatisticsSnapshot(Table, tablename="statistics_snapshot"):
    """One enterprise's hazard statistics of one period, frozen on its due day; signed once by its principal."""

    id = Varchar(length=26, primary_key=True)
    enterprise_id = Varchar(length=26, index=True)
    period_key = Varchar(length=8)
    period_kind = Varchar(length=8)
    period_start = Date()
    period_end = Date()
    due_on = Date(index=True)
    # The canonical JSON of the figures and its SHA-256: the frozen document and the digest the principal signs.
    figures = Text()
    figures_sha256 = Varchar(length=64)
    frozen_at = Timestamptz()
    freeze_event_seq = Integer()
    signed_at = Timestamptz(null=True, default=None)
    signed_by = Varchar(length=26, null=True, default=None)
    sign_event_seq = Integer(null=True, default=None)
    # The last event of its chain about this row (domain.history.binding): `verify` replays the chain and
    # compares, so a row changed without its event, or a chain cut short, is named.
    chain_seq = Integer(null=True, default=None)
    chain_hash = Varchar(length=64, null=True, default=None)
