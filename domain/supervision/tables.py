"""Piccolo tables of the supervision classes (分级分类监管): the current class of each enterprise and its history."""

from __future__ import annotations

from piccolo.columns import Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class SupervisionClassRow(Table, tablename="supervision_class"):
    """The current class of one enterprise, overwritten when a reclassification reaches other figures."""

    enterprise_id = Varchar(length=26, primary_key=True)
    class_code = Varchar(length=1, index=True)
    edition = Varchar(length=20)
    points = Integer()
    # canonical JSON (domain.supervision.model.reasons_text): what `verify` compares with the chain
    reasons = Text(default="[]")
    inputs = Text(default="{}")
    computed_at = Timestamptz()
    class_since = Timestamptz()
    # one more for every event of the class chain `class:<enterprise id>`
    version = Integer(default=1)
    # The last event of its chain about this row (domain.history): `verify` replays the chain and compares.
    chain_seq = Integer(null=True, default=None)
    chain_hash = Varchar(length=64, null=True, default=None)


class SupervisionClassChange(Table, tablename="supervision_class_change"):
    """One reclassification of an enterprise (class or reasons changed); rows are never updated.

    (enterprise_id, seq) is unique (migration 0023), so two racing reclassifications record one change.
    """

    id = Varchar(length=26, primary_key=True)
    enterprise_id = Varchar(length=26, index=True)
    seq = Integer()
    old_class = Varchar(length=1, null=True, default=None)
    new_class = Varchar(length=1)
    edition = Varchar(length=20)
    points = Integer()
    reasons = Text(default="[]")
    inputs = Text(default="{}")
    changed_at = Timestamptz()
