"""Piccolo tables of the criteria library: its items, their editions and the industries each item applies to.

An item is a `MajorHazardCriterion` row (one per item, keyed by a stable id that hazards and checklist items cite),
carrying its `edition_id`.
"""

from __future__ import annotations

from piccolo.columns import Boolean, Date, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class CriteriaEdition(Table, tablename="criteria_edition"):
    """An edition of a 重大事故隐患判定标准: in force from `effective_from` until its successor takes effect."""

    id = Varchar(length=40, primary_key=True)
    standard = Varchar(length=200)
    edition = Varchar(length=40)
    doc_no = Varchar(length=100, default="")
    issuer = Varchar(length=100, default="")
    effective_from = Date()
    # Set once, when an edition that supersedes this one is added: the successor's effective date.
    effective_until = Date(null=True, default=None)
    supersedes_id = Varchar(length=40, null=True, default=None)
    superseded_by_id = Varchar(length=40, null=True, default=None)
    created_by = Varchar(length=26, default="")
    created_at = Timestamptz()


class CriterionIndustry(Table, tablename="criterion_industry"):
    """One industry a criterion applies to (a row per pair, so the library filters by industry in SQL)."""

    id = Varchar(length=90, primary_key=True)  # "<criterion id>:<industry>"
    criterion_id = Varchar(length=40, index=True)
    industry = Varchar(length=40, index=True)


class MajorHazardCriterion(Table, tablename="major_hazard_criterion"):
    """An item of a 重大事故隐患判定标准: matching any one makes a hazard major."""

    id = Varchar(length=40, primary_key=True)
    standard = Varchar(length=200)
    edition = Varchar(length=40)
    item_no = Varchar(length=20)
    text = Text()
    # The group the item was first filed under; the industries it applies to are `criterion_industry` rows.
    industry = Varchar(length=40, index=True)
    edition_id = Varchar(length=40, default="", index=True)
    # False when the text is a faithful paraphrase rather than the regulation's own wording.
    verbatim = Boolean(default=True)
    position = Integer(default=0)
