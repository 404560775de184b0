"""Piccolo tables of the dynamic safety code, its change log, and the schematic shapes of the regional map."""

from __future__ import annotations

from piccolo.columns import Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class SafetyCode(Table, tablename="safety_code"):
    """The current dynamic colour of one enterprise, recomputed and overwritten; its changes are in the log."""

    enterprise_id = Varchar(length=26, primary_key=True)
    colour = Varchar(length=16, index=True)
    score = Integer()
    # JSON: the inputs read and the reasons (rule, value, points, atLeast) that decided the colour.
    inputs = Text(default="{}")
    reasons = Text(default="[]")
    scheme_version = Integer()
    computed_at = Timestamptz()
    colour_since = Timestamptz()
    # The last event of its chain about this row (domain.history.binding): `verify` replays the chain and
    # compares, so a row changed without its event, or a chain cut short, is named.
    chain_seq = Integer(null=True, default=None)
    chain_hash = Varchar(length=64, null=True, default=None)


class SafetyCodeChange(Table, tablename="safety_code_change"):
    """One change of an enterprise's colour (the first computation is a change from none); rows are never updated.

    (enterprise_id, seq) is unique (an index made in migration 0008b), so two racing recomputes record one change.
    """

    id = Varchar(length=26, primary_key=True)
    enterprise_id = Varchar(length=26, index=True)
    seq = Integer()
    old_colour = Varchar(length=16, null=True, default=None)
    new_colour = Varchar(length=16)
    score = Integer()
    reasons = Text(default="[]")
    inputs = Text(default="{}")
    scheme_version = Integer()
    changed_at = Timestamptz()
