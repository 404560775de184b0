"""Piccolo tables of the criteria library's editions and of the industries each criterion applies to.

The items themselves are `domain.risk.tables.MajorHazardCriterion` rows (one per item, keyed by a stable id that
hazards and checklist items cite), which carry their `edition_id`.
"""

from __future__ import annotations

from piccolo.columns import Date, Timestamptz, Varchar
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
